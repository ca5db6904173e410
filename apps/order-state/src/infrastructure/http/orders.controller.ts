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
import { z } from 'zod';
import {
  AmountSchema,
  DialectSchema,
  InstantSchema,
  OrderStatusSchema,
  PaymentRequestIdSchema,
  hashId,
  text,
} from '@app/contracts';
import { maySeeRawBodies, operatorOf, parseOrThrow, RequireRole } from '@app/operator-auth';
import { RegisterOrdersUseCase } from '../../application/register-orders.use-case';
import { ApplyObservationsUseCase } from '../../application/apply-observations.use-case';
import { decodeOrderCursor, encodeOrderCursor, OrderQueries } from '../../application/order-queries';
import { ExceptionsUseCase } from '../../application/exceptions.use-case';

/** Ten years: PostgreSQL's dates end long before a 64-bit number of seconds does. */
export const MAX_AGE_SECONDS = 10 * 366 * 24 * 3600;

/** A query value that is digits only (an empty value is an error, not 0). */
export function wholeNumber(max: number) {
  return z
    .string()
    .regex(/^[0-9]{1,12}$/, 'a whole number')
    .transform(Number)
    .pipe(z.number().max(max));
}

const RegisterOrderBody = z.strictObject({
  paymentRequestId: PaymentRequestIdSchema,
  clientId: text().min(1).max(64),
  orderNo: text().min(1).max(64),
  dialect: DialectSchema,
  amount: AmountSchema,
  paymentExpiryTime: InstantSchema.nullish(),
});

const ListQuery = z.strictObject({
  status: z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(OrderStatusSchema))
    .optional(),
  olderThanSeconds: wholeNumber(MAX_AGE_SECONDS).optional(),
  stuck: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  limit: wholeNumber(1000).pipe(z.number().min(1)).default(100),
  /** The `next-cursor` header of the previous page. */
  after: z
    .string()
    .max(200)
    .transform((c, ctx) => {
      const cursor = decodeOrderCursor(c);
      if (!cursor) ctx.addIssue({ code: 'custom', message: 'not a cursor this API gave out' });
      return cursor ?? z.NEVER;
    })
    .optional(),
});

const AnomalyQuery = z.strictObject({
  paymentRequestId: PaymentRequestIdSchema.optional(),
  limit: wholeNumber(1000).pipe(z.number().min(1)).default(100),
  /** The `next-cursor` header of the previous page: anomalies older than that one. */
  before: z
    .string()
    .regex(/^[1-9][0-9]{0,17}$/, 'not a cursor this API gave out')
    .optional(),
});

@Controller()
export class OrdersController {
  constructor(
    private readonly registerOrders: RegisterOrdersUseCase,
    private readonly applyObservations: ApplyObservationsUseCase,
    private readonly queries: OrderQueries,
    private readonly exceptions: ExceptionsUseCase,
  ) {}

  /** The same use case as the order-registered topic. 201 when new, 200 when already registered alike, 409 when different. */
  @Post('orders')
  @RequireRole('operator')
  async register(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const input = parseOrThrow(RegisterOrderBody, body);
    const [outcome] = await this.registerOrders.execute([
      { ...input, eventId: `http:${hashId(JSON.stringify(input))}`, occurredAt: new Date().toISOString() },
    ]);
    if (outcome.kind === 'conflict') {
      throw new HttpException(
        {
          code: 'REPEAT_REQ_INCONSISTENT',
          message: `order ${input.paymentRequestId} exists with a different ${outcome.differences.join(', ')}`,
        },
        HttpStatus.CONFLICT,
      );
    }
    reply.status(outcome.kind === 'registered' ? HttpStatus.CREATED : HttpStatus.OK);
    return this.queries.getOrder(input.paymentRequestId);
  }

  /** Counts and the oldest order per status (the console's first view). */
  @Get('orders/summary')
  @RequireRole('viewer')
  async summary() {
    return this.queries.summary();
  }

