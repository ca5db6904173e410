// The contract events order-state publishes, built from what the ledger decided and the stored
// exception rows. Pure: the use cases hand them to the outbox in the same transaction as the change.
import { statusChangedEventId } from '@app/contracts';
import type { ExceptionEventV1, OrderStatus, StatusChangedV1 } from '@app/contracts';
import type { OrderSnapshot, Transition } from '../domain/order-ledger';
import type { ExceptionRecord } from './ports';

/**
 * One event per order version: the id is derived from (order, version), so a relay that publishes a
 * row twice publishes the same event.
 */
export function statusChangedFor(
  order: OrderSnapshot,
  from: StatusChangedV1['from'],
  source: StatusChangedV1['source'],
  causeEventId: string | null,
  occurredAt = new Date().toISOString(),
): StatusChangedV1 {
  return {
    eventId: statusChangedEventId(order.paymentRequestId, order.version),
    schemaVersion: 1,
    occurredAt,
    clientId: order.clientId,
    paymentRequestId: order.paymentRequestId,
    orderNo: order.orderNo,
    dialect: order.dialect,
    from,
    to: order.status,
    source,
    resultCode: order.resultCode,
    amount: order.amount,
    paymentExpiryTime: order.paymentExpiryTime,
    version: order.version,
    causeEventId,
  };
}

/**
 * The additive fields (issue 11) come from the observation that caused the change; the payment id is
 * the order's, which keeps the first one a result named.
 */
export function transitionToEvent(t: Transition, occurredAt?: string): StatusChangedV1 {
  // Added in place rather than spread into a copy: one object per transition, its keys in the
  // schema's order (what encodeEvent's fast path takes as is).
  const event = statusChangedFor(t.order, t.from, t.cause.source, t.cause.eventId, occurredAt);
  if (t.order.paymentId) event.paymentId = t.order.paymentId;
  if (t.cause.paymentTime) event.paymentTime = t.cause.paymentTime;
  if (t.cause.amount) event.reportedAmount = t.cause.amount;
  return event;
}

/** One event per change of an exception row: the id is derived from (exception, version). */
export function exceptionEventFor(
  row: ExceptionRecord,
  orderStatus: OrderStatus | null,
  reinquire?: { by: string; note: string | null },
): ExceptionEventV1 {
  const type = row.resolvedAt ? 'resolved' : row.version === 1 ? 'opened' : 'updated';
  return {
    eventId: `exception:${row.id}:${row.version}`,
    schemaVersion: 1,
    occurredAt: new Date().toISOString(),
    clientId: row.clientId,
    paymentRequestId: row.paymentRequestId,
    dialect: row.dialect,
    exceptionId: row.id,
    type,
    reason: row.reason,
    detail: row.detail,
    openedAt: row.openedAt,
    resolvedAt: row.resolvedAt,
    resolvedBy: reinquire?.by ?? row.resolvedBy,
    resolution: reinquire ? 'reinquire' : row.resolution,
    note: reinquire ? reinquire.note : row.resolutionNote,
    orderStatus,
  };
}
