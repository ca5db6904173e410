import { z } from 'zod';
import { fastAccepts, fastPathKeys, fastPathSchemas } from './fast-paths';
import { contractViolation, decodeEvent, encodeEvent, TopicSchemas } from './registry';
import { Topics, type TopicName } from './topics';

type Obj = Record<string, unknown>;
type HotTopic = keyof typeof fastPathKeys;

const fullObservation: Obj = {
  eventId: 'notify:abc',
  schemaVersion: 1,
  occurredAt: '2026-11-21T12:00:00.000+08:00',
  clientId: 'T_1',
  paymentRequestId: 'p-1',
  dialect: 'alipayplus',
  source: 'notify',
  outcome: 'SUCCESS',
  resultCode: 'SUCCESS',
  resultMessage: 'success',
  paymentId: 'ALIPAY-1',
  amount: { value: '1000', currency: 'USD' },
  paymentTime: '2026-11-21T04:00:00Z',
  rawBody: '{"paymentResult":{"resultCode":"SUCCESS"}}',
  attention: { reason: 'UNVERIFIED_ANSWERS', detail: 'a key we do not hold' },
};
const minimalObservation: Obj = {
  eventId: 'inquiry:1',
  schemaVersion: 1,
  occurredAt: '2026-11-21T04:00:00Z',
  clientId: 'T_1',
  paymentRequestId: 'p-2',
  dialect: 'antom',
  source: 'inquiry',
  outcome: 'PROCESSING',
  resultCode: 'PAYMENT_IN_PROCESS',
};
const nullObservation: Obj = {
  ...minimalObservation,
  resultMessage: null,
  paymentId: null,
  amount: null,
  paymentTime: null,
  rawBody: null,
  attention: null,
};
const fullStatus: Obj = {
  eventId: 'status:p-1:2',
  schemaVersion: 1,
  occurredAt: '2026-11-21T04:00:00.123Z',
  clientId: 'T_1',
  paymentRequestId: 'p-1',
  orderNo: 'o-1',
  dialect: 'alipayplus',
  from: 'init',
  to: 'success',
  source: 'notify',
  resultCode: 'SUCCESS',
  amount: { value: '1000', currency: 'USD' },
  paymentExpiryTime: '2026-11-21T05:00:00.000Z',
  version: 2,
  causeEventId: 'notify:abc',
  paymentId: 'ALIPAY-1',
  paymentTime: '2026-11-21T04:00:00Z',
  reportedAmount: { value: '999', currency: 'JPY' },
};
const registrationStatus: Obj = {
  eventId: 'status:p-1:1',
  schemaVersion: 1,
  occurredAt: '2026-11-21T04:00:00Z',
  clientId: 'T_1',
  paymentRequestId: 'p-1',
  orderNo: 'o-1',
  dialect: 'antom',
  from: null,
  to: 'init',
  source: 'registration',
  resultCode: null,
  amount: { value: '1', currency: 'EUR' },
  paymentExpiryTime: '2026-11-21T05:00:00+09:00',
  version: 1,
  causeEventId: null,
};

const bases: [HotTopic, Obj][] = [
  [Topics.resultObserved, fullObservation],
  [Topics.resultObserved, minimalObservation],
  [Topics.resultObserved, nullObservation],
  [Topics.statusChanged, fullStatus],
  [Topics.statusChanged, registrationStatus],
];

