import { TextDecoder } from 'node:util';
import { InvalidResponse, TransportError } from './client-result';

/** A request signed and serialized once: these exact bytes are sent (§1.8 d). */
export interface SignedRequest {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
}

/** A 2xx reply as it came: its headers, its bytes (which the signature covers) and their text. */
export interface Reply {
  readonly kind: 'reply';
  readonly headers: Headers;
  readonly rawBytes: Buffer;
  readonly rawBody: string;
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

/**
 * Sends one signed POST and reads the reply. No answer within the timeout, a network failure or a
 * non-2xx status leave the outcome unknown (transport-error, §0); a reply that is not UTF-8 is not a
 * response of this API.
 */
export async function sendRequest(
  fetchImpl: typeof fetch,
  request: SignedRequest,
  /** Aborts the exchange; default: `request.timeoutMs` from now. */
  signal: AbortSignal = AbortSignal.timeout(request.timeoutMs),
): Promise<Reply | TransportError | InvalidResponse> {
  let response: Response;
  let rawBytes: Buffer;
  try {
    response = await fetchImpl(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      // A redirected POST would reach a URI other than the one signed; treat it as an HTTP error.
      redirect: 'manual',
      signal,
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
  try {
    return { kind: 'reply', headers: response.headers, rawBytes, rawBody: utf8.decode(rawBytes) };
  } catch {
    return { kind: 'invalid-response', reason: 'body is not valid UTF-8' };
  }
}
