import { z } from 'zod';
import {
  AmountSchema,
  DateTimeStringSchema,
  InfoIdSchema,
  LenientAmountSchema,
  OptionalId64Schema,
  OptionalTextSchema,
  QuoteSchema,
  ResultSchema,
  TransactionSchema,
  MerchantAccountIdSchema,
  PAYMENT_ID_FIELDS,
  paymentRequestSchema,
} from './common.schema';

/** Alipay+ inquiryPayment request: paymentRequestId or paymentId, at least one (protocol.md §3.1). */
export const AlipayPlusInquiryPaymentRequestSchema = paymentRequestSchema(PAYMENT_ID_FIELDS);
export type AlipayPlusInquiryPaymentRequest = z.infer<typeof AlipayPlusInquiryPaymentRequestSchema>;

/** Alipay+ inquiryPayment response (§3.1). Fields other than `result` come only when result is S. */
export const AlipayPlusInquiryPaymentResponseSchema = z.looseObject({
  /** Outcome of the inquiry call itself. */
  result: ResultSchema,
  /** Outcome of the payment (S/F/U); present when result is S. */
  paymentResult: ResultSchema.nullish(),
  acquirerId: InfoIdSchema,
  pspId: InfoIdSchema,
  paymentRequestId: OptionalId64Schema,
  paymentId: OptionalId64Schema,
  paymentAmount: AmountSchema.nullish(),
  paymentTime: DateTimeStringSchema,
  customerId: InfoIdSchema,
  walletBrandName: OptionalTextSchema,
  settlementAmount: LenientAmountSchema.nullish(),
  settlementQuote: QuoteSchema.nullish(),
  transactions: z.array(TransactionSchema).nullish(),
});
export type AlipayPlusInquiryPaymentResponse = z.infer<typeof AlipayPlusInquiryPaymentResponseSchema>;

/**
 * Antom inquiryPayment request (§3.2): paymentRequestId and/or paymentId (paymentId wins when both),
 * plus merchantAccountId (≤32) for a multi-location client ID.
 */
export const AntomInquiryPaymentRequestSchema = paymentRequestSchema({
  ...PAYMENT_ID_FIELDS,
  merchantAccountId: MerchantAccountIdSchema,
});
export type AntomInquiryPaymentRequest = z.infer<typeof AntomInquiryPaymentRequestSchema>;

/** Known Antom `paymentStatus` values (§3.2); kept open on the wire so a new value is not a parse error. */
export const ANTOM_PAYMENT_STATUSES = ['SUCCESS', 'FAIL', 'PROCESSING', 'CANCELLED', 'PENDING'] as const;
export type AntomPaymentStatus = (typeof ANTOM_PAYMENT_STATUSES)[number];

/** Antom inquiryPayment response (§3.2); fields other than `result` come only when result is S. */
export const AntomInquiryPaymentResponseSchema = z.looseObject({
  result: ResultSchema,
  paymentStatus: z.string().max(64).nullish(),
  paymentResultCode: z.string().max(64).nullish(),
  /** Informational: cut when recorded, never a reason to refuse the answer. */
  paymentResultMessage: OptionalTextSchema,
  paymentRequestId: OptionalId64Schema,
  paymentId: OptionalId64Schema,
  paymentAmount: AmountSchema.nullish(),
  actualPaymentAmount: LenientAmountSchema.nullish(),
  paymentCreateTime: DateTimeStringSchema,
  /** Only when SUCCESS (§3.2). */
  paymentTime: DateTimeStringSchema,
  authExpiryTime: DateTimeStringSchema,
  merchantAccountId: InfoIdSchema,
  transactions: z.array(TransactionSchema).nullish(),
});
export type AntomInquiryPaymentResponse = z.infer<typeof AntomInquiryPaymentResponseSchema>;