const ABSENT = Symbol('absent');
const strings = (n: number) => ['', 'x'.repeat(n - 1), 'x'.repeat(n), 'x'.repeat(n + 1)];
/** Values every field is tried with, besides its own kind's edge cases below. */
const anyValues: unknown[] = [ABSENT, undefined, null, 0, 1, -1, 1.5, NaN, true, {}, [], 'x', '', '1'];
const instants = [
  '2026-11-21T04:00:00Z',
  '2026-11-21T04:00:00.123456789+05:30',
  '2026-11-21T04:00:00',
  '2026-11-21 04:00:00Z',
  '2026-11-21t04:00:00z',
  '2026-02-29T00:00:00Z',
  '2024-02-29T00:00:00Z',
  '2026-04-31T00:00:00Z',
  '2026-11-21T24:00:00Z',
  '2026-11-21T04:00:00+24:00',
  '2026-11-21T04:00Z',
  '0000-06-01T00:00:00Z',
  '0001-01-01T00:00:00+01:00',
  '0001-01-01T00:00:00-01:00',
  '9999-12-31T23:00:00-02:00',
  '9999-12-31T23:00:00+02:00',
  '+002026-11-21T04:00:00Z',
  'not a date',
];
const enumValues = [
  'alipayplus',
  'antom',
  'ALIPAYPLUS',
  'notify',
  'inquiry',
  'cancel',
  'registration',
  'SUCCESS',
  'success',
  'FAIL',
  'CLOSED',
  'PROCESSING',
  'CANCEL_REQUESTED',
  'CANCELLED',
  'CANCEL_FAILED',
  'init',
  'cancelling',
  'fail',
  'cancelled',
  'UNVERIFIED_ANSWERS',
  'STUCK_PAST_EXPIRY',
];
const amounts: unknown[] = [
  { value: '1', currency: 'USD' },
  { value: '0', currency: 'USD' },
  { value: '01', currency: 'USD' },
  { value: '1'.repeat(18), currency: 'USD' },
  { value: '1'.repeat(19), currency: 'USD' },
  { value: '1.00', currency: 'USD' },
  { value: 100, currency: 'USD' },
  { value: '100', currency: 'usd' },
  { value: '100', currency: 'US' },
  { value: '100', currency: 'USDX' },
  { value: '100' },
  { currency: 'USD' },
  { currency: 'USD', value: '100' },
  { value: '100', currency: 'USD', extra: 1 },
  { value: '100', currency: null },
  Object.assign(Object.create(null), { value: '100', currency: 'USD' }),
  new (class Amount {
    value = '100';
    currency = 'USD';
  })(),
];
const attentions: unknown[] = [
  { reason: 'INVALID_ANSWERS', detail: '' },
  { reason: 'INVALID_ANSWERS', detail: 'x'.repeat(500) },
  { reason: 'INVALID_ANSWERS', detail: 'x'.repeat(501) },
  { reason: 'NOT_A_REASON', detail: 'x' },
  { reason: 'INVALID_ANSWERS' },
  { detail: 'x', reason: 'INVALID_ANSWERS' },
  { reason: 'INVALID_ANSWERS', detail: 'x', more: true },
  { reason: 'INVALID_ANSWERS', detail: 'a\u0000b' },
];
const texts = [
  ...[1, 64, 200, 256, 500].flatMap(strings),
  '😀'.repeat(32),
  '😀'.repeat(33),
  'a\u0000b',
  '\u0000',
  'ünïcødé',
  '\ud800',
];
const versions = [0, -1, 2, 1.5, 2 ** 53 - 1, 2 ** 53, Infinity, NaN, '2', 1e3];

const with_ = (o: Obj, key: string, v: unknown): Obj => {
  const copy = { ...o };
  if (v === ABSENT) delete copy[key];
  else copy[key] = v;
  return copy;
};

function corpus(): [HotTopic, Obj][] {
  const out: [HotTopic, Obj][] = [...bases];
  for (const [topic, base] of bases) {
    for (const key of fastPathKeys[topic]) {
      const values = [
        ...anyValues,
        ...instants,
        ...enumValues,
        ...amounts,
        ...attentions,
        ...texts,
        ...versions,
      ];
      for (const v of values) out.push([topic, with_(base, key, v)]);
    }
    out.push([topic, { ...base, addedLater: true }]);
    out.push([topic, { addedLater: true, ...base }]);
    out.push([topic, { ...base, __proto__: 'x' } as Obj]);
    out.push([topic, Object.fromEntries(Object.entries(base).reverse())]);
    out.push([topic, { occurredAt: base.occurredAt, ...base }]);
    out.push([topic, { ...with_(base, 'eventId', ABSENT), eventId: base.eventId }]);
    out.push([topic, { ...base, 0: 'x' }]);
  }
  out.push([Topics.resultObserved, [] as unknown as Obj], [Topics.statusChanged, 'x' as unknown as Obj]);
  return out;
}

