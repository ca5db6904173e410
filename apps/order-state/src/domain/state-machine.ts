import type { Amount, Attention } from '@app/contracts';
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
 * - awaiting_amount: a SUCCESS that carries no amount; it is taken only once an answer with the
 *   amount confirms it (issue 11 row 10).
 * - paid_after_close: a SUCCESS for an order we closed without the partner's confirmation (row 6).
 */
export type ObservationEffect =
  | 'applied'
  | 'duplicate'
  | 'ignored'
  | 'conflict'
  | 'amount_mismatch'
  | 'cancel_failed'
  | 'informational'
  | 'partner_mismatch'
  | 'awaiting_amount'
  | 'paid_after_close';

/**
 * - success_while_cancelling: the cancel overrides a SUCCESS (row 8); finance must see the reversal.
 * - cancel_refused_paid: the partner refused the cancel and the payment was paid: it stands (row 7).
 * - paid_after_close: paid at the partner although we closed it as not existing there (row 6).
 */
export type AnomalyKind =
  | 'conflict'
  | 'amount_mismatch'
  | 'cancel_failed'
  | 'partner_mismatch'
  | 'success_while_cancelling'
  | 'cancel_refused_paid'
  | 'paid_after_close';

export interface Decision {
  /** The status after the observation; equal to the current one when nothing changed. */
  next: OrderStatus;
  effect: ObservationEffect;
  anomaly?: AnomalyKind;
  /** Why, in a few words, for the timeline and logs. */
  note?: string;
  /** The order needs a person: open its exception (or update the open one) with this reason. */
  exception?: Attention;
  /** The partner refused the order's cancel: remember it on the order (row 7). */
  cancelRefused?: true;
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
    // A cancel answered S refunds a paid payment (protocol.md §4). A close the partner never confirmed
    // (ORDER_NOT_EXIST) refunds nothing: see PAID_AFTER_CLOSE in decide().
    SUCCESS: stay('late success after cancel: the cancel stands (the payment is refunded)'),
    FAIL: stay('fail after cancel'),
    CLOSED: noop,
    CANCEL_REQUESTED: noop,
    CANCELLED: noop,
  },
};

/**
 * Issue 11 row 7: once the partner refused the cancel, the cancel does not override the truth any
 * more; an inquiry's final answer settles the order (a paid payment stays paid, with an anomaly).
 */
export const CANCEL_REFUSED_CELLS: Record<TableOutcome, Cell> = {
  SUCCESS: {
    to: 'success',
    effect: 'applied',
    anomaly: 'cancel_refused_paid',
    note: 'paid, and the cancel was refused: the payment stands',
  },
  FAIL: { to: 'fail', effect: 'applied', note: 'failed, and the cancel was refused' },
  CLOSED: move('cancelled'),
  CANCEL_REQUESTED: noop,
  CANCELLED: move('cancelled'),
};

/** protocol.md §4.1 / issue 11 row 5: the poller closes an order the partner does not know with this code. */
export const CLOSED_UNCONFIRMED_CODE = 'ORDER_NOT_EXIST';

export interface ObservationFacts {
  outcome: ObservationOutcome;
  amount?: Amount | null;
}

export interface OrderFacts {
  status: OrderStatus;
  amount: Amount;
  /** The partner refused this order's cancel (row 7). */
  cancelRefused?: boolean;
  /** The result code the order's status was set with (row 6 looks for CLOSED_UNCONFIRMED_CODE). */
  resultCode?: string | null;
}

/** The pure decision for one observation against one order (design.md §4 with footnote ¹, issue 11). */
export function decide(order: OrderFacts, observation: ObservationFacts): Decision {
  const { status } = order;
  if (observation.outcome === 'PROCESSING') return { next: status, effect: 'informational' };
  if (observation.outcome === 'CANCEL_FAILED') {
    return {
      next: status,
      effect: 'cancel_failed',
      anomaly: 'cancel_failed',
      note: 'cancel refused',
      ...(status === 'cancelling' ? { cancelRefused: true as const } : {}),
    };
  }
  if (observation.outcome === 'SUCCESS') {
    // Row 8: the cancel overrides a success (protocol.md §4.1), but money may have moved.
    if (status === 'cancelling' && !order.cancelRefused) {
      return {
        next: status,
        effect: 'ignored',
        anomaly: 'success_while_cancelling',
        note: 'success while cancelling: the cancel overrides it',
      };
    }
    // Row 6: we closed it because the partner did not know it, so no cancel refunded this payment.
    if (status === 'cancelled' && order.resultCode === CLOSED_UNCONFIRMED_CODE) {
      return {
        next: status,
        effect: 'paid_after_close',
        anomaly: 'paid_after_close',
        note: 'paid after we closed it unconfirmed: the cancel is sent again',
        exception: {
          reason: 'PAID_AFTER_CLOSE',
          detail: `paid (${fmt(observation.amount)}) after the order was closed without the partner's confirmation`,
        },
      };
    }
  }

  const row = status === 'cancelling' && order.cancelRefused ? CANCEL_REFUSED_CELLS : TRANSITIONS[status];
  const cell = row[observation.outcome];
  if (cell.to === 'success') {
    // Row 10: without an amount a SUCCESS cannot be checked against the order (protocol.md §2.1).
    if (!observation.amount) {
      return {
        next: status,
        effect: 'awaiting_amount',
        note: 'success without an amount: awaiting an amount',
      };
    }
    // Row 9: money moved, but not the money of this order: no transition and no automatic cancel.
    if (!amountMatches(order.amount, observation.amount)) {
      const note = `observed ${fmt(observation.amount)} for an order of ${fmt(order.amount)}`;
      return {
        next: status,
        effect: 'amount_mismatch',
        anomaly: 'amount_mismatch',
        note,
        exception: { reason: 'AMOUNT_MISMATCH', detail: `SUCCESS ${note}` },
      };
    }
  }
  return { next: cell.to ?? status, effect: cell.effect, anomaly: cell.anomaly, note: cell.note };
}

/** protocol.md §2.1: on SUCCESS check the amount against the order. */
function amountMatches(expected: Amount, observed: Amount): boolean {
  return observed.currency === expected.currency && BigInt(observed.value) === BigInt(expected.value);
}

const fmt = (a: Amount | null | undefined) => (a ? `${a.value} ${a.currency}` : 'no amount');
