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

/**
 * Why an order cannot reach a final state by itself (design.md §4 "Exceptions", issue: money-path
 * exceptions). order-state keeps exactly one open exception per order; it closes by itself when the
 * order becomes final, or when a person resolves it.
 * - UNVERIFIED_ANSWERS: the partner's last answer failed verification (e.g. a key we do not hold yet);
 *   the poller holds the order instead of cancelling it.
 * - INVALID_ANSWERS: the partner's answers do not fit the protocol (e.g. an Antom answer without a
 *   readable `paymentStatus`); never the reason for a cancel.
 * - INQUIRY_REFUSED: the partner refuses our inquiry for a reason a retry cannot fix (configuration).
 * - CANCEL_REFUSED: a cancel was refused and an inquiry could not tell whether the payment was paid.
 * - CANCEL_UNKNOWN: a cancel is still unknown after the partner's retry budget (Antom: contact support).
 * - AMOUNT_MISMATCH: a SUCCESS whose amount or currency differs from the order: money moved, so no
 *   automatic cancel; a person accepts or reverses it.
 * - UNREGISTERED_RESULT: a result for an order never registered, past the grace period.
 * - PAID_AFTER_CLOSE: a SUCCESS for an order we closed without the partner's confirmation; a cancel is
 *   sent again to reverse it, and a person checks it went through.
 * - STUCK_PAST_EXPIRY: non-final past its expiry plus the last cancel retry, with no other cause known.
 */
export const ExceptionReasonSchema = z.enum([
  'UNVERIFIED_ANSWERS',
  'INVALID_ANSWERS',
  'INQUIRY_REFUSED',
  'CANCEL_REFUSED',
  'CANCEL_UNKNOWN',
  'AMOUNT_MISMATCH',
  'UNREGISTERED_RESULT',
  'PAID_AFTER_CLOSE',
  'STUCK_PAST_EXPIRY',
]);
export type ExceptionReason = z.infer<typeof ExceptionReasonSchema>;

/** What an observer could not settle: order-state opens (or updates) the order's one open exception. */
export const AttentionSchema = z.object({
  reason: ExceptionReasonSchema,
  detail: text().max(500),
});
export type Attention = z.infer<typeof AttentionSchema>;

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
  /**
   * Set when the observer could not settle the payment (outcome PROCESSING or CANCEL_FAILED): the
   * order gets an open exception with this reason. Additive: absent in every other observation.
   */
  attention: AttentionSchema.nullish(),
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
  /** The partner's payment id, once a result named it (additive). */
  paymentId: text().min(1).max(64).nullish(),
  /** When the partner says the payment was paid; it starts the refund window (seed 003; additive). */
  paymentTime: InstantSchema.nullish(),
  /** The amount the partner reported with the result that caused this change (additive). */
  reportedAmount: AmountSchema.nullish(),
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

/**
 * What a person (or order-state itself) decided about an open exception (issue: money-path exceptions):
 * - accept: take the order as paid (`success`), e.g. an amount mismatch the merchant accepts;
 * - reverse: send a cancel, which reverses a paid payment inside the cancel window;
 * - mark_failed: close the order as `fail`;
 * - reinquire: ask the partner again now; the exception stays open until the order is final;
 * - auto: closed by itself because the order became final.
 */
export const ExceptionResolutionSchema = z.enum(['accept', 'reverse', 'mark_failed', 'reinquire', 'auto']);
export type ExceptionResolution = z.infer<typeof ExceptionResolutionSchema>;

/**
 * payments.exceptions.v1 — an order's exception opened, updated (new evidence or a new reason) or
 * resolved. Published through order-state's outbox; alerting and other services subscribe, and the
 * poller acts on `reverse` and `reinquire` resolutions and on PAID_AFTER_CLOSE (a cancel to send).
 */
export const ExceptionEventV1Schema = z.object({
  ...envelopeFields,
  paymentRequestId: PaymentRequestIdSchema,
  dialect: DialectSchema,
  exceptionId: z.string().regex(/^[0-9]{1,18}$/, 'a decimal id'),
  type: z.enum(['opened', 'updated', 'resolved']),
  reason: ExceptionReasonSchema,
  detail: text().max(500),
  openedAt: InstantSchema,
  resolvedAt: InstantSchema.nullish(),
  resolvedBy: text().max(100).nullish(),
  resolution: ExceptionResolutionSchema.nullish(),
  /** Why the person resolved it so. */
  note: text().max(500).nullish(),
  /** The order's status when the event was written; null when no order exists (UNREGISTERED_RESULT). */
  orderStatus: OrderStatusSchema.nullable(),
});
export type ExceptionEventV1 = z.infer<typeof ExceptionEventV1Schema>;

/**
 * payments.order-commands.v1 — checkout asks order-state to act on an order (seed 002: "the ACQP may
 * want to close the order in advance … by calling the cancelPayment API before the payment expires").
 * `cancel` moves an `init` order to `cancelling` and the poller sends the cancel at once; it is the
 * same request as `POST /orders/:paymentRequestId/cancel` (one event id per order, so idempotent). A
 * command for an order not registered yet waits for its registration like any early result.
 */
export const OrderCommandV1Schema = z.object({
  ...envelopeFields,
  paymentRequestId: PaymentRequestIdSchema,
  dialect: DialectSchema,
  command: z.literal('cancel'),
  /** Why, for the order's timeline. */
  reason: text().max(200).nullish(),
});
export type OrderCommandV1 = z.infer<typeof OrderCommandV1Schema>;
