import { KeyObject } from 'node:crypto';
import { TextDecoder } from 'node:util';
import { z } from 'zod';
import { Dialect, isDialect } from '../dialect';
import { AlipayPlusError } from '../errors';
import { ApiOperation, resolveApiPath } from '../models/api-paths';
import {
  CANCEL_PAYMENT_SCHEMAS,
  CancelPaymentRequestByDialect,
  CancelPaymentResponseByDialect,
} from '../models/cancel-payment.schema';
import { describeIssues } from '../models/common.schema';
import {
  INQUIRY_PAYMENT_SCHEMAS,
  InquiryPaymentRequestByDialect,
  InquiryPaymentResponseByDialect,
} from '../models/inquiry-payment.schema';
import {
  SignatureFailureReason,
  signMessage,
  verifySignedMessage,
  VersionedPublicKey,
} from '../signing/signed-message';

/** Recommended client timeouts (protocol.md §0): inquiryPayment 5 s, cancelPayment 8 s. */
export const INQUIRY_PAYMENT_TIMEOUT_MS = 5_000;
export const CANCEL_PAYMENT_TIMEOUT_MS = 8_000;

export type TransportErrorReason = 'TIMEOUT' | 'NETWORK' | `HTTP_${number}`;

/**
 * The outcome of one call. Only `response` carries a body to act on; every other kind leaves the
 * outcome unknown, so the caller re-sends the same request (see `decideOnTransportError`, §3.1, §4.1).
 */
export type ClientResult<TBody> =
  | {
      readonly kind: 'response';
      readonly body: TBody;
      readonly rawBody: string;
      /** True when the response signature was checked; false only for an unsigned F/U reply (§1.6). */
      readonly verified: boolean;
    }
  /**
   * A reply we must not believe: badly signed, or claiming S without a signature (§1.6, §8). Reason
   * UNKNOWN_KEY_VERSION: signed with a keyVersion we hold no key for (the partner rotated its key and
   * ours is not added yet); `detail` names that version.
   */
  | { readonly kind: 'untrusted'; readonly reason: SignatureFailureReason; readonly detail?: string }
  | { readonly kind: 'transport-error'; readonly reason: TransportErrorReason; readonly detail?: string }
  /** Signed or acceptable, but not a readable response of this API (not UTF-8/JSON, fails the schema). */
  | { readonly kind: 'invalid-response'; readonly reason: string };

export interface AlipayPlusClientOptions<D extends Dialect> {
  /** Scheme and host, e.g. `https://open-sea.alipayplus.com` (§0). A path prefix is kept and signed. */
  readonly baseUrl: string;
  readonly dialect: D;
  readonly clientId: string;
  /** Our private key, signing requests. */
  readonly privateKey: KeyObject;
  /** Alipay+/Antom public key, verifying responses, whatever keyVersion they name… */
  readonly peerPublicKey?: KeyObject;
  /** …or its active keys, chosen by the keyVersion of each response's Signature header. */
  readonly peerPublicKeys?: readonly VersionedPublicKey[];
  /** Defaults to `1` (§1.5). */
  readonly keyVersion?: string;
  /** Defaults to the global `fetch`. */
  readonly fetchImpl?: typeof fetch;
}

export interface CallOptions {
  readonly timeoutMs?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isTimeout(error: unknown): boolean {
  const named = (value: unknown): string | undefined =>
    typeof value === 'object' && value !== null && 'name' in value ? String(value.name) : undefined;
  const cause = typeof error === 'object' && error !== null && 'cause' in error ? error.cause : undefined;
  return named(error) === 'TimeoutError' || named(cause) === 'TimeoutError';
}

function networkDetail(error: unknown): string | undefined {
  const cause = typeof error === 'object' && error !== null && 'cause' in error ? error.cause : undefined;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') {
    return cause.code;
  }
  return undefined;
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
 * Signed HTTP client for the outgoing calls: inquiryPayment and cancelPayment / cancel (protocol.md §3, §4).
 * It never logs and never exposes its keys (they are held in private fields).
 */
export class AlipayPlusClient<D extends Dialect> {
  readonly dialect: D;
  readonly clientId: string;
  readonly baseUrl: string;
  readonly #privateKey: KeyObject;
  readonly #peerPublicKeys: readonly VersionedPublicKey[];
  readonly #keyVersion: string;
  readonly #fetch: typeof fetch;

  constructor(options: AlipayPlusClientOptions<D>) {
    if (!isDialect(options.dialect)) throw new AlipayPlusError('INVALID_ARGUMENT', 'unknown dialect');
    if (!options.clientId) throw new AlipayPlusError('INVALID_ARGUMENT', 'clientId is required');
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new AlipayPlusError('INVALID_ARGUMENT', 'baseUrl is not an absolute URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new AlipayPlusError('INVALID_ARGUMENT', 'baseUrl must be http(s)');
    }
    this.dialect = options.dialect;
    this.clientId = options.clientId;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#privateKey = options.privateKey;
    this.#peerPublicKeys = [
      ...(options.peerPublicKey ? [{ publicKey: options.peerPublicKey }] : []),
      ...(options.peerPublicKeys ?? []),
    ];
    if (this.#peerPublicKeys.length === 0) {
      throw new AlipayPlusError('INVALID_ARGUMENT', 'peerPublicKey or peerPublicKeys is required');
    }
    this.#keyVersion = options.keyVersion ?? '1';
    this.#fetch = options.fetchImpl ?? fetch;
  }

