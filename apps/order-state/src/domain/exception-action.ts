import type { Decision } from './state-machine';
import { isFinal } from './order-status';
import type { ExceptionAction, ExceptionEvidence, Observation, OrderSnapshot } from './ledger-types';

/**
 * Issue 11: an order needing a person has exactly one open exception, and it closes by itself when
 * the order settles. `order` is the order after the observation.
 */
export function exceptionAction(
  order: OrderSnapshot,
  obs: Observation,
  d: Decision,
): ExceptionAction | undefined {
  const evidence: ExceptionEvidence = {
    eventId: obs.eventId,
    code: obs.resultCode,
    source: obs.source,
    note: d.note ?? null,
  };
  const base = { paymentRequestId: order.paymentRequestId, evidence, orderStatus: order.status };
  // The observer's attention counts while the order can still move; a final order needs nobody.
  const cause = d.exception ?? (obs.attention && !isFinal(order.status) ? obs.attention : undefined);
  if (cause) {
    return { kind: 'raise', ...base, clientId: order.clientId, dialect: order.dialect, ...cause };
  }
  const open = order.openException;
  if (!open) return undefined;
  switch (open.reason) {
    // The order exists now and its parked result has been applied to it (row 15). A result of another
    // partner under this id is still money without an order of that partner: a person looks at it.
    case 'UNREGISTERED_RESULT':
      return open.clientId === order.clientId && open.dialect === order.dialect
        ? { kind: 'resolve', ...base, note: 'the order registered; its parked result applied' }
        : undefined;
    // The order is final already (cancelled); the reversal's cancel answered S settles it (row 6).
    case 'PAID_AFTER_CLOSE':
      return obs.outcome === 'CANCELLED'
        ? { kind: 'resolve', ...base, note: 'the payment was reversed: the cancel succeeded' }
        : undefined;
    default:
      return isFinal(order.status)
        ? { kind: 'resolve', ...base, note: `the order became ${order.status}` }
        : undefined;
  }
}
