import type { ScriptStep } from './payment-script';
import {
  advanceTruth,
  cancelTruth,
  expectedOrderStatus,
  initialTruth,
  nextStepDueAt,
  TruthState,
  willBecomeFinal,
} from './payment-truth';

const paidAt2s: ScriptStep[] = [
  { atMs: 0, status: 'PROCESSING' },
  { atMs: 2000, status: 'SUCCESS' },
];
const failsAt1s: ScriptStep[] = [{ atMs: 1000, status: 'FAIL', resultCode: 'RISK_REJECT' }];

const at = (timeline: ScriptStep[], elapsed: number, from: TruthState = initialTruth()) =>
  advanceTruth(from, timeline, elapsed);

describe('advanceTruth', () => {
  it('is PROCESSING / PAYMENT_IN_PROCESS until the success step is due', () => {
    const { state, becameFinal } = at(paidAt2s, 1999);
    expect(state).toMatchObject({ status: 'PROCESSING', resultCode: 'PAYMENT_IN_PROCESS' });
    expect(becameFinal).toBe(false);
  });

  it('becomes SUCCESS exactly when the step is due, and reports it once', () => {
    const first = at(paidAt2s, 2000);
    expect(first.state).toMatchObject({ status: 'SUCCESS', resultCode: 'SUCCESS', finalAtSimMs: 2000 });
    expect(first.becameFinal).toBe(true);
    const again = advanceTruth(first.state, paidAt2s, 10_000);
    expect(again.becameFinal).toBe(false);
    expect(again.state).toBe(first.state);
  });

  it('takes the failure code of a FAIL step', () => {
    expect(at(failsAt1s, 5000).state).toMatchObject({ status: 'FAIL', resultCode: 'RISK_REJECT' });
  });

  it('stays PROCESSING forever without a final step (never paid)', () => {
    const { state } = at([{ atMs: 0, status: 'PROCESSING' }], Number.MAX_SAFE_INTEGER);
    expect(state.status).toBe('PROCESSING');
  });

  it('applies several due steps in one advance', () => {
    const timeline: ScriptStep[] = [
      { atMs: 0, status: 'PROCESSING' },
      { atMs: 10, status: 'PROCESSING' },
      { atMs: 20, status: 'SUCCESS' },
    ];
    expect(at(timeline, 25)).toMatchObject({ state: { status: 'SUCCESS', nextStep: 3 }, becameFinal: true });
  });
});

describe('cancelTruth', () => {
  it('cancels a pending payment; later scripted steps are void', () => {
    const cancelled = cancelTruth(at(paidAt2s, 500).state, 500);
    expect(cancelled).toMatchObject({
      status: 'CANCELLED',
      resultCode: 'CANCELLED',
      paidBeforeCancel: false,
    });
    const later = advanceTruth(cancelled, paidAt2s, 5000);
    expect(later.state.status).toBe('CANCELLED');
    expect(later.becameFinal).toBe(false);
    expect(willBecomeFinal(cancelled, paidAt2s)).toBe(false);
    expect(nextStepDueAt(cancelled, paidAt2s)).toBeUndefined();
  });

  it('reverses a paid payment (paidBeforeCancel)', () => {
    const cancelled = cancelTruth(at(paidAt2s, 2500).state, 2500);
    expect(cancelled).toMatchObject({ status: 'CANCELLED', paidBeforeCancel: true, cancelledAtSimMs: 2500 });
  });

  it('closes a failed payment without marking it paid', () => {
    expect(cancelTruth(at(failsAt1s, 1500).state, 1500)).toMatchObject({
      status: 'CANCELLED',
      paidBeforeCancel: false,
    });
  });

  it('is idempotent: a second cancel changes nothing, not even the cancel time', () => {
    const once = cancelTruth(at(paidAt2s, 2500).state, 2500);
    expect(cancelTruth(once, 9000)).toBe(once);
  });
});

describe('nextStepDueAt / willBecomeFinal', () => {
  it('point at the next step while the script still has one', () => {
    const start = initialTruth();
    expect(nextStepDueAt(start, paidAt2s)).toBe(0);
    expect(nextStepDueAt(at(paidAt2s, 0).state, paidAt2s)).toBe(2000);
    expect(willBecomeFinal(at(paidAt2s, 0).state, paidAt2s)).toBe(true);
    expect(willBecomeFinal(start, [{ atMs: 0, status: 'PROCESSING' }])).toBe(false);
    expect(nextStepDueAt(at(paidAt2s, 2000).state, paidAt2s)).toBeUndefined();
  });
});

describe('expectedOrderStatus (design.md §4)', () => {
  it.each([
    ['CANCELLED', 'CANCELLED', 'cancelled'],
    ['SUCCESS', 'SUCCESS', 'success'],
    ['FAIL', 'ORDER_IS_CLOSED', 'cancelled'],
    ['FAIL', 'USER_BALANCE_NOT_ENOUGH', 'fail'],
    ['FAIL', 'RISK_REJECT', 'fail'],
    ['PROCESSING', 'PAYMENT_IN_PROCESS', null],
  ] as const)('%s/%s → %s', (status, code, expected) => {
    expect(expectedOrderStatus(status, code)).toBe(expected);
  });
});
