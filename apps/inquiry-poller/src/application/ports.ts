import type { Dialect, ResultObservedV1 } from '@app/contracts';
import type { Attention, CancelCallResult, InquiryCallResult } from '../domain/read-inquiry';
import type {
  AnswerDoubt,
  ClaimedEntry,
  DoneReason,
  ScheduleEntry,
  SchedulePhase,
  VerifyReason,
} from '../domain/schedule-entry';
import type { TransitionResult } from '../domain/schedule-transitions';

export type ScheduleWrite = Extract<TransitionResult, { kind: 'write' }>;

/** What a replica writes back when it is done with a claimed row (fenced by the lease token). */
export interface Completion {
  readonly paymentRequestId: string;
  readonly leaseToken: string;
  readonly phase: SchedulePhase;
  /** Null exactly when the phase is `done`. */
  readonly nextDueAt: number | null;
  readonly inquiryAttempts: number;
  readonly cancelAttempts: number;
  /** When a call was made under this lease (null: none was, e.g. the lease was handed back early). */
  readonly lastAttemptAt: number | null;
  readonly lastResultCode: string | null;
  /** Kept on the row for people until a later attention replaces it. */
  readonly attention: Attention | null;
  readonly doneReason: DoneReason | null;
  /** Written as given (null clears it). */
  readonly answerDoubt: AnswerDoubt | null;
  /** Set when an attention was published under this lease; null keeps the row's. */
  readonly reportedAttention: string | null;
  /** Written as given: set exactly in the `verify` phase. */
  readonly verifyReason: VerifyReason | null;
  readonly verifyUntil: number | null;
}

/** What an exception event asks of a row (payments.exceptions.v1). */
export type ExceptionCommandResult = 'applied' | 'not-found' | 'ignored';

export type ForceInquiryResult =
  | { readonly kind: 'scheduled'; readonly inFlight: boolean }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'cancelling' }
  | { readonly kind: 'done'; readonly doneReason: DoneReason };

/** A row as operators see it (GET /inquiries/:paymentRequestId). */
export interface ScheduleView {
  readonly paymentRequestId: string;
  readonly clientId: string;
  readonly dialect: Dialect;
  readonly phase: SchedulePhase;
  readonly orderStatus: string;
  readonly lastVersion: number;
  readonly paymentExpiryTime: string;
  readonly nextDueAt: string | null;
  readonly leased: boolean;
  readonly inquiryAttempts: number;
  readonly cancelAttempts: number;
  readonly cancelRequestedAt: string | null;
  readonly lastAttemptAt: string | null;
  readonly lastResultCode: string | null;
  readonly attentionCode: string | null;
  readonly attentionDetail: string | null;
  readonly doneReason: string | null;
  /** Why the last answer was not believed (the order is held, never cancelled on it). */
  readonly answerDoubt: string | null;
  /** The last exception cause published for the order. */
  readonly reportedAttention: string | null;
  readonly verifyReason: string | null;
  readonly verifyUntil: string | null;
  /** The reversal (a cancel asked for by an exception) the row carries. */
  readonly reversalOf: string | null;
}

/** The poller's schedule table (design.md §5): the only state it keeps. */
/** Due rows of one partner, to lease to `leaseToken` until `now + leaseMs`. */
export interface ClaimRequest {
  clientId: string;
  dialect: Dialect;
  limit: number;
  now: number;
  leaseMs: number;
  leaseToken: string;
}

/** The order an inquiry hint names, and the partner it came from. */
export interface HintedOrder {
  paymentRequestId: string;
  clientId: string;
  dialect: Dialect;
}

export abstract class ScheduleRepository {
  /**
   * In one transaction: locks the rows of these orders, hands them to `plan`, writes what it returns.
   * Rows that do not exist yet are inserted; if another writer inserted one meanwhile, the whole
   * transaction is re-run against the rows as they now are.
   */
  abstract applyStatusChanges(
    ids: readonly string[],
    plan: (existing: ReadonlyMap<string, ScheduleEntry>) => ReadonlyMap<string, ScheduleWrite>,
  ): Promise<{ inserted: number; updated: number }>;

