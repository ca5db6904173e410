import { PollingPolicy } from './polling-policy';

/** A source of uniform numbers in [0, 1); injected so that tests are deterministic. */
export type Random = () => number;

/** `ms` moved by up to ±`ratio` of itself. */
export function jittered(ms: number, ratio: number, random: Random): number {
  return Math.max(0, Math.round(ms * (1 + ratio * (2 * random() - 1))));
}

/** The n-th wait (0-based) of a schedule whose last entry repeats. */
export function nthInterval(intervals: readonly number[], n: number): number {
  return intervals[Math.min(Math.max(n, 0), intervals.length - 1)];
}

/**
 * When the first inquiry of a newly registered order falls due: a few seconds after registration
 * (the notification usually arrives first), never after the payment expiry (design.md §5).
 */
export function firstInquiryAt(
  registeredAt: number,
  expiresAt: number,
  policy: PollingPolicy,
  random: Random,
): number {
  return Math.min(registeredAt + jittered(policy.firstInquiryDelayMs, policy.jitterRatio, random), expiresAt);
}

export type NextInquiry =
  | { readonly kind: 'inquire'; readonly at: number }
  /** Polling is over: cancel (protocol.md §3.1 "still U after expiry or max inquiries → cancelPayment"). */
  | { readonly kind: 'cancel'; readonly reason: 'EXPIRED' | 'MAX_INQUIRIES' };

export interface AfterInquiryInput {
  readonly now: number;
  /** Inquiries made so far, the one just answered included. */
  readonly inquiriesMade: number;
  readonly expiresAt: number;
  /** A lower bound on the wait, e.g. while the partner is rate-limiting us. */
  readonly minWaitMs?: number;
}

/**
 * What follows an inquiry that did not settle the payment (pending, unknown, no answer): the next
 * inquiry after a growing, jittered wait, bounded by the payment expiry — or the cancel once the
 * expiry has passed or the inquiry budget is spent (protocol.md §3.1, §5; design.md §5).
 *
 * An inquiry falling due at the expiry itself is still made: the MPP closes the order at its expiry
 * and may answer with the final result then (protocol.md §5), which spares a needless cancel.
 */
export function afterUnsettledInquiry(
  input: AfterInquiryInput,
  policy: PollingPolicy,
  random: Random,
): NextInquiry {
  if (input.now >= input.expiresAt) return { kind: 'cancel', reason: 'EXPIRED' };
  if (policy.maxInquiries !== null && input.inquiriesMade >= policy.maxInquiries) {
    // `wait`: no more inquiries until the expiry (the notification may still come), then one last
    // one, which ends in the cancel above if the payment is still not final.
    return policy.maxInquiriesAction === 'wait'
      ? { kind: 'inquire', at: input.expiresAt }
      : { kind: 'cancel', reason: 'MAX_INQUIRIES' };
  }
  const wait = jittered(
    nthInterval(policy.inquiryIntervalsMs, input.inquiriesMade - 1),
    policy.jitterRatio,
    random,
  );
  const at = input.now + Math.max(wait, input.minWaitMs ?? 0);
  return { kind: 'inquire', at: Math.min(at, input.expiresAt) };
}

/** The wait before the next inquiry of an order held past its expiry: the schedule's last pace. */
export function heldInquiryAt(
  now: number,
  inquiriesMade: number,
  policy: PollingPolicy,
  random: Random,
): number {
  return (
    now + jittered(nthInterval(policy.inquiryIntervalsMs, inquiriesMade - 1), policy.jitterRatio, random)
  );
}

/**
 * When a CANCEL_REQUESTED that order-state has not answered yet is published again (issue 11 row 13):
 * the wait grows with the time already waited (doubling), from the first cancel interval up to the
 * last, with jitter, so that an outage of order-state is not met with a request every few seconds.
 */
export function cancelRequestRecheckAt(
  now: number,
  requestedAt: number,
  policy: PollingPolicy,
  random: Random,
): number {
  const first = policy.cancelRetryIntervalsMs[0];
  const last = policy.cancelRetryIntervalsMs[policy.cancelRetryIntervalsMs.length - 1];
  const wait = Math.min(Math.max(now - requestedAt, first), Math.max(first, last));
  return now + jittered(wait, policy.jitterRatio, random);
}

/**
 * When an unanswered cancel is sent again. Not bounded by anything: a cancel is retried until it
 * succeeds (protocol.md §4.1) — the partner's cancel window is the only end, and a refusal past it
 * is a non-retryable F.
 */
export function nextCancelAttemptAt(
  now: number,
  cancelAttemptsMade: number,
  policy: PollingPolicy,
  random: Random,
  minWaitMs = 0,
): number {
  const wait = jittered(
    nthInterval(policy.cancelRetryIntervalsMs, cancelAttemptsMade - 1),
    policy.jitterRatio,
    random,
  );
  return now + Math.max(wait, minWaitMs);
}
