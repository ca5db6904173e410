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
import {
  DeadLetterListQuerySchema,
  LetterIdSchema,
  ReplayBodySchema,
  ReplayManyBodySchema,
} from '@app/contracts/http/dead-letters';
import { maySeeRawBodies, operatorOf, parseOrThrow, RequireRole } from '@app/operator-auth';
import { DeadLetterArchive } from './dead-letter-archive';
import { DeadLetterReplayer } from './dead-letter-replayer';

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
    const q = parseOrThrow(DeadLetterListQuerySchema, query);
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
    const letter = await this.archive.get(parseOrThrow(LetterIdSchema, id), maySeeRawBodies(req));
    if (!letter)
      throw new HttpException({ code: 'DEAD_LETTER_NOT_FOUND', message: `no dead letter ${id}` }, 404);
    return { ...letter, replays: await this.archive.replays(letter.id) };
  }

  @Post(':id/replay')
  @HttpCode(200)
  @RequireRole('operator')
  async replayOne(@Param('id') id: string, @Body() body: unknown, @Req() req: unknown) {
    const { note } = parseOrThrow(ReplayBodySchema, body);
    const letter = await this.archive.get(parseOrThrow(LetterIdSchema, id), true);
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
    const b = parseOrThrow(ReplayManyBodySchema, body);
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
