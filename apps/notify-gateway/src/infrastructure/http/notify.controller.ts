import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { originFormTarget, type Dialect } from '@app/alipayplus';
import { ReceiveNotificationUseCase } from '../../application/receive-notification.use-case';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { BODY_TOO_LARGE } from './raw-body.parser';
import { Draining } from './draining';

/**
 * The notify path of each dialect. A new dialect fails to compile here until it has its path, and
 * notify.controller.spec.ts fails until a handler serves it.
 */
export const NOTIFY_ROUTES = {
  alipayplus: 'alipayplus/notify',
  antom: 'antom/notify',
} as const satisfies Record<Dialect, string>;

/** The notify endpoints (one per dialect). Bodies arrive as raw bytes: see main's content parser. */
@Controller()
export class NotifyController {
  constructor(
    private readonly receive: ReceiveNotificationUseCase,
    private readonly metrics: GatewayMetrics,
    private readonly draining: Draining,
  ) {}

  @Post(NOTIFY_ROUTES.alipayplus)
  @HttpCode(200)
  alipayplus(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.handle('alipayplus', req, reply);
  }

  @Post(NOTIFY_ROUTES.antom)
  @HttpCode(200)
  antom(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.handle('antom', req, reply);
  }

  private async handle(dialect: Dialect, req: FastifyRequest, reply: FastifyReply) {
    const end = this.metrics.ackDuration.startTimer({ dialect });
    const answer = this.draining.active
      ? this.draining.answer(dialect, originFormTarget(req.url), req.headers)
      : await this.receive.handle({
          dialect,
          // An absolute-form request line (RFC 9112 §3.2.2) puts scheme and host in req.url; the partner
          // signed only the path (and maybe the query).
          path: originFormTarget(req.url),
          headers: req.headers,
          contentType: req.headers['content-type'],
          rawBody: Buffer.isBuffer(req.body) ? req.body : undefined,
          bodyTooLarge: req.body === BODY_TOO_LARGE,
        });
    this.metrics.received.inc({ dialect, result_code: answer.resultCode });
    end();
    return reply.status(answer.httpStatus).headers(answer.headers).send(answer.body);
  }
}
