import type { ExceptionReason } from '@app/contracts';
import { foldObservations, Observation, OrderSnapshot } from './order-ledger';

const order = (over: Partial<OrderSnapshot> = {}): OrderSnapshot => ({
  paymentRequestId: 'p1',
  clientId: 'c',
  orderNo: 'o1',
  dialect: 'alipayplus',
  amount: { value: '500', currency: 'JPY' },
  status: 'init',
  version: 1,
  paymentExpiryTime: '2026-01-01T00:01:00Z',
  resultCode: null,
  resultSource: null,
  paymentId: null,
  cancelRefused: false,
  openException: null,
  ...over,
});
const obs = (
  eventId: string,
  outcome: Observation['outcome'],
  over: Partial<Observation> = {},
): Observation => ({
  eventId,
  paymentRequestId: 'p1',
  clientId: 'c',
  dialect: 'alipayplus',
  source: 'notify',
  outcome,
  resultCode: outcome === 'SUCCESS' ? 'SUCCESS' : 'X',
  amount: { value: '500', currency: 'JPY' },
  ...over,
});

const openException = (reason: ExceptionReason, clientId = 'c') => ({
  openException: { reason, clientId, dialect: 'alipayplus' as const },
});

describe('foldObservations', () => {
  it('applies observations in order, one transition and one version per change', () => {
    const out = foldObservations(new Map([['p1', order()]]), [
      obs('e1', 'CANCEL_REQUESTED', { source: 'cancel' }),
      obs('e2', 'SUCCESS'),
      obs('e3', 'CANCELLED', { source: 'cancel' }),
    ]);
    expect(out.transitions.map((t) => [t.from, t.to, t.version])).toEqual([
      ['init', 'cancelling', 2],
      ['cancelling', 'cancelled', 3],
    ]);
    expect(out.results.map((r) => r.effect)).toEqual(['applied', 'ignored', 'applied']);
    expect(out.changed.get('p1')).toMatchObject({ status: 'cancelled', version: 3, resultSource: 'cancel' });
  });

  it('parks observations whose order is unknown and changes nothing', () => {
    const out = foldObservations(new Map(), [obs('e1', 'SUCCESS')]);
    expect(out.results).toEqual([
      { eventId: 'e1', effect: 'parked', statusAfter: null, note: 'order not registered yet' },
    ]);
    expect(out.transitions).toHaveLength(0);
    expect(out.changed.size).toBe(0);
  });

  it('a duplicate success after success is recorded but makes no transition', () => {
    const out = foldObservations(new Map([['p1', order()]]), [
      obs('e1', 'SUCCESS'),
      obs('e2', 'SUCCESS', { source: 'inquiry' }),
    ]);
    expect(out.transitions).toHaveLength(1);
    expect(out.results.map((r) => r.effect)).toEqual(['applied', 'duplicate']);
  });

  it('records an anomaly for conflicting finals and keeps the first final', () => {
    const out = foldObservations(new Map([['p1', order()]]), [obs('e1', 'SUCCESS'), obs('e2', 'FAIL')]);
    expect(out.changed.get('p1')?.status).toBe('success');
    expect(out.anomalies).toEqual([
      expect.objectContaining({ kind: 'conflict', eventId: 'e2', paymentRequestId: 'p1' }),
    ]);
  });

  it('keeps the payment id learnt from the observation that made the change', () => {
    const out = foldObservations(new Map([['p1', order()]]), [
      obs('e1', 'SUCCESS', { paymentId: 'ALIPAY-1' }),
    ]);
    expect(out.changed.get('p1')?.paymentId).toBe('ALIPAY-1');
  });

  it('a result from another partner than the order was registered with changes nothing and is an anomaly', () => {
    const out = foldObservations(new Map([['p1', order()]]), [
      obs('e1', 'SUCCESS', { clientId: 'other' }),
      obs('e2', 'FAIL', { dialect: 'antom' }),
    ]);
    expect(out.transitions).toEqual([]);
    expect(out.changed.size).toBe(0);
    expect(out.results).toEqual([
      expect.objectContaining({ eventId: 'e1', effect: 'partner_mismatch', statusAfter: 'init' }),
      expect.objectContaining({ eventId: 'e2', effect: 'partner_mismatch', statusAfter: 'init' }),
    ]);
    expect(out.anomalies).toEqual([
      expect.objectContaining({
        kind: 'partner_mismatch',
        eventId: 'e1',
        detail: expect.objectContaining({ observedClientId: 'other', orderClientId: 'c' }),
      }),
      expect.objectContaining({ kind: 'partner_mismatch', eventId: 'e2' }),
    ]);
  });

  it('a parked result from before the timeline kept the partner is not checked against it', () => {
    const out = foldObservations(new Map([['p1', order()]]), [
      obs('e1', 'SUCCESS', { clientId: null, dialect: null }),
    ]);
    expect(out.changed.get('p1')?.status).toBe('success');
  });

  it('does not mutate the orders it was given', () => {
    const start = order();
    foldObservations(new Map([['p1', start]]), [obs('e1', 'FAIL')]);
    expect(start.status).toBe('init');
  });

  describe('exceptions (issue 11)', () => {
    const attention = (reason: 'UNVERIFIED_ANSWERS' | 'CANCEL_REFUSED', detail = 'why') => ({
      attention: { reason, detail },
    });
    const kinds = (out: ReturnType<typeof foldObservations>) =>
      out.exceptions.map((e) => (e.kind === 'raise' ? `raise ${e.reason}` : 'resolve'));

    it('an attention opens the exception of a non-final order, and a second one raises again (the store updates it)', () => {
      const out = foldObservations(new Map([['p1', order()]]), [
        obs('e1', 'PROCESSING', { source: 'inquiry', ...attention('UNVERIFIED_ANSWERS', 'untrusted') }),
        obs('e2', 'PROCESSING', { source: 'inquiry', ...attention('CANCEL_REFUSED') }),
      ]);
      expect(kinds(out)).toEqual(['raise UNVERIFIED_ANSWERS', 'raise CANCEL_REFUSED']);
      expect(out.exceptions[0]).toMatchObject({
        paymentRequestId: 'p1',
        clientId: 'c',
        dialect: 'alipayplus',
        detail: 'untrusted',
        orderStatus: 'init',
        evidence: { eventId: 'e1', code: 'X', source: 'inquiry' },
      });
      // No order column changes for an exception alone.
      expect(out.changed.size).toBe(0);
      expect(out.transitions).toHaveLength(0);
    });

    it('an attention for a final order opens nothing', () => {
      const out = foldObservations(new Map([['p1', order({ status: 'success' })]]), [
        obs('e1', 'PROCESSING', attention('UNVERIFIED_ANSWERS')),
      ]);
      expect(out.exceptions).toEqual([]);
    });

    it('the open exception resolves by itself when the order becomes final, and not before', () => {
      const out = foldObservations(new Map([['p1', order(openException('UNVERIFIED_ANSWERS'))]]), [
        obs('e1', 'PROCESSING'),
        obs('e2', 'CANCEL_REQUESTED', { source: 'cancel' }),
        obs('e3', 'FAIL'),
      ]);
      expect(out.exceptions).toEqual([]);
      const settled = foldObservations(new Map([['p1', order(openException('STUCK_PAST_EXPIRY'))]]), [
        obs('e1', 'FAIL'),
      ]);
      expect(settled.exceptions).toEqual([
        expect.objectContaining({
          kind: 'resolve',
          orderStatus: 'fail',
          evidence: expect.objectContaining({ eventId: 'e1' }),
        }),
      ]);
    });

    it('a SUCCESS with another amount raises AMOUNT_MISMATCH with an anomaly and no transition (row 9)', () => {
      const out = foldObservations(new Map([['p1', order()]]), [
        obs('e1', 'SUCCESS', { amount: { value: '499', currency: 'JPY' } }),
      ]);
      expect(kinds(out)).toEqual(['raise AMOUNT_MISMATCH']);
      expect(out.anomalies.map((a) => a.kind)).toEqual(['amount_mismatch']);
      expect(out.transitions).toEqual([]);
    });

    it('a SUCCESS without an amount waits; an inquiry SUCCESS with the amount then confirms it (row 10)', () => {
      const out = foldObservations(new Map([['p1', order()]]), [
        obs('e1', 'SUCCESS', { amount: null }),
        obs('e2', 'SUCCESS', { source: 'inquiry' }),
      ]);
      expect(out.results.map((r) => [r.effect, r.statusAfter])).toEqual([
        ['awaiting_amount', 'init'],
        ['applied', 'success'],
      ]);
      expect(out.results[0].note).toMatch(/awaiting an amount/);
    });

    it('a refused cancel is remembered on the order; the paid answer then settles it success with cancel_refused_paid (row 7)', () => {
      const out = foldObservations(new Map([['p1', order({ status: 'cancelling' })]]), [
        obs('e1', 'CANCEL_FAILED', { source: 'cancel', resultCode: 'PROCESS_FAIL' }),
        obs('e2', 'SUCCESS', { source: 'inquiry' }),
      ]);
      expect(out.transitions.map((t) => [t.from, t.to])).toEqual([['cancelling', 'success']]);
      expect(out.changed.get('p1')).toMatchObject({ status: 'success', cancelRefused: true });
      expect(out.anomalies.map((a) => a.kind)).toEqual(['cancel_failed', 'cancel_refused_paid']);
    });

    it('a refused cancel alone updates the order row (the flag), without a new version', () => {
      const out = foldObservations(new Map([['p1', order({ status: 'cancelling' })]]), [
        obs('e1', 'CANCEL_FAILED', { source: 'cancel', ...attention('CANCEL_REFUSED') }),
      ]);
      expect(out.changed.get('p1')).toMatchObject({ status: 'cancelling', version: 1, cancelRefused: true });
      expect(kinds(out)).toEqual(['raise CANCEL_REFUSED']);
    });

    it('without a refusal, a SUCCESS while cancelling stays and is an anomaly (row 8)', () => {
      const out = foldObservations(new Map([['p1', order({ status: 'cancelling' })]]), [
        obs('e1', 'SUCCESS'),
      ]);
      expect(out.transitions).toEqual([]);
      expect(out.anomalies.map((a) => a.kind)).toEqual(['success_while_cancelling']);
    });

    it('paid after an unconfirmed close: PAID_AFTER_CLOSE, kept open by other results, resolved by the reversal (row 6)', () => {
      const out = foldObservations(
        new Map([['p1', order({ status: 'cancelled', resultCode: 'ORDER_NOT_EXIST' })]]),
        [
          obs('e1', 'SUCCESS', { source: 'notify' }),
          obs('e2', 'CLOSED', { source: 'inquiry' }),
          obs('e3', 'CANCELLED', { source: 'cancel' }),
        ],
      );
      expect(kinds(out)).toEqual(['raise PAID_AFTER_CLOSE', 'resolve']);
      expect(out.exceptions[1]).toMatchObject({ orderStatus: 'cancelled', evidence: { eventId: 'e3' } });
      expect(out.anomalies.map((a) => a.kind)).toEqual(['paid_after_close']);
      expect(out.transitions).toEqual([]);
    });

    it('a parked result folded into its new order resolves UNREGISTERED_RESULT, or turns it into the new cause (row 15)', () => {
      const unregistered = openException('UNREGISTERED_RESULT');
      const ok = foldObservations(new Map([['p1', order(unregistered)]]), [obs('e1', 'SUCCESS')]);
      expect(kinds(ok)).toEqual(['resolve']);
      expect(ok.changed.get('p1')).toMatchObject({ status: 'success', openException: null });
      const mismatch = foldObservations(new Map([['p1', order(unregistered)]]), [
        obs('e1', 'SUCCESS', { amount: { value: '1', currency: 'JPY' } }),
      ]);
      expect(kinds(mismatch)).toEqual(['raise AMOUNT_MISMATCH']);
    });

    it("an UNREGISTERED_RESULT of another partner than the order's stays open for a person", () => {
      const out = foldObservations(new Map([['p1', order(openException('UNREGISTERED_RESULT', 'other'))]]), [
        obs('e1', 'SUCCESS', { clientId: 'other' }),
        obs('e2', 'SUCCESS'),
      ]);
      expect(out.results.map((r) => r.effect)).toEqual(['partner_mismatch', 'applied']);
      expect(out.exceptions).toEqual([]);
    });
  });
});
