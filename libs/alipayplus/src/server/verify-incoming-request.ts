import { KeyObject } from 'node:crypto';
import { SignatureFailureReason, verifySignedMessage, VersionedPublicKey } from '../signing/signed-message';

/** Node-style headers (`IncomingHttpHeaders`); names are matched case-insensitively (§1.1). */
export type IncomingHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Reads a header by name, case-insensitively; for a repeated header the first value is used. */
export function readHeader(headers: IncomingHeaders, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return typeof value === 'string' ? value : value[0];
  }
  return undefined;
}

export interface VerifyIncomingRequestInput {
  /** The request URI as received, query included; the bare path is tried first (pitfall §1.8 a). */
  readonly path: string;
  readonly headers: IncomingHeaders;
  readonly rawBody: Buffer | string;
  /** The sender's public key (Alipay+/Antom for a notification; the ACQP's for a simulator)… */
  readonly publicKey?: KeyObject;
  /** …or its active keys, chosen by the keyVersion of the Signature header. */
  readonly publicKeys?: readonly VersionedPublicKey[];
}

export type IncomingRequestVerification =
  | {
      readonly ok: true;
      readonly clientId: string;
      readonly requestTime: string;
      readonly signedPath: string;
      readonly keyVersion?: string;
    }
  | { readonly ok: false; readonly reason: SignatureFailureReason; readonly detail?: string };

const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

/**
 * The origin form (`/path?query`) of a request target. A client may send the request line in absolute
 * form, `POST http://host:port/path HTTP/1.1`, which a server must accept (RFC 9112 §3.2.2); Node then
 * gives the whole URL as `req.url`. The sender signed the path (plus the query where it signed one,
 * protocol.md §1.8 a), never the scheme and authority, so signatures are checked over this form.
 */
export function originFormTarget(requestTarget: string): string {
  const absolute = ABSOLUTE_FORM.exec(requestTarget);
  if (!absolute) return requestTarget;
  const rest = requestTarget.slice(absolute[0].length).replace(/#.*$/, '');
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/**
 * Verifies a signed incoming request — a notification from Alipay+/Antom, or our own request as seen by a
 * simulator — over `POST <path>\n<client-id>.<request-time>.<raw body>` (protocol.md §1.3, §1.7).
 */
export function verifyIncomingRequest(input: VerifyIncomingRequestInput): IncomingRequestVerification {
  const clientId = readHeader(input.headers, 'client-id');
  const requestTime = readHeader(input.headers, 'request-time');
  const verification = verifySignedMessage({
    path: input.path,
    clientId,
    time: requestTime,
    rawBody: input.rawBody,
    signatureHeader: readHeader(input.headers, 'signature'),
    publicKey: input.publicKey,
    publicKeys: input.publicKeys,
  });
  if (!verification.ok) {
    return verification.reason === 'MISSING_HEADER' && verification.detail === 'time'
      ? { ok: false, reason: 'MISSING_HEADER', detail: 'request-time' }
      : verification;
  }
  // verifySignedMessage only succeeds when both headers are present and non-empty.
  return {
    ok: true,
    clientId: clientId as string,
    requestTime: requestTime as string,
    signedPath: verification.signedPath,
    ...(verification.keyVersion !== undefined ? { keyVersion: verification.keyVersion } : {}),
  };
}
