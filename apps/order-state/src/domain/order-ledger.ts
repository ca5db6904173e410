import type {
  Amount,
  Attention,
  Dialect,
  ExceptionReason,
  ObservationOutcome,
  ObservationSource,
  OrderStatus,
} from '@app/contracts';
import { AnomalyKind, decide, Decision, ObservationEffect } from './state-machine';
import { isFinal } from './order-status';

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
  /** The partner refused this order's cancel (issue 11 row 7). */
  cancelRefused: boolean;
  /** The order's one open exception, if any (issue 11). */
  openException: OpenException | null;
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
  paymentTime?: string | null;
  /** The observer could not settle the payment: the order needs an open exception with this reason. */
  attention?: Attention | null;
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

/**
 * An order's open exception as the ledger needs it: the partner is the one whose result opened it
 * (for UNREGISTERED_RESULT, the partner of the parked result, which may not be the order's).
 */
export interface OpenException {
  reason: ExceptionReason;
  clientId: string;
  dialect: Dialect;
}

/** What an exception records as the cause of its latest change. */
export interface ExceptionEvidence {
  eventId: string | null;
  code: string;
  source: string;
  note: string | null;
}

/**
 * A change to an order's one exception, in the order decided. The store writes each with its event.
 * - raise: open the order's exception, or update the open one with this reason and evidence;
 * - resolve: close the open one by itself (`auto`), because the order settled.
 */
export type ExceptionAction =
  | {
      kind: 'raise';
      paymentRequestId: string;
      clientId: string;
      dialect: Dialect;
      reason: ExceptionReason;
      detail: string;
      evidence: ExceptionEvidence;
      orderStatus: OrderStatus;
    }
  | {
      kind: 'resolve';
      paymentRequestId: string;
      note: string;
      evidence: ExceptionEvidence;
      orderStatus: OrderStatus;
    };

export interface LedgerOutcome {
  results: ObservationResult[];
  /** The orders whose status changed, as they end after the batch. */
  changed: Map<string, OrderSnapshot>;
  /** One per applied change, in order: each becomes one outbox row with its own version. */
  transitions: Transition[];
  anomalies: AnomalyRecord[];
  exceptions: ExceptionAction[];
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
 * Issue 11: an order needing a person has exactly one open exception, and it closes by itself when
 * the order settles. `order` is the order after the observation.
 */
function exceptionAction(order: OrderSnapshot, obs: Observation, d: Decision): ExceptionAction | undefined {
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
