import { Injectable } from '@nestjs/common';
import type { Amount, Dialect } from '@app/contracts';
import { AnomalyRecord, foldObservations, OrderSnapshot } from '../domain/order-ledger';
import { writeFoldOutcome } from './ledger-writes';
import { OrderRepository } from './ports';
import { statusChangedFor } from './status-events';

/** protocol.md §5: without paymentExpiryTime the payment expires after at most 1 minute. */
export const DEFAULT_EXPIRY_MS = 60_000;

export interface Registration {
  /** Identifies the registration for anomalies (the event id, or one derived from the HTTP request). */
  eventId: string;
  paymentRequestId: string;
  clientId: string;
  orderNo: string;
  dialect: Dialect;
  amount: Amount;
  paymentExpiryTime?: string | null;
  occurredAt: string;
}

export type RegistrationOutcome =
  | { kind: 'registered'; paymentRequestId: string }
  | { kind: 'already-registered'; paymentRequestId: string }
  | { kind: 'conflict'; paymentRequestId: string; differences: string[] };

/**
 * Registers orders in `init` (one status-changed event each, version 1, which is what schedules the
 * poller), then applies any results that arrived before their order and were parked. Registering the
 * same order again is a no-op; registering a different order under the same id is refused.
 */
@Injectable()
export class RegisterOrdersUseCase {
  constructor(private readonly orders: OrderRepository) {}

  async execute(registrations: Registration[]): Promise<RegistrationOutcome[]> {
    const byId = new Map<string, Registration>();
    for (const r of registrations) if (!byId.has(r.paymentRequestId)) byId.set(r.paymentRequestId, r);

    return this.orders.transaction(async (store) => {
      const ids = [...byId.keys()];

      const snapshots = [...byId.values()].map(toSnapshot);
      const created = await store.insertOrders(snapshots);
      const existing = await store.loadOrders(ids.filter((id) => !created.has(id)));

      const outcomes = new Map<string, RegistrationOutcome>();
      const conflicts: AnomalyRecord[] = [];
      for (const r of byId.values()) {
        if (created.has(r.paymentRequestId)) {
          outcomes.set(r.paymentRequestId, { kind: 'registered', paymentRequestId: r.paymentRequestId });
          continue;
        }
        const differences = differ(existing.get(r.paymentRequestId)!, r);
        if (differences.length === 0) {
          outcomes.set(r.paymentRequestId, {
            kind: 'already-registered',
            paymentRequestId: r.paymentRequestId,
          });
        } else {
          outcomes.set(r.paymentRequestId, {
            kind: 'conflict',
            paymentRequestId: r.paymentRequestId,
            differences,
          });
          conflicts.push({
            paymentRequestId: r.paymentRequestId,
            kind: 'registration_conflict',
            eventId: r.eventId,
            detail: { differences },
          });
        }
      }

      const newOrders = snapshots.filter((s) => created.has(s.paymentRequestId));
      await store.enqueueStatusEvents(newOrders.map((o) => statusChangedFor(o, null, 'registration', null)));

      // Results that came first (design.md §4 footnote): fold them now, in arrival order.
      // A result parked past the grace period has an open UNREGISTERED_RESULT exception (issue 11 row 15):
      // the fold resolves it now that the order exists.
      const parked = await store.loadParked([...created]);
      if (parked.length > 0) {
        const open = await store.openExceptions([...created]);
        const fold = foldObservations(
          new Map(
            newOrders.map((o) => [
              o.paymentRequestId,
              { ...o, openException: open.get(o.paymentRequestId) ?? null },
            ]),
          ),
          parked,
        );
        await store.updateObservationResults(fold.results);
        await writeFoldOutcome(store, fold);
      }
      await store.insertAnomalies(conflicts);

      return registrations.map((r) => outcomes.get(r.paymentRequestId)!);
    });
  }
}

function toSnapshot(r: Registration): OrderSnapshot {
  const expiry = r.paymentExpiryTime
    ? new Date(r.paymentExpiryTime).toISOString()
    : new Date(Date.parse(r.occurredAt) + DEFAULT_EXPIRY_MS).toISOString();
  return {
    paymentRequestId: r.paymentRequestId,
    clientId: r.clientId,
    orderNo: r.orderNo,
    dialect: r.dialect,
    amount: { value: BigInt(r.amount.value).toString(), currency: r.amount.currency },
    status: 'init',
    version: 1,
    paymentExpiryTime: expiry,
    resultCode: null,
    resultSource: null,
    paymentId: null,
    cancelRefused: false,
    openException: null,
  };
}

function differ(stored: OrderSnapshot, r: Registration): string[] {
  const d: string[] = [];
  if (stored.clientId !== r.clientId) d.push('clientId');
  if (stored.orderNo !== r.orderNo) d.push('orderNo');
  if (stored.dialect !== r.dialect) d.push('dialect');
  if (stored.amount.currency !== r.amount.currency || BigInt(stored.amount.value) !== BigInt(r.amount.value))
    d.push('amount');
  return d;
}
