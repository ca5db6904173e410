import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  ExceptionIdSchema,
  ExceptionListQuerySchema,
  ResolveExceptionBodySchema,
} from '@app/contracts/http/orders';
import { operatorOf, parseOrThrow, RequireRole } from '@app/operator-auth';
import { ExceptionsUseCase } from '../../application/exceptions.use-case';
import { OrderQueries } from '../../application/order-queries';

/** Exceptions (issue 11): list, read, and resolve them. */
@Controller('exceptions')
export class ExceptionsController {
  constructor(
    private readonly exceptions: ExceptionsUseCase,
    private readonly queries: OrderQueries,
  ) {}

  /** Oldest first. A full page carries a `next-cursor` header: pass it as `after` for the next one. */
  @Get()
  @RequireRole('viewer')
  async list(@Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const filter = parseOrThrow(ExceptionListQuerySchema, query);
    const rows = await this.queries.listExceptions(filter);
    if (rows.length === filter.limit) void reply.header('next-cursor', rows[rows.length - 1].id);
    return rows;
  }

  @Get(':id')
  @RequireRole('viewer')
  async get(@Param('id') id: string) {
    const found = await this.queries.getException(parseOrThrow(ExceptionIdSchema, id));
    if (!found) throw notFound(id);
    return found;
  }

  /**
   * 200 with the exception after the resolution. 400 PARAM_ILLEGAL for a bad body; 404
   * EXCEPTION_NOT_EXIST; 409 EXCEPTION_RESOLVED (resolved before) or ORDER_STATUS_FORBIDS (e.g.
   * mark_failed on a final order).
   */
  @Post(':id/resolve')
  @HttpCode(HttpStatus.OK)
  @RequireRole('operator')
  async resolve(@Param('id') id: string, @Body() body: unknown, @Req() req: unknown) {
    const exceptionId = parseOrThrow(ExceptionIdSchema, id);
    const input = parseOrThrow(ResolveExceptionBodySchema, body);
    const operator = operatorOf(req);
    const by = operator.name === 'anonymous' && input.by ? input.by : operator.name;
    const outcome = await this.exceptions.resolve(exceptionId, { ...input, by });
    if (outcome.kind === 'not-found') throw notFound(id);
    if (outcome.kind === 'conflict') {
      throw new HttpException({ code: outcome.code, message: outcome.message }, HttpStatus.CONFLICT);
    }
    return this.queries.getException(exceptionId);
  }
}

const notFound = (id: string) =>
  new NotFoundException({ code: 'EXCEPTION_NOT_EXIST', message: `no exception ${id}` });
