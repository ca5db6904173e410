import { z } from 'zod';
import {
  DateTimeStringSchema,
  InfoIdSchema,
  MerchantAccountIdSchema,
  OptionalId64Schema,
  PAYMENT_ID_FIELDS,
  paymentRequestSchema,
  ResultSchema,
} from './common.schema';

/**
 * Alipay+ cancelPayment request (protocol.md §4.1). paymentRequestId is the idempotency key: re-sending
 * the same ID is processed once, which is what makes retrying a U/timeout safe.
 */
export const AlipayPlusCancelPaymentRequestSchema = paymentRequestSchema(PAYMENT_ID_FIELDS);
export type AlipayPlusCancelPaymentRequest = z.infer<typeof AlipayPlusCancelPaymentRequestSchema>;

/** Alipay+ cancelPayment response: `result`; pspId and acquirerId when S (§4.1). */
export const AlipayPlusCancelPaymentResponseSchema = z.looseObject({
  result: ResultSchema,
  pspId: InfoIdSchema,
  acquirerId: InfoIdSchema,
});
export type AlipayPlusCancelPaymentResponse = z.infer<typeof AlipayPlusCancelPaymentResponseSchema>;

/** Antom cancel request (§4.2): paymentId or paymentRequestId (paymentId wins), merchantAccountId ≤32. */
export const AntomCancelRequestSchema = paymentRequestSchema({
  // paymentId first, as Antom lists it (§4.2); the body is serialized in this order.
  paymentId: PAYMENT_ID_FIELDS.paymentId,
  paymentRequestId: PAYMENT_ID_FIELDS.paymentRequestId,
  merchantAccountId: MerchantAccountIdSchema,
});
export type AntomCancelRequest = z.infer<typeof AntomCancelRequestSchema>;

/** Antom cancel response (§4.2): `result`; on S paymentId, paymentRequestId, cancelTime. */
export const AntomCancelResponseSchema = z.looseObject({
  result: ResultSchema,
  paymentId: OptionalId64Schema,
  paymentRequestId: OptionalId64Schema,
  cancelTime: DateTimeStringSchema,
});
export type AntomCancelResponse = z.infer<typeof AntomCancelResponseSchema>;
