import { createHash } from 'crypto';

/**
 * Deterministic event ids (design.md §3): an event that a retry can emit again must carry the same id,
 * so that order-state's timeline (deduplicated by eventId) and subscribers see it once.
 */
export function hashId(...parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p);
    h.update('\u0000');
  }
  return h.digest('base64url').slice(0, 32);
}

/** A notification re-sent by Alipay+ has the same body bytes: the same id. */
export const notifyEventId = (clientId: string, rawBody: Buffer | string) =>
  `notify:${hashId(clientId, rawBody)}`;

/** The status change to `version` of an order happens once; a relay re-publishing it re-uses the id. */
export const statusChangedEventId = (paymentRequestId: string, version: number) =>
  `status:${paymentRequestId}:${version}`;
