import { z } from 'zod';
import { OperatorRoleSchema } from '@app/operator-auth';
import { AmountSchema, DialectSchema, InstantSchema, PaymentRequestIdSchema, text } from '../primitives';
import { ExceptionResolutionSchema, ExceptionReasonSchema, OrderStatusSchema } from '../events';
import {
  commaList,
  DecimalIdSchema,
  MAX_AGE_SECONDS,
  pageLimit,
  queryFlag,
  TimestampSchema,
  wholeNumber,
} from './common';

/** order-state's orders, anomalies and exceptions APIs: requests and responses. */

export const PaymentRequestIdParams = z.object({ paymentRequestId: PaymentRequestIdSchema });

/** POST /orders: the same fields as payments.order-registered.v1, without the envelope. */
export const RegisterOrderBodySchema = z.strictObject({
  paymentRequestId: PaymentRequestIdSchema,
  clientId: text().min(1).max(64),
  orderNo: text().min(1).max(64),
  dialect: DialectSchema,
  amount: AmountSchema,
  paymentExpiryTime: InstantSchema.nullish().meta({
    description: 'ISO 8601 with an offset or Z; absent: the payment expires 1 minute after registration.',
  }),
});

/**
 * GET /orders. The cursor is opaque to clients; order-state decodes it (`decodeCursor`), so the
 * service passes its decoder and the contract keeps one definition of the query.
 */
export const orderListQuery = <C>(decodeCursor: (cursor: string) => C | undefined) =>
  z.strictObject({
    status: commaList(OrderStatusSchema),
    olderThanSeconds: wholeNumber(MAX_AGE_SECONDS)
      .optional()
      .meta({ description: 'Only orders registered at least this many seconds ago.' }),
    stuck: queryFlag().meta({ description: 'Only non-final orders past their payment expiry.' }),
    limit: pageLimit(),
    after: z
      .string()
      .max(200)
      .transform((c, ctx) => {
        const cursor = decodeCursor(c);
        if (cursor === undefined) ctx.addIssue({ code: 'custom', message: 'not a cursor this API gave out' });
        return cursor ?? z.NEVER;
      })
      .optional()
      .meta({ description: 'The `next-cursor` header of the previous page.' }),
  });

/** GET /anomalies: newest first. */
export const AnomalyQuerySchema = z.strictObject({
  paymentRequestId: PaymentRequestIdSchema.optional(),
  limit: pageLimit(),
  before: z
    .string()
    .regex(/^[1-9][0-9]{0,17}$/, 'not a cursor this API gave out')
    .optional()
    .meta({ description: 'The `next-cursor` header of the previous page: anomalies older than that one.' }),
});

export const ExceptionIdSchema = z.string().regex(/^[1-9][0-9]{0,17}$/, 'an exception id (a decimal number)');
export const ExceptionIdParams = z.object({ id: ExceptionIdSchema });

/** GET /exceptions: oldest first. */
export const ExceptionListQuerySchema = z.strictObject({
  reason: commaList(ExceptionReasonSchema),
  clientId: text().min(1).max(64).optional(),
  dialect: DialectSchema.optional(),
  olderThanSeconds: wholeNumber(MAX_AGE_SECONDS)
    .optional()
    .meta({ description: 'Only exceptions opened at least this many seconds ago.' }),
  open: queryFlag().meta({ description: 'true: open ones only; false: resolved ones only.' }),
  limit: pageLimit(),
  after: z
    .string()
    .regex(/^[1-9][0-9]{0,17}$/, 'not a cursor this API gave out')
    .optional()
    .meta({ description: 'The `next-cursor` header of the previous page: exceptions after that one.' }),
});

/** POST /exceptions/{id}/resolve. */
export const ResolveExceptionBodySchema = z.strictObject({
  resolution: z.enum(['accept', 'reverse', 'mark_failed', 'reinquire']),
  /**
   * Who decides: the operator token's name is recorded. Only when operator auth is disabled (the demo,
   * local runs) does this field name the person instead of "anonymous".
   */
  by: text().min(1).max(100).optional(),
  /** Why. */
  note: text().max(500).nullish(),
});

// ---- responses ----

export const OrderSchema = z
  .object({
    paymentRequestId: PaymentRequestIdSchema,
    clientId: z.string(),
    orderNo: z.string(),
    dialect: DialectSchema,
    amount: AmountSchema,
    status: OrderStatusSchema,
    version: z.number().int().positive(),
    paymentExpiryTime: TimestampSchema,
    resultCode: z.string().nullable(),
    resultSource: z.string().nullable(),
    paymentId: z.string().nullable(),
    registeredAt: TimestampSchema,
    updatedAt: TimestampSchema,
    finalAt: TimestampSchema.nullable(),
  })
  .meta({ id: 'Order' });

export const TimelineEntrySchema = z
  .object({
    eventId: z.string(),
    source: z.string().meta({ description: 'notify, inquiry, cancel, or operator (a resolution).' }),
    outcome: z.string(),
    resultCode: z.string(),
    resultMessage: z.string().nullable(),
    paymentId: z.string().nullable(),
    amount: AmountSchema.nullable(),
    paymentTime: TimestampSchema.nullable(),
    effect: z
      .string()
      .meta({ description: 'What the observation did to the order (applied, duplicate, …).' }),
    statusAfter: OrderStatusSchema.nullable(),
    note: z.string().nullable(),
    occurredAt: TimestampSchema,
    receivedAt: TimestampSchema,
    rawBody: z
      .string()
      .nullable()
      .optional()
      .meta({ description: "The partner's raw body: for the operator role only." }),
  })
  .meta({ id: 'TimelineEntry' });

export const ExceptionSchema = z
  .object({
    id: DecimalIdSchema,
    paymentRequestId: PaymentRequestIdSchema,
    clientId: z.string(),
    dialect: DialectSchema,
    reason: ExceptionReasonSchema,
    detail: z.string(),
    openedAt: TimestampSchema,
    lastEvidence: z.record(z.string(), z.unknown()),
    lastEvidenceAt: TimestampSchema,
    resolvedAt: TimestampSchema.nullable(),
    resolvedBy: z.string().nullable(),
    resolution: ExceptionResolutionSchema.nullable(),
    resolutionNote: z.string().nullable(),
    version: z.number().int().positive(),
    open: z.boolean(),
    orderStatus: OrderStatusSchema.nullable().meta({ description: 'null: no order (UNREGISTERED_RESULT).' }),
  })
  .meta({ id: 'Exception' });

export const OrderDetailSchema = OrderSchema.extend({
  timeline: z.array(TimelineEntrySchema),
  exceptions: z.array(ExceptionSchema).meta({ description: "The order's exceptions, newest first." }),
}).meta({ id: 'OrderDetail' });

export const OrderSummarySchema = z
  .object({
    byStatus: z.array(
      z.object({
        status: OrderStatusSchema,
        count: z.number().int().nonnegative(),
        oldestAt: TimestampSchema.nullable(),
      }),
    ),
    stuck: z.number().int().nonnegative(),
  })
  .meta({ id: 'OrderSummary' });

export const AnomalySchema = z
  .object({
    id: DecimalIdSchema,
    paymentRequestId: PaymentRequestIdSchema,
    kind: z.string(),
    eventId: z.string(),
    detail: z.unknown(),
    createdAt: TimestampSchema,
  })
  .meta({ id: 'Anomaly' });

export const OperatorSchema = z
  .object({ name: z.string(), role: OperatorRoleSchema })
  .meta({ id: 'Operator' });
