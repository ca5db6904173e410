import {
  AntomCancelRequest,
  AntomCancelRequestSchema,
  AntomCancelResponse,
  AntomCancelResponseSchema,
} from '../models/cancel-payment.schema';
import {
  AntomInquiryPaymentRequest,
  AntomInquiryPaymentRequestSchema,
  AntomInquiryPaymentResponse,
  AntomInquiryPaymentResponseSchema,
} from '../models/inquiry-payment.schema';
import { NOTIFY_ACK_BODY } from '../models/notify-ack';
import { finalOutcome, illegal, observed, NotificationOutcome } from '../models/notification-observation';
import {
  ANTOM_NOTIFY_TYPES,
  AntomNotifyPayment,
  AntomNotifyPaymentSchema,
  AntomNotifyType,
} from '../models/notify-payment.schema';
import { present } from '../models/reported-payment';
import { cancelResultTable } from '../results/cancel-decision';
import {
  decideCallFailure,
  failedOutcome,
  finalDecision,
  InquiryDecision,
} from '../results/inquiry-decision';
import { SUCCESS } from '../results/result-codes';
import { DialectSpec } from './dialect-spec';

export const ANTOM_INQUIRY_PAYMENT_PATH = '/ams/api/v1/payments/inquiryPayment';
/** Antom names the operation `cancel`, not `cancelPayment` (§0, §4.2). */
export const ANTOM_CANCEL_PATH = '/ams/api/v1/payments/cancel';
/** Antom sandbox client IDs start with this prefix (§0). */
export const ANTOM_SANDBOX_CLIENT_ID_PREFIX = 'SANDBOX_';

/**
 * Antom: if cancel is still U after this many retries, contact support (protocol.md §4.2). Alipay+ says
 * to retry until it succeeds (§4.1). The cancel table is stateless; the caller counts attempts.
 */
export const ANTOM_CANCEL_MAX_UNKNOWN_RETRIES = 3;

/**
 * Antom decision (protocol.md §3.2): result S → act on paymentStatus: SUCCESS → SUCCESS; FAIL → FAIL
 * (CLOSED when paymentResultCode is ORDER_IS_CLOSED, so inquiry and notification agree, §2.2/§6);
 * CANCELLED → CLOSED; PROCESSING / PENDING → pending. A missing or unknown status is an invalid
 * answer: not final, never read as paid, and never a reason to cancel (the payment may be paid; issue
 * 11 row 11). result F/U as in the Alipay+ table.
 */
export function decideAntomInquiry(response: AntomInquiryPaymentResponse): InquiryDecision {
  if (response.result.resultStatus !== 'S') return decideCallFailure(response.result);
  const status = present(response.paymentStatus);
  const code = present(response.paymentResultCode);
  const message = response.paymentResultMessage;
  switch (status) {
    case 'SUCCESS':
      return finalDecision('SUCCESS', code ?? SUCCESS, message, response);
    case 'FAIL':
      return finalDecision(failedOutcome(code), code ?? 'FAIL', message, response);
    case 'CANCELLED':
      return finalDecision('CLOSED', code ?? 'CANCELLED', message, response);
    case 'PROCESSING':
    case 'PENDING':
      return { kind: 'pending', reason: status };
    case undefined:
      return { kind: 'invalid', reason: 'PAYMENT_STATUS_MISSING' };
    default:
      return { kind: 'invalid', reason: `UNKNOWN_PAYMENT_STATUS:${status.slice(0, 64)}` };
  }
}

function isAntomNotifyType(value: string): value is AntomNotifyType {
  return (ANTOM_NOTIFY_TYPES as readonly string[]).includes(value);
}

function antomOutcome(body: AntomNotifyPayment & { notifyType: AntomNotifyType }): NotificationOutcome {
  // PAYMENT_PENDING with S means "user completed, final result still to come", not success (§2.2).
  if (body.notifyType === 'PAYMENT_PENDING' && body.result.resultStatus === 'S') return 'PROCESSING';
  return finalOutcome(body.result);
}

/**
 * Antom / AMS as seen by a merchant, paths under `/ams/...` (protocol.md §0). A notification names its
 * `notifyType` (§2.2); the ack need not be signed (§1.7); a cancel still U after 3 retries asks for
 * Antom support (§4.2).
 */
export const ANTOM_DIALECT: DialectSpec<
  AntomInquiryPaymentRequest,
  AntomInquiryPaymentResponse,
  AntomCancelRequest,
  AntomCancelResponse,
  AntomNotifyPayment
> = {
  title: 'Antom',
  sandbox: {
    clientIdPrefix: ANTOM_SANDBOX_CLIENT_ID_PREFIX,
    livePrefix: '/ams/api/',
    sandboxPrefix: '/ams/sandbox/api/',
  },
  inquiryPayment: {
    path: ANTOM_INQUIRY_PAYMENT_PATH,
    request: AntomInquiryPaymentRequestSchema,
    response: AntomInquiryPaymentResponseSchema,
    decide: decideAntomInquiry,
  },
  cancelPayment: {
    path: ANTOM_CANCEL_PATH,
    request: AntomCancelRequestSchema,
    response: AntomCancelResponseSchema,
    decide: cancelResultTable,
    stillUnknown: {
      afterRetries: ANTOM_CANCEL_MAX_UNKNOWN_RETRIES,
      advice: 'contact Antom support (protocol.md §4.2)',
    },
  },
  notification: {
    schema: AntomNotifyPaymentSchema,
    read: (body) => {
      if (!isAntomNotifyType(body.notifyType)) {
        // A different notification (capture, refund, …) must not be read as a payment result.
        return illegal(`notifyType: unsupported value, expected one of ${ANTOM_NOTIFY_TYPES.join('|')}`);
      }
      return observed(body, body.result, antomOutcome({ ...body, notifyType: body.notifyType }));
    },
  },
  ack: { body: NOTIFY_ACK_BODY, signature: 'optional' },
};
