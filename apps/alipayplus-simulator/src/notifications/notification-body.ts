import type { AlipayPlusNotifyPayment, AntomNotifyPayment } from '@app/alipayplus';
import { SUCCESS } from '@app/alipayplus';
import type { PaymentFacts } from '../api/answers';
import { result } from '../api/answers';

/** The final state a notification reports: notifyPayment is sent on S or F only, never U (protocol.md §2.1, §2.2). */
export type NotifiedFacts = PaymentFacts & { readonly status: 'SUCCESS' | 'FAIL' };

/** The amount a notification reports, unless the payment's quirk leaves it out (the field is optional). */
function notifiedAmount(facts: NotifiedFacts): { paymentAmount?: { value: string; currency: string } } {
  return facts.amountOmittedFromNotification
    ? {}
    : { paymentAmount: { value: facts.amount.value, currency: facts.amount.currency } };
}

/**
 * Alipay+ → ACQP notifyPayment body (protocol.md §2.1). pspId and customerId are conditional on S;
 * paymentTime is the time of the final state, so a failure carries it too. No `notifyType` in this dialect.
 */
export function alipayPlusNotifyBody(facts: NotifiedFacts): AlipayPlusNotifyPayment {
  const paid = facts.status === 'SUCCESS';
  return {
    paymentResult: paid
      ? result('S', SUCCESS, 'success')
      : result('F', facts.resultCode, `payment failed: ${facts.resultCode}`),
    paymentRequestId: facts.paymentRequestId,
    paymentId: facts.paymentId,
    acquirerId: facts.acquirerId,
    ...(paid ? { pspId: facts.pspId, customerId: facts.customerId } : {}),
    ...notifiedAmount(facts),
    paymentTime: facts.paymentTime,
    ...(paid ? { walletBrandName: facts.walletBrandName } : {}),
  };
}

/** Antom → merchant notifyPayment body (protocol.md §2.2): PAYMENT_RESULT; paymentTime only when S. */
export function antomNotifyBody(facts: NotifiedFacts): AntomNotifyPayment {
  const paid = facts.status === 'SUCCESS';
  return {
    notifyType: 'PAYMENT_RESULT',
    result: paid
      ? result('S', SUCCESS, 'success')
      : result('F', facts.resultCode, `payment failed: ${facts.resultCode}`),
    paymentRequestId: facts.paymentRequestId,
    paymentId: facts.paymentId,
    ...notifiedAmount(facts),
    paymentCreateTime: facts.paymentCreateTime,
    ...(paid ? { paymentTime: facts.paymentTime } : {}),
  };
}
