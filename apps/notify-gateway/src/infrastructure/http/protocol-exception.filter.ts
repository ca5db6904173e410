import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { buildFailureAckBody } from '@app/alipayplus';
import { RequestAbandonedError } from './raw-body.parser';

const isCodedBody = (body: unknown): boolean =>
  typeof body === 'object' && body !== null && typeof (body as { code?: unknown }).code === 'string';

/**
 * Errors raised before our handler runs (body over the limit, unknown route) still get a protocol
 * answer with a clear result code (design.md §7). A 5xx is U so that the sender re-sends.
 */
@Catch()
export class ProtocolExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('notify');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof RequestAbandonedError) {
      // The connection is gone (the sender left, or the request timeout answered 408 and closed it):
      // an expected event with a code, not an internal error, and there is no one to answer.
      this.logger.warn(`notification request abandoned: ${exception.code} (${exception.message})`);
      return;
    }
    if (exception instanceof HttpException && isCodedBody(exception.getResponse())) {
      // Not a notification: a refusal of our own that already names its code, in its own shape (a
      // failing probe's 503 {status, code, failures}). It is an expected answer, not an internal error.
      void reply.status(exception.getStatus()).send(exception.getResponse());
      return;
    }
    const status =
      exception instanceof HttpException
        ? exception.getStatus()
        : ((exception as { statusCode?: number }).statusCode ?? 500);
    const message = exception instanceof Error ? exception.message : 'error';
    let body: string;
    if (status >= 500) {
      this.logger.error(
        `unhandled: ${exception instanceof Error ? (exception.stack ?? message) : String(exception)}`,
      );
      body = buildFailureAckBody({
        resultCode: 'UNKNOWN_EXCEPTION',
        resultStatus: 'U',
        resultMessage: 'internal error',
      });
    } else {
      const code =
        status === 415 ? 'MEDIA_TYPE_NOT_ACCEPTABLE' : status === 404 ? 'NO_INTERFACE_DEF' : 'PARAM_ILLEGAL';
      body = buildFailureAckBody({ resultCode: code, resultStatus: 'F', resultMessage: message });
    }
    void reply.status(status).header('content-type', 'application/json; charset=UTF-8').send(body);
  }
}
