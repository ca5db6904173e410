import { ORDER_NOT_EXIST } from '@app/alipayplus';
import type { Dialect, ExceptionReason } from '@app/contracts';
import { afterUnsettledInquiry, heldInquiryAt, jittered, nthInterval, Random } from './cadence';
import { FinalInquiryResult } from './observations';
import { PollingPolicy } from './polling-policy';
import { Attention, InquiryCallResult, readInquiry, Reading } from './read-inquiry';
import { AnswerDoubt, VerifyReason } from './schedule-entry';

export type { Attention, CancelCallResult, InquiryCallResult } from './read-inquiry';

export interface StepContext {
  readonly now: number;
  readonly policy: PollingPolicy;
  readonly random: Random;
  /** How long to leave a partner alone after REQUEST_TRAFFIC_EXCEED_LIMIT (protocol.md §6). */
  readonly partnerBackoffMs: number;
}

/** The row facts the steps depend on. */
export interface StepEntry {
  readonly paymentRequestId: string;
  readonly dialect: Dialect;
  readonly expiresAt: number;
  /** Made before this call. */
  readonly inquiryAttempts: number;
  /** Made before this call. */
  readonly cancelAttempts: number;
  readonly answerDoubt: AnswerDoubt | null;
  /** The reason of the last attention published for the order. */
  readonly reportedAttention: string | null;
  readonly verifyReason: VerifyReason | null;
  readonly verifyUntil: number | null;
}

/** An exception's cause to publish (a PROCESSING observation with `attention`), once per reason. */
export interface Report {
  readonly reason: ExceptionReason;
  readonly detail: string;
}

export type InquiryStep =
  /** Publish the final result, then stop polling (protocol.md §3). */
  | { readonly kind: 'publish-final'; readonly result: FinalInquiryResult }
  | {
      readonly kind: 'poll-again';
      readonly at: number;
      /** What the answer was (PAYMENT_IN_PROCESS, ORDER_NOT_EXIST, NO_RESPONSE, …), kept on the row. */
      readonly resultCode: string;
      readonly backoffPartner: boolean;
      readonly attention?: Attention;
      readonly doubt: AnswerDoubt | null;
      readonly report?: Report;
    }
  /** Polling is over without a final answer: cancel (protocol.md §3.1, §4.1). */
  | {
      readonly kind: 'start-cancel';
      readonly reason: 'EXPIRED' | 'MAX_INQUIRIES';
      readonly resultCode: string;
      readonly backoffPartner: boolean;
      readonly attention?: Attention;
      readonly report?: Report;
    }
  /** The `verify` phase is over without a final answer (see {@link decideAfterVerify}). */
  | {
      readonly kind: 'conclude';
      readonly conclusion: 'CLOSED_UNCONFIRMED' | 'CANCEL_REFUSED' | 'RECANCEL' | 'NOTHING';
      readonly resultCode: string;
      readonly backoffPartner: boolean;
      readonly attention?: Attention;
      readonly report?: Report;
    };

type Unsettled = Extract<Reading, { kind: 'unsettled' }>;

/** A report, unless the order's exception was already told this reason. */
export const once = (entry: StepEntry, report: Report): Report | undefined =>
  entry.reportedAttention === report.reason ? undefined : report;

/** The worth of the last answer: a transport error (no answer) leaves the previous one's. */
const doubtAfter = (entry: StepEntry, reading: Unsettled): AnswerDoubt | null =>
  reading.answer.kind === 'none'
    ? entry.answerDoubt
    : reading.answer.kind === 'doubt'
      ? reading.answer.doubt
      : null;

const common = (reading: Unsettled) => ({
  resultCode: reading.resultCode,
  backoffPartner: reading.backoff,
  ...(reading.attention ? { attention: reading.attention } : {}),
});

const withReport = (report: Report | undefined) => (report ? { report } : {});

/** The order is held (inquired at `at`) rather than cancelled; the exception is told why, once. */
function held(
  entry: StepEntry,
  doubt: AnswerDoubt,
  reading: Unsettled,
  at: number,
  why: string,
): InquiryStep {
  const last = reading.attention ? `${reading.resultCode}: ${reading.attention.detail}` : reading.resultCode;
  const what = doubt === 'UNVERIFIED_ANSWERS' ? 'failed verification' : 'did not fit the protocol';
  const report = once(entry, {
    reason: doubt,
    detail: `${why}; the partner's last answer ${what} (last call: ${last}); the order is held and inquired, never cancelled on it`,
  });
  return { kind: 'poll-again', at, ...common(reading), doubt, ...withReport(report) };
}

