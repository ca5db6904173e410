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
});
