/*
 * When Alipay+ re-sends an unacknowledged notifyPayment. The exact Alipay+ → ACQP schedule is not
 * published (protocol.md §2.1, §9 item 1); the best available model is the discipline the seed 004 gives
 * an MPP notifying Alipay+: "retry 1~2 times within 5 seconds; the subsequent intervals increase
 * consecutively, for example 30s, 1m, 2m, …; a total of 15 retries are suggested". We read "15" as the
 * total number of attempts, as the brief of this simulator does. All delays are simulated milliseconds.
 */

/** Total delivery attempts, the first included (seed 004). */
export const NOTIFY_MAX_ATTEMPTS = 15;

/** Two quick retries, both within 5 s of the first attempt (seed 004: "1~2 times within 5 seconds"). */
export const NOTIFY_QUICK_RETRY_DELAYS_MS: readonly number[] = [1_000, 3_000];

/** The first of the growing intervals; each next one doubles it (seed 004: "30s, 1m, 2m, …"). */
export const NOTIFY_FIRST_SLOW_RETRY_MS = 30_000;

/** Alipay+ waits 5 s for the ack (protocol.md §0, §2.1). Real time: it is the sender's own patience. */
export const NOTIFY_ATTEMPT_TIMEOUT_MS = 5_000;

/**
 * The delay (simulated ms) between the end of attempt number `attemptsMade` and the next attempt, or
 * `null` when the sender gives up: 1 s, 3 s, then 30 s, 1 min, 2 min, 4 min, … for 15 attempts in total.
 */
export function nextRetryDelayMs(attemptsMade: number): number | null {
  if (!Number.isInteger(attemptsMade) || attemptsMade < 1 || attemptsMade >= NOTIFY_MAX_ATTEMPTS) return null;
  const quick = NOTIFY_QUICK_RETRY_DELAYS_MS[attemptsMade - 1];
  if (quick !== undefined) return quick;
  return NOTIFY_FIRST_SLOW_RETRY_MS * 2 ** (attemptsMade - 1 - NOTIFY_QUICK_RETRY_DELAYS_MS.length);
}

/** Every delay of a notification that is never acknowledged, in order (NOTIFY_MAX_ATTEMPTS - 1 of them). */
export function fullRetrySchedule(): number[] {
  const delays: number[] = [];
  for (let attempt = 1; ; attempt++) {
    const delay = nextRetryDelayMs(attempt);
    if (delay === null) return delays;
    delays.push(delay);
  }
}
