import type { Amount, Dialect, OrderStatus } from '@app/contracts';

/**
 * Where an order stands in the poller (design.md §5):
 * - `inquiry`: polled with inquiryPayment until a final answer, the expiry or the inquiry budget;
 * - `cancel`: cancelPayment / cancel is sent until it succeeds or is refused (protocol.md §4);
 * - `verify`: inquiries after a cancel answer that did not settle the order (ORDER_NOT_EXIST, a
 *   refusal) or on an operator's re-inquiry, over a bounded window (see {@link VerifyReason});
 * - `done`: nothing more to do. The row stays as a tombstone, so that a late or replayed event of
 *   an order already seen final never schedules it again; tombstones are pruned after a retention.
 */
export type SchedulePhase = 'inquiry' | 'cancel' | 'verify' | 'done';

/**
 * Why a row is in the `verify` phase (issue 11):
 * - CANCEL_NOT_EXIST: the cancel was answered F ORDER_NOT_EXIST; inquire over a grace window, then
 *   close the order as not confirmed by the partner (row 5);
 * - CANCEL_REFUSED: the cancel was refused (any other F); inquire to learn the truth, then open an
 *   exception CANCEL_REFUSED if none was found (row 7);
 * - REINQUIRE: a person asked for one inquiry now (an exception resolved `reinquire`).
 */
export type VerifyReason = 'CANCEL_NOT_EXIST' | 'CANCEL_REFUSED' | 'REINQUIRE';

/**
 * Why the last answer of a row was not believed, as the reason of the exception it would open:
 * a failed verification (row 2) or an answer that does not fit the protocol (row 11). Such an answer
 * is never the reason for a cancel; a transport error (no answer at all) leaves it as it was.
 */
export type AnswerDoubt = 'UNVERIFIED_ANSWERS' | 'INVALID_ANSWERS';

/** Why a row is done, for operators. */
export type DoneReason =
  /** order-state reported a final status (success, fail, cancelled). */
  | 'ORDER_FINAL'
  /** Our inquiry observed the final result and published it. */
  | 'RESULT_OBSERVED'
  /** The cancel succeeded and CANCELLED was published. */
  | 'CANCELLED'
  /** The cancel was refused with a non-retryable code; CANCEL_FAILED was published for people to act. */
  | 'CANCEL_FAILED'
  /** The cancel was refused and no inquiry found the truth: an exception CANCEL_REFUSED was opened. */
  | 'CANCEL_REFUSED'
  /** Cancel F ORDER_NOT_EXIST and the partner never knew the order: CLOSED, not confirmed, published. */
  | 'CLOSED_NO_ORDER'
  /** A person's re-inquiry of a done row found no final answer; the row is done again, nothing sent. */
  | 'REINQUIRED';

/** One row of the schedule as the domain sees it (times are epoch milliseconds). */
export interface ScheduleEntry {
  readonly paymentRequestId: string;
  readonly clientId: string;
  readonly dialect: Dialect;
  readonly amount: Amount;
  readonly expiresAt: number;
  readonly registeredAt: number;
  readonly phase: SchedulePhase;
  /** The order's status as last reported by order-state, and that report's version. */
  readonly orderStatus: OrderStatus;
  readonly lastVersion: number;
  /** Null exactly when the phase is `done`. */
  readonly nextDueAt: number | null;
  /**
   * Set when we committed to cancelling, before CANCEL_REQUESTED is published: from then on a cancel
   * may be in flight and must be driven to its end (protocol.md §4.1 "the order may only end CANCELLED").
   */
  readonly cancelRequestedAt: number | null;
  readonly doneReason: DoneReason | null;
  /**
   * Set when the cancel is a reversal asked for by an exception (PAID_AFTER_CLOSE, or a person's
   * `reverse`): its key (domain/exception-commands). Such a cancel goes out whatever the order's
   * status, and nothing order-state reports stops it.
   */
  readonly reversalOf: string | null;
  /** Set exactly in the `verify` phase. */
  readonly verifyReason: VerifyReason | null;
}

/** A row handed to this replica by a claim: it holds the lease until it completes the row. */
export interface ClaimedEntry extends ScheduleEntry {
  /** The due time the claim found (the start of the inquiry-start lag). */
  readonly dueAt: number;
  /** Fencing token: completions are applied only while the row still carries it. */
  readonly leaseToken: string;
  /** Nothing may be sent for the row after this (another replica may claim it then). */
  readonly leaseUntil: number;
  readonly inquiryAttempts: number;
  readonly cancelAttempts: number;
  /** What the previous call answered (PAYMENT_IN_PROCESS, NO_RESPONSE, …). */
  readonly lastResultCode: string | null;
  /** Why the last answer was not believed; null when it was (or no answer came yet). */
  readonly answerDoubt: AnswerDoubt | null;
  /** The reason of the last attention published for the row (each is published once). */
  readonly reportedAttention: string | null;
  readonly verifyUntil: number | null;
}