  /** The order with its timeline; the partners' raw bodies only for operators. */
  @Get('orders/:paymentRequestId')
  @RequireRole('viewer')
  async get(@Param('paymentRequestId') id: string, @Req() req: unknown) {
    const order = await this.queries.getOrder(parseOrThrow(PaymentRequestIdSchema, id));
    if (!order) throw new NotFoundException({ code: 'ORDER_NOT_EXIST', message: `no order ${id}` });
    if (maySeeRawBodies(req)) return order;
    return {
      ...order,
      timeline: (order.timeline as Record<string, unknown>[]).map(({ rawBody: _hidden, ...rest }) => rest),
    };
  }

  /**
   * Asks the poller to inquire about a stuck order now, through its open exception (a `reinquire`
   * resolution, recorded with who asked). 409 NO_OPEN_EXCEPTION when it has none: an order that is
   * not past its expiry plus the last cancel retry is still being polled.
   */
  @Post('orders/:paymentRequestId/reinquire')
  @HttpCode(HttpStatus.OK)
  @RequireRole('operator')
  async reinquire(@Param('paymentRequestId') id: string, @Req() req: unknown) {
    const paymentRequestId = parseOrThrow(PaymentRequestIdSchema, id);
    const open = await this.queries.openExceptionOf(paymentRequestId);
    if (!open) {
      throw new HttpException(
        {
          code: 'NO_OPEN_EXCEPTION',
          message: `order ${id} has no open exception: the poller is still on it`,
        },
        HttpStatus.CONFLICT,
      );
    }
    const outcome = await this.exceptions.resolve(open.id, {
      resolution: 'reinquire',
      by: operatorOf(req).name,
      note: 're-inquiry asked from the console',
    });
    if (outcome.kind === 'conflict') {
      throw new HttpException({ code: outcome.code, message: outcome.message }, HttpStatus.CONFLICT);
    }
    return this.queries.getException(open.id);
  }

  /**
   * Closes the order in advance (seed 002, issue 11): `init` → `cancelling`, and the poller sends the
   * cancel at once. Idempotent: 200 with the order while it is `cancelling`; 409 ORDER_FINAL for a
   * final order (nothing to cancel; a paid one is reversed through its exception); 404 unknown.
   */
  @Post('orders/:paymentRequestId/cancel')
  @HttpCode(HttpStatus.OK)
  @RequireRole('operator')
  async cancel(@Param('paymentRequestId') id: string) {
    const paymentRequestId = parseOrThrow(PaymentRequestIdSchema, id);
    const outcome = await this.applyObservations.requestCancel(paymentRequestId);
    if (outcome.kind === 'not-found') {
      throw new NotFoundException({ code: 'ORDER_NOT_EXIST', message: `no order ${id}` });
    }
    if (outcome.kind === 'final') {
      throw new HttpException(
        { code: 'ORDER_FINAL', message: `order ${id} is ${outcome.status}: nothing to cancel` },
        HttpStatus.CONFLICT,
      );
    }
    return this.queries.getOrder(paymentRequestId);
  }

  /** Oldest first. A full page carries a `next-cursor` header: pass it as `after` for the next one. */
  @Get('orders')
  @RequireRole('viewer')
  async list(@Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const filter = parseOrThrow(ListQuery, query);
    const page = await this.queries.listOrders(filter);
    if (page.rows.length === filter.limit && page.last) {
      void reply.header('next-cursor', encodeOrderCursor(page.last));
    }
    return page.rows;
  }

  /** Newest first. A full page carries a `next-cursor` header: pass it as `before` for the next one. */
  @Get('anomalies')
  @RequireRole('viewer')
  async anomalies(@Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const q = parseOrThrow(AnomalyQuery, query);
    const rows: { id: string }[] = await this.queries.listAnomalies(q.limit, q.paymentRequestId, q.before);
    if (rows.length === q.limit) void reply.header('next-cursor', rows[rows.length - 1].id);
    return rows;
  }

  /** Who the token belongs to (the console shows it and hides what the role may not do). */
  @Get('operators/me')
  @RequireRole('viewer')
  me(@Req() req: unknown) {
    return operatorOf(req);
  }
}
