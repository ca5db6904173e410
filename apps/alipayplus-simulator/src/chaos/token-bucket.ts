/**
 * Per-client rate limit for inquiry/cancel, in real time. Alipay+ answers a client over its limit with
 * U REQUEST_TRAFFIC_EXCEED_LIMIT, which callers must retry with backoff (protocol.md §3.1, §6).
 * The bucket holds one second's worth of requests, so a burst of `ratePerSecond` passes and the next waits.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private ratePerSecond: number,
    now: number,
  ) {
    this.tokens = this.capacity();
    this.updatedAt = now;
  }

  /** Takes one token if there is one. A rate of 0 means no limit. */
  tryTake(now: number): boolean {
    if (this.ratePerSecond <= 0) return true;
    const elapsedSeconds = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.capacity(), this.tokens + elapsedSeconds * this.ratePerSecond);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** A new rate takes effect with a full bucket, as if the limit had just been configured. */
  setRate(ratePerSecond: number, now: number): void {
    if (ratePerSecond === this.ratePerSecond) return;
    this.ratePerSecond = ratePerSecond;
    this.tokens = this.capacity();
    this.updatedAt = now;
  }

  private capacity(): number {
    return Math.max(1, this.ratePerSecond);
  }
}
