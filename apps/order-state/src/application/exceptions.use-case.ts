import { Injectable } from '@nestjs/common';
import { decideResolution, OperatorResolution } from '../domain/exception-resolution';
import type { OrderSnapshot } from '../domain/order-ledger';
import { sweepStuck, sweepUnregistered } from './exception-sweeps';
import { ExceptionRecord, OrderRepository } from './ports';
import { exceptionEventFor, statusChangedFor } from './status-events';

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
  constructor(private readonly orders: OrderRepository) {}

  async resolve(exceptionId: string, input: ResolveInput): Promise<ResolveOutcome> {
    return this.orders.transaction(async (store) => {
      const orderId = await store.exceptionOrderId(exceptionId);
      if (orderId === undefined) return { kind: 'not-found' };
      // The order's lock first, as every writer of an order takes it: no cycle with the consumer.
      const order = (await store.loadOrders([orderId], true)).get(orderId);
      const row = (await store.lockException(exceptionId))!;
      if (row.resolvedAt) {
        return {
          kind: 'conflict',
          code: 'EXCEPTION_RESOLVED',
          message: `exception ${exceptionId} was resolved (${row.resolution}) by ${row.resolvedBy}`,
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
        await store.enqueueStatusEvents([
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
      let changed: ExceptionRecord;
      if (decision.keepOpen) {
        changed = await store.touchException(row.id);
        await store.enqueueExceptionEvents([exceptionEventFor(changed, orderStatus, { by: input.by, note })]);
      } else {
        changed = (await store.resolveOpenException(
          row.paymentRequestId,
          input.resolution as Exclude<OperatorResolution, 'reinquire'>,
          input.by,
          note,
          { eventId: causeEventId, code: input.resolution, source: 'operator', note },
        ))!;
        await store.enqueueExceptionEvents([exceptionEventFor(changed, orderStatus)]);
      }
      // The order's timeline shows every resolution, with who and why.
      await store.insertTimelineEntry({
        eventId: causeEventId,
        paymentRequestId: row.paymentRequestId,
        clientId: row.clientId,
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
    return this.orders.transaction(async (tx) =>
      (await tx.tryLockExceptionSweep()) ? sweepUnregistered(tx, graceMs, limit) : 0,
    );
  }

  /**
   * Every order non-final past its expiry plus `afterMs` (the poller's last cancel retry) with no
   * open exception gets STUCK_PAST_EXPIRY: nothing else explains why it is not final. An order whose
   * exception a person closed within the last `afterMs` is left alone for that long (e.g. a reverse
   * whose cancel is still under way). Returns how many it opened.
   */
  async sweepStuck(afterMs: number, limit = 500): Promise<number> {
    return this.orders.transaction(async (tx) =>
      (await tx.tryLockExceptionSweep()) ? sweepStuck(tx, afterMs, limit) : 0,
    );
  }
}