/**
 * The inquiry decision table (protocol.md §3) turned into what the poller does next. When polling
 * is over (expiry, or the inquiry budget with the `cancel` action) the order is cancelled — unless
 * its last answer was not believed: then it is held (inquired on at the schedule's last pace) and an
 * exception UNVERIFIED_ANSWERS / INVALID_ANSWERS is opened once (issue 11 rows 2, 11). A refused
 * inquiry opens an exception INQUIRY_REFUSED once; the cancel at the expiry still goes out.
 */
export function decideAfterInquiry(entry: StepEntry, call: InquiryCallResult, ctx: StepContext): InquiryStep {
  const reading = readInquiry(entry.paymentRequestId, entry.dialect, call);
  if (reading.kind === 'final') return { kind: 'publish-final', result: reading.result };
  const doubt = doubtAfter(entry, reading);
  const inquiriesMade = entry.inquiryAttempts + 1;
  const minWaitMs = reading.backoff ? ctx.partnerBackoffMs : 0;
  const next = afterUnsettledInquiry(
    { now: ctx.now, inquiriesMade, expiresAt: entry.expiresAt, minWaitMs },
    ctx.policy,
    ctx.random,
  );
  const refused =
    reading.refused && reading.attention
      ? once(entry, {
          reason: 'INQUIRY_REFUSED',
          detail: `the partner refuses our inquiry: ${reading.attention.detail}`,
        })
      : undefined;
  if (next.kind === 'inquire') {
    return { kind: 'poll-again', at: next.at, ...common(reading), doubt, ...withReport(refused) };
  }
  if (doubt !== null) {
    const at = Math.max(heldInquiryAt(ctx.now, inquiriesMade, ctx.policy, ctx.random), ctx.now + minWaitMs);
    const why = next.reason === 'EXPIRED' ? 'no final result by the payment expiry' : 'inquiry budget spent';
    return held(entry, doubt, reading, at, why);
  }
  return { kind: 'start-cancel', reason: next.reason, ...common(reading), ...withReport(refused) };
}

/**
 * An inquiry of the `verify` phase (issue 11), bounded by `verifyUntil`. A final answer is published
 * as usual. Without one:
 * - CANCEL_NOT_EXIST (the cancel was answered ORDER_NOT_EXIST, row 5): a verified answer showing the
 *   partner now knows the order sends the cancel again (RECANCEL); ORDER_NOT_EXIST until the end of
 *   the grace window closes the order as not confirmed by the partner; an answer we do not believe
 *   holds the order, with its exception, as in the inquiry phase; no answer at all ends in RECANCEL;
 * - CANCEL_REFUSED (row 7): at the end of the window, an exception CANCEL_REFUSED; the row is done;
 * - REINQUIRE (a person's one inquiry): nothing more; the row is done again, nothing sent.
 */
export function decideAfterVerify(entry: StepEntry, call: InquiryCallResult, ctx: StepContext): InquiryStep {
  const reading = readInquiry(entry.paymentRequestId, entry.dialect, call);
  if (reading.kind === 'final') return { kind: 'publish-final', result: reading.result };
  const doubt = doubtAfter(entry, reading);
  const inquiriesMade = entry.inquiryAttempts + 1;
  const until = entry.verifyUntil ?? ctx.now;
  const notExist = entry.verifyReason === 'CANCEL_NOT_EXIST';
  if (notExist && reading.answer.kind === 'verified' && reading.resultCode !== ORDER_NOT_EXIST) {
    return { kind: 'conclude', conclusion: 'RECANCEL', ...common(reading) };
  }
  if (ctx.now < until) {
    const wait = jittered(
      nthInterval(ctx.policy.inquiryIntervalsMs, inquiriesMade - 1),
      ctx.policy.jitterRatio,
      ctx.random,
    );
    const at = Math.min(ctx.now + Math.max(wait, reading.backoff ? ctx.partnerBackoffMs : 0), until);
    return { kind: 'poll-again', at, ...common(reading), doubt };
  }
  switch (entry.verifyReason) {
    case 'CANCEL_NOT_EXIST':
      if (doubt !== null) {
        const at = heldInquiryAt(ctx.now, inquiriesMade, ctx.policy, ctx.random);
        return held(entry, doubt, reading, at, 'the cancel was answered ORDER_NOT_EXIST');
      }
      return {
        kind: 'conclude',
        conclusion: reading.resultCode === ORDER_NOT_EXIST ? 'CLOSED_UNCONFIRMED' : 'RECANCEL',
        ...common(reading),
      };
    case 'CANCEL_REFUSED':
      return {
        kind: 'conclude',
        conclusion: 'CANCEL_REFUSED',
        ...common(reading),
        ...withReport(
          once(entry, {
            reason: 'CANCEL_REFUSED',
            detail: `the cancel was refused and no inquiry found the payment's final result (last answer ${reading.resultCode}${doubt ? `, ${doubt}` : ''}); was it paid?`,
          }),
        ),
      };
    default:
      return { kind: 'conclude', conclusion: 'NOTHING', ...common(reading) };
  }
}
