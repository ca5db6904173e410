import { NotifyResult } from './common.schema';
import { ORDER_IS_CLOSED } from '../results/result-codes';
import { PaymentFieldsOnWire, present, reportedPayment } from './reported-payment';

/** What a notification says about the payment, in dialect-neutral terms. */
export type NotificationOutcome = 'SUCCESS' | 'FAIL' | 'CLOSED' | 'PROCESSING';

export interface NotificationObservation {
  readonly paymentRequestId: string;
  readonly paymentId?: string;
  readonly outcome: NotificationOutcome;
  /** The result code as sent (`SUCCESS`, a failure reason such as `USER_BALANCE_NOT_ENOUGH`, …). */
  readonly resultCode: string;
  readonly resultMessage?: string;
  readonly amount?: { readonly currency: string; readonly value: string };
  /** As received (ISO-8601, §6). */
  readonly paymentTime?: string;
}

export type ParseNotificationResult =
  | { readonly ok: true; readonly value: NotificationObservation }
  /** PARAM_ILLEGAL is the code to put in the failure ack (§6). The reason never echoes body values. */
  | { readonly ok: false; readonly code: 'PARAM_ILLEGAL'; readonly reason: string };

export function illegal(reason: string): ParseNotificationResult {
  return { ok: false, code: 'PARAM_ILLEGAL', reason };
}

/**
 * A final result: S → SUCCESS; F with ORDER_IS_CLOSED → CLOSED (closed/cancelled, §3.1, §6); any other
 * F → FAIL with the code as the reason (§2.1). Only the status decides success, never the code (§6).
 */
export function finalOutcome(result: NotifyResult): NotificationOutcome {
  if (result.resultStatus === 'S') return 'SUCCESS';
  return result.resultCode === ORDER_IS_CLOSED ? 'CLOSED' : 'FAIL';
}

/** The observation a valid notification makes: its payment fields, its result and the outcome read from it. */
export function observed(
  fields: PaymentFieldsOnWire & { readonly paymentRequestId: string },
  result: NotifyResult,
  outcome: NotificationOutcome,
): ParseNotificationResult {
  const resultMessage = present(result.resultMessage);
  return {
    ok: true,
    value: {
      paymentRequestId: fields.paymentRequestId,
      outcome,
      resultCode: result.resultCode,
      ...(resultMessage !== undefined ? { resultMessage } : {}),
      ...reportedPayment(fields),
    },
  };
}
