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
import { hashId, PaymentRequestIdSchema } from '@app/contracts';
import { orderListQuery, RegisterOrderBodySchema } from '@app/contracts/http/orders';
import { maySeeRawBodies, operatorOf, parseOrThrow, RequireRole } from '@app/operator-auth';
import { RegisterOrdersUseCase } from '../../application/register-orders.use-case';
import { ApplyObservationsUseCase } from '../../application/apply-observations.use-case';
import { decodeOrderCursor, encodeOrderCursor, OrderQueries } from '../../application/order-queries';
import { ExceptionsUseCase } from '../../application/exceptions.use-case';

const ListQuery = orderListQuery(decodeOrderCursor);

/** Orders (issue 4 and the operations issue): register, read, list, cancel, re-inquire. */
@Controller('orders')
export class OrdersController {
  constructor(
    private readonly registerOrders: RegisterOrdersUseCase,
    private readonly applyObservations: ApplyObservationsUseCase,
    private readonly queries: OrderQueries,
    private readonly exceptions: ExceptionsUseCase,
  ) {}

  /** The same use case as the order-registered topic. 201 when new, 200 when already registered alike, 409 when different. */
  @Post()
  @RequireRole('operator')
  async register(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const input = parseOrThrow(RegisterOrderBodySchema, body);
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
  @Get('summary')
  @RequireRole('viewer')
  async summary() {
    return this.queries.summary();
  }

  /** The order with its timeline; the partners' raw bodies only for operators. */
  @Get(':paymentRequestId')
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
  @Post(':paymentRequestId/reinquire')
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
  @Post(':paymentRequestId/cancel')
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
  @Get()
  @RequireRole('viewer')
  async list(@Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const filter = parseOrThrow(ListQuery, query);
    const page = await this.queries.listOrders(filter);
    if (page.rows.length === filter.limit && page.last) {
      void reply.header('next-cursor', encodeOrderCursor(page.last));
    }
    return page.rows;
  }
}
