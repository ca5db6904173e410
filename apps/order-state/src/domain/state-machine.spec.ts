import { decide, ObservationEffect } from './state-machine';
import type { ObservationOutcome, OrderStatus } from './order-status';

const ORDER_AMOUNT = { value: '1000', currency: 'USD' };

// design.md §4 written out again, independently of the implementation's table, so that a change to
// either shows up here. [observation, from, expected next, expected effect]
const TABLE: [ObservationOutcome, OrderStatus, OrderStatus, ObservationEffect][] = [
  ['SUCCESS', 'init', 'success', 'applied'],
  ['FAIL', 'init', 'fail', 'applied'],
  ['CLOSED', 'init', 'cancelled', 'applied'],
  ['CANCEL_REQUESTED', 'init', 'cancelling', 'applied'],
  ['CANCELLED', 'init', 'cancelled', 'applied'],

  ['SUCCESS', 'cancelling', 'cancelling', 'ignored'],
  ['FAIL', 'cancelling', 'cancelling', 'ignored'],
  ['CLOSED', 'cancelling', 'cancelled', 'applied'],
  ['CANCEL_REQUESTED', 'cancelling', 'cancelling', 'duplicate'],
  ['CANCELLED', 'cancelling', 'cancelled', 'applied'],

  ['SUCCESS', 'success', 'success', 'duplicate'],
  ['FAIL', 'success', 'success', 'conflict'],
  ['CLOSED', 'success', 'success', 'conflict'],
  ['CANCEL_REQUESTED', 'success', 'success', 'conflict'],
  ['CANCELLED', 'success', 'cancelled', 'applied'],

  ['SUCCESS', 'fail', 'fail', 'conflict'],
  ['FAIL', 'fail', 'fail', 'duplicate'],
  ['CLOSED', 'fail', 'fail', 'ignored'],
  ['CANCEL_REQUESTED', 'fail', 'fail', 'ignored'],
  ['CANCELLED', 'fail', 'cancelled', 'applied'],

  ['SUCCESS', 'cancelled', 'cancelled', 'ignored'],
  ['FAIL', 'cancelled', 'cancelled', 'ignored'],
  ['CLOSED', 'cancelled', 'cancelled', 'duplicate'],
  ['CANCEL_REQUESTED', 'cancelled', 'cancelled', 'duplicate'],
  ['CANCELLED', 'cancelled', 'cancelled', 'duplicate'],
];

const ALL_STATUSES: OrderStatus[] = ['init', 'cancelling', 'success', 'fail', 'cancelled'];

describe('order state machine (design.md §4)', () => {
  it('the table covers every state × observation cell', () => {
    expect(TABLE).toHaveLength(25);
    const cells = new Set(TABLE.map(([o, s]) => `${o}/${s}`));
    expect(cells.size).toBe(25);
  });

  it.each(TABLE)('%s on %s → %s (%s)', (outcome, from, next, effect) => {
    const d = decide({ status: from, amount: ORDER_AMOUNT }, { outcome, amount: ORDER_AMOUNT });
    expect(d.next).toBe(next);
    expect(d.effect).toBe(effect);
    expect(d.anomaly).toBe(effect === 'conflict' ? 'conflict' : undefined);
  });

  it('a late success after a cancel stays cancelled and is logged, not an anomaly', () => {
    const d = decide(
      { status: 'cancelled', amount: ORDER_AMOUNT },
      { outcome: 'SUCCESS', amount: ORDER_AMOUNT },
    );
    expect(d).toMatchObject({ next: 'cancelled', effect: 'ignored' });
    expect(d.note).toMatch(/late success/);
    expect(d.anomaly).toBeUndefined();
  });

  it('a successful cancel on a success order moves it to cancelled (the payment was reversed)', () => {
    const d = decide({ status: 'success', amount: ORDER_AMOUNT }, { outcome: 'CANCELLED' });
    expect(d).toMatchObject({ next: 'cancelled', effect: 'applied' });
  });

  it('conflicting finals stay put and raise a conflict anomaly', () => {
    expect(decide({ status: 'success', amount: ORDER_AMOUNT }, { outcome: 'FAIL' })).toMatchObject({
      next: 'success',
      effect: 'conflict',
      anomaly: 'conflict',
    });
    expect(
      decide({ status: 'fail', amount: ORDER_AMOUNT }, { outcome: 'SUCCESS', amount: ORDER_AMOUNT }),
    ).toMatchObject({
      next: 'fail',
      anomaly: 'conflict',
    });
  });

  describe('amount guard (footnote ¹)', () => {
    it.each([
      ['a different value', { value: '999', currency: 'USD' }],
      ['a different currency', { value: '1000', currency: 'EUR' }],
    ])('a SUCCESS with %s changes nothing and records amount_mismatch', (_label, amount) => {
      const d = decide({ status: 'init', amount: ORDER_AMOUNT }, { outcome: 'SUCCESS', amount });
      expect(d).toMatchObject({ next: 'init', effect: 'amount_mismatch', anomaly: 'amount_mismatch' });
    });

    it('compares values numerically in minor units', () => {
      const d = decide(
        { status: 'init', amount: ORDER_AMOUNT },
        { outcome: 'SUCCESS', amount: { value: '1000', currency: 'USD' } },
      );
      expect(d.next).toBe('success');
    });

    it('accepts a SUCCESS that carries no amount (optional in notifyPayment)', () => {
      expect(
        decide({ status: 'init', amount: ORDER_AMOUNT }, { outcome: 'SUCCESS', amount: null }).next,
      ).toBe('success');
    });

    it('does not apply to observations that cannot move the order to success', () => {
      const d = decide(
        { status: 'cancelled', amount: ORDER_AMOUNT },
        { outcome: 'SUCCESS', amount: { value: '1', currency: 'USD' } },
      );
      expect(d.effect).toBe('ignored');
    });
  });

  it.each(ALL_STATUSES)('PROCESSING on %s changes nothing', (status) => {
    expect(decide({ status, amount: ORDER_AMOUNT }, { outcome: 'PROCESSING' })).toEqual({
      next: status,
      effect: 'informational',
    });
  });

  it.each(ALL_STATUSES)('CANCEL_FAILED on %s stays and raises a cancel_failed anomaly', (status) => {
    expect(decide({ status, amount: ORDER_AMOUNT }, { outcome: 'CANCEL_FAILED' })).toMatchObject({
      next: status,
      effect: 'cancel_failed',
      anomaly: 'cancel_failed',
    });
  });

  it('no final status ever moves back to a non-final one', () => {
    const outcomes: ObservationOutcome[] = [
      'SUCCESS',
      'FAIL',
      'CLOSED',
      'PROCESSING',
      'CANCEL_REQUESTED',
      'CANCELLED',
      'CANCEL_FAILED',
    ];
    for (const status of ['success', 'fail', 'cancelled'] as OrderStatus[]) {
      for (const outcome of outcomes) {
        const { next } = decide({ status, amount: ORDER_AMOUNT }, { outcome, amount: ORDER_AMOUNT });
        expect(['success', 'fail', 'cancelled']).toContain(next);
      }
    }
  });
});
