import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Dialect, ObservationOutcome, ObservationSource } from '@app/contracts';
import { decideResolution, OperatorResolution } from '../domain/exception-resolution';
import { isFinal } from '../domain/order-status';
import type { OrderSnapshot } from '../domain/order-ledger';
import {
  exceptionEventFor,
  ExceptionRow,
  OrderStore,
  statusChangedFor,
} from '../infrastructure/persistence/order-store';

export interface ResolveInput {
  resolution: OperatorResolution;
  /** Who resolved it (the token's name, or the request's `by` for now). */
  by: string;
  note?: string | null;
}

export type ResolveOutcome =
  | { kind: 'resolved'; exceptionId: string }
  | { kind: 'not-found' }
  | { kind: 'conflict'; code: 'EXCEPTION_RESOLVED' | 'ORDER_STATUS_FORBIDS'; message: string };

/** One sweeper round at a time across replicas (transaction-level: released at commit). */
const EXCEPTION_SWEEP_LOCK = 0x0a51_0003;

/**
 * The status-changed `source` of a person's accept or mark_failed. The contract's enum has no
 * "operator", and widening a published enum breaks consumers that validate it; `inquiry` is the
 * closest truth (a person checked the payment's state with the partner or the merchant and decided).
 * What marks the change as made by a person: `resultCode` MANUAL_ACCEPT / MANUAL_MARK_FAILED and
 * `causeEventId` `exception:<id>:<version>` (the exception event published in the same transaction).
 */
export const OPERATOR_STATUS_SOURCE = 'inquiry' as const;
const MANUAL_CODES = { success: 'MANUAL_ACCEPT', fail: 'MANUAL_MARK_FAILED' } as const;

/**
 * Exceptions that no observation opens or closes (issue 11): a person's resolution, results parked
 * for an order never registered (row 15), and orders stuck past their expiry. Each change writes its
 * exception event through the outbox in the same transaction.
 */
@Injectable()
export class ExceptionsUseCase {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async resolve(exceptionId: string, input: ResolveInput): Promise<ResolveOutcome> {
    return this.dataSource.transaction('READ COMMITTED', async (em) => {
      const store = new OrderStore(em);
      const [head]: { payment_request_id: string }[] = await em.query(
        `SELECT payment_request_id FROM exceptions WHERE id = $1::bigint`,
        [exceptionId],
      );
      if (!head) return { kind: 'not-found' };
      // The order's lock first, as every writer of an order takes it: no cycle with the consumer.
      const order = (await store.loadOrders([head.payment_request_id], true)).get(head.payment_request_id);
      const row = (await store.lockException(exceptionId))!;
      if (row.resolved_at) {
        return {
          kind: 'conflict',
          code: 'EXCEPTION_RESOLVED',
          message: `exception ${exceptionId} was resolved (${row.resolution}) by ${row.resolved_by}`,
        };
      }
      const decision = decideResolution(order?.status ?? null, row.reason, input.resolution);
      if (!decision.ok) return { kind: 'conflict', code: decision.code, message: decision.message };

      const causeEventId = `exception:${row.id}:${row.version + 1}`;
      let after: OrderSnapshot | undefined = order;
      if (order && decision.move) {
        // An accepted payment carries what the partner reported with its SUCCESS (for a mismatch, the
        // amount that really moved): a ledger books that, and its paymentTime starts the refund window.
        const paid =
          decision.move === 'success' ? await store.latestSuccess(order.paymentRequestId) : undefined;
        after = {
          ...order,
          status: decision.move,
          version: order.version + 1,
          resultCode: MANUAL_CODES[decision.move],
          resultSource: 'operator',
          paymentId: order.paymentId ?? paid?.paymentId ?? null,
        };
        await store.updateOrders([after]);
        await store.insertOutbox([
          {
            ...statusChangedFor(after, order.status, OPERATOR_STATUS_SOURCE, causeEventId),
            ...(after.paymentId ? { paymentId: after.paymentId } : {}),
            ...(paid?.paymentTime ? { paymentTime: paid.paymentTime } : {}),
            ...(paid?.amount ? { reportedAmount: paid.amount } : {}),
          },
        ]);
      }
      const note = input.note ?? null;
      const orderStatus = after?.status ?? null;
      let changed: ExceptionRow;
      if (decision.keepOpen) {
        changed = await store.touchException(row.id);
        await store.insertExceptionEvents([exceptionEventFor(changed, orderStatus, { by: input.by, note })]);
      } else {
        changed = (await store.resolveOpenException(
          row.payment_request_id,
          input.resolution as Exclude<OperatorResolution, 'reinquire'>,
          input.by,
          note,
          { eventId: causeEventId, code: input.resolution, source: 'operator', note },
        ))!;
        await store.insertExceptionEvents([exceptionEventFor(changed, orderStatus)]);
      }
      // The order's timeline shows every resolution, with who and why.
      await store.insertTimelineEntry({
        eventId: causeEventId,
        paymentRequestId: row.payment_request_id,
        clientId: row.client_id,
        dialect: row.dialect,
        source: 'operator',
        outcome: input.resolution.toUpperCase(),
        resultCode: row.reason,
        effect: after !== order ? 'applied' : 'informational',
        statusAfter: after?.status ?? null,
        note: `exception ${row.id} (${row.reason}): ${input.resolution} by ${input.by}${note ? `: ${note}` : ''}`,
      });
      return { kind: 'resolved', exceptionId: row.id };
    });
  }

