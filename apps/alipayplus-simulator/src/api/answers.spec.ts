import {
  AlipayPlusCancelPaymentResponseSchema,
  AlipayPlusInquiryPaymentResponseSchema,
  AlipayPlusNotifyPaymentSchema,
  AntomCancelResponseSchema,
  AntomInquiryPaymentResponseSchema,
  AntomNotifyPaymentSchema,
  decideCancel,
  decideInquiry,
  parseNotification,
} from '@app/alipayplus';
import { alipayPlusNotifyBody, antomNotifyBody, NotifiedFacts } from '../notifications/notification-body';
import type { TruthStatus } from '../types';
import {
  alipayPlusCancelAnswer,
  alipayPlusInquiryAnswer,
  antomCancelAnswer,
  antomInquiryAnswer,
  callFailure,
  PaymentFacts,
} from './answers';

const facts = (status: TruthStatus, resultCode: string, extra: Partial<PaymentFacts> = {}): PaymentFacts => ({
  paymentRequestId: 'PR-1',
  paymentId: 'PAY-1',
  amount: { value: '1250', currency: 'USD' },
  status,
  resultCode,
  paymentCreateTime: '2026-01-01T00:00:00.000Z',
  acquirerId: '1022188000000000001',
  pspId: '1022172000000000001',
  customerId: '2088000000000001',
  walletBrandName: 'SIMWALLET',
  ...extra,
});
const paid = facts('SUCCESS', 'SUCCESS', { paymentTime: '2026-01-01T00:00:02.000Z' });

describe('inquiry answers follow the decision tables (protocol.md §3.1, §3.2)', () => {
  it.each([
    [paid, { kind: 'final', outcome: 'SUCCESS', resultCode: 'SUCCESS' }],
    [facts('FAIL', 'RISK_REJECT'), { kind: 'final', outcome: 'FAIL', resultCode: 'RISK_REJECT' }],
    [facts('FAIL', 'ORDER_IS_CLOSED'), { kind: 'final', outcome: 'CLOSED' }],
    [facts('CANCELLED', 'CANCELLED'), { kind: 'final', outcome: 'CLOSED' }],
    [facts('PROCESSING', 'PAYMENT_IN_PROCESS'), { kind: 'pending' }],
  ])('%# Alipay+ and Antom agree on the decision', (input, decision) => {
    const alipayplus = AlipayPlusInquiryPaymentResponseSchema.parse(alipayPlusInquiryAnswer(input));
    const antom = AntomInquiryPaymentResponseSchema.parse(antomInquiryAnswer(input));
    expect(decideInquiry('alipayplus', alipayplus)).toMatchObject(decision);
    expect(decideInquiry('antom', antom)).toMatchObject(decision);
  });

  it('Alipay+ success carries paymentId, amount, time, acquirerId and pspId', () => {
    expect(alipayPlusInquiryAnswer(paid)).toMatchObject({
      result: { resultStatus: 'S', resultCode: 'SUCCESS' },
      paymentResult: { resultStatus: 'S', resultCode: 'SUCCESS' },
      paymentRequestId: 'PR-1',
      paymentId: 'PAY-1',
      paymentAmount: { value: '1250', currency: 'USD' },
      paymentTime: '2026-01-01T00:00:02.000Z',
      acquirerId: '1022188000000000001',
      pspId: '1022172000000000001',
    });
  });

  it('Alipay+ cancelled → paymentResult F ORDER_IS_CLOSED; processing → U PAYMENT_IN_PROCESS without paymentTime', () => {
    expect(alipayPlusInquiryAnswer(facts('CANCELLED', 'CANCELLED')).paymentResult).toMatchObject({
      resultStatus: 'F',
      resultCode: 'ORDER_IS_CLOSED',
    });
    const pending = alipayPlusInquiryAnswer(facts('PROCESSING', 'PAYMENT_IN_PROCESS'));
    expect(pending.paymentResult).toMatchObject({ resultStatus: 'U', resultCode: 'PAYMENT_IN_PROCESS' });
    expect(pending).not.toHaveProperty('paymentTime');
  });

  it('Antom gives paymentStatus SUCCESS with paymentTime, and CANCELLED / FAIL / PROCESSING without', () => {
    expect(antomInquiryAnswer(paid)).toMatchObject({
      paymentStatus: 'SUCCESS',
      paymentResultCode: 'SUCCESS',
      paymentTime: '2026-01-01T00:00:02.000Z',
      paymentId: 'PAY-1',
      paymentAmount: { value: '1250', currency: 'USD' },
    });
    for (const [status, code, wire] of [
      ['CANCELLED', 'CANCELLED', 'CANCELLED'],
      ['FAIL', 'USER_BALANCE_NOT_ENOUGH', 'FAIL'],
      ['PROCESSING', 'PAYMENT_IN_PROCESS', 'PROCESSING'],
    ] as const) {
      const answer = antomInquiryAnswer(facts(status, code, { paymentTime: 'x' }));
      expect(answer.paymentStatus).toBe(wire);
      expect(answer).not.toHaveProperty('paymentTime');
    }
  });

  it('call failures carry only result, with the given status', () => {
    const answer = AlipayPlusInquiryPaymentResponseSchema.parse(callFailure('F', 'ORDER_NOT_EXIST'));
    expect(decideInquiry('alipayplus', answer)).toEqual({ kind: 'not-found', resultCode: 'ORDER_NOT_EXIST' });
    const unknown = AntomInquiryPaymentResponseSchema.parse(callFailure('U', 'UNKNOWN_EXCEPTION'));
    expect(decideInquiry('antom', unknown)).toMatchObject({ kind: 'retry', backoff: false });
  });
});