/** What decodeEvent returned before the fast paths: JSON.parse, then zod. */
function zodDecode(topic: TopicName, json: string) {
  const parsed = TopicSchemas[topic].safeParse(JSON.parse(json));
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, reason: `schema ${topic}: ${z.prettifyError(parsed.error)}` };
}
function zodEncode(topic: TopicName, event: unknown): string {
  const parsed = TopicSchemas[topic].safeParse(event);
  if (!parsed.success) {
    throw new Error(`refusing to publish an invalid ${topic} event: ${z.prettifyError(parsed.error)}`);
  }
  return JSON.stringify(parsed.data);
}
const outcome = (f: () => string) => {
  try {
    return { value: f() };
  } catch (err) {
    return { error: (err as Error).message };
  }
};

/** fast accepts ⇒ zod accepts with the same output; decode/encode give exactly zod's answers. */
function expectSameAnswers(topic: HotTopic, event: Obj) {
  const zod = fastPathSchemas[topic].safeParse(event);
  if (fastAccepts(topic, event)) {
    expect(zod.success).toBe(true);
    expect(zod.data).toEqual(event);
    expect(JSON.stringify(event)).toBe(JSON.stringify(zod.data));
  }
  expect(outcome(() => encodeEvent(topic, event as never))).toEqual(outcome(() => zodEncode(topic, event)));
  expect(contractViolation(topic, event as never)).toBe(zod.success ? null : z.prettifyError(zod.error));
  const json = JSON.stringify(event);
  if (json !== undefined) expect(decodeEvent(topic, json)).toEqual(zodDecode(topic, json));
}

describe('fast paths of the hot events: the same answers as the zod schemas', () => {
  it('know exactly the schemas’ fields, in their order', () => {
    for (const topic of Object.keys(fastPathKeys) as HotTopic[]) {
      expect(fastPathKeys[topic]).toEqual(Object.keys(fastPathSchemas[topic].shape));
    }
  });

  it.each(bases.map(([t, e], i) => [i, t, e] as const))(
    'base %i (%s) takes the fast path and is valid',
    (_, topic, event) => {
      expect(fastAccepts(topic, event)).toBe(true);
      expect(fastAccepts(topic, JSON.parse(JSON.stringify(event)))).toBe(true);
      expect(fastPathSchemas[topic].safeParse(event).success).toBe(true);
    },
  );

  it('agree on every field mutated to every kind of value (missing, wrong type, edges, bad instants, extra keys)', () => {
    const all = corpus();
    let fast = 0;
    let refused = 0;
    for (const [topic, event] of all) {
      expectSameAnswers(topic, event);
      if (fastAccepts(topic, event)) fast++;
      if (!fastPathSchemas[topic].safeParse(event).success) refused++;
    }
    // Both kinds are well represented, so the agreement means something.
    expect(fast).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(2000);
  });

  it('agree on random combinations of mutations (seeded)', () => {
    let seed = 14;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pool = [...anyValues, ...instants, ...enumValues, ...amounts, ...attentions, ...texts, ...versions];
    for (let i = 0; i < 3000; i++) {
      const [topic, base] = bases[rnd(bases.length)];
      let event = base;
      const keys = fastPathKeys[topic];
      for (let m = 1 + rnd(3); m > 0; m--)
        event = with_(event, keys[rnd(keys.length)], pool[rnd(pool.length)]);
      expectSameAnswers(topic, event);
    }
  });

  it('leave the other topics to zod', () => {
    expect(fastAccepts(Topics.orderRegistered, fullObservation)).toBe(false);
  });
});
