import { Result } from '../models/common.schema';
import { PaymentFieldsOnWire, present, reportedPayment } from '../models/reported-payment';
import { ORDER_IS_CLOSED, ORDER_NOT_EXIST, PAYMENT_FAILURE_CODES, isOneOf, retryOf } from './result-codes';

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

/** FAIL, or CLOSED when the code says the order is closed (§3.1, §6). */
export const failedOutcome = (code: string | undefined): FinalPaymentOutcome =>
  code === ORDER_IS_CLOSED ? 'CLOSED' : 'FAIL';

/** The call-level part every dialect shares (§3.1 rows F/U, §3.2 "result F/U"). */
export function decideCallFailure(result: Result): InquiryDecision {
  const retry = retryOf(result);
  if (retry) return retry;
  if (result.resultCode === ORDER_NOT_EXIST) return { kind: 'not-found', resultCode: ORDER_NOT_EXIST };
  // A payment failure code (§6) is an answer about the payment, whichever result object carries it:
  // USER_KYC_NOT_QUALIFIED is "payment failed because of the user's KYC status" (seed 003), not a
  // request error a person must fix. ORDER_IS_CLOSED is the order closed (§3.1, §6).
  if (isOneOf(result.resultCode, PAYMENT_FAILURE_CODES)) {
    return finalDecision(failedOutcome(result.resultCode), result.resultCode, result.resultMessage, {});
  }
  const resultMessage = present(result.resultMessage);
  return {
    kind: 'human',
    resultCode: result.resultCode,
    ...(resultMessage !== undefined ? { resultMessage } : {}),
  };
}

/** A final decision with what the answer reports about the payment (§3.1, §3.2). */
export function finalDecision(
  outcome: FinalPaymentOutcome,
  resultCode: string,
  resultMessage: string | null | undefined,
  response: PaymentFieldsOnWire,
): InquiryDecision {
  const message = present(resultMessage);
  const paymentRequestId = present(response.paymentRequestId);
  return {
    kind: 'final',
    outcome,
    resultCode,
    ...(message !== undefined ? { resultMessage: message } : {}),
    ...(paymentRequestId !== undefined ? { paymentRequestId } : {}),
    ...reportedPayment(response),
  };
}
