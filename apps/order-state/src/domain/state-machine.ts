import type { Amount } from '@app/contracts';
import { ObservationOutcome, OrderStatus } from './order-status';

/**
 * What an observation did to an order, as stored in its timeline.
 * - applied: the order moved to a new status (one outbox event).
 * - duplicate: the order is already where the observation says (e.g. SUCCESS on success).
 * - ignored: the table says stay, and that is expected (e.g. a late success on a cancelled order).
 * - conflict: two final answers disagree; the order stays and people look at it.
 * - amount_mismatch: a SUCCESS whose amount or currency differs from the order; nothing changes.
 * - cancel_failed: the cancel was refused with a non-retryable code; people act on it.
 * - informational: an observation that carries no decision (PROCESSING).
 * - partner_mismatch: the result came from another partner (client id or dialect) than the one the
 *   order was registered with; nothing changes.
 */
export type ObservationEffect =
  | 'applied'
  | 'duplicate'
  | 'ignored'
  | 'conflict'
  | 'amount_mismatch'
  | 'cancel_failed'
  | 'informational'
  | 'partner_mismatch';

export type AnomalyKind = 'conflict' | 'amount_mismatch' | 'cancel_failed' | 'partner_mismatch';

export interface Decision {
  /** The status after the observation; equal to the current one when nothing changed. */
  next: OrderStatus;
  effect: ObservationEffect;
  anomaly?: AnomalyKind;
  /** Why, in a few words, for the timeline and logs. */
  note?: string;
}

type TableOutcome = Exclude<ObservationOutcome, 'PROCESSING' | 'CANCEL_FAILED'>;
type Cell = { to?: OrderStatus; effect: ObservationEffect; anomaly?: AnomalyKind; note?: string };

const move = (to: OrderStatus): Cell => ({ to, effect: 'applied' });
const stay = (note?: string): Cell => ({ effect: 'ignored', note });
const noop: Cell = { effect: 'duplicate' };
const conflict: Cell = { effect: 'conflict', anomaly: 'conflict', note: 'conflicting final results' };

/**
 * design.md §4, cell for cell. Rows: the order's status; columns: the observation.
 * CLOSED is ORDER_IS_CLOSED; CANCELLED is a cancel answered S.
 */
export const TRANSITIONS: Record<OrderStatus, Record<TableOutcome, Cell>> = {
  init: {
    SUCCESS: move('success'),
    FAIL: move('fail'),
    CLOSED: move('cancelled'),
    CANCEL_REQUESTED: move('cancelling'),
    CANCELLED: move('cancelled'),
  },
  cancelling: {
    // protocol.md §4.1: after requesting cancel the order may only end CANCELLED; the cancel overrides a late success.
    SUCCESS: stay('late success while cancelling: the cancel overrides it'),
    FAIL: stay('fail while cancelling: waiting for the cancel result'),
    CLOSED: move('cancelled'),
    CANCEL_REQUESTED: noop,
    CANCELLED: move('cancelled'),
  },
  success: {
    SUCCESS: noop,
    FAIL: conflict,
    CLOSED: conflict,
    CANCEL_REQUESTED: { ...conflict, note: 'cancel requested for a paid order' },
    // protocol.md §4: a cancel inside the window reverses a paid payment (full refund).
    CANCELLED: { to: 'cancelled', effect: 'applied', note: 'cancel reversed a paid order' },
  },
  fail: {
    SUCCESS: conflict,
    FAIL: noop,
    CLOSED: stay('closed after fail'),
    CANCEL_REQUESTED: stay('cancel requested after fail'),
    CANCELLED: move('cancelled'),
  },
  cancelled: {
    SUCCESS: stay('late success after cancel: the cancel stands (the payment is refunded)'),
    FAIL: stay('fail after cancel'),
    CLOSED: noop,
    CANCEL_REQUESTED: noop,
    CANCELLED: noop,
  },
};

export interface ObservationFacts {
  outcome: ObservationOutcome;
  amount?: Amount | null;
}

export interface OrderFacts {
  status: OrderStatus;
  amount: Amount;
}

/** The pure decision for one observation against one order (design.md §4 with footnote ¹). */
export function decide(order: OrderFacts, observation: ObservationFacts): Decision {
  const { status } = order;
  if (observation.outcome === 'PROCESSING') return { next: status, effect: 'informational' };
  if (observation.outcome === 'CANCEL_FAILED') {
    return { next: status, effect: 'cancel_failed', anomaly: 'cancel_failed', note: 'cancel refused' };
  }

  const cell = TRANSITIONS[status][observation.outcome];
  if (cell.to === 'success' && !amountMatches(order.amount, observation.amount)) {
    return {
      next: status,
      effect: 'amount_mismatch',
      anomaly: 'amount_mismatch',
      note: `observed ${fmt(observation.amount)} for an order of ${fmt(order.amount)}`,
    };
  }
  return { next: cell.to ?? status, effect: cell.effect, anomaly: cell.anomaly, note: cell.note };
}

/**
 * protocol.md §2.1: on SUCCESS check the amount against the order. An observation that carries no
 * amount (the field is optional in notifyPayment) cannot contradict the order and is accepted.
 */
function amountMatches(expected: Amount, observed: Amount | null | undefined): boolean {
  if (!observed) return true;
  return observed.currency === expected.currency && BigInt(observed.value) === BigInt(expected.value);
}

const fmt = (a: Amount | null | undefined) => (a ? `${a.value} ${a.currency}` : 'no amount');
