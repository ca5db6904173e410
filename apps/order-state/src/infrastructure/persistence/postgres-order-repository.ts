import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Topics } from '@app/contracts';
import type { ExceptionEventV1, ExceptionResolution, StatusChangedV1 } from '@app/contracts';
import type {
  AnomalyRecord,
  ExceptionEvidence,
  ObservationResult,
  OrderSnapshot,
} from '../../domain/order-ledger';
import {
  ExceptionRaise,
  OrderRepository,
  OrderTransaction,
  StoredObservation,
  TimelineEntry,
} from '../../application/ports';
import * as exceptions from './exceptions.sql';
import * as observations from './observations.sql';
import * as orders from './orders.sql';
import { insertOutboxRows } from './outbox.sql';

/**
 * order-state's tables in PostgreSQL. Each transaction is READ COMMITTED; the SQL, set-based (one
 * statement per call whatever the batch size), lives beside this file by table.
 */
@Injectable()
export class PostgresOrderRepository extends OrderRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  transaction<T>(work: (tx: OrderTransaction) => Promise<T>): Promise<T> {
    return this.dataSource.transaction('READ COMMITTED', (em) => work(new PostgresOrderTransaction(em)));
  }
}

/** One transaction's view of the tables (every call runs on the transaction's connection). */
export class PostgresOrderTransaction implements OrderTransaction {
  constructor(private readonly em: EntityManager) {}

  loadOrders(ids: readonly string[], lock = false) {
    return orders.loadOrders(this.em, ids, lock);
  }
  insertOrders(list: readonly OrderSnapshot[]) {
    return orders.insertOrders(this.em, list);
  }
  updateOrders(list: readonly OrderSnapshot[]) {
    return orders.updateOrders(this.em, list);
  }
  stuckOrders(afterMs: number, limit: number) {
    return orders.stuckOrders(this.em, afterMs, limit);
  }
  insertAnomalies(anomalies: readonly AnomalyRecord[]) {
    return orders.insertAnomalies(this.em, anomalies);
  }

  existingObservationIds(eventIds: readonly string[]) {
    return observations.existingObservationIds(this.em, eventIds);
  }
  insertObservations(list: readonly StoredObservation[], results: ReadonlyMap<string, ObservationResult>) {
    return observations.insertObservations(this.em, list, results);
  }
  loadParked(ids: readonly string[]) {
    return observations.loadParked(this.em, ids);
  }
  ordersWithStrandedParked(limit: number) {
    return observations.ordersWithStrandedParked(this.em, limit);
  }
  updateObservationResults(results: readonly ObservationResult[]) {
    return observations.updateObservationResults(this.em, results);
  }
  latestSuccess(paymentRequestId: string) {
    return observations.latestSuccess(this.em, paymentRequestId);
  }
  insertTimelineEntry(entry: TimelineEntry) {
    return observations.insertTimelineEntry(this.em, entry);
  }
  unregisteredResults(graceMs: number, limit: number) {
    return observations.unregisteredResults(this.em, graceMs, limit);
  }

  enqueueStatusEvents(events: readonly StatusChangedV1[]) {
    return insertOutboxRows(this.em, Topics.statusChanged, events);
  }
  enqueueExceptionEvents(events: readonly ExceptionEventV1[]) {
    return insertOutboxRows(this.em, Topics.exceptions, events);
  }

  raiseException(raise: ExceptionRaise) {
    return exceptions.raiseException(this.em, raise);
  }
  resolveOpenException(
    paymentRequestId: string,
    resolution: Exclude<ExceptionResolution, 'reinquire'>,
    by: string,
    note: string | null,
    evidence?: ExceptionEvidence,
  ) {
    return exceptions.resolveOpenException(this.em, paymentRequestId, resolution, by, note, evidence);
  }
  touchException(id: string) {
    return exceptions.touchException(this.em, id);
  }
  lockException(id: string) {
    return exceptions.lockException(this.em, id);
  }
  exceptionOrderId(id: string) {
    return exceptions.exceptionOrderId(this.em, id);
  }
  openExceptions(ids: readonly string[]) {
    return exceptions.openExceptions(this.em, ids);
  }
  tryLockExceptionSweep() {
    return exceptions.tryLockExceptionSweep(this.em);
  }
  settledUnregisteredResults(limit: number) {
    return exceptions.settledUnregisteredResults(this.em, limit);
  }
}
