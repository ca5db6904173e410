/** The HTTP method is always POST in this protocol (protocol.md §1.3). */
export type SignedHttpMethod = 'POST';

export interface SignContentInput {
  /** Defaults to `POST`, the only method the APIs use (protocol.md §1.3). */
  readonly method?: SignedHttpMethod;
  /** URI without scheme/host, e.g. `/aps/api/v1/payments/inquiryPayment` (protocol.md §1.3). */
  readonly path: string;
  /** The `Client-Id` header value: sent for our requests/acks, received for responses/notifications. */
  readonly clientId: string;
  /** `Request-Time` (requests, incoming notifications) or `Response-Time` (responses, acks), verbatim (§1.3, §1.5). */
  readonly time: string;
  /** The exact HTTP body bytes; a string is taken as UTF-8. */
  readonly body: Buffer | string;
}

/**
 * Builds `<METHOD> <URI>\n<Client-Id>.<Time>.<Body>` (protocol.md §1.3): one space, one LF, dot separators,
 * no trailing newline. The body is appended as raw bytes, never re-serialized (pitfall §1.8 d), so a
 * pretty-printed body is signed exactly as it travels.
 */
export function buildSignContent(input: SignContentInput): Buffer {
  const method = input.method ?? 'POST';
  const head = Buffer.from(`${method} ${input.path}\n${input.clientId}.${input.time}.`, 'utf8');
  const body = typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body;
  return Buffer.concat([head, body]);
}
