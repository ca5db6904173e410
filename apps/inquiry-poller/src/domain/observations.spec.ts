import { encodeEvent, Topics } from '@app/contracts';
import {
  cancelObservation,
  inquiryEventId,
  inquiryObservation,
  normalizeInstant,
  RAW_BODY_MAX_CHARS,
} from './observations';

const order = { paymentRequestId: 'pr-1', clientId: 'C1', dialect: 'alipayplus' as const };
const at = new Date('2026-11-21T04:01:02.000Z');

describe('observations published by the poller (design.md §3)', () => {
  it('an inquiry result carries a deterministic id, so a repeated answer is one event downstream', () => {
    const result = { outcome: 'SUCCESS' as const, resultCode: 'SUCCESS', rawBody: '{}' };
    const first = inquiryObservation(order, result, at);
    const again = inquiryObservation(order, result, new Date(at.getTime() + 5000));
    expect(first.eventId).toBe('inquiry:pr-1:SUCCESS:SUCCESS');
    expect(again.eventId).toBe(first.eventId);
    expect(inquiryEventId('pr-1', 'FAIL', 'RISK_REJECT')).not.toBe(first.eventId);
  });

  it('is a valid result-observed event with source inquiry and the paymentTime as an ISO instant', () => {
    const event = inquiryObservation(
      order,
      {
        outcome: 'SUCCESS',
        resultCode: 'SUCCESS',
        resultMessage: 'success',
        paymentId: 'pay-1',
        amount: { value: '1000', currency: 'JPY' },
        paymentTime: '2026-11-21T12:01:01+08:00',
        rawBody: '{"result":{}}',
      },
      at,
    );
    expect(() => encodeEvent(Topics.resultObserved, event)).not.toThrow();
    expect(event).toMatchObject({
      source: 'inquiry',
      outcome: 'SUCCESS',
      clientId: 'C1',
      dialect: 'alipayplus',
      paymentId: 'pay-1',
      amount: { value: '1000', currency: 'JPY' },
      paymentTime: '2026-11-21T04:01:01.000Z',
      rawBody: '{"result":{}}',
    });
  });

  it('leaves out an unreadable paymentTime and an audit copy too long for the contract', () => {
    const event = inquiryObservation(
      order,
      {
        outcome: 'FAIL',
        resultCode: 'RISK_REJECT',
        paymentTime: 'yesterday',
        rawBody: 'x'.repeat(RAW_BODY_MAX_CHARS + 1),
      },
      at,
    );
    expect(event.paymentTime).toBeNull();
    expect(event.rawBody).toBeNull();
    expect(() => encodeEvent(Topics.resultObserved, event)).not.toThrow();
  });

  it.each(['CANCEL_REQUESTED', 'CANCELLED', 'CANCEL_FAILED'] as const)(
    'cancel step %s: source cancel, id cancel:<id>:<outcome>',
    (outcome) => {
      const event = cancelObservation(order, outcome, { resultCode: 'X' }, at);
      expect(event.eventId).toBe(`cancel:pr-1:${outcome}`);
      expect(event).toMatchObject({ source: 'cancel', outcome, resultCode: 'X' });
      expect(() => encodeEvent(Topics.resultObserved, event)).not.toThrow();
    },
  );

  it.each([
    ['2019-11-12T17:36:04+08:00', '2019-11-12T09:36:04.000Z'],
    ['2025-02-20T08:51:49.09Z', '2025-02-20T08:51:49.090Z'],
    ['2019-07-12T12:08:56.253+05:30', '2019-07-12T06:38:56.253Z'],
  ])('normalizes %s to %s', (input, expected) => {
    expect(normalizeInstant(input)).toBe(expected);
  });
});
