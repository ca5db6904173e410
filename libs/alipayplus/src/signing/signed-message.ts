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
  | 'BAD_SIGNATURE'
  /**
   * The header names a `keyVersion` we hold no key for: we cannot judge the signature yet (the peer
   * rotated its key before we added the new one). Not the same as BAD_SIGNATURE: once the key is
   * added, the same message verifies.
   */
  | 'UNKNOWN_KEY_VERSION';

/**
 * One of the peer's public keys. A key with a `keyVersion` verifies only signatures whose header names
 * that version (or names none); a key without one (the single-key settings of old) is tried whenever
 * no key is declared for the named version, as before keyVersion was read.
 */
export interface VersionedPublicKey {
  readonly keyVersion?: string;
  readonly publicKey: KeyObject;
}

export type KeySelection =
  | { readonly ok: true; readonly keys: readonly KeyObject[] }
  | { readonly ok: false; readonly reason: 'UNKNOWN_KEY_VERSION' };

/**
 * The keys to verify a signature with, from the peer's active keys and the `keyVersion` its header
 * names (protocol.md §1.5):
 * | header names          | a key has that version | versionless keys | verify with            |
 * |-----------------------|------------------------|------------------|------------------------|
 * | nothing               | —                      | —                | every key, in order    |
 * | version v             | yes                    | —                | the key(s) of v only   |
 * | version v             | no                     | some             | the versionless keys   |
 * | version v             | no                     | none             | nothing: UNKNOWN_KEY_VERSION |
 */
export function selectVerificationKeys(
  keys: readonly VersionedPublicKey[],
  keyVersion: string | undefined,
): KeySelection {
  if (keyVersion === undefined) return { ok: true, keys: keys.map((k) => k.publicKey) };
  const named = keys.filter((k) => k.keyVersion === keyVersion);
  if (named.length > 0) return { ok: true, keys: named.map((k) => k.publicKey) };
  const versionless = keys.filter((k) => k.keyVersion === undefined);
  if (versionless.length > 0) return { ok: true, keys: versionless.map((k) => k.publicKey) };
  return { ok: false, reason: 'UNKNOWN_KEY_VERSION' };
}

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
  /** The peer's key (one key, whatever keyVersion the header names)… */
  readonly publicKey?: KeyObject;
  /** …or its active keys, chosen by the header's keyVersion (`selectVerificationKeys`). */
  readonly publicKeys?: readonly VersionedPublicKey[];
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
 * `POST <path>\n<Client-Id>.<time>.<raw body>` checked with the peer's public key — the one the
 * header's keyVersion names, or each active key in turn (`selectVerificationKeys`).
 */
export function verifySignedMessage(input: VerifySignedMessageInput): SignatureVerification {
  const parsed = parseSignatureHeader(input.signatureHeader);
  if (!parsed) return { ok: false, reason: 'MISSING_SIGNATURE' };
  if (!input.clientId) return { ok: false, reason: 'MISSING_HEADER', detail: 'client-id' };
  if (!input.time) return { ok: false, reason: 'MISSING_HEADER', detail: 'time' };
  const selection = selectVerificationKeys(
    [...(input.publicKey ? [{ publicKey: input.publicKey }] : []), ...(input.publicKeys ?? [])],
    parsed.keyVersion,
  );
  if (!selection.ok) return { ok: false, reason: selection.reason, detail: parsed.keyVersion };

  for (const signedPath of candidateSignedPaths(input.path)) {
    const content = buildSignContent({
      method: input.method,
      path: signedPath,
      clientId: input.clientId,
      time: input.time,
      body: input.rawBody,
    });
    for (const publicKey of selection.keys) {
      if (verifyContent(content, parsed.signature, publicKey)) {
        return {
          ok: true,
          signedPath,
          ...(parsed.keyVersion !== undefined ? { keyVersion: parsed.keyVersion } : {}),
        };
      }
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
