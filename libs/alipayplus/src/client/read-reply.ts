import { z } from 'zod';
import { describeIssues } from '../models/common.schema';
import { verifySignedMessage, VersionedPublicKey } from '../signing/signed-message';
import { ClientResult, Untrusted } from './client-result';
import { Reply } from './send-request';

/**
 * §1.6: verifies a reply over METHOD, our request path, the response Client-Id (which equals ours —
 * used as the fallback when the header is absent), Response-Time and the raw body, with the peer key.
 * An unsigned reply is not judged here (`verified: false`): see `parseReply`.
 */
export function verifyReply(
  reply: Reply,
  signedPath: string,
  clientId: string,
  peerPublicKeys: readonly VersionedPublicKey[],
): { readonly kind: 'checked'; readonly verified: boolean } | Untrusted {
  const signature = reply.headers.get('signature');
  if (signature === null) return { kind: 'checked', verified: false };
  const verification = verifySignedMessage({
    path: signedPath,
    clientId: reply.headers.get('client-id') ?? clientId,
    time: reply.headers.get('response-time') ?? undefined,
    rawBody: reply.rawBytes,
    signatureHeader: signature,
    publicKeys: peerPublicKeys,
  });
  if (verification.ok) return { kind: 'checked', verified: true };
  // A signature that is present but wrong (or a partial header set) is never accepted, whatever
  // the status: it means tampering or a key mix-up (§8, the 2026 SDK hardening).
  const detail = verification.detail === 'time' ? 'response-time' : verification.detail;
  return { kind: 'untrusted', reason: verification.reason, ...(detail !== undefined ? { detail } : {}) };
}

/** Reads `result.resultStatus` from a parsed body without trusting its shape. */
function peekResultStatus(json: unknown): unknown {
  if (typeof json !== 'object' || json === null || !('result' in json)) return undefined;
  const result = json.result;
  return typeof result === 'object' && result !== null && 'resultStatus' in result
    ? result.resultStatus
    : undefined;
}

/**
 * Reads a reply's body as a response of the API. Unsigned replies are legitimate only for gateway
 * errors (§1.6): an unsigned S is not believed, an unsigned F/U is accepted as that F/U.
 */
export function parseReply<TBody>(
  rawBody: string,
  verified: boolean,
  schema: z.ZodType<TBody>,
): ClientResult<TBody> {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return { kind: 'invalid-response', reason: 'body is not valid JSON' };
  }
  const status = peekResultStatus(json);
  if (!verified && status === 'S') return { kind: 'untrusted', reason: 'MISSING_SIGNATURE' };
  if (!verified && status !== 'F' && status !== 'U') {
    return { kind: 'invalid-response', reason: 'unsigned response without an F/U result' };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { kind: 'invalid-response', reason: describeIssues(parsed.error) };
  return { kind: 'response', body: parsed.data, rawBody, verified };
}
