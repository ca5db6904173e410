/** A listener told when an inquiry request is about to be sent (benchmarks, tests). */
export type InquiryStartListener = (lagMs: number, paymentRequestId: string) => void;

/**
 * Counters of this replica, for /health, tests (which wait for claim cycles instead of sleeping) and
 * the benchmark (which listens to inquiry starts to measure the start lag).
 */
export class PollerMetrics {
  /** Claim cycles completed. */
  cycles = 0;
  lastCycleAt: number | null = null;
  claimed = 0;
  inquiriesStarted = 0;
  cancelsStarted = 0;
  published = 0;
  completionsApplied = 0;
  /** Completions whose lease was gone (the order went final, or another replica took over). */
  completionsFenced = 0;
  private readonly listeners = new Set<InquiryStartListener>();

  onInquiryStart(listener: InquiryStartListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Inquiry start lag: from the time the row fell due to the request going out. */
  inquiryStarted(paymentRequestId: string, dueAt: number, startedAt: number): void {
    this.inquiriesStarted++;
    for (const listener of this.listeners) listener(startedAt - dueAt, paymentRequestId);
  }

  snapshot() {
    return {
      cycles: this.cycles,
      lastCycleAt: this.lastCycleAt === null ? null : new Date(this.lastCycleAt).toISOString(),
      claimed: this.claimed,
      inquiriesStarted: this.inquiriesStarted,
      cancelsStarted: this.cancelsStarted,
      published: this.published,
      completionsApplied: this.completionsApplied,
      completionsFenced: this.completionsFenced,
    };
  }
}
