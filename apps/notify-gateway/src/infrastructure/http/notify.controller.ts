import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dialect } from '@app/alipayplus';
import { ReceiveNotificationUseCase } from '../../application/receive-notification.use-case';
import { BODY_TOO_LARGE } from './raw-body.parser';

/** The two notify endpoints (one per dialect). Bodies arrive as raw bytes: see main's content parser. */
@Controller()
export class NotifyController {
  constructor(private readonly receive: ReceiveNotificationUseCase) {}

  @Post('alipayplus/notify')
  @HttpCode(200)
  alipayplus(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.handle('alipayplus', req, reply);
  }

  @Post('antom/notify')
  @HttpCode(200)
  antom(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.handle('antom', req, reply);
  }

  private async handle(dialect: Dialect, req: FastifyRequest, reply: FastifyReply) {
    const answer = await this.receive.handle({
      dialect,
      path: req.url,
      headers: req.headers,
      contentType: req.headers['content-type'],
      rawBody: Buffer.isBuffer(req.body) ? req.body : undefined,
      bodyTooLarge: req.body === BODY_TOO_LARGE,
    });
    return reply.status(answer.httpStatus).headers(answer.headers).send(answer.body);
  }
}
