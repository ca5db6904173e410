import { SimulatorError } from '../errors';
import { DEFAULT_FAIL_CODE, parsePaymentScript } from './payment-script';

const base = {
  paymentRequestId: 'PR-1',
  clientId: 'CLIENT',
  dialect: 'alipayplus',
  amount: { value: '1000', currency: 'USD' },
  timeline: [{ atMs: 0, status: 'PROCESSING' }],
};

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof SimulatorError ? error.code : 'NOT_A_SIMULATOR_ERROR';
  }
  return undefined;
}

describe('parsePaymentScript', () => {
  it('applies the defaults: notify on, FAIL code USER_BALANCE_NOT_ENOUGH', () => {
    const script = parsePaymentScript({ ...base, timeline: [{ atMs: 10, status: 'FAIL' }] });
    expect(script.notify).toBe(true);
    expect(script.timeline).toEqual([{ atMs: 10, status: 'FAIL', resultCode: DEFAULT_FAIL_CODE }]);
    expect(DEFAULT_FAIL_CODE).toBe('USER_BALANCE_NOT_ENOUGH');
  });

  it('keeps a given failure code, ORDER_IS_CLOSED included, and notify: false', () => {
    const script = parsePaymentScript({
      ...base,
      notify: false,
      timeline: [{ atMs: 0, status: 'FAIL', resultCode: 'ORDER_IS_CLOSED' }],
    });
    expect(script.notify).toBe(false);
    expect(script.timeline[0].resultCode).toBe('ORDER_IS_CLOSED');
  });

  it('accepts an empty timeline (never paid)', () => {
    expect(parsePaymentScript({ ...base, timeline: [] }).timeline).toEqual([]);
  });

  it.each([
    [
      'a step out of time order',
      {
        timeline: [
          { atMs: 10, status: 'PROCESSING' },
          { atMs: 5, status: 'SUCCESS' },
        ],
      },
    ],
    [
      'a step after a final one',
      {
        timeline: [
          { atMs: 0, status: 'SUCCESS' },
          { atMs: 5, status: 'FAIL' },
        ],
      },
    ],
    [
      'a resultCode on a SUCCESS step',
      { timeline: [{ atMs: 0, status: 'SUCCESS', resultCode: 'RISK_REJECT' }] },
    ],
    ['an unknown failure code', { timeline: [{ atMs: 0, status: 'FAIL', resultCode: 'NOPE' }] }],
    ['a negative atMs', { timeline: [{ atMs: -1, status: 'SUCCESS' }] }],
    ['an amount in major units', { amount: { value: '10.00', currency: 'USD' } }],
    ['a lowercase currency', { amount: { value: '10', currency: 'usd' } }],
    ['an unknown dialect', { dialect: 'paypal' }],
    ['an unknown field', { extra: 1 }],
    ['an over-long paymentRequestId', { paymentRequestId: 'x'.repeat(65) }],
  ])('refuses %s with INVALID_SCRIPT', (_name, override) => {
    expect(codeOf(() => parsePaymentScript({ ...base, ...override }))).toBe('INVALID_SCRIPT');
  });
});
