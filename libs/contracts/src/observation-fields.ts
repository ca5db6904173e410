/**
 * Rules for filling result-observed fields from what a partner sent, shared by every producer
 * (gateway, poller) so that an event they build always passes the contract.
 */

/** The contract's limit on the audit copy of a received message (ResultObservedV1.rawBody). */
export const RAW_BODY_MAX_CHARS = 65536;

/** The audit copy, or null when it would not fit: a cut copy would mislead whoever audits it. */
export const auditCopy = (raw: string | undefined): string | null =>
  raw !== undefined && raw.length <= RAW_BODY_MAX_CHARS ? raw : null;

/**
 * protocol.md §6: resultMessage is ≤ 256 characters; a longer one is cut rather than refused. It is
 * free text for people: a NUL character in it (which PostgreSQL cannot store) becomes U+FFFD.
 */
export const fitResultMessage = (message: string | undefined): string | null =>
  message?.slice(0, 256).replaceAll('\u0000', '\uFFFD') ?? null;

/**
 * Alipay+ sends instants with any offset and precision (protocol.md §6: parse leniently); the
 * contract carries one ISO-8601 instant. An unreadable time is left out rather than guessed.
 */
export function normalizeInstant(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  const iso = new Date(ms).toISOString();
  // Years 0001–9999 only: the contract's form (and PostgreSQL's range); anything else is unreadable.
  return /^(?!0000)\d{4}-/.test(iso) ? iso : undefined;
}

/** What a partner reported about a payment, as either channel reads it. */
export interface ReportedResult {
  readonly resultMessage?: string;
  readonly paymentId?: string;
  readonly amount?: { readonly value: string; readonly currency: string };
  readonly paymentTime?: string;
}

/** The result-observed fields a partner's report fills, by the rules above (gateway and poller alike). */
export function reportedResultFields(r: ReportedResult) {
  return {
    resultMessage: fitResultMessage(r.resultMessage),
    paymentId: r.paymentId ?? null,
    amount: r.amount ? { value: r.amount.value, currency: r.amount.currency } : null,
    paymentTime: normalizeInstant(r.paymentTime) ?? null,
  };
}
