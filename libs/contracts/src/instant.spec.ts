import { decodeEvent } from './registry';
import { Topics } from './topics';
import { InstantSchema, instantInUtcRange } from './primitives';

/** The full computation the fast check stands for: the instant in UTC, years 0001–9999. */
const full = (v: string) => /^(?!0000)\d{4}-/.test(new Date(Date.parse(v)).toISOString());

describe('InstantSchema: the UTC-range check skips the Date arithmetic only where it cannot matter', () => {
  const years = ['0001', '0002', '0999', '1970', '2026', '9998', '9999'];
  const days = [
    '01-01T00:00:00',
    '01-01T05:30:00.123',
    '06-15T12:00:00',
    '12-31T23:59:59',
    '12-31T18:00:00.5',
  ];
  const zones = ['Z', '+00:00', '+01:00', '+14:00', '-01:00', '-12:00', '+23:59', '-23:59'];
  const corpus = years.flatMap((y) => days.flatMap((d) => zones.map((z) => `${y}-${d}${z}`)));

  it.each(corpus)('%s: the fast check agrees with the full one', (v) => {
    expect(instantInUtcRange(v)).toBe(full(v));
  });

  it('accepts and refuses exactly what the full rule does on the corpus and on bad instants', () => {
    const bad = [
      '0000-06-01T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-06-01',
      'not a date',
      '2026-06-01T00:00:00',
    ];
    for (const v of corpus) expect({ v, ok: InstantSchema.safeParse(v).success }).toEqual({ v, ok: full(v) });
    for (const v of bad) expect({ v, ok: InstantSchema.safeParse(v).success }).toEqual({ v, ok: false });
  });

  it('reports a string that is no instant as an issue, instead of throwing out of safeParse', () => {
    for (const v of ['not a date', '2026-02-30T25:00:00Z', '']) {
      expect(() => InstantSchema.safeParse(v)).not.toThrow();
      expect(InstantSchema.safeParse(v).success).toBe(false);
    }
  });

  it('refuses the instants an offset carries out of range', () => {
    expect(InstantSchema.safeParse('0001-01-01T00:00:00+01:00').success).toBe(false);
    expect(InstantSchema.safeParse('9999-12-31T23:00:00-05:00').success).toBe(false);
    expect(InstantSchema.safeParse('0001-01-01T00:00:00-01:00').success).toBe(true);
    expect(InstantSchema.safeParse('9999-12-31T23:00:00+05:00').success).toBe(true);
  });
});

describe('decodeEvent never throws on an instant that is no date (a poison message must reach the DLQ, not stall its partition)', () => {
  it.each(Object.values(Topics))('%s', (topic) => {
    const value = JSON.stringify({
      eventId: 'e-1',
      schemaVersion: 1,
      occurredAt: 'garbage',
      paymentTime: '9999-99-99T99:99:99Z',
    });
    const decoded = decodeEvent(topic, value);
    expect(decoded.ok).toBe(false);
  });
});
