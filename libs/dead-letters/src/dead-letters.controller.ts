import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { text } from '@app/contracts';
import { maySeeRawBodies, operatorOf, parseOrThrow, RequireRole } from '@app/operator-auth';
import { DeadLetterArchive } from './dead-letter-archive';
import { DeadLetterReplayer } from './dead-letter-replayer';

const LetterId = text().min(1).max(200);
const Cursor = z
  .string()
  .max(400)
  .transform((s, ctx) => {
    const [receivedAt, id] = Buffer.from(s, 'base64url').toString('utf8').split('|');
    if (!receivedAt || !id || Number.isNaN(Date.parse(receivedAt))) {
      ctx.addIssue({ code: 'custom', message: 'not a cursor this API gave out' });
      return z.NEVER;
    }
    return { receivedAt, id };
  });
const Limit = z
  .string()
  .regex(/^[0-9]{1,4}$/, 'a whole number')
  .transform(Number)
  .pipe(z.number().min(1).max(500));

const ListQuery = z.strictObject({
  originalTopic: text().max(249).optional(),
  reasonContains: text().min(1).max(200).optional(),
  replayed: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  before: Cursor.optional(),
  limit: Limit.default(100),
});
const ReplayBody = z.strictObject({ note: text().max(500).optional() });
const ReplayManyBody = z.strictObject({
  originalTopic: text().max(249).optional(),
  reasonContains: text().min(1).max(200).optional(),
  /** Only letters never replayed (default), so the same filter run twice does not publish twice. */
  includeReplayed: z.boolean().default(false),
  limit: z.number().int().min(1).max(500).default(100),
  note: text().max(500).optional(),
});

/**
 * Dead letters (issue: operations): list and read them (viewer; the value, which may hold a partner's
 * raw body, for operators only), and re-publish one or a filtered set to its original topic (operator).
 */
@Controller('dead-letters')
export class DeadLettersController {
  constructor(
    private readonly archive: DeadLetterArchive,
    private readonly replayer: DeadLetterReplayer,
  ) {}

  @Get()
  @RequireRole('viewer')
  async list(@Query() query: unknown, @Req() req: unknown, @Res({ passthrough: true }) res: FastifyReply) {
    const q = parseOrThrow(ListQuery, query);
    const items = await this.archive.list(q, maySeeRawBodies(req));
    if (items.length === q.limit) {
      const last = items[items.length - 1];
      res.header('next-cursor', Buffer.from(`${last.receivedAt}|${last.id}`).toString('base64url'));
    }
    return { items };
  }

  @Get(':id')
  @RequireRole('viewer')
  async get(@Param('id') id: string, @Req() req: unknown) {
    const letter = await this.archive.get(parseOrThrow(LetterId, id), maySeeRawBodies(req));
    if (!letter)
      throw new HttpException({ code: 'DEAD_LETTER_NOT_FOUND', message: `no dead letter ${id}` }, 404);
    return { ...letter, replays: await this.archive.replays(letter.id) };
  }

  @Post(':id/replay')
  @HttpCode(200)
  @RequireRole('operator')
  async replayOne(@Param('id') id: string, @Body() body: unknown, @Req() req: unknown) {
    const { note } = parseOrThrow(ReplayBody, body);
    const letter = await this.archive.get(parseOrThrow(LetterId, id), true);
    if (!letter)
      throw new HttpException({ code: 'DEAD_LETTER_NOT_FOUND', message: `no dead letter ${id}` }, 404);
    const [outcome] = await this.replayer.replay([letter], operatorOf(req).name, note ?? null);
    if (!outcome.replayed) {
      throw new HttpException({ code: outcome.code, message: outcome.message }, HttpStatus.CONFLICT);
    }
    return outcome;
  }

  @Post('replay')
  @HttpCode(200)
  @RequireRole('operator')
  async replayMany(@Body() body: unknown, @Req() req: unknown) {
    const b = parseOrThrow(ReplayManyBody, body);
    const letters = await this.archive.list(
      {
        originalTopic: b.originalTopic,
        reasonContains: b.reasonContains,
        replayed: b.includeReplayed ? undefined : false,
        limit: b.limit,
      },
      true,
    );
    const outcomes = await this.replayer.replay(letters, operatorOf(req).name, b.note ?? null);
    return { replayed: outcomes.filter((o) => o.replayed).length, outcomes };
  }
}
