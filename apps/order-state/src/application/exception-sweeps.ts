// The exception sweeper's two rounds (issue 11), each run by ExceptionsUseCase in one transaction
// under the sweep lock. Every exception changed writes its event through the outbox.
import { isFinal } from '../domain/order-status';
import type { OrderTransaction } from './ports';
import { exceptionEventFor } from './status-events';

/** Row 15 (see ExceptionsUseCase.sweepUnregistered). Returns the exceptions opened or closed. */
export async function sweepUnregistered(
  tx: OrderTransaction,
  graceMs: number,
  limit: number,
): Promise<number> {
  let changed = 0;
  const registered = await tx.loadOrders(await tx.settledUnregisteredResults(limit), true);
  for (const order of registered.values()) {
    // Re-checked under the order's lock. A result of another partner under this id stays for a person.
    const open = order.openException;
    if (open?.reason !== 'UNREGISTERED_RESULT' || open.clientId !== order.clientId) continue;
    const row = await tx.resolveOpenException(
      order.paymentRequestId,
      'auto',
      'order-state',
      'the order registered; its parked result applied',
    );
    if (row) {
      await tx.enqueueExceptionEvents([exceptionEventFor(row, order.status)]);
      changed++;
    }
  }

  const events = [];
  for (const p of await tx.unregisteredResults(graceMs, limit)) {
    const row = await tx.raiseException({
      paymentRequestId: p.paymentRequestId,
      clientId: p.clientId,
      dialect: p.dialect,
      reason: 'UNREGISTERED_RESULT',
      detail:
        `${p.count} result(s) for an order never registered, the latest ${p.outcome}` +
        `${p.amount ? ` of ${p.amount}` : ''}${p.outcome === 'SUCCESS' ? ': money without an order' : ''}`,
      evidence: {
        eventId: p.eventId,
        code: p.resultCode,
        source: p.source,
        note: 'parked past the grace period',
      },
    });
    // There is no order (yet): its status is null.
    events.push(exceptionEventFor(row, null));
  }
  await tx.enqueueExceptionEvents(events);
  return changed + events.length;
}

/** STUCK_PAST_EXPIRY (see ExceptionsUseCase.sweepStuck). Returns how many it opened. */
export async function sweepStuck(tx: OrderTransaction, afterMs: number, limit: number): Promise<number> {
  const orders = await tx.loadOrders(await tx.stuckOrders(afterMs, limit), true);
  const events = [];
  for (const order of orders.values()) {
    // Re-checked under the order's lock: a result may have settled it meanwhile.
    if (isFinal(order.status) || order.openException) continue;
    const pastS = Math.round((Date.now() - Date.parse(order.paymentExpiryTime)) / 1000);
    const row = await tx.raiseException({
      paymentRequestId: order.paymentRequestId,
      clientId: order.clientId,
      dialect: order.dialect,
      reason: 'STUCK_PAST_EXPIRY',
      detail: `${order.status} ${pastS} s past its expiry (${order.paymentExpiryTime}), no other cause known`,
      evidence: { eventId: null, code: order.status, source: 'order-state', note: 'stuck sweeper' },
    });
    events.push(exceptionEventFor(row, order.status));
  }
  await tx.enqueueExceptionEvents(events);
  return events.length;
}
