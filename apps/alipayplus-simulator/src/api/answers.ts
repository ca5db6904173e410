import {
  ORDER_IS_CLOSED,
  PAYMENT_IN_PROCESS,
  SUCCESS,
  type AlipayPlusCancelPaymentResponse,
  type AlipayPlusInquiryPaymentResponse,
  type AntomCancelResponse,
  type AntomInquiryPaymentResponse,
  type Result,
} from '@app/alipayplus';
import type { TruthStatus } from '../types';

/*
 * The bodies the simulator answers inquiryPayment and cancelPayment/cancel with, per dialect. Pure:
 * they take what Alipay+ knows about a payment and return the JSON value to serialize and sign.
 */

/** What an answer may say about one payment. Times are ISO-8601 (protocol.md §6). */
export interface PaymentFacts {
  readonly paymentRequestId: string;
  readonly paymentId: string;
  readonly amount: { readonly value: string; readonly currency: string };
  readonly status: TruthStatus;
  /** SUCCESS, the failure code, PAYMENT_IN_PROCESS or CANCELLED. */
  readonly resultCode: string;
  readonly paymentCreateTime: string;
  /** When the payment succeeded (kept after a cancel reversed it). */
  readonly paymentTime?: string;
  /** When it was cancelled. */
  readonly cancelTime?: string;
  readonly acquirerId: string;
  readonly pspId: string;
  readonly customerId: string;
  readonly walletBrandName: string;
  /** Quirk: notifications leave the amount out (the inquiry answer still carries it). */
  readonly amountOmittedFromNotification?: boolean;
}

export function result<S extends Result['resultStatus']>(
  resultStatus: S,
  resultCode: string,
  resultMessage: string,
): Result & { resultStatus: S } {
  return { resultCode, resultStatus, resultMessage };
}

const CALL_SUCCESS = result('S', SUCCESS, 'success');

/** A call that failed or is unknown: only `result`, as both dialects answer then (§3.1, §3.2, §4). */
export function callFailure(
  resultStatus: 'F' | 'U',
  resultCode: string,
  resultMessage: string = resultCode,
): { result: Result } {
  return { result: result(resultStatus, resultCode, resultMessage) };
}

/** The payment's own result in the Alipay+ dialect (§3.1): S / F code / U PAYMENT_IN_PROCESS; cancelled → F ORDER_IS_CLOSED. */
function alipayPlusPaymentResult(facts: PaymentFacts): Result {
  switch (facts.status) {
    case 'SUCCESS':
      return result('S', SUCCESS, 'success');
    case 'FAIL':
      return result('F', facts.resultCode, `payment failed: ${facts.resultCode}`);
    case 'CANCELLED':
      return result('F', ORDER_IS_CLOSED, 'the payment was cancelled');
    case 'PROCESSING':
      return result('U', PAYMENT_IN_PROCESS, 'payment in process');
  }
}

/** Alipay+ inquiryPayment answer (protocol.md §3.1): result S and the payment's own result. */
export function alipayPlusInquiryAnswer(facts: PaymentFacts): AlipayPlusInquiryPaymentResponse {
  const paid = facts.status === 'SUCCESS';
  return {
    result: CALL_SUCCESS,
    paymentResult: alipayPlusPaymentResult(facts),
    acquirerId: facts.acquirerId,
    pspId: facts.pspId,
    paymentRequestId: facts.paymentRequestId,
    paymentId: facts.paymentId,
    paymentAmount: { value: facts.amount.value, currency: facts.amount.currency },
    ...(paid
      ? {
          paymentTime: facts.paymentTime,
          customerId: facts.customerId,
          walletBrandName: facts.walletBrandName,
        }
      : {}),
  };
}

/** Antom `paymentStatus` and `paymentResultCode` per truth (protocol.md §3.2). */
function antomStatus(facts: PaymentFacts): { paymentStatus: string; code: string; message: string } {
  switch (facts.status) {
    case 'SUCCESS':
      return { paymentStatus: 'SUCCESS', code: SUCCESS, message: 'success' };
    case 'FAIL':
      return {
        paymentStatus: 'FAIL',
        code: facts.resultCode,
        message: `payment failed: ${facts.resultCode}`,
      };
    case 'CANCELLED':
      return { paymentStatus: 'CANCELLED', code: ORDER_IS_CLOSED, message: 'the payment was cancelled' };
    case 'PROCESSING':
      return { paymentStatus: 'PROCESSING', code: PAYMENT_IN_PROCESS, message: 'payment in process' };
  }
}

/** Antom inquiryPayment answer (protocol.md §3.2): result S, paymentStatus, paymentTime only on SUCCESS. */
export function antomInquiryAnswer(facts: PaymentFacts): AntomInquiryPaymentResponse {
  const status = antomStatus(facts);
  return {
    result: CALL_SUCCESS,
    paymentStatus: status.paymentStatus,
    paymentResultCode: status.code,
    paymentResultMessage: status.message,
    paymentRequestId: facts.paymentRequestId,
    paymentId: facts.paymentId,
    paymentAmount: { value: facts.amount.value, currency: facts.amount.currency },
    paymentCreateTime: facts.paymentCreateTime,
    ...(facts.status === 'SUCCESS' ? { paymentTime: facts.paymentTime } : {}),
  };
}

/** Alipay+ cancelPayment S answer (protocol.md §4.1): pspId and acquirerId come with S. */
export function alipayPlusCancelAnswer(facts: PaymentFacts): AlipayPlusCancelPaymentResponse {
  return { result: CALL_SUCCESS, pspId: facts.pspId, acquirerId: facts.acquirerId };
}

/** Antom cancel S answer (protocol.md §4.2): paymentId, paymentRequestId, cancelTime. */
export function antomCancelAnswer(facts: PaymentFacts): AntomCancelResponse {
  return {
    result: CALL_SUCCESS,
    paymentId: facts.paymentId,
    paymentRequestId: facts.paymentRequestId,
    cancelTime: facts.cancelTime,
  };
}