  /**
   * Claims up to `limit` due rows of one partner (FOR UPDATE SKIP LOCKED, so replicas never wait on
   * or take each other's rows) and leases them to `leaseToken` until `now + leaseMs`.
   */
  abstract claimDue(input: ClaimRequest): Promise<ClaimedEntry[]>;

  /**
   * The earliest due time strictly after `after` among one partner's open rows (one step along the
   * claim index), or null: when the loop should look again. Rows due by `after` are left out (they are
   * leased, or held back by the rate limit), so waiting for the answer always moves time forward.
   */
  abstract nextDueAfter(clientId: string, dialect: Dialect, after: number): Promise<number | null>;

  /**
   * What a claim cycle asks of the table for one partner: `claimDue`, and when it claimed fewer than
   * `limit` rows, `nextDueAfter(now)` (else null). In one round trip where the store can: the
   * PostgreSQL repository does (an idle replica's claim loop is most of its idle CPU, issue 14).
   */
  async claimDueAndPeek(input: ClaimRequest): Promise<{ claimed: ClaimedEntry[]; nextDueAt: number | null }> {
    const claimed = await this.claimDue(input);
    const nextDueAt =
      claimed.length < input.limit ? await this.nextDueAfter(input.clientId, input.dialect, input.now) : null;
    return { claimed, nextDueAt };
  }

  /** Applies completions whose row still carries their lease token; returns how many applied. */
  abstract complete(completions: readonly Completion[]): Promise<number>;

  /**
   * Records, under the lease, that a cancel is being requested (before CANCEL_REQUESTED goes out).
   * False when the lease was lost (the order went final meanwhile, or another replica took over).
   */
  abstract markCancelRequested(paymentRequestId: string, leaseToken: string, now: number): Promise<boolean>;

  /**
   * A reversal named `reversalKey` (domain/exception-commands): the row goes to the cancel phase,
   * due now, its lease revoked, whatever its phase. Once per key: `ignored` when the row already
   * carries it.
   */
  abstract requestReversal(
    paymentRequestId: string,
    reversalKey: string,
    now: number,
  ): Promise<ExceptionCommandResult>;

  /**
   * A person's re-inquiry: an inquiry or verify row becomes due now; a done row goes to the verify
   * phase (REINQUIRE) for one inquiry; a row in the cancel phase is `ignored` (its cancel decides).
   */
  abstract reinquire(paymentRequestId: string, now: number): Promise<ExceptionCommandResult>;

  /** Makes an order in the inquiry phase due now (the operator trigger). */
  abstract forceInquiry(paymentRequestId: string, now: number): Promise<ForceInquiryResult>;

  /**
   * Brings the next inquiry of these orders forward to now, but never closer than `minGapMs` to the
   * previous one. Only a row of the hint's own partner (client id and dialect), in the inquiry phase,
   * and never moved by a hint before: each inquiry counts against the partner's inquiry budget, and
   * hints come from notifications nobody could verify. Returns how many moved.
   */
  abstract hintInquiry(hints: readonly HintedOrder[], now: number, minGapMs: number): Promise<number>;

  /** Deletes up to `limit` tombstones last touched before `before`. */
  abstract pruneTombstones(before: number, limit: number): Promise<number>;

  abstract find(paymentRequestId: string): Promise<ScheduleView | null>;

  abstract ping(): Promise<void>;
}

/** Publishes result-observed events; resolves only once Kafka has them (acks=all, design.md §6). */
export abstract class ResultPublisher {
  abstract publish(events: readonly ResultObservedV1[]): Promise<void>;
}

/**
 * A call that ended before anything was sent to the partner: the request could not be signed, or not
 * within the call's timeout (`code`, e.g. SIGNING_TIMEOUT, SIGNING_WORKER_EXITED). Nothing is known
 * or changed about the order: the row is handed back and its rate-limit token returned.
 */
export class CallNotMadeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CallNotMadeError';
  }
}

/**
 * The partners' open APIs, signed and verified (libs/alipayplus AlipayPlusClient). A call that could
 * not be sent at all rejects with CallNotMadeError.
 */
export abstract class PartnerApi {
  abstract inquire(
    partnerKey: string,
    paymentRequestId: string,
    timeoutMs: number,
  ): Promise<InquiryCallResult>;
  abstract cancel(partnerKey: string, paymentRequestId: string, timeoutMs: number): Promise<CancelCallResult>;
}
