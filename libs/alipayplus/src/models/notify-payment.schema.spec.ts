import { loadAntomNotifyVector } from '../../test/shared-vectors';
import { AlipayPlusNotifyPaymentSchema, AntomNotifyPaymentSchema } from './notify-payment.schema';

/** Shaped after the Alipay+ notifyPayment samples (protocol.md §2.1). */
const alipayPlusBody = {
  paymentResult: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' },
  paymentRequestId: 'pay_1089760038715669_102775745075669',
  paymentId: '20190608114010800100188820200350000',
  acquirerId: '102210000000000000000',
  pspId: '1022172000000000001',
  customerId: '208812345678',
  paymentAmount: { currency: 'KRW', value: '1000' },
  paymentTime: '2019-07-12T12:08:56.253+05:30',
  walletBrandName: 'KAKAOPAY',
};

describe('AlipayPlusNotifyPaymentSchema (protocol.md §2.1)', () => {
  it('parses a success notification and keeps unknown fields', () => {
    const sut = AlipayPlusNotifyPaymentSchema.parse({ ...alipayPlusBody, mppPaymentId: 'm-1' });

    expect(sut).toMatchObject({ ...alipayPlusBody, mppPaymentId: 'm-1' });
  });

  it('parses a failure notification without the fields only sent on S', () => {
    const { paymentId: _p, pspId: _s, customerId: _c, ...failure } = alipayPlusBody;

    const sut = AlipayPlusNotifyPaymentSchema.safeParse({
      ...failure,
      paymentResult: { resultCode: 'USER_BALANCE_NOT_ENOUGH', resultStatus: 'F' },
    });

    expect(sut.success).toBe(true);
  });

  it('accepts null for optional fields (§6)', () => {
    expect(
      AlipayPlusNotifyPaymentSchema.safeParse({ ...alipayPlusBody, paymentId: null, paymentTime: null })
        .success,
    ).toBe(true);
  });

  it.each([
    [
      'paymentResult U (never sent, §2.1)',
      { paymentResult: { resultCode: 'PAYMENT_IN_PROCESS', resultStatus: 'U' } },
    ],
    ['a missing paymentResult', { paymentResult: undefined }],
    ['a missing paymentRequestId', { paymentRequestId: undefined }],
    ['paymentRequestId over 64', { paymentRequestId: 'r'.repeat(65) }],
    ['paymentId over 64', { paymentId: 'p'.repeat(65) }],
    ['a bad paymentAmount', { paymentAmount: { currency: 'KRW', value: 1000 } }],
  ])('rejects %s', (_label, change) => {
    expect(AlipayPlusNotifyPaymentSchema.safeParse({ ...alipayPlusBody, ...change }).success).toBe(false);
  });

  // A genuine result refused over an informational field would be re-sent until the peer gives up.
  it.each([
    [
      'a resultMessage over 256',
      { paymentResult: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'm'.repeat(2000) } },
    ],
    [
      'acquirerId, pspId and customerId over 64',
      { acquirerId: 'a'.repeat(65), pspId: 'p'.repeat(65), customerId: 'c'.repeat(200) },
    ],
    ['a walletBrandName over 256', { walletBrandName: 'w'.repeat(1000) }],
    ['a paymentTime that is no instant', { paymentTime: 'x'.repeat(100) }],
    [
      'a settlementAmount of 0 and a long quote',
      {
        settlementAmount: { currency: 'USDT', value: '-0.5' },
        settlementQuote: { quoteId: 'q'.repeat(100), quotePrice: '1'.repeat(40) },
      },
    ],
  ])('accepts %s', (_label, change) => {
    expect(AlipayPlusNotifyPaymentSchema.safeParse({ ...alipayPlusBody, ...change }).success).toBe(true);
  });
});

describe('AntomNotifyPaymentSchema (protocol.md §2.2)', () => {
  const vectorBody = JSON.parse(loadAntomNotifyVector().body) as Record<string, unknown>;

  it('parses the body of the real 2019 notify vector, keeping fields it does not declare', () => {
    const sut = AntomNotifyPaymentSchema.parse(vectorBody);

    expect(sut.notifyType).toBe('PAYMENT_RESULT');
    expect(sut.paymentId).toHaveLength(64);
    expect(sut.notifyUrl).toBe(vectorBody.notifyUrl);
    expect(sut.pspCustomerInfo?.pspName).toBe('GCASH');
  });

  it.each([
    ['result U (removed from notifyPayment, §2.2)', { result: { resultCode: 'UNKNOWN', resultStatus: 'U' } }],
    ['a missing notifyType', { notifyType: undefined }],
    ['a missing result', { result: undefined }],
    ['paymentId over 64', { paymentId: 'p'.repeat(65) }],
    ['a lowercase currency', { paymentAmount: { currency: 'php', value: '100' } }],
  ])('rejects %s', (_label, change) => {
    expect(AntomNotifyPaymentSchema.safeParse({ ...vectorBody, ...change }).success).toBe(false);
  });
});
