import { Dialect } from '../dialect';
import { Result } from '../models/common.schema';
import {
  AlipayPlusInquiryPaymentResponse,
  AntomInquiryPaymentResponse,
  InquiryPaymentResponseByDialect,
} from '../models/inquiry-payment.schema';
import {
  BACKOFF_RESULT_CODES,
  ORDER_IS_CLOSED,
  ORDER_NOT_EXIST,
  PAYMENT_FAILURE_CODES,
  RETRYABLE_RESULT_CODES,
  SUCCESS,
  isOneOf,
} from './result-codes';

export type FinalPaymentOutcome = 'SUCCESS' | 'FAIL' | 'CLOSED';

export type InquiryDecision =
  /** The payment reached a final state. */
  | {
      readonly kind: 'final';
      readonly outcome: FinalPaymentOutcome;
      /** SUCCESS, or the failure reason (e.g. USER_BALANCE_NOT_ENOUGH, ORDER_IS_CLOSED). */
      readonly resultCode: string;
      readonly resultMessage?: string;
      /** Echoed so the caller can check it against its record before acting (§2.1 handling rules). */
      readonly paymentRequestId?: string;
      readonly paymentId?: string;
      readonly amount?: { readonly currency: string; readonly value: string };
      readonly paymentTime?: string;
    }
  /** Still in progress: keep polling with increasing interval within expiry, then cancel (§3.1). */
  | { readonly kind: 'pending'; readonly reason: string }
  /**
   * ORDER_NOT_EXIST: Alipay+ does not know the order (yet). Never mark it paid; keep polling within the
   * expiry, then cancel — cancel is idempotent and safe (§3.1).
   */
  | { readonly kind: 'not-found'; readonly resultCode: typeof ORDER_NOT_EXIST }
  /** The inquiry itself has no answer: send the same inquiry again, after backing off if asked (§3.1, §6). */
  | { readonly kind: 'retry'; readonly backoff: boolean; readonly resultCode: string }
  /** The request was refused (bad request, configuration, contract): a person has to act (§3.1, §6). */
  | { readonly kind: 'human'; readonly resultCode: string; readonly resultMessage?: string }
  /**
   * A signed answer that does not say what the protocol says it must (an Antom answer without a readable
   * `paymentStatus`, §3.2): not final, not pending either. The caller keeps asking, and never cancels
   * because of it: the payment may well be paid (issue 11 row 11).
   */
  | { readonly kind: 'invalid'; readonly reason: string };

function present(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === '' ? undefined : value;
}

/** The call-level part shared by both dialects (§3.1 rows F/U, §3.2 "result F/U"). */
function decideCallFailure(result: Result): InquiryDecision {
  if (result.resultStatus === 'U' || isOneOf(result.resultCode, RETRYABLE_RESULT_CODES)) {
    return {
      kind: 'retry',
      backoff: isOneOf(result.resultCode, BACKOFF_RESULT_CODES),
      resultCode: result.resultCode,
    };
  }
  if (result.resultCode === ORDER_NOT_EXIST) return { kind: 'not-found', resultCode: ORDER_NOT_EXIST };
  // A payment failure code (§6) is an answer about the payment, whichever result object carries it:
  // USER_KYC_NOT_QUALIFIED is "payment failed because of the user's KYC status" (seed 003), not a
  // request error a person must fix. ORDER_IS_CLOSED is the order closed (§3.1, §6).
  if (isOneOf(result.resultCode, PAYMENT_FAILURE_CODES)) {
    return final(
      result.resultCode === ORDER_IS_CLOSED ? 'CLOSED' : 'FAIL',
      result.resultCode,
      result.resultMessage,
      {},
    );
  }
  const resultMessage = present(result.resultMessage);
  return {
    kind: 'human',
    resultCode: result.resultCode,
    ...(resultMessage !== undefined ? { resultMessage } : {}),
  };
}

function final(
  outcome: FinalPaymentOutcome,
  resultCode: string,
  resultMessage: string | null | undefined,
  response: {
    paymentRequestId?: string | null;
    paymentId?: string | null;
    paymentAmount?: { currency: string; value: string } | null;
    paymentTime?: string | null;
  },
): InquiryDecision {
  const message = present(resultMessage);
  const paymentRequestId = present(response.paymentRequestId);
  const paymentId = present(response.paymentId);
  const paymentTime = present(response.paymentTime);
  return {
    kind: 'final',
    outcome,
    resultCode,
    ...(message !== undefined ? { resultMessage: message } : {}),
    ...(paymentRequestId !== undefined ? { paymentRequestId } : {}),
    ...(paymentId !== undefined ? { paymentId } : {}),
    ...(response.paymentAmount
      ? { amount: { currency: response.paymentAmount.currency, value: response.paymentAmount.value } }
      : {}),
    ...(paymentTime !== undefined ? { paymentTime } : {}),
  };
}

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
      return final('SUCCESS', payment.resultCode, payment.resultMessage, response);
    case 'F':
      return final(
        payment.resultCode === ORDER_IS_CLOSED ? 'CLOSED' : 'FAIL',
        payment.resultCode,
        payment.resultMessage,
        response,
      );
    case 'U':
      return { kind: 'pending', reason: payment.resultCode };
  }
}

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
  switch (status) {
    case 'SUCCESS':
      return final('SUCCESS', code ?? SUCCESS, response.paymentResultMessage, response);
    case 'FAIL':
      return final(
        code === ORDER_IS_CLOSED ? 'CLOSED' : 'FAIL',
        code ?? 'FAIL',
        response.paymentResultMessage,
        response,
      );
    case 'CANCELLED':
      return final('CLOSED', code ?? 'CANCELLED', response.paymentResultMessage, response);
    case 'PROCESSING':
    case 'PENDING':
      return { kind: 'pending', reason: status };
    case undefined:
      return { kind: 'invalid', reason: 'PAYMENT_STATUS_MISSING' };
    default:
      return { kind: 'invalid', reason: `UNKNOWN_PAYMENT_STATUS:${status.slice(0, 64)}` };
  }
}

/** Applies the inquiry decision table of the dialect (§3.1 Alipay+, §3.2 Antom). */
export function decideInquiry<D extends Dialect>(
  dialect: D,
  response: InquiryPaymentResponseByDialect[D],
): InquiryDecision {
  return dialect === 'antom'
    ? decideAntomInquiry(response as AntomInquiryPaymentResponse)
    : decideAlipayPlusInquiry(response as AlipayPlusInquiryPaymentResponse);
}
