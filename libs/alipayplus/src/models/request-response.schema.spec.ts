import {
  AlipayPlusCancelPaymentRequestSchema,
  AlipayPlusCancelPaymentResponseSchema,
  AntomCancelRequestSchema,
  AntomCancelResponseSchema,
} from './cancel-payment.schema';
import {
  AlipayPlusInquiryPaymentRequestSchema,
  AlipayPlusInquiryPaymentResponseSchema,
  AntomInquiryPaymentRequestSchema,
  AntomInquiryPaymentResponseSchema,
} from './inquiry-payment.schema';

const requestSchemas = [
  ['Alipay+ inquiryPayment (§3.1)', AlipayPlusInquiryPaymentRequestSchema],
  ['Antom inquiryPayment (§3.2)', AntomInquiryPaymentRequestSchema],
  ['Alipay+ cancelPayment (§4.1)', AlipayPlusCancelPaymentRequestSchema],
  ['Antom cancel (§4.2)', AntomCancelRequestSchema],
] as const;

describe.each(requestSchemas)('%s request', (_label, schema) => {
  it.each([
    ['paymentRequestId only', { paymentRequestId: 'r-1' }],
    ['paymentId only', { paymentId: 'p-1' }],
    ['both', { paymentRequestId: 'r-1', paymentId: 'p-1' }],
  ])('accepts %s', (_case, request) => {
    expect(schema.safeParse(request).success).toBe(true);
  });

  it('requires paymentRequestId or paymentId', () => {
    const sut = schema.safeParse({});

    expect(sut.success).toBe(false);
    expect(sut.error?.issues[0]?.message).toBe('paymentRequestId or paymentId is required');
  });

  it('limits IDs to 64 characters', () => {
    expect(schema.safeParse({ paymentRequestId: 'r'.repeat(64) }).success).toBe(true);
    expect(schema.safeParse({ paymentRequestId: 'r'.repeat(65) }).success).toBe(false);
    expect(schema.safeParse({ paymentId: 'p'.repeat(65) }).success).toBe(false);
  });
});

describe.each([
  ['Antom inquiryPayment', AntomInquiryPaymentRequestSchema],
  ['Antom cancel', AntomCancelRequestSchema],
] as const)('%s merchantAccountId (§3.2, §4.2)', (_label, schema) => {
  it('is accepted up to 32 characters', () => {
    expect(schema.safeParse({ paymentId: 'p', merchantAccountId: 'm'.repeat(32) }).success).toBe(true);
    expect(schema.safeParse({ paymentId: 'p', merchantAccountId: 'm'.repeat(33) }).success).toBe(false);
  });
});

describe('Alipay+ inquiryPayment response (§3.1)', () => {
  const success = {
    result: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' },
    paymentResult: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' },
    acquirerId: 'acq',
    pspId: 'psp',
    paymentRequestId: 'r-1',
    paymentId: 'p-1',
    paymentAmount: { currency: 'USD', value: '100' },
    paymentTime: '2025-02-20T08:51:49.09Z',
    transactions: [
      {
        transactionType: 'VOID_REVERSAL',
        transactionStatus: 'SOMETHING_NEW',
        transactionResult: { resultCode: 'SUCCESS', resultStatus: 'S' },
      },
    ],
    newField: { nested: true },
  };

  it('parses a full response, tolerating new transaction types/statuses and keeping extras (§7)', () => {
    const sut = AlipayPlusInquiryPaymentResponseSchema.parse(success);

    expect(sut.transactions?.[0]?.transactionStatus).toBe('SOMETHING_NEW');
    expect(sut.newField).toEqual({ nested: true });
  });

  it('parses an F response that has only `result`', () => {
    expect(
      AlipayPlusInquiryPaymentResponseSchema.safeParse({
        result: { resultCode: 'ORDER_NOT_EXIST', resultStatus: 'F', resultMessage: 'order not exist' },
      }).success,
    ).toBe(true);
  });

  it('rejects a response without `result` and one with a numeric amount', () => {
    const { result: _r, ...noResult } = success;

    expect(AlipayPlusInquiryPaymentResponseSchema.safeParse(noResult).success).toBe(false);
    expect(
      AlipayPlusInquiryPaymentResponseSchema.safeParse({
        ...success,
        paymentAmount: { currency: 'USD', value: 1 },
      }).success,
    ).toBe(false);
  });
});

describe('Antom inquiryPayment response (§3.2)', () => {
  it('parses paymentStatus values, including ones not documented yet', () => {
    for (const paymentStatus of ['SUCCESS', 'FAIL', 'PROCESSING', 'CANCELLED', 'PENDING', 'AUTHORIZED']) {
      const sut = AntomInquiryPaymentResponseSchema.safeParse({
        result: { resultCode: 'SUCCESS', resultStatus: 'S' },
        paymentStatus,
      });
      expect(sut.success).toBe(true);
    }
  });

  it('enforces paymentResultCode ≤ 64; a long paymentResultMessage or merchantAccountId is accepted', () => {
    const base = { result: { resultCode: 'SUCCESS', resultStatus: 'S' }, paymentStatus: 'FAIL' };

    expect(
      AntomInquiryPaymentResponseSchema.safeParse({ ...base, paymentResultCode: 'C'.repeat(65) }).success,
    ).toBe(false);
    expect(
      AntomInquiryPaymentResponseSchema.safeParse({
        ...base,
        paymentResultMessage: 'm'.repeat(257),
        merchantAccountId: 'a'.repeat(40),
        transactions: [
          { transactionResult: { resultCode: '', resultStatus: 'X' }, transactionType: 't'.repeat(40) },
        ],
      }).success,
    ).toBe(true);
  });
});

describe('cancel responses (§4.1, §4.2)', () => {
  it('parses the Alipay+ success shape', () => {
    expect(
      AlipayPlusCancelPaymentResponseSchema.parse({
        result: { resultCode: 'SUCCESS', resultStatus: 'S' },
        pspId: 'psp',
        acquirerId: 'acq',
      }).pspId,
    ).toBe('psp');
  });

  it('parses the Antom success shape with cancelTime', () => {
    expect(
      AntomCancelResponseSchema.parse({
        result: { resultCode: 'SUCCESS', resultStatus: 'S' },
        paymentId: 'p-1',
        paymentRequestId: 'r-1',
        cancelTime: '2024-01-01T00:00:00+08:00',
      }).cancelTime,
    ).toBe('2024-01-01T00:00:00+08:00');
  });

  it('rejects a cancel response whose result status is not S/F/U', () => {
    expect(
      AntomCancelResponseSchema.safeParse({ result: { resultCode: 'X', resultStatus: 'N' } }).success,
    ).toBe(false);
  });
});
