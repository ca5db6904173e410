import type { FastifyRequest } from 'fastify';
import type { IncomingMessage, Server } from 'http';
import type { Socket } from 'net';

/** Marks a body that was over the limit; the use case answers it with a protocol refusal (413). */
export const BODY_TOO_LARGE = Symbol('BODY_TOO_LARGE');

/**
 * The sender's side ended the request before its body was complete: it closed the connection
 * (CLIENT_ABORTED), or the whole request did not arrive within REQUEST_TIMEOUT_MS and Node/Fastify
 * answered 408 and closed it (REQUEST_TIMEOUT). Nothing can be answered any more; the exception
 * filter logs it as a warning with its code (the sender re-sends, nothing was published).
 */
export class RequestAbandonedError extends Error {
  constructor(
    readonly code: 'CLIENT_ABORTED' | 'REQUEST_TIMEOUT',
    cause: Error,
  ) {
    super(
      code === 'REQUEST_TIMEOUT'
        ? 'the request did not arrive in full within REQUEST_TIMEOUT_MS (answered 408, connection closed)'
        : `the sender closed the connection before its body was complete (${cause.message})`,
    );
  }
}

/**
 * Remembers the connections the server's request timeout cut off (the 408), so that the body reader
 * can tell them from a sender that went away.
 */
export class RequestTimeouts {
  private readonly sockets = new WeakSet<Socket>();

  watch(server: Server): void {
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') this.sockets.add(socket);
    });
  }

  timedOut(socket: Socket | null | undefined): boolean {
    return socket !== null && socket !== undefined && this.sockets.has(socket);
  }
}

/**
 * Keeps the request body as the exact bytes received (signatures are over them, protocol.md §1.8 d)
 * and enforces the size limit itself. Fastify's own limit would answer before our handler, and so
 * without a protocol result code; here an oversized body becomes `BODY_TOO_LARGE` and the rest of the
 * stream is read and dropped, never buffered. Reading to the end lets the refusal be read by the
 * sender (closing on unread bytes would reset the connection under it); a sender that never ends is
 * cut off by the server's request timeout (`REQUEST_TIMEOUT_MS`, 408).
 */
export function rawBodyParser(limit: number, timeouts?: RequestTimeouts) {
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
    payload.on('error', (err) =>
      done(
        new RequestAbandonedError(
          timeouts?.timedOut(payload.socket) ? 'REQUEST_TIMEOUT' : 'CLIENT_ABORTED',
          err,
        ),
      ),
    );
  };
}
