import { KeyObject } from 'node:crypto';
import { buildSignContent, SignedHttpMethod } from './sign-content';
import { signContent, verifyContent } from './signature';
import { formatSignatureHeader, parseSignatureHeader } from './signature-header';

export type SignatureFailureReason =
  /** No `Signature` header, or one without a `signature=` value. */
  | 'MISSING_SIGNATURE'
  /** `Client-Id` or the time header (`Request-Time` / `Response-Time`) is absent or empty. */
  | 'MISSING_HEADER'
  /** A signature is present but does not verify (wrong key, altered content, malformed value). */
  | 'BAD_SIGNATURE';

export type SignatureVerification =
  | {
      readonly ok: true;
      /** The URI the signature was made over; differs from the given path when the bare-path fallback matched. */
      readonly signedPath: string;
      readonly keyVersion?: string;
    }
  | { readonly ok: false; readonly reason: SignatureFailureReason; readonly detail?: string };

export interface VerifySignedMessageInput {
  readonly method?: SignedHttpMethod;
  /** The request URI as received (may include a query string, see pitfall §1.8 a). */
  readonly path: string;
  /** The received `Client-Id` header. */
  readonly clientId: string | undefined;
  /** The received `Request-Time` (requests, notifications) or `Response-Time` (responses) header. */
  readonly time: string | undefined;
  readonly rawBody: Buffer | string;
  /** The received `Signature` header. */
  readonly signatureHeader: string | undefined;
  readonly publicKey: KeyObject;
}

/**
 * The URIs a signature may have been made over, in the order to try them. The docs say the URI
 * includes its parameters, but a real Antom notification to a URL with a query string verifies only
 * over the bare path (pitfall §1.8 a, verified against the 2019 vector), so the bare path comes first.
 */
export function candidateSignedPaths(path: string): readonly string[] {
  const queryStart = path.indexOf('?');
  return queryStart === -1 ? [path] : [path.slice(0, queryStart), path];
}

/**
 * Verifies a signed request, response or notification (protocol.md §1.3, §1.6, §1.7): content is
 * `POST <path>\n<Client-Id>.<time>.<raw body>` checked with the peer's public key.
 */
export function verifySignedMessage(input: VerifySignedMessageInput): SignatureVerification {
  const parsed = parseSignatureHeader(input.signatureHeader);
  if (!parsed) return { ok: false, reason: 'MISSING_SIGNATURE' };
  if (!input.clientId) return { ok: false, reason: 'MISSING_HEADER', detail: 'client-id' };
  if (!input.time) return { ok: false, reason: 'MISSING_HEADER', detail: 'time' };

  for (const signedPath of candidateSignedPaths(input.path)) {
    const content = buildSignContent({
      method: input.method,
      path: signedPath,
      clientId: input.clientId,
      time: input.time,
      body: input.rawBody,
    });
    if (verifyContent(content, parsed.signature, input.publicKey)) {
      return {
        ok: true,
        signedPath,
        ...(parsed.keyVersion !== undefined ? { keyVersion: parsed.keyVersion } : {}),
      };
    }
  }
  return { ok: false, reason: 'BAD_SIGNATURE' };
}

export interface SignMessageInput {
  readonly method?: SignedHttpMethod;
  readonly path: string;
  /** Our `Client-Id` (for acks and responses: the one the peer will read back from our header). */
  readonly clientId: string;
  /** The `Request-Time` / `Response-Time` header value we send; it is signed verbatim (§1.5). */
  readonly time: string;
  /** The exact bytes we will send. Serialize once and send these same bytes (§1.8 d). */
  readonly body: Buffer | string;
  readonly privateKey: KeyObject;
  /** Defaults to `1` (protocol.md §1.5). */
  readonly keyVersion?: string;
}

/**
 * Produces the `Signature` header for an outgoing message (protocol.md §1.3–§1.5).
 * Signing costs ~0.3 ms per call and is not cached here; see `signContent` for reusing a constant ack.
 */
export function signMessage(input: SignMessageInput): { signatureHeader: string } {
  const content = buildSignContent({
    method: input.method,
    path: input.path,
    clientId: input.clientId,
    time: input.time,
    body: input.body,
  });
  const signature = signContent(content, input.privateKey);
  return { signatureHeader: formatSignatureHeader({ keyVersion: input.keyVersion, signature }) };
}
