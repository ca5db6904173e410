// The pure parts of examples/ledger-subscriber (Jest's unit project only looks under apps, libs, scripts).
import { ledgerChange, toTotals } from '../../../examples/ledger-subscriber/ledger';
import { statusEvent } from '../test/fixtures';

describe('ledger example: ledgerChange', () => {
  it('books a success as paid, with the partner’s payment id and time', () => {
    expect(ledgerChange(statusEvent('p1', 2))).toEqual({
      kind: 'paid',
      currency: 'USD',
      amount: '1250',
      paymentId: 'pay-p1',
      paymentTime: '2026-01-01T00:00:30Z',
    });
  });

  it('books the amount the partner reported when there is one', () => {
    const e = statusEvent('p1', 2, { reportedAmount: { value: '1200', currency: 'USD' } });
    expect(ledgerChange(e)).toMatchObject({ kind: 'paid', amount: '1200' });
  });

  it('books success → cancelled as a reversal, and nothing for other changes', () => {
    expect(ledgerChange(statusEvent('p1', 3))).toEqual({
      kind: 'reversed',
      currency: 'USD',
      amount: '1250',
      at: '2026-01-01T00:00:03.000Z',
    });
    expect(ledgerChange(statusEvent('p1', 1))).toEqual({ kind: 'none' });
    expect(ledgerChange(statusEvent('p1', 2, { to: 'fail' }))).toEqual({ kind: 'none' });
    expect(ledgerChange(statusEvent('p1', 3, { from: 'cancelling', to: 'cancelled' }))).toEqual({
      kind: 'none',
    });
  });
});

describe('ledger example: toTotals', () => {
  it('groups rows by paid and reversed, per currency, in a stable order', () => {
    expect(
      toTotals([
        { reversed: false, currency: 'USD', n: '2', amount: '2500' },
        { reversed: true, currency: 'USD', n: '1', amount: '100' },
        { reversed: false, currency: 'EUR', n: '1', amount: '10' },
      ]),
    ).toEqual({
      paid: { EUR: { count: 1, amount: '10' }, USD: { count: 2, amount: '2500' } },
      reversals: { USD: { count: 1, amount: '100' } },
    });
    expect(JSON.stringify(toTotals([]))).toBe('{"paid":{},"reversals":{}}');
  });
});