  /**
   * Row 15: results parked for an order never registered, the first older than `graceMs`, get an
   * open UNREGISTERED_RESULT exception (a SUCCESS there is money without an order). Also closes such
   * an exception whose order has registered since and has nothing parked left (a registration that
   * committed while this sweep opened it). Returns the exceptions opened or closed.
   */
  async sweepUnregistered(graceMs: number, limit = 500): Promise<number> {
    return this.dataSource.transaction('READ COMMITTED', async (em) => {
      if (!(await this.sweepLock(em))) return 0;
      const store = new OrderStore(em);
      let changed = 0;

      const registered: { payment_request_id: string }[] = await em.query(
        `SELECT e.payment_request_id FROM exceptions e
           JOIN payment_orders p ON p.payment_request_id = e.payment_request_id
          WHERE e.resolved_at IS NULL AND e.reason = 'UNREGISTERED_RESULT'
            -- A result of another partner under this id stays for a person (see the ledger).
            AND e.client_id = p.client_id AND e.dialect = p.dialect
            AND NOT EXISTS (SELECT 1 FROM payment_observations o
                             WHERE o.payment_request_id = e.payment_request_id AND o.effect = 'parked')
          LIMIT $1`,
        [limit],
      );
      const orders = await store.loadOrders(
        registered.map((r) => r.payment_request_id),
        true,
      );
      for (const order of orders.values()) {
        const open = order.openException;
        if (open?.reason !== 'UNREGISTERED_RESULT' || open.clientId !== order.clientId) continue;
        const row = await store.resolveOpenException(
          order.paymentRequestId,
          'auto',
          'order-state',
          'the order registered; its parked result applied',
        );
        if (row) {
          await store.insertExceptionEvents([exceptionEventFor(row, order.status)]);
          changed++;
        }
      }

      const parked: {
        payment_request_id: string;
        client_id: string;
        dialect: Dialect;
        event_id: string;
        source: ObservationSource;
        outcome: ObservationOutcome;
        result_code: string;
        amount: string | null;
        n: number;
      }[] = await em.query(
        `WITH g AS (
           SELECT payment_request_id, min(received_at) AS first_at, max(seq) AS last_seq, count(*)::int AS n
             FROM payment_observations
            WHERE effect = 'parked' AND client_id IS NOT NULL
            GROUP BY payment_request_id
           HAVING min(received_at) < now() - make_interval(secs => $1::double precision)
         )
         SELECT o.payment_request_id, o.client_id, o.dialect, o.event_id, o.source, o.outcome, o.result_code,
                CASE WHEN o.amount_value IS NULL THEN NULL ELSE o.amount_value::text || ' ' || o.amount_currency END
                  AS amount,
                g.n
           FROM g JOIN payment_observations o ON o.seq = g.last_seq AND o.payment_request_id = g.payment_request_id
          WHERE NOT EXISTS (SELECT 1 FROM payment_orders p WHERE p.payment_request_id = g.payment_request_id)
            -- Open already, or a person closed it after the latest result: nothing new to say.
            AND NOT EXISTS (SELECT 1 FROM exceptions e
                             WHERE e.payment_request_id = g.payment_request_id
                               AND (e.resolved_at IS NULL OR e.resolved_at >= o.received_at))
          ORDER BY g.first_at LIMIT $2`,
        [graceMs / 1000, limit],
      );
      const events = [];
      for (const p of parked) {
        const row = await store.raiseException({
          paymentRequestId: p.payment_request_id,
          clientId: p.client_id,
          dialect: p.dialect,
          reason: 'UNREGISTERED_RESULT',
          detail:
            `${p.n} result(s) for an order never registered, the latest ${p.outcome}` +
            `${p.amount ? ` of ${p.amount}` : ''}${p.outcome === 'SUCCESS' ? ': money without an order' : ''}`,
          evidence: {
            eventId: p.event_id,
            code: p.result_code,
            source: p.source,
            note: 'parked past the grace period',
          },
        });
        // There is no order (yet): its status is null.
        events.push(exceptionEventFor(row, null));
      }
      await store.insertExceptionEvents(events);
      return changed + events.length;
    });
  }

