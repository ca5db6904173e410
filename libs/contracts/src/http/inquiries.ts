import { z } from 'zod';
import { DialectSchema, PaymentRequestIdSchema } from '../primitives';
import { OrderStatusSchema } from '../events';
import { TimestampSchema } from './common';

/** The inquiry-poller's operator API over its schedule: requests and responses. */

export const InquiryParams = z.object({ paymentRequestId: PaymentRequestIdSchema });

export const InquiryScheduledSchema = z
  .object({
    code: z.literal('INQUIRY_SCHEDULED'),
    paymentRequestId: PaymentRequestIdSchema,
    inFlight: z.boolean().meta({ description: 'An inquiry of this order is under way right now.' }),
  })
  .meta({ id: 'InquiryScheduled' });

/** Where an order stands in the poller's schedule. */
export const ScheduleViewSchema = z
  .object({
    paymentRequestId: PaymentRequestIdSchema,
    clientId: z.string(),
    dialect: DialectSchema,
    phase: z.enum(['inquiry', 'cancel', 'verify', 'done']),
    orderStatus: OrderStatusSchema,
    lastVersion: z.number().int().nonnegative(),
    paymentExpiryTime: TimestampSchema,
    nextDueAt: TimestampSchema.nullable(),
    leased: z.boolean(),
    inquiryAttempts: z.number().int().nonnegative(),
    cancelAttempts: z.number().int().nonnegative(),
    cancelRequestedAt: TimestampSchema.nullable(),
    lastAttemptAt: TimestampSchema.nullable(),
    lastResultCode: z.string().nullable(),
    attentionCode: z.string().nullable(),
    attentionDetail: z.string().nullable(),
    doneReason: z.string().nullable(),
    answerDoubt: z.string().nullable(),
    reportedAttention: z.string().nullable(),
    verifyReason: z.string().nullable(),
    verifyUntil: TimestampSchema.nullable(),
    reversalOf: z.string().nullable(),
  })
  .meta({ id: 'ScheduleView' });
