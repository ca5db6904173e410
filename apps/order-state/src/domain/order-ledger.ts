import type { Amount, Dialect, ObservationOutcome, ObservationSource, OrderStatus } from '@app/contracts';
import { AnomalyKind, decide, Decision, ObservationEffect } from './state-machine';

export interface OrderSnapshot {
  paymentRequestId: string;
  clientId: string;
  orderNo: string;
  dialect: Dialect;
  amount: Amount;
  status: OrderStatus;
  version: number;
  paymentExpiryTime: string;
  resultCode: string | null;
  resultSource: string | null;
  paymentId: string | null;
}

export interface Observation {
  eventId: string;
  paymentRequestId: string;
  /**
   * The partner that reported it. Null only for results parked before the timeline kept it; those
   * are not checked against the order's partner.
   */
  clientId: string | null;
  dialect: Dialect | null;
  source: ObservationSource;
  outcome: ObservationOutcome;
  resultCode: string;
  paymentId?: string | null;
  amount?: Amount | null;
}

export interface ObservationResult {
  eventId: string;
  effect: ObservationEffect | 'parked';
  statusAfter: OrderStatus | null;
  note: string | null;
}

export interface Transition {
  order: OrderSnapshot;
  from: OrderStatus;
  to: OrderStatus;
  version: number;
  cause: Observation;
}

export interface AnomalyRecord {
  paymentRequestId: string;
  kind: AnomalyKind | 'registration_conflict';
  eventId: string;
  detail: Record<string, unknown>;
}

export interface LedgerOutcome {
  results: ObservationResult[];
  /** The orders whose status changed, as they end after the batch. */
  changed: Map<string, OrderSnapshot>;
  /** One per applied change, in order: each becomes one outbox row with its own version. */
  transitions: Transition[];
  anomalies: AnomalyRecord[];
}

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
    if (d.next !== order.status) {
      const next: OrderSnapshot = {
        ...order,
        status: d.next,
        version: order.version + 1,
        resultCode: obs.resultCode,
        resultSource: obs.source,
        paymentId: obs.paymentId ?? order.paymentId,
      };
      transitions.push({ order: next, from: order.status, to: d.next, version: next.version, cause: obs });
      current.set(next.paymentRequestId, next);
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
  return { results, changed, transitions, anomalies };
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
