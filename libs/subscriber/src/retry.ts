/** How a handler that throws is retried (issue 16: it is retried, never skipped). */
export interface RetryPolicy {
  /** Delay before the second attempt (default 200 ms); it doubles per attempt. */
  initialDelayMs?: number;
  /** Upper bound of the delay (default 30 s). */
  maxDelayMs?: number;
  /**
   * Attempts before the event is given up on and dead-lettered with the last error as its reason.
   * Default: unbounded — the partition waits until the handler succeeds (a database outage must not
   * turn payments into dead letters).
   */
  maxAttempts?: number;
}

/** Delay in ms after failed attempt number `attempt` (1-based): exponential, capped. */
export function retryDelayMs(attempt: number, policy: RetryPolicy = {}): number {
  const initial = policy.initialDelayMs ?? 200;
  const max = policy.maxDelayMs ?? 30_000;
  return Math.min(max, initial * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
}

/** True when another attempt is allowed after `attempt` failed attempts. */
export function mayRetry(attempt: number, policy: RetryPolicy = {}): boolean {
  return attempt < (policy.maxAttempts ?? Number.POSITIVE_INFINITY);
}
