import { KeyObject } from 'node:crypto';
import { signMessage } from '../signing/signed-message';

export interface SignResponseInput {
  /** The request URI this response answers (the notify path for an ack, the API path for a simulator reply). */
  readonly path: string;
  /** Our client ID: the value the peer reads back from `Client-Id` and verifies with (§1.2, §1.7). */
  readonly clientId: string;
  /** The exact response bytes that will be written. */
  readonly body: Buffer | string;
  readonly privateKey: KeyObject;
  /** Defaults to `1` (§1.5). */
  readonly keyVersion?: string;
  /** Defaults to now as ISO-8601; sent and signed verbatim (§1.5). */
  readonly responseTime?: string;
}

/**
 * Signs a response: `POST <path>\n<Client-Id>.<Response-Time>.<body>` with our private key, and returns
 * the `client-id`, `response-time` and `signature` headers to send (protocol.md §1.2, §1.3). Used to sign
 * the Alipay+ notify ack (required, §1.7; optional for Antom) and by a simulator answering our requests.
 * Each call signs (~0.3 ms); a constant ack may be signed once per (path, clientId, responseTime) by the caller.
 */
export function signResponse(input: SignResponseInput): { headers: Record<string, string> } {
  const responseTime = input.responseTime ?? new Date().toISOString();
  const { signatureHeader } = signMessage({
    path: input.path,
    clientId: input.clientId,
    time: responseTime,
    body: input.body,
    privateKey: input.privateKey,
    keyVersion: input.keyVersion,
  });
  return {
    // Lower-case names: HTTP names are case-insensitive, but real clients look up `signature` as is.
    headers: { 'client-id': input.clientId, 'response-time': responseTime, signature: signatureHeader },
  };
}
