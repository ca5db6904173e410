import {
  AlipayPlusCancelPaymentRequest,
  AlipayPlusCancelPaymentRequestSchema,
  AlipayPlusCancelPaymentResponse,
  AlipayPlusCancelPaymentResponseSchema,
} from '../models/cancel-payment.schema';
import {
  AlipayPlusInquiryPaymentRequest,
  AlipayPlusInquiryPaymentRequestSchema,
  AlipayPlusInquiryPaymentResponse,
  AlipayPlusInquiryPaymentResponseSchema,
} from '../models/inquiry-payment.schema';
import { NOTIFY_ACK_BODY } from '../models/notify-ack';
import { finalOutcome, observed } from '../models/notification-observation';
import { AlipayPlusNotifyPayment, AlipayPlusNotifyPaymentSchema } from '../models/notify-payment.schema';
import { cancelResultTable } from '../results/cancel-decision';
import {
  decideCallFailure,
  failedOutcome,
  finalDecision,
  InquiryDecision,
} from '../results/inquiry-decision';
import { DialectSpec } from './dialect-spec';

export const ALIPAYPLUS_INQUIRY_PAYMENT_PATH = '/aps/api/v1/payments/inquiryPayment';
export const ALIPAYPLUS_CANCEL_PAYMENT_PATH = '/aps/api/v1/payments/cancelPayment';

/**
 * Alipay+ decision table (protocol.md §3.1):
 * result S + paymentResult S → SUCCESS; F ORDER_IS_CLOSED → CLOSED; other F → FAIL (code = reason);
 * U (PAYMENT_IN_PROCESS) → pending. result F ORDER_NOT_EXIST → not-found; result F with a payment
 * failure code (§6) → FAIL (CLOSED for ORDER_IS_CLOSED); other F → human.
 * result U (UNKNOWN_EXCEPTION, REQUEST_TRAFFIC_EXCEED_LIMIT with backoff) → retry.
 */
export function decideAlipayPlusInquiry(response: AlipayPlusInquiryPaymentResponse): InquiryDecision {
  if (response.result.resultStatus !== 'S') return decideCallFailure(response.result);
  const payment = response.paymentResult;
  // A success without the payment's own result tells us nothing final; it must never read as paid.
  if (!payment) return { kind: 'pending', reason: 'PAYMENT_RESULT_MISSING' };
  switch (payment.resultStatus) {
    case 'S':
      return finalDecision('SUCCESS', payment.resultCode, payment.resultMessage, response);
    case 'F':
      return finalDecision(
        failedOutcome(payment.resultCode),
        payment.resultCode,
        payment.resultMessage,
        response,
      );
    case 'U':
      return { kind: 'pending', reason: payment.resultCode };
  }
}

/**
 * Alipay+ as seen by an acquirer (ACQP), paths under `/aps/...` (protocol.md §0). A notification has
 * no `notifyType` and is always a final result (§2.1); the ack must be signed (§1.7); a cancel is
 * retried until it succeeds (§4.1).
 */
export const ALIPAYPLUS_DIALECT: DialectSpec<
  AlipayPlusInquiryPaymentRequest,
  AlipayPlusInquiryPaymentResponse,
  AlipayPlusCancelPaymentRequest,
  AlipayPlusCancelPaymentResponse,
  AlipayPlusNotifyPayment
> = {
  title: 'Alipay+',
  inquiryPayment: {
    path: ALIPAYPLUS_INQUIRY_PAYMENT_PATH,
    request: AlipayPlusInquiryPaymentRequestSchema,
    response: AlipayPlusInquiryPaymentResponseSchema,
    decide: decideAlipayPlusInquiry,
  },
  cancelPayment: {
    path: ALIPAYPLUS_CANCEL_PAYMENT_PATH,
    request: AlipayPlusCancelPaymentRequestSchema,
    response: AlipayPlusCancelPaymentResponseSchema,
    decide: cancelResultTable,
  },
  notification: {
    schema: AlipayPlusNotifyPaymentSchema,
    read: (body) => observed(body, body.paymentResult, finalOutcome(body.paymentResult)),
  },
  ack: { body: NOTIFY_ACK_BODY, signature: 'required' },
};