describe('cancel answers (protocol.md §4.1, §4.2)', () => {
  it('Alipay+ S carries pspId and acquirerId and decides cancelled', () => {
    const answer = AlipayPlusCancelPaymentResponseSchema.parse(alipayPlusCancelAnswer(paid));
    expect(answer).toMatchObject({ pspId: '1022172000000000001', acquirerId: '1022188000000000001' });
    expect(decideCancel('alipayplus', answer)).toMatchObject({ kind: 'cancelled' });
  });

  it('Antom S carries cancelTime, paymentId and paymentRequestId', () => {
    const cancelled = facts('CANCELLED', 'CANCELLED', { cancelTime: '2026-01-01T00:00:05.000Z' });
    const answer = AntomCancelResponseSchema.parse(antomCancelAnswer(cancelled));
    expect(answer).toMatchObject({ paymentId: 'PAY-1', paymentRequestId: 'PR-1' });
    expect(decideCancel('antom', answer)).toEqual({
      kind: 'cancelled',
      resultCode: 'SUCCESS',
      cancelTime: '2026-01-01T00:00:05.000Z',
    });
  });
});

describe('notification bodies (protocol.md §2.1, §2.2)', () => {
  const notifiedPaid = paid as NotifiedFacts;
  const notifiedFail = facts('FAIL', 'RISK_REJECT', {
    paymentTime: '2026-01-01T00:00:03.000Z',
  }) as NotifiedFacts;

  it('Alipay+ success has every §2.1 field and parses as a SUCCESS observation', () => {
    const body = AlipayPlusNotifyPaymentSchema.parse(alipayPlusNotifyBody(notifiedPaid));
    expect(Object.keys(body).sort()).toEqual(
      [
        'acquirerId',
        'customerId',
        'paymentAmount',
        'paymentId',
        'paymentRequestId',
        'paymentResult',
        'paymentTime',
        'pspId',
        'walletBrandName',
      ].sort(),
    );
    expect(body).not.toHaveProperty('notifyType');
    const parsed = parseNotification('alipayplus', JSON.stringify(body));
    expect(parsed).toMatchObject({ ok: true, value: { outcome: 'SUCCESS', paymentRequestId: 'PR-1' } });
  });

  it('Alipay+ failure carries the code and no pspId/customerId', () => {
    const body = alipayPlusNotifyBody(notifiedFail);
    expect(body.paymentResult).toMatchObject({ resultStatus: 'F', resultCode: 'RISK_REJECT' });
    expect(body).not.toHaveProperty('pspId');
    expect(body).not.toHaveProperty('customerId');
  });

  it('Antom success is a PAYMENT_RESULT with paymentCreateTime and paymentTime; failure has no paymentTime', () => {
    const body = AntomNotifyPaymentSchema.parse(antomNotifyBody(notifiedPaid));
    expect(body).toMatchObject({
      notifyType: 'PAYMENT_RESULT',
      result: { resultStatus: 'S', resultCode: 'SUCCESS' },
      paymentCreateTime: '2026-01-01T00:00:00.000Z',
      paymentTime: '2026-01-01T00:00:02.000Z',
    });
    const failed = antomNotifyBody(notifiedFail);
    expect(failed.result).toMatchObject({ resultStatus: 'F', resultCode: 'RISK_REJECT' });
    expect(failed).not.toHaveProperty('paymentTime');
  });
});
