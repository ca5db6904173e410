import { readFileSync, readdirSync } from 'fs';
import * as path from 'path';
import { decodeEvent, encodeEvent } from './registry';
import { renderContractFiles } from './render';
import { Topics } from './topics';
import { notifyEventId, statusChangedEventId } from './event-ids';
import { fitResultMessage, normalizeInstant } from './observation-fields';

const registration = {
  eventId: 'reg-1',
  schemaVersion: 1,
  occurredAt: '2026-11-21T12:00:00.000+08:00',
  clientId: 'T_1',
  paymentRequestId: 'p-1',
  orderNo: 'o-1',
  amount: { value: '100', currency: 'JPY' },
  dialect: 'alipayplus',
};

describe('contracts', () => {
  it('the published JSON Schemas, AsyncAPI and OpenAPI files are generated from the code (run npm run contracts:generate)', () => {
    const dir = path.join(__dirname, '..', 'published');
    const expected = renderContractFiles();
    expect(readdirSync(dir).sort()).toEqual(Object.keys(expected).sort());
    for (const [file, content] of Object.entries(expected)) {
      expect(readFileSync(path.join(dir, file), 'utf8')).toBe(content);
    }
  });

  it('decodes a valid event and tolerates fields added later (additive evolution)', () => {
    const decoded = decodeEvent(
      Topics.orderRegistered,
      JSON.stringify({ ...registration, addedLater: true }),
    );
    expect(decoded).toEqual({ ok: true, value: registration });
  });

  it.each([
    ['not JSON', 'nope', /not JSON/],
    ['a null value', null, /empty/],
    ['a missing field', JSON.stringify({ ...registration, orderNo: undefined }), /orderNo/],
    [
      'an amount that is not minor units',
      JSON.stringify({ ...registration, amount: { value: '1.00', currency: 'JPY' } }),
      /amount/,
    ],
    ['a wrong schemaVersion', JSON.stringify({ ...registration, schemaVersion: 2 }), /schemaVersion/],
    [
      'a paymentRequestId over 64 chars',
      JSON.stringify({ ...registration, paymentRequestId: 'x'.repeat(65) }),
      /paymentRequestId/,
    ],
    // Values PostgreSQL cannot store are refused here, so they reach the DLQ instead of failing a batch.
    [
      'a NUL character in a text field',
      JSON.stringify({ ...registration, orderNo: 'o-\u0000-1' }),
      /NUL.*orderNo/s,
    ],
    [
      'an instant in year 0000',
      JSON.stringify({ ...registration, occurredAt: '0000-01-01T00:00:00Z' }),
      /0000.*occurredAt/s,
    ],
    [
      'an instant that is year 0000 in UTC',
      JSON.stringify({ ...registration, paymentExpiryTime: '0001-01-01T00:00:00+01:00' }),
      /0001–9999.*paymentExpiryTime/s,
    ],
    [
      'an instant that is year 10000 in UTC',
      JSON.stringify({ ...registration, paymentExpiryTime: '9999-12-31T23:00:00-05:00' }),
      /0001–9999.*paymentExpiryTime/s,
    ],
  ])('rejects %s with a reason', (_label, value, reason) => {
    const decoded = decodeEvent(Topics.orderRegistered, value);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.reason).toMatch(reason);
  });

  it('fits partner text into the contract: NUL in a message becomes U+FFFD, an instant outside years 0001–9999 is left out', () => {
    expect(fitResultMessage('bad\u0000byte')).toBe('bad\uFFFDbyte');
    expect(fitResultMessage('x'.repeat(300))).toHaveLength(256);
    expect(normalizeInstant('0000-06-01T00:00:00Z')).toBeUndefined();
    expect(normalizeInstant('2026-11-21T12:00:00+08:00')).toBe('2026-11-21T04:00:00.000Z');
  });

  it('refuses to publish an invalid event', () => {
    expect(() =>
      encodeEvent(Topics.orderRegistered, { ...registration, dialect: 'paypal' } as never),
    ).toThrow(/dialect/);
  });

  it('derives the same event id for the same notification bytes, and a different one otherwise', () => {
    expect(notifyEventId('T_1', '{"a":1}')).toBe(notifyEventId('T_1', Buffer.from('{"a":1}')));
    expect(notifyEventId('T_1', '{"a":1}')).not.toBe(notifyEventId('T_1', '{"a":2}'));
    expect(notifyEventId('T_1', '{"a":1}')).not.toBe(notifyEventId('T_2', '{"a":1}'));
    expect(statusChangedEventId('p-1', 2)).toBe('status:p-1:2');
  });
});
