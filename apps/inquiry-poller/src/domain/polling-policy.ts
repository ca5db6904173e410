/**
 * How often and how fast one partner is polled (design.md §5). One policy per partner: the defaults
 * come from the settings, a partner may override any part (PARTNER_POLICIES_JSON).
 */
export interface PollingPolicy {
  /** Delay between registration and the first inquiry (the notification usually wins this race). */
  readonly firstInquiryDelayMs: number;
  /** Waits between inquiries: the n-th wait is `inquiryIntervalsMs[n]`, the last one repeats. */
  readonly inquiryIntervalsMs: readonly number[];
  /** Every wait is stretched or shrunk by up to this fraction at random, so orders registered together spread out. */
  readonly jitterRatio: number;
  /** Cancel after this many inquiries even before the expiry; null: only the expiry bounds polling. */
  readonly maxInquiries: number | null;
  /** Waits between cancel attempts (retried until S, protocol.md §4.1); the last one repeats. */
  readonly cancelRetryIntervalsMs: readonly number[];
}

/** The request budget of one partner (design.md §5: per-partner rate limit). */
export interface RatePolicy {
  readonly perSecond: number;
  /** Requests that may go out at once after an idle spell. */
  readonly burst: number;
  /** How long the partner is left alone after it answers REQUEST_TRAFFIC_EXCEED_LIMIT (protocol.md §6). */
  readonly backoffMs: number;
}

/**
 * A partner is identified by dialect and client id together: the same client id may exist in both
 * dialects (libs/config partners).
 */
export const partnerKey = (dialect: string, clientId: string): string => `${dialect}:${clientId}`;
