import type { Amount, Dialect, OrderStatus } from '@app/contracts';

/**
 * Where an order stands in the poller (design.md §5):
 * - `inquiry`: polled with inquiryPayment until a final answer, the expiry or the inquiry budget;
 * - `cancel`: cancelPayment / cancel is sent until it succeeds or is refused (protocol.md §4);
 * - `done`: nothing more to do. The row stays as a tombstone, so that a late or replayed event of
 *   an order already seen final never schedules it again; tombstones are pruned after a retention.
 */
export type SchedulePhase = 'inquiry' | 'cancel' | 'done';

/** Why a row is done, for operators. */
export type DoneReason =
  /** order-state reported a final status (success, fail, cancelled). */
  | 'ORDER_FINAL'
  /** Our inquiry observed the final result and published it. */
  | 'RESULT_OBSERVED'
  /** The cancel succeeded and CANCELLED was published. */
  | 'CANCELLED'
  /** The cancel was refused with a non-retryable code; CANCEL_FAILED was published for people to act. */
  | 'CANCEL_FAILED';

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
}