  /**
   * Every order non-final past its expiry plus `afterMs` (the poller's last cancel retry) with no
   * open exception gets STUCK_PAST_EXPIRY: nothing else explains why it is not final. An order whose
   * exception a person closed within the last `afterMs` is left alone for that long (e.g. a reverse
   * whose cancel is still under way). Returns how many it opened.
   */
  async sweepStuck(afterMs: number, limit = 500): Promise<number> {
    return this.dataSource.transaction('READ COMMITTED', async (em) => {
      if (!(await this.sweepLock(em))) return 0;
      const store = new OrderStore(em);
      const candidates: { payment_request_id: string }[] = await em.query(
        `SELECT p.payment_request_id FROM payment_orders p
          WHERE p.status IN ('init', 'cancelling')
            AND p.payment_expiry_time < now() - make_interval(secs => $1::double precision)
            AND NOT EXISTS (SELECT 1 FROM exceptions e
                             WHERE e.payment_request_id = p.payment_request_id
                               AND (e.resolved_at IS NULL
                                    OR e.resolved_at > now() - make_interval(secs => $1::double precision)))
          ORDER BY p.payment_expiry_time LIMIT $2`,
        [afterMs / 1000, limit],
      );
      const orders = await store.loadOrders(
        candidates.map((c) => c.payment_request_id),
        true,
      );
      const events = [];
      for (const order of orders.values()) {
        // Re-checked under the order's lock: a result may have settled it meanwhile.
        if (isFinal(order.status) || order.openException) continue;
        const pastS = Math.round((Date.now() - Date.parse(order.paymentExpiryTime)) / 1000);
        const row = await store.raiseException({
          paymentRequestId: order.paymentRequestId,
          clientId: order.clientId,
          dialect: order.dialect,
          reason: 'STUCK_PAST_EXPIRY',
          detail: `${order.status} ${pastS} s past its expiry (${order.paymentExpiryTime}), no other cause known`,
          evidence: { eventId: null, code: order.status, source: 'order-state', note: 'stuck sweeper' },
        });
        events.push(exceptionEventFor(row, order.status));
      }
      await store.insertExceptionEvents(events);
      return events.length;
    });
  }

  private async sweepLock(em: EntityManager): Promise<boolean> {
    const [{ locked }]: { locked: boolean }[] = await em.query(
      'SELECT pg_try_advisory_xact_lock($1) AS locked',
      [EXCEPTION_SWEEP_LOCK],
    );
    return locked;
  }
}
