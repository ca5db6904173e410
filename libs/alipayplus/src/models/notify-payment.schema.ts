import { z } from 'zod';
import {
  AmountSchema,
  DateTimeStringSchema,
  Id64Schema,
  InfoIdSchema,
  LenientAmountSchema,
  NotifyResultSchema,
  OptionalId64Schema,
  OptionalTextSchema,
  QuoteSchema,
} from './common.schema';

/*
 * What must be present is what we need to act on the result: the request ID and the outcome.
 * Fields the docs mark as required or conditional but we do not rely on (acquirerId, paymentId on S,
 * Antom paymentCreateTime…) are validated when present and otherwise tolerated: rejecting a genuine
 * final result because an auxiliary field is missing would make the peer re-send it until it gives up,
 * losing the result.
 */

/** Alipay+ → ACQP notifyPayment body (protocol.md §2.1). There is no `notifyType` in this dialect. */
export const AlipayPlusNotifyPaymentSchema = z.looseObject({
  paymentResult: NotifyResultSchema,
  paymentRequestId: Id64Schema,
  /** Present when S, may be absent on F (§2.1). */
  paymentId: OptionalId64Schema,
  /** Documented as required (§2.1); not needed to act on the result. */
  acquirerId: InfoIdSchema,
  pspId: InfoIdSchema,
  customerId: InfoIdSchema,
  paymentAmount: AmountSchema.nullish(),
  paymentTime: DateTimeStringSchema,
  walletBrandName: OptionalTextSchema,
  settlementAmount: LenientAmountSchema.nullish(),
  settlementQuote: QuoteSchema.nullish(),
});
export type AlipayPlusNotifyPayment = z.infer<typeof AlipayPlusNotifyPaymentSchema>;

/**
 * Antom notify types this library interprets (§2.2): PAYMENT_RESULT (final), PAYMENT_PENDING (user done,
 * final result still to come) and the legacy in-store OFFLINE_PAYMENT_CODE (a payment result).
 */
export const ANTOM_NOTIFY_TYPES = ['PAYMENT_RESULT', 'PAYMENT_PENDING', 'OFFLINE_PAYMENT_CODE'] as const;
export type AntomNotifyType = (typeof ANTOM_NOTIFY_TYPES)[number];

/** Antom/AMS → merchant notifyPayment body (protocol.md §2.2). */
export const AntomNotifyPaymentSchema = z.looseObject({
  /** Kept as a string on the wire; `parseNotification` refuses types it cannot interpret. */
  notifyType: z.string().min(1).max(64),
  result: NotifyResultSchema,
  paymentRequestId: Id64Schema,
  paymentId: OptionalId64Schema,
  paymentAmount: AmountSchema.nullish(),
  paymentCreateTime: DateTimeStringSchema,
  /** When S (§2.2). */
  paymentTime: DateTimeStringSchema,
  actualPaymentAmount: LenientAmountSchema.nullish(),
  grossSettlementAmount: LenientAmountSchema.nullish(),
  settlementQuote: QuoteSchema.nullish(),
  pspCustomerInfo: z
    .looseObject({
      pspName: OptionalTextSchema,
      pspCustomerId: OptionalTextSchema,
      displayCustomerId: OptionalTextSchema,
    })
    .nullish(),
  acquirerReferenceNo: InfoIdSchema,
  paymentMethodType: OptionalTextSchema,
});
export type AntomNotifyPayment = z.infer<typeof AntomNotifyPaymentSchema>;
