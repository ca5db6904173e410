import type { KeyObject } from 'node:crypto';
import { dialectSpec, readHeader, ResultSchema, signMessage, verifySignedMessage } from '@app/alipayplus';
import type { IncomingHeaders, VersionedPublicKey } from '@app/alipayplus';
import { z } from 'zod';
import type { SimulatorDialect } from '../types';
import { NOTIFY_ATTEMPT_TIMEOUT_MS } from './retry-schedule';

/** One notifyPayment HTTP request, ready to send (and to re-send byte for byte as a duplicate). */
export interface PreparedNotification {
  readonly url: string;
  /** The URI that is signed: the notify URL's bare path (pitfall protocol.md §1.8 a). */
  readonly signedPath: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface PrepareNotificationInput {
  readonly notifyUrl: URL;
  readonly clientId: string;
  readonly body: string;
  readonly privateKey: KeyObject;
  /** Named in the Signature header; default `1`. */
  readonly keyVersion?: string;
  readonly requestTime?: string;
}

/**
 * Signs one delivery attempt: `POST <notify path>\n<Client-Id>.<Request-Time>.<body>` with Alipay+'s key
 * (protocol.md §1.3, §1.7). Each attempt gets a fresh Request-Time and signature; the body is the same bytes.
 * The query string, if any, is left out of the signed URI, as the real 2019 Antom vector shows (§1.8 a).
 */
export function prepareNotification(input: PrepareNotificationInput): PreparedNotification {
  const signedPath = input.notifyUrl.pathname;
  const requestTime = input.requestTime ?? new Date().toISOString();
  const { signatureHeader } = signMessage({
    path: signedPath,
    clientId: input.clientId,
    time: requestTime,
    body: input.body,
    privateKey: input.privateKey,
    keyVersion: input.keyVersion,
  });
  return {
    url: input.notifyUrl.toString(),
    signedPath,
    headers: {
      'Content-Type': 'application/json; charset=UTF-8',
      'Client-Id': input.clientId,
      'Request-Time': requestTime,
      Signature: signatureHeader,
    },
    body: input.body,
  };
}

/** Why an attempt did not count as delivered; the sender retries after any of them (seed 004). */
export type NoAckReason =
  /** Chaos: the request was lost in the network and never reached the receiver. */
  | 'LOST'
  /** No answer within 5 s (protocol.md §0). */
  | 'TIMEOUT'
  /** Connection refused/reset, DNS… */
  | 'NETWORK'
  /** A non-2xx HTTP status. */
  | `HTTP_${number}`
  /** The ack is not `{"result":{…}}` JSON. */
  | 'ACK_UNREADABLE'
  /** The ack says F or U (the receiver could not take it: bad signature, Kafka down…). */
  | 'ACK_NOT_S'
  /** A dialect that requires a signed ack (Alipay+): it is unsigned or does not verify (protocol.md §1.7). */
  | 'ACK_SIGNATURE_INVALID';

export type AttemptOutcome =
  | { readonly kind: 'acked' }
  | { readonly kind: 'no-ack'; readonly reason: NoAckReason; readonly detail?: string }
  /** The simulator stopped while the attempt was in flight; nothing more is to be done. */
  | { readonly kind: 'stopped' };

const AckSchema = z.looseObject({ result: ResultSchema });

export interface JudgeAckInput {
  readonly dialect: SimulatorDialect;
  readonly httpStatus: number;
  readonly headers: IncomingHeaders;
  readonly rawBody: Buffer;
  /** The notify path the ack answers (the one the notification was signed over). */
  readonly signedPath: string;
  /** Our partner's client ID: used when the ack has no `client-id` header, as the SDK clients do (§1.6). */
  readonly clientId: string;
  /** The acquirer's active keys; the ack's Signature header names which one (protocol.md §1.5). */
  readonly acquirerPublicKeys: readonly VersionedPublicKey[];
}

/**
 * An ack counts only if it is HTTP 2xx with `result.resultStatus` S (protocol.md §1.7, §2.1) and, where
 * the dialect requires a signed ack (Alipay+), carries a valid signature by the acquirer over
 * `POST <notify path>\n<client-id>.<response-time>.<ack>` (§1.7 "the response must also be signed").
 * Antom does not require a signed ack (§1.7), so it is not checked.
 */
export function judgeAck(input: JudgeAckInput): AttemptOutcome {
  if (input.httpStatus < 200 || input.httpStatus > 299) {
    return { kind: 'no-ack', reason: `HTTP_${input.httpStatus}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(input.rawBody.toString('utf8'));
  } catch {
    return { kind: 'no-ack', reason: 'ACK_UNREADABLE', detail: 'not JSON' };
  }
  const ack = AckSchema.safeParse(json);
  if (!ack.success) return { kind: 'no-ack', reason: 'ACK_UNREADABLE', detail: 'no result object' };
  if (ack.data.result.resultStatus !== 'S') {
    return { kind: 'no-ack', reason: 'ACK_NOT_S', detail: ack.data.result.resultCode };
  }
  if (dialectSpec(input.dialect).ack.signature === 'required') {
    const verification = verifySignedMessage({
      path: input.signedPath,
      clientId: readHeader(input.headers, 'client-id') ?? input.clientId,
      time: readHeader(input.headers, 'response-time'),
      rawBody: input.rawBody,
      signatureHeader: readHeader(input.headers, 'signature'),
      publicKeys: input.acquirerPublicKeys,
    });
    if (!verification.ok) {
      return { kind: 'no-ack', reason: 'ACK_SIGNATURE_INVALID', detail: verification.reason };
    }
  }
  return { kind: 'acked' };
}

export interface SendNotificationInput {
  readonly prepared: PreparedNotification;
  readonly judge: (response: {
    httpStatus: number;
    headers: IncomingHeaders;
    rawBody: Buffer;
  }) => AttemptOutcome;
  /** Aborted when the simulator stops. */
  readonly stopSignal: AbortSignal;
  readonly fetchImpl?: typeof fetch;
}

/** Sends one prepared notification and judges the answer. Never throws: every failure is an outcome. */
export async function sendNotification(input: SendNotificationInput): Promise<AttemptOutcome> {
  if (input.stopSignal.aborted) return { kind: 'stopped' };
  const fetchImpl = input.fetchImpl ?? fetch;
  try {
    const response = await fetchImpl(input.prepared.url, {
      method: 'POST',
      headers: input.prepared.headers,
      body: input.prepared.body,
      // A redirect would send the notification to a URI other than the one signed.
      redirect: 'manual',
      signal: AbortSignal.any([input.stopSignal, AbortSignal.timeout(NOTIFY_ATTEMPT_TIMEOUT_MS)]),
    });
    const rawBody = Buffer.from(await response.arrayBuffer());
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return input.judge({ httpStatus: response.status, headers, rawBody });
  } catch (error) {
    if (input.stopSignal.aborted) return { kind: 'stopped' };
    if (isTimeout(error)) return { kind: 'no-ack', reason: 'TIMEOUT' };
    return { kind: 'no-ack', reason: 'NETWORK', detail: networkDetail(error) };
  }
}

function isTimeout(error: unknown): boolean {
  const name = (value: unknown) =>
    typeof value === 'object' && value !== null && 'name' in value ? String(value.name) : undefined;
  const cause = typeof error === 'object' && error !== null && 'cause' in error ? error.cause : undefined;
  return name(error) === 'TimeoutError' || name(cause) === 'TimeoutError';
}

/** ECONNREFUSED and the like; otherwise fetch's own reason (e.g. a port fetch refuses to use). */
function networkDetail(error: unknown): string {
  const cause = typeof error === 'object' && error !== null && 'cause' in error ? error.cause : undefined;
  if (typeof cause === 'object' && cause !== null && 'code' in cause) return String(cause.code);
  if (cause instanceof Error) return cause.message.slice(0, 200);
  return error instanceof Error ? error.message.slice(0, 200) : 'unknown';
}
