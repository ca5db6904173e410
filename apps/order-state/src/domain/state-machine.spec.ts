import { AnomalyKind, decide, ObservationEffect } from './state-machine';
import type { ObservationOutcome, OrderStatus } from './order-status';

const ORDER_AMOUNT = { value: '1000', currency: 'USD' };

// design.md §4 written out again, independently of the implementation's table, so that a change to
// either shows up here. [observation, from, expected next, expected effect, expected anomaly]
type Row = [ObservationOutcome, OrderStatus, OrderStatus, ObservationEffect, AnomalyKind?];
const TABLE: Row[] = [
  ['SUCCESS', 'init', 'success', 'applied'],
  ['FAIL', 'init', 'fail', 'applied'],
  ['CLOSED', 'init', 'cancelled', 'applied'],
  ['CANCEL_REQUESTED', 'init', 'cancelling', 'applied'],
  ['CANCELLED', 'init', 'cancelled', 'applied'],

  // Issue 11 row 8: the cancel still overrides it, and finance sees it as an anomaly.
  ['SUCCESS', 'cancelling', 'cancelling', 'ignored', 'success_while_cancelling'],
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

/** Every row with five cells: Jest takes a shorter row's missing argument for a `done` callback. */
const full = (rows: Row[]) =>
  rows.map(([o, from, next, effect, anomaly]) => [o, from, next, effect, anomaly ?? 'none'] as const);
const anomalyOf = (a: AnomalyKind | 'none') => (a === 'none' ? undefined : a);

const ALL_STATUSES: OrderStatus[] = ['init', 'cancelling', 'success', 'fail', 'cancelled'];

describe('order state machine (design.md §4)', () => {
  it('the table covers every state × observation cell', () => {
    expect(TABLE).toHaveLength(25);
    const cells = new Set(TABLE.map(([o, s]) => `${o}/${s}`));
    expect(cells.size).toBe(25);
  });

  it.each(full(TABLE))('%s on %s → %s (%s, anomaly %s)', (outcome, from, next, effect, anomaly) => {
    const d = decide({ status: from, amount: ORDER_AMOUNT }, { outcome, amount: ORDER_AMOUNT });
    expect(d.next).toBe(next);
    expect(d.effect).toBe(effect);
    expect(d.anomaly).toBe(effect === 'conflict' ? 'conflict' : anomalyOf(anomaly));
    expect(d.exception).toBeUndefined();
  });

  // Issue 11 row 7: after the partner refused the cancel, the truth settles the order.
  const REFUSED: Row[] = [
    ['SUCCESS', 'cancelling', 'success', 'applied', 'cancel_refused_paid'],
    ['FAIL', 'cancelling', 'fail', 'applied'],
    ['CLOSED', 'cancelling', 'cancelled', 'applied'],
    ['CANCEL_REQUESTED', 'cancelling', 'cancelling', 'duplicate'],
    ['CANCELLED', 'cancelling', 'cancelled', 'applied'],
  ];
  it.each(full(REFUSED))(
    '%s on %s whose cancel was refused → %s (%s, %s)',
    (outcome, from, next, effect, anomaly) => {
      const d = decide(
        { status: from, amount: ORDER_AMOUNT, cancelRefused: true },
        { outcome, amount: ORDER_AMOUNT },
      );
      expect(d).toMatchObject({ next, effect });
      expect(d.anomaly).toBe(anomalyOf(anomaly));
    },
  );

  it('a paid answer with another amount after a refused cancel is an amount mismatch, not a success', () => {
    const d = decide(
      { status: 'cancelling', amount: ORDER_AMOUNT, cancelRefused: true },
      { outcome: 'SUCCESS', amount: { value: '1', currency: 'USD' } },
    );
    expect(d).toMatchObject({
      next: 'cancelling',
      effect: 'amount_mismatch',
      exception: { reason: 'AMOUNT_MISMATCH' },
    });
  });

  it('CANCEL_FAILED on cancelling remembers the refusal; on any other status it does not', () => {
    expect(
      decide({ status: 'cancelling', amount: ORDER_AMOUNT }, { outcome: 'CANCEL_FAILED' }),
    ).toMatchObject({
      next: 'cancelling',
      effect: 'cancel_failed',
      anomaly: 'cancel_failed',
      cancelRefused: true,
    });
    for (const status of ['init', 'success', 'fail', 'cancelled'] as OrderStatus[]) {
      expect(
        decide({ status, amount: ORDER_AMOUNT }, { outcome: 'CANCEL_FAILED' }).cancelRefused,
      ).toBeUndefined();
    }
  });

  describe('paid after an unconfirmed close (issue 11 row 6)', () => {
    it('a SUCCESS on an order cancelled with ORDER_NOT_EXIST stays cancelled, with an anomaly and PAID_AFTER_CLOSE', () => {
      const d = decide(
        { status: 'cancelled', amount: ORDER_AMOUNT, resultCode: 'ORDER_NOT_EXIST' },
        { outcome: 'SUCCESS', amount: ORDER_AMOUNT },
      );
      expect(d).toMatchObject({
        next: 'cancelled',
        effect: 'paid_after_close',
        anomaly: 'paid_after_close',
        exception: { reason: 'PAID_AFTER_CLOSE' },
      });
    });

    it('a SUCCESS on an order cancelled by a confirmed cancel stays a plain late success', () => {
      const d = decide(
        { status: 'cancelled', amount: ORDER_AMOUNT, resultCode: 'SUCCESS' },
        { outcome: 'SUCCESS', amount: ORDER_AMOUNT },
      );
      expect(d).toMatchObject({ next: 'cancelled', effect: 'ignored' });
      expect(d.exception).toBeUndefined();
    });
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
    ])(
      'a SUCCESS with %s changes nothing, records amount_mismatch and opens AMOUNT_MISMATCH (issue 11 row 9)',
      (_label, amount) => {
        const d = decide({ status: 'init', amount: ORDER_AMOUNT }, { outcome: 'SUCCESS', amount });
        expect(d).toMatchObject({
          next: 'init',
          effect: 'amount_mismatch',
          anomaly: 'amount_mismatch',
          exception: { reason: 'AMOUNT_MISMATCH' },
        });
        expect(d.exception!.detail).toContain(`${amount.value} ${amount.currency}`);
      },
    );

    it('compares values numerically in minor units', () => {
      const d = decide(
        { status: 'init', amount: ORDER_AMOUNT },
        { outcome: 'SUCCESS', amount: { value: '1000', currency: 'USD' } },
      );
      expect(d.next).toBe('success');
    });

    // Issue 11 row 10 (was: accepted). The field is optional in notifyPayment, so the order waits for
    // an answer that carries the amount (the poller keeps inquiring while it is `init`).
    it.each([
      ['init', {}],
      ['cancelling', { cancelRefused: true }],
    ] as [OrderStatus, object][])('does not take a SUCCESS that carries no amount on %s', (status, over) => {
      const d = decide({ status, amount: ORDER_AMOUNT, ...over }, { outcome: 'SUCCESS', amount: null });
      expect(d).toMatchObject({ next: status, effect: 'awaiting_amount' });
      expect(d.note).toMatch(/awaiting an amount/);
      expect(d.anomaly).toBeUndefined();
      expect(d.exception).toBeUndefined();
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
        for (const facts of [{}, { cancelRefused: true }, { resultCode: 'ORDER_NOT_EXIST' }]) {
          const { next } = decide(
            { status, amount: ORDER_AMOUNT, ...facts },
            { outcome, amount: ORDER_AMOUNT },
          );
          expect(['success', 'fail', 'cancelled']).toContain(next);
        }
      }
    }
  });
});
