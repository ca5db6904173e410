import { z } from 'zod';
import {
  text,
  AmountSchema,
  DialectSchema,
  envelopeFields,
  InstantSchema,
  PaymentRequestIdSchema,
  ResultCodeSchema,
  ResultMessageSchema,
} from './primitives';
import { RAW_BODY_MAX_CHARS } from './observation-fields';

/** payments.order-registered.v1 — an order to track until its final result. */
export const OrderRegisteredV1Schema = z.object({
  ...envelopeFields,
  paymentRequestId: PaymentRequestIdSchema,
  orderNo: text().min(1).max(64),
  amount: AmountSchema,
  dialect: DialectSchema,
  /** When absent the payment expires 1 minute after registration (protocol.md §5). */
  paymentExpiryTime: InstantSchema.nullish(),
});
export type OrderRegisteredV1 = z.infer<typeof OrderRegisteredV1Schema>;

export const ObservationSourceSchema = z.enum(['notify', 'inquiry', 'cancel']);
export type ObservationSource = z.infer<typeof ObservationSourceSchema>;

export const ObservationOutcomeSchema = z.enum([
  'SUCCESS',
  'FAIL',
  'CLOSED',
  'PROCESSING',
  'CANCEL_REQUESTED',
  'CANCELLED',
  'CANCEL_FAILED',
]);
export type ObservationOutcome = z.infer<typeof ObservationOutcomeSchema>;

/** payments.result-observed.v1 — one observation of a payment's result, from any channel. */
export const ResultObservedV1Schema = z.object({
  ...envelopeFields,
  paymentRequestId: PaymentRequestIdSchema,
  dialect: DialectSchema,
  source: ObservationSourceSchema,
  outcome: ObservationOutcomeSchema,
  resultCode: ResultCodeSchema,
  resultMessage: ResultMessageSchema.nullish(),
  paymentId: text().min(1).max(64).nullish(),
  amount: AmountSchema.nullish(),
  paymentTime: InstantSchema.nullish(),
  /** The raw message as received (notification or response body), kept for audit. */
  rawBody: text().max(RAW_BODY_MAX_CHARS).nullish(),
});
export type ResultObservedV1 = z.infer<typeof ResultObservedV1Schema>;

export const OrderStatusSchema = z.enum(['init', 'cancelling', 'success', 'fail', 'cancelled']);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

/** payments.status-changed.v1 — the authoritative change of an order's status (what other services consume). */
export const StatusChangedV1Schema = z.object({
  ...envelopeFields,
  paymentRequestId: PaymentRequestIdSchema,
  orderNo: text().min(1).max(64),
  dialect: DialectSchema,
  /** null when the order enters its first state (`init` on registration). */
  from: OrderStatusSchema.nullable(),
  to: OrderStatusSchema,
  source: z.enum(['registration', 'notify', 'inquiry', 'cancel']),
  resultCode: ResultCodeSchema.nullish(),
  amount: AmountSchema,
  paymentExpiryTime: InstantSchema,
  /** Monotonic per order: 1 on registration, +1 per change. Consumers drop versions they have seen. */
  version: z.number().int().positive(),
  /** The result-observed event that caused the change (absent for the registration). */
  causeEventId: text().max(200).nullish(),
});
export type StatusChangedV1 = z.infer<typeof StatusChangedV1Schema>;

/** payments.dlq.v1 — a message that can never be processed, with the reason; never silently dropped. */
export const DeadLetterV1Schema = z.object({
  eventId: z.string().min(1).max(200),
  schemaVersion: z.literal(1),
  occurredAt: InstantSchema,
  originalTopic: z.string(),
  partition: z.number().int().nonnegative(),
  offset: z.string(),
  key: z.string().nullable(),
  /**
   * The original value, as UTF-8 text (or base64 when it was not valid UTF-8). A large value is cut
   * (`valueTruncated`) so that the letter fits a Kafka message; the whole of it stays at
   * `originalTopic`/`partition`/`offset` for the topic's retention.
   */
  value: z.string().nullable(),
  valueEncoding: z.enum(['utf8', 'base64']),
  /** Present (true) when `value` holds only the first bytes of the original. */
  valueTruncated: z.literal(true).optional(),
  /** The original value's size in bytes, when it was cut. */
  valueBytes: z.number().int().nonnegative().optional(),
  reason: z.string().max(4000),
  consumerGroup: z.string(),
});
export type DeadLetterV1 = z.infer<typeof DeadLetterV1Schema>;

/**
 * payments.inquiry-hint.v1 — "inquire about this payment now". Published by the gateway when a
 * notification fails verification (design.md §7: it may trigger an immediate inquiry). Its content is
 * unverified, so it only ever causes a signed inquiry — never a state change.
 */
export const InquiryHintV1Schema = z.object({
  ...envelopeFields,
  paymentRequestId: PaymentRequestIdSchema,
  dialect: DialectSchema,
  reason: text().max(200),
});
export type InquiryHintV1 = z.infer<typeof InquiryHintV1Schema>;
