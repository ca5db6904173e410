import { decide, Decision } from './state-machine';
import { exceptionAction } from './exception-action';
import type {
  AnomalyRecord,
  ExceptionAction,
  LedgerOutcome,
  Observation,
  ObservationResult,
  OrderSnapshot,
  Transition,
} from './ledger-types';

export type * from './ledger-types';

/**
 * Folds observations, in arrival order, over the orders they name (design.md §4). Pure: the caller
 * loads the orders and persists the outcome in one transaction. An observation for an order that is
 * not registered yet is parked, to be folded again when the registration arrives.
 */
export function foldObservations(
  orders: ReadonlyMap<string, OrderSnapshot>,
  observations: Observation[],
): LedgerOutcome {
  const current = new Map(orders);
  const changed = new Map<string, OrderSnapshot>();
  const results: ObservationResult[] = [];
  const transitions: Transition[] = [];
  const anomalies: AnomalyRecord[] = [];
  const exceptions: ExceptionAction[] = [];

  for (const obs of observations) {
    const order = current.get(obs.paymentRequestId);
    if (!order) {
      results.push({
        eventId: obs.eventId,
        effect: 'parked',
        statusAfter: null,
        note: 'order not registered yet',
      });
      continue;
    }
    const d = samePartner(order, obs) ? decide(order, obs) : partnerMismatch(order);
    let next = order;
    if (d.next !== order.status) {
      next = {
        ...order,
        status: d.next,
        version: order.version + 1,
        resultCode: obs.resultCode,
        resultSource: obs.source,
        paymentId: obs.paymentId ?? order.paymentId,
      };
      transitions.push({ order: next, from: order.status, to: d.next, version: next.version, cause: obs });
    }
    if (d.cancelRefused && !next.cancelRefused) next = { ...next, cancelRefused: true };
    const action = exceptionAction(next, obs, d);
    if (action) {
      exceptions.push(action);
      next = {
        ...next,
        openException:
          action.kind === 'raise'
            ? { reason: action.reason, clientId: action.clientId, dialect: action.dialect }
            : null,
      };
    }
    if (next !== order) current.set(next.paymentRequestId, next);
    // Only a change of a stored column makes an order row update (the exception lives in its own table).
    if (next.version !== order.version || next.cancelRefused !== order.cancelRefused) {
      changed.set(next.paymentRequestId, next);
    }
    if (d.anomaly) {
      anomalies.push({
        paymentRequestId: obs.paymentRequestId,
        kind: d.anomaly,
        eventId: obs.eventId,
        detail: {
          status: order.status,
          outcome: obs.outcome,
          source: obs.source,
          resultCode: obs.resultCode,
          observedAmount: obs.amount ?? null,
          orderAmount: order.amount,
          ...(d.anomaly === 'partner_mismatch'
            ? {
                observedClientId: obs.clientId,
                observedDialect: obs.dialect,
                orderClientId: order.clientId,
                orderDialect: order.dialect,
              }
            : {}),
          note: d.note ?? null,
        },
      });
    }
    results.push({ eventId: obs.eventId, effect: d.effect, statusAfter: d.next, note: d.note ?? null });
  }
  return { results, changed, transitions, anomalies, exceptions };
}

/**
 * Orders are keyed by paymentRequestId alone, so a result is checked to come from the partner the
 * order was registered with: a signed result from another client id (its own payment that happens
 * to share the id, or a misconfigured partner) must not move this order.
 */
const samePartner = (order: OrderSnapshot, obs: Observation): boolean =>
  obs.clientId === null || (obs.clientId === order.clientId && obs.dialect === order.dialect);

const partnerMismatch = (order: OrderSnapshot): Decision => ({
  next: order.status,
  effect: 'partner_mismatch',
  anomaly: 'partner_mismatch',
  note: 'result from another partner than the order was registered with',
});
