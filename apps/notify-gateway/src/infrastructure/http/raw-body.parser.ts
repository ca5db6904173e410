import type { FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'http';

/** Marks a body that was over the limit; the use case answers it with a protocol refusal (413). */
export const BODY_TOO_LARGE = Symbol('BODY_TOO_LARGE');

/**
 * Keeps the request body as the exact bytes received (signatures are over them, protocol.md §1.8 d)
 * and enforces the size limit itself. Fastify's own limit would answer before our handler, and so
 * without a protocol result code; here an oversized body becomes `BODY_TOO_LARGE` and the rest of the
 * stream is read and dropped, never buffered. Reading to the end lets the refusal be read by the
 * sender (closing on unread bytes would reset the connection under it); a sender that never ends is
 * cut off by the server's request timeout (`REQUEST_TIMEOUT_MS`, 408).
 */
export function rawBodyParser(limit: number) {
  return (
    _req: FastifyRequest,
    payload: IncomingMessage,
    done: (err: Error | null, body?: unknown) => void,
  ) => {
    const chunks: Buffer[] = [];
    let size = 0;
    payload.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    payload.on('end', () => done(null, size > limit ? BODY_TOO_LARGE : Buffer.concat(chunks, size)));
    payload.on('error', (err) => done(err));
  };
}
