import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/** The code an error body gets when what threw it named none (e.g. Fastify refusing the body). */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'PARAM_ILLEGAL',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  413: 'BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * One error body for every HTTP refusal of the operator APIs (order-state, the poller): `{code,
 * message}`. A controller's own refusal already names its code and passes through unchanged; what
 * the framework refuses before a controller runs (a body that is not JSON, too large, of another
 * media type; an unknown route) gets its code here instead of Nest's `{statusCode, message}`, so a
 * client can act on every refusal the same way (bad input → a clear result code, nothing changed).
 */
@Catch(HttpException)
export class OperatorApiErrorsFilter implements ExceptionFilter {
  catch(exception: HttpException, host: ArgumentsHost): void {
    const status = exception.getStatus();
    const body = exception.getResponse();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (typeof body === 'object' && body !== null && typeof (body as { code?: unknown }).code === 'string') {
      void reply.status(status).send(body);
      return;
    }
    const message =
      typeof body === 'string'
        ? body
        : String((body as { message?: unknown } | null)?.message ?? exception.message);
    void reply.status(status).send({ code: CODE_BY_STATUS[status] ?? `HTTP_${status}`, message });
  }
}
