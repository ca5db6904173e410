/**
 * A token bucket: `perSecond` tokens flow in continuously, at most `capacity` are kept. The poller
 * takes tokens before it claims rows, so a partner is never sent more than its budget (design.md §5)
 * and a partner that is out of budget leaves its rows unclaimed, for whichever replica has budget.
 *
 * Pure: the caller passes the time, so tests need no clock.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private pausedUntil = -Infinity;

  constructor(
    readonly perSecond: number,
    readonly capacity: number,
    now: number,
  ) {
    if (!(perSecond > 0)) throw new RangeError('perSecond must be positive');
    if (!(capacity >= 1)) throw new RangeError('capacity must be at least 1');
    this.tokens = capacity;
    this.updatedAt = now;
  }

  /** Whole tokens that could be taken now. */
  available(now: number): number {
    this.refill(now);
    return now < this.pausedUntil ? 0 : Math.floor(this.tokens);
  }

  /** Takes up to `wanted` whole tokens and returns how many it took. */
  take(wanted: number, now: number): number {
    const granted = Math.min(Math.max(0, Math.floor(wanted)), this.available(now));
    this.tokens -= granted;
    return granted;
  }

  /** Gives back tokens that were taken but not used (fewer rows were due than budgeted). */
  refund(count: number, now: number): void {
    this.refill(now);
    this.tokens = Math.min(this.capacity, this.tokens + Math.max(0, count));
  }

  /**
   * Sends nothing until `now + ms` and starts empty after it: the partner said
   * REQUEST_TRAFFIC_EXCEED_LIMIT (protocol.md §6: retry with backoff), so the burst is not re-sent.
   */
  pause(ms: number, now: number): void {
    this.refill(now);
    this.pausedUntil = Math.max(this.pausedUntil, now + ms);
    this.tokens = 0;
    this.updatedAt = Math.max(this.updatedAt, this.pausedUntil);
  }

  isPaused(now: number): boolean {
    return now < this.pausedUntil;
  }

  private refill(now: number): void {
    if (now <= this.updatedAt) return;
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) * this.perSecond) / 1000);
    this.updatedAt = now;
  }
}
