import { AmountSchema, NotifyResultSchema, ResultSchema } from './common.schema';

describe('AmountSchema (protocol.md §6)', () => {
  it.each([
    ['USD 1.00', { currency: 'USD', value: '100' }],
    ['JPY 1', { currency: 'JPY', value: '1' }],
    ['IDR with trailing 00', { currency: 'IDR', value: '1500000' }],
  ])('accepts %s', (_label, amount) => {
    expect(AmountSchema.safeParse(amount).success).toBe(true);
  });

  it('keeps fields Alipay adds later', () => {
    expect(AmountSchema.parse({ currency: 'USD', value: '1', precision: '2' })).toEqual({
      currency: 'USD',
      value: '1',
      precision: '2',
    });
  });

  it.each([
    ['a lowercase currency', { currency: 'usd', value: '100' }],
    ['a 4-letter currency', { currency: 'USDT', value: '100' }],
    ['a numeric JSON value (must be a string)', { currency: 'USD', value: 100 }],
    ['a decimal value', { currency: 'USD', value: '1.00' }],
    ['zero', { currency: 'USD', value: '0' }],
    ['a negative value', { currency: 'USD', value: '-1' }],
    ['a leading zero', { currency: 'USD', value: '0100' }],
    ['a missing value', { currency: 'USD' }],
  ])('rejects %s', (_label, amount) => {
    expect(AmountSchema.safeParse(amount).success).toBe(false);
  });
});

describe('ResultSchema (protocol.md §6)', () => {
  const ok = { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' };

  it('accepts S, F and U', () => {
    for (const resultStatus of ['S', 'F', 'U']) {
      expect(ResultSchema.safeParse({ ...ok, resultStatus }).success).toBe(true);
    }
  });

  it('accepts an omitted or null resultMessage', () => {
    expect(ResultSchema.safeParse({ resultCode: 'SUCCESS', resultStatus: 'S' }).success).toBe(true);
    expect(ResultSchema.safeParse({ ...ok, resultMessage: null }).success).toBe(true);
  });

  it('enforces resultCode ≤ 64; a longer resultMessage is accepted (informational, cut when recorded)', () => {
    expect(ResultSchema.safeParse({ ...ok, resultCode: 'X'.repeat(64) }).success).toBe(true);
    expect(ResultSchema.safeParse({ ...ok, resultCode: 'X'.repeat(65) }).success).toBe(false);
    expect(ResultSchema.safeParse({ ...ok, resultMessage: 'm'.repeat(257) }).success).toBe(true);
    expect(ResultSchema.safeParse({ ...ok, resultMessage: 42 }).success).toBe(false);
  });

  it('rejects an unknown status and an empty code', () => {
    expect(ResultSchema.safeParse({ ...ok, resultStatus: 'X' }).success).toBe(false);
    expect(ResultSchema.safeParse({ ...ok, resultCode: '' }).success).toBe(false);
  });

  it('keeps unknown extra fields', () => {
    expect(ResultSchema.parse({ ...ok, traceId: 't-1' })).toMatchObject({ traceId: 't-1' });
  });
});

describe('NotifyResultSchema (protocol.md §2.1, §2.2)', () => {
  it('accepts S and F but never U', () => {
    expect(NotifyResultSchema.safeParse({ resultCode: 'SUCCESS', resultStatus: 'S' }).success).toBe(true);
    expect(NotifyResultSchema.safeParse({ resultCode: 'RISK_REJECT', resultStatus: 'F' }).success).toBe(true);
    expect(
      NotifyResultSchema.safeParse({ resultCode: 'PAYMENT_IN_PROCESS', resultStatus: 'U' }).success,
    ).toBe(false);
  });
});
