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
  /** Stop inquiring after this many inquiries; null: only the expiry bounds polling. */
  readonly maxInquiries: number | null;
  /**
   * What `maxInquiries` does (seed 002, "limit the polling time"): `cancel` brings the cancel forward;
   * `wait` stops inquiring and waits for the notification until the expiry, when one last inquiry is
   * made and the order is cancelled as usual if it is still not final.
   */
  readonly maxInquiriesAction: 'cancel' | 'wait';
  /** Waits between cancel attempts (retried until S, protocol.md §4.1); the last one repeats. */
  readonly cancelRetryIntervalsMs: readonly number[];
  /** After a cancel answered F ORDER_NOT_EXIST: how long to re-inquire before closing the order unconfirmed. */
  readonly cancelNotExistGraceMs: number;
  /** After a cancel was refused: how long to inquire for the truth before opening an exception. */
  readonly cancelRefusedInquiryMs: number;
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
