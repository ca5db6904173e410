import { KeyObject } from 'node:crypto';
import type { z } from 'zod';
import { Dialect, isDialect } from '../dialect';
import { ApiOperation } from '../dialects/dialect-spec';
import {
  CancelPaymentRequestByDialect,
  CancelPaymentResponseByDialect,
  dialectSpec,
  InquiryPaymentRequestByDialect,
  InquiryPaymentResponseByDialect,
} from '../dialects/registry';
import { AlipayPlusError } from '../errors';
import { resolveApiPath } from '../models/api-paths';
import { describeIssues } from '../models/common.schema';
import { buildSignContent } from '../signing/sign-content';
import { formatSignatureHeader } from '../signing/signature-header';
import { signMessage, VersionedPublicKey } from '../signing/signed-message';
import { signedBefore } from './call-not-sent';
import { ClientResult } from './client-result';
import { parseReply, verifyReply } from './read-reply';
import { sendRequest, SignedRequest } from './send-request';

export type { ClientResult, TransportErrorReason } from './client-result';

/** Recommended client timeouts (protocol.md §0): inquiryPayment 5 s, cancelPayment 8 s. */
export const INQUIRY_PAYMENT_TIMEOUT_MS = 5_000;
export const CANCEL_PAYMENT_TIMEOUT_MS = 8_000;

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
  /**
   * Signs our requests somewhere else than this thread (e.g. a pool of worker threads holding the same
   * private key): given the sign content (§1.3), it answers the URL-encoded Base64 signature value, as
   * `signContent` does. A rejection fails the call before anything is sent. The wait for the signature
   * counts against the call's timeout: a signature not ready by then fails the call with
   * CallNotSentError('SIGNING_TIMEOUT'), nothing sent. Default: `signContent` with `privateKey`, on
   * this thread.
   */
  readonly signer?: ContentSigner;
}

/** When the call's timeout runs out: a signer may drop work that is no longer wanted by then. */
export interface SignDeadline {
  /** Aborts when the call's timeout has run out. */
  readonly signal: AbortSignal;
  /** The same moment as a `Date.now()` value (for a signer on another thread). */
  readonly deadline: number;
}

/** Sign content (protocol.md §1.3) → URL-encoded Base64 SHA256withRSA signature value (§1.4). */
export type ContentSigner = (content: Buffer, deadline: SignDeadline) => Promise<string>;

export interface CallOptions {
  readonly timeoutMs?: number;
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
  readonly #signer: ContentSigner | undefined;

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
    this.#signer = options.signer;
  }

  /** `POST …/payments/inquiryPayment` (§3.1, §3.2); default timeout 5 s (§0). */
  inquiryPayment(
    request: InquiryPaymentRequestByDialect[D],
    { timeoutMs = INQUIRY_PAYMENT_TIMEOUT_MS }: CallOptions = {},
  ): Promise<ClientResult<InquiryPaymentResponseByDialect[D]>> {
    return this.call('inquiryPayment', request, timeoutMs) as Promise<
      ClientResult<InquiryPaymentResponseByDialect[D]>
    >;
  }

  /**
   * `POST /aps/…/cancelPayment` or `/ams/…/cancel` (§4.1, §4.2); default timeout 8 s (§0). Re-sending
   * with the same paymentRequestId is idempotent, so every non-`response` result is retried as is.
   */
  cancelPayment(
    request: CancelPaymentRequestByDialect[D],
    { timeoutMs = CANCEL_PAYMENT_TIMEOUT_MS }: CallOptions = {},
  ): Promise<ClientResult<CancelPaymentResponseByDialect[D]>> {
    return this.call('cancelPayment', request, timeoutMs) as Promise<
      ClientResult<CancelPaymentResponseByDialect[D]>
    >;
  }

  /**
   * One call in three steps: send the signed request, verify the reply's signature, parse its body.
   * One deadline covers the wait for a signature elsewhere and the exchange (issue 14).
   */
  private async call(operation: ApiOperation, request: unknown, timeoutMs: number) {
    const api = dialectSpec(this.dialect)[operation];
    const unsigned = this.prepare(operation, api.request, request, timeoutMs);
    const deadline = Date.now() + timeoutMs;
    const signal = AbortSignal.timeout(timeoutMs);
    const signed = this.#signer
      ? await this.signElsewhere(unsigned, this.#signer, { signal, deadline })
      : this.sign(unsigned);
    const reply = await sendRequest(this.#fetch, signed, signal);
    if (reply.kind !== 'reply') return reply;
    // The path the server sees is the one both sides sign (§1.3, §1.6).
    const trust = verifyReply(reply, signed.url.pathname, this.clientId, this.#peerPublicKeys);
    if (trust.kind === 'untrusted') return trust;
    return parseReply(reply.rawBody, trust.verified, api.response);
  }

  /** Validates our request and serializes it for the path the server will see (§1.3). */
  private prepare(
    operation: ApiOperation,
    schema: z.ZodType,
    request: unknown,
    timeoutMs: number,
  ): UnsignedRequest {
    const validRequest = schema.safeParse(request);
    if (!validRequest.success) {
      // Our own request is wrong: a programming error, not something the peer said.
      throw new AlipayPlusError(
        'INVALID_ARGUMENT',
        `invalid ${operation} request: ${describeIssues(validRequest.error)}`,
      );
    }
    const url = new URL(`${this.baseUrl}${resolveApiPath(this.dialect, operation, this.clientId)}`);
    // Serialized once; these exact bytes are signed and sent (§1.8 d).
    const body = JSON.stringify(validRequest.data);
    return { url, body, requestTime: new Date().toISOString(), timeoutMs };
  }

  /** Signs on this thread, with our private key. */
  private sign(request: UnsignedRequest): SignedRequest {
    const { signatureHeader } = signMessage({
      path: request.url.pathname,
      clientId: this.clientId,
      time: request.requestTime,
      body: request.body,
      privateKey: this.#privateKey,
      keyVersion: this.#keyVersion,
    });
    return this.signedWith(request, signatureHeader);
  }

  /** Signs through the signer: the same content, the same header (signMessage's, §1.3–§1.5). */
  private async signElsewhere(
    request: UnsignedRequest,
    signer: ContentSigner,
    deadline: SignDeadline,
  ): Promise<SignedRequest> {
    const content = buildSignContent({
      path: request.url.pathname,
      clientId: this.clientId,
      time: request.requestTime,
      body: request.body,
    });
    const signature = await signedBefore(signer(content, deadline), deadline.signal, request.timeoutMs);
    return this.signedWith(request, formatSignatureHeader({ keyVersion: this.#keyVersion, signature }));
  }

  private signedWith(request: UnsignedRequest, signatureHeader: string): SignedRequest {
    const headers = {
      'Content-Type': 'application/json; charset=UTF-8',
      'Client-Id': this.clientId,
      'Request-Time': request.requestTime,
      Signature: signatureHeader,
    };
    return { url: request.url, headers, body: request.body, timeoutMs: request.timeoutMs };
  }
}

interface UnsignedRequest {
  readonly url: URL;
  readonly body: string;
  /** The Request-Time header, signed verbatim (§1.5). */
  readonly requestTime: string;
  readonly timeoutMs: number;
}
