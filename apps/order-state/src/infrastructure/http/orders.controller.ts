import {
  Body,
  Controller,
  Get,
  HttpException,
  HttpStatus,
  NotFoundException,
  Param,
  Post,
  Query,
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
} from '@app/contracts';
import { RegisterOrdersUseCase } from '../../application/register-orders.use-case';
import { OrderQueries } from '../../application/order-queries';

const RegisterOrderBody = z.strictObject({
  paymentRequestId: PaymentRequestIdSchema,
  clientId: z.string().min(1).max(64),
  orderNo: z.string().min(1).max(64),
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
  olderThanSeconds: z.coerce.number().int().nonnegative().optional(),
  stuck: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const AnomalyQuery = z.strictObject({
  paymentRequestId: PaymentRequestIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** Every rejection names what was wrong; nothing is changed by a rejected request. */
function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    throw new HttpException(
      { code: 'PARAM_ILLEGAL', message: z.prettifyError(parsed.error) },
      HttpStatus.BAD_REQUEST,
    );
  }
  return parsed.data;
}

@Controller()
export class OrdersController {
  constructor(
    private readonly registerOrders: RegisterOrdersUseCase,
    private readonly queries: OrderQueries,
  ) {}

  /** The same use case as the order-registered topic. 201 when new, 200 when already registered alike, 409 when different. */
  @Post('orders')
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

  @Get('orders/:paymentRequestId')
  async get(@Param('paymentRequestId') id: string) {
    const order = await this.queries.getOrder(parseOrThrow(PaymentRequestIdSchema, id));
    if (!order) throw new NotFoundException({ code: 'ORDER_NOT_EXIST', message: `no order ${id}` });
    return order;
  }

  @Get('orders')
  list(@Query() query: unknown) {
    return this.queries.listOrders(parseOrThrow(ListQuery, query));
  }

  @Get('anomalies')
  anomalies(@Query() query: unknown) {
    const q = parseOrThrow(AnomalyQuery, query);
    return this.queries.listAnomalies(q.limit, q.paymentRequestId);
  }

  @Get('health')
  health() {
    return { status: 'ok' };
  }
}
