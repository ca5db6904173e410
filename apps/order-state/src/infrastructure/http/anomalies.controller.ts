import { Controller, Get, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AnomalyQuerySchema } from '@app/contracts/http/orders';
import { parseOrThrow, RequireRole } from '@app/operator-auth';
import { OrderQueries } from '../../application/order-queries';

/** Anomalies: what the ledger noticed and kept (conflicting results, mismatches, …). */
@Controller('anomalies')
export class AnomaliesController {
  constructor(private readonly queries: OrderQueries) {}

  /** Newest first. A full page carries a `next-cursor` header: pass it as `before` for the next one. */
  @Get()
  @RequireRole('viewer')
  async list(@Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const q = parseOrThrow(AnomalyQuerySchema, query);
    const rows: { id: string }[] = await this.queries.listAnomalies(q.limit, q.paymentRequestId, q.before);
    if (rows.length === q.limit) void reply.header('next-cursor', rows[rows.length - 1].id);
    return rows;
  }
}