  /** `POST …/payments/inquiryPayment` (§3.1, §3.2); default timeout 5 s (§0). */
  inquiryPayment(
    request: InquiryPaymentRequestByDialect[D],
    { timeoutMs = INQUIRY_PAYMENT_TIMEOUT_MS }: CallOptions = {},
  ): Promise<ClientResult<InquiryPaymentResponseByDialect[D]>> {
    const schemas = INQUIRY_PAYMENT_SCHEMAS[this.dialect];
    return this.call(
      'inquiryPayment',
      schemas.request,
      schemas.response as unknown as z.ZodType<InquiryPaymentResponseByDialect[D]>,
      request,
      timeoutMs,
    );
  }

  /**
   * `POST /aps/…/cancelPayment` or `/ams/…/cancel` (§4.1, §4.2); default timeout 8 s (§0). Re-sending
   * with the same paymentRequestId is idempotent, so every non-`response` result is retried as is.
   */
  cancelPayment(
    request: CancelPaymentRequestByDialect[D],
    { timeoutMs = CANCEL_PAYMENT_TIMEOUT_MS }: CallOptions = {},
  ): Promise<ClientResult<CancelPaymentResponseByDialect[D]>> {
    const schemas = CANCEL_PAYMENT_SCHEMAS[this.dialect];
    return this.call(
      'cancelPayment',
      schemas.request,
      schemas.response as unknown as z.ZodType<CancelPaymentResponseByDialect[D]>,
      request,
      timeoutMs,
    );
  }

  private async call<TBody>(
    operation: ApiOperation,
    requestSchema: z.ZodType,
    responseSchema: z.ZodType<TBody>,
    request: unknown,
    timeoutMs: number,
  ): Promise<ClientResult<TBody>> {
    const validRequest = requestSchema.safeParse(request);
    if (!validRequest.success) {
      // Our own request is wrong: a programming error, not something the peer said.
      throw new AlipayPlusError(
        'INVALID_ARGUMENT',
        `invalid ${operation} request: ${describeIssues(validRequest.error)}`,
      );
    }
    const url = new URL(`${this.baseUrl}${resolveApiPath(this.dialect, operation, this.clientId)}`);
    // The path the server sees is the one both sides sign (§1.3, §1.6).
    const signedPath = url.pathname;
    // Serialized once; these exact bytes are signed and sent (§1.8 d).
    const body = JSON.stringify(validRequest.data);
    const requestTime = new Date().toISOString();
    const { signatureHeader } = signMessage({
      path: signedPath,
      clientId: this.clientId,
      time: requestTime,
      body,
      privateKey: this.#privateKey,
      keyVersion: this.#keyVersion,
    });

    let response: Response;
    let rawBytes: Buffer;
    // Called unbound: some fetch implementations refuse a foreign `this`.
    const fetchImpl = this.#fetch;
    try {
      response = await fetchImpl(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=UTF-8',
          'Client-Id': this.clientId,
          'Request-Time': requestTime,
          Signature: signatureHeader,
        },
        body,
        // A redirected POST would reach a URI other than the one signed; treat it as an HTTP error.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      rawBytes = Buffer.from(await response.arrayBuffer());
    } catch (error) {
      if (isTimeout(error)) return { kind: 'transport-error', reason: 'TIMEOUT' };
      const detail = networkDetail(error);
      return { kind: 'transport-error', reason: 'NETWORK', ...(detail !== undefined ? { detail } : {}) };
    }
    if (response.status < 200 || response.status > 299) {
      return { kind: 'transport-error', reason: `HTTP_${response.status}` };
    }

    let rawBody: string;
    try {
      rawBody = utf8.decode(rawBytes);
    } catch {
      return { kind: 'invalid-response', reason: 'body is not valid UTF-8' };
    }

    // §1.6: verify over METHOD, our request path, the response Client-Id (which equals ours — used as
    // the fallback when the header is absent), Response-Time and the raw body, with the peer key.
    const signature = response.headers.get('signature');
    let verified = false;
    if (signature !== null) {
      const verification = verifySignedMessage({
        path: signedPath,
        clientId: response.headers.get('client-id') ?? this.clientId,
        time: response.headers.get('response-time') ?? undefined,
        rawBody: rawBytes,
        signatureHeader: signature,
        publicKeys: this.#peerPublicKeys,
      });
      if (!verification.ok) {
        // A signature that is present but wrong (or a partial header set) is never accepted, whatever
        // the status: it means tampering or a key mix-up (§8, the 2026 SDK hardening).
        const detail = verification.detail === 'time' ? 'response-time' : verification.detail;
        return {
          kind: 'untrusted',
          reason: verification.reason,
          ...(detail !== undefined ? { detail } : {}),
        };
      }
      verified = true;
    }

    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      return { kind: 'invalid-response', reason: 'body is not valid JSON' };
    }
    // Unsigned replies are legitimate only for gateway errors (§1.6): an unsigned S is not believed,
    // an unsigned F/U is accepted as that F/U.
    const status = peekResultStatus(json);
    if (!verified && status === 'S') return { kind: 'untrusted', reason: 'MISSING_SIGNATURE' };
    if (!verified && status !== 'F' && status !== 'U') {
      return { kind: 'invalid-response', reason: 'unsigned response without an F/U result' };
    }

    const parsed = responseSchema.safeParse(json);
    if (!parsed.success) return { kind: 'invalid-response', reason: describeIssues(parsed.error) };
    return { kind: 'response', body: parsed.data, rawBody, verified };
  }
}
