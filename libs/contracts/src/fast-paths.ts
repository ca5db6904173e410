/**
 * Hand-checked fast paths for the two events on order-state's hot path (issue 14 §3): every
 * result-observed it consumes and every status-changed it writes to the outbox went through zod,
 * which cost more CPU than anything else order-state does per observation (bench:order-state's
 * profile). Each check here only ever says "zod accepts this, and its output equals the input": it
 * answers false on anything unusual (an unknown key, a key out of the schema's order, a value of
 * another type, a prototype other than Object's), and the caller then runs zod, so what is refused,
 * and the reason given, are zod's. fast-paths.spec.ts holds both to the same answers over a corpus of
 * good events and mutations of every field.
 *
 * Keys must appear in the schema's order (as the event builders write them): zod's output is a copy
 * in that order, so `JSON.stringify(event)` of an accepted event is byte for byte what zod's output
 * would give.
 */
import {
  AttentionSchema,
  ObservationOutcomeSchema,
  ObservationSourceSchema,
  OrderStatusSchema,
  ResultObservedV1Schema,
  StatusChangedV1Schema,
} from './events';
import { DialectSchema, instantInUtcRange, ISO_INSTANT_PATTERN } from './primitives';
import { RAW_BODY_MAX_CHARS } from './observation-fields';
import { Topics, type TopicName } from './topics';

type Check = (v: unknown) => boolean;
interface Field {
  readonly key: string;
  readonly check: Check;
  /** undefined (or no key) is accepted: `.nullish()` / `.optional()`. */
  readonly absent: boolean;
  /** null is accepted: `.nullish()` / `.nullable()`. */
  readonly nul: boolean;
}
interface Shape {
  readonly fields: readonly Field[];
}

const required = (key: string, check: Check): Field => ({ key, check, absent: false, nul: false });
const nullish = (key: string, check: Check): Field => ({ key, check, absent: true, nul: true });
const nullable = (key: string, check: Check): Field => ({ key, check, absent: false, nul: true });
const shape = (fields: Field[]): Shape => ({ fields });

/** `text().min(min).max(max)`: a string of that many UTF-16 units, without U+0000. */
const text =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === 'string' && v.length >= min && v.length <= max && v.indexOf('\u0000') === -1;
const oneOf = (values: readonly unknown[]): Check => {
  const set = new Set(values);
  return (v) => set.has(v);
};
const matches =
  (re: RegExp): Check =>
  (v) =>
    typeof v === 'string' && re.test(v);
/**
 * InstantSchema: the ISO format, not year 0000, in years 0001–9999 once moved to UTC. Past the format
 * check, only years 0000, 0001 and 9999 need more (and get zod's own refinement); the others pass
 * without the substring instantInUtcRange takes (an allocation per instant).
 */
const instant: Check = (v) =>
  typeof v === 'string' &&
  ISO_INSTANT_PATTERN.test(v) &&
  ((!v.startsWith('000') && !v.startsWith('9999')) || (!v.startsWith('0000-') && instantInUtcRange(v)));

/** A plain object (what zod's z.object takes, and JSON.stringify writes as its own keys). */
function isPlain(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function conforms(v: unknown, s: Shape): boolean {
  if (!isPlain(v)) return false;
  // One pass: each key must be the next field or a later one (skipped fields must be optional).
  const fields = s.fields;
  let next = 0;
  for (const k in v) {
    while (next < fields.length && fields[next].key !== k) {
      if (!fields[next].absent) return false;
      next++;
    }
    if (next === fields.length) return false; // unknown, or out of the schema's order
    const f = fields[next++];
    const x = v[k];
    if (x === undefined) {
      if (!f.absent) return false;
    } else if (x === null) {
      if (!f.nul) return false;
    } else if (!f.check(x)) return false;
  }
  for (; next < fields.length; next++) if (!fields[next].absent) return false;
  return true;
}
const object =
  (s: Shape): Check =>
  (v) =>
    conforms(v, s);

const amount = object(
  shape([required('value', matches(/^[1-9][0-9]{0,17}$/)), required('currency', matches(/^[A-Z]{3}$/))]),
);
const attention = object(
  shape([required('reason', oneOf(AttentionSchema.shape.reason.options)), required('detail', text(0, 500))]),
);
const dialect = oneOf(DialectSchema.options);
const envelope = [
  required('eventId', text(1, 200)),
  required('schemaVersion', (v) => v === 1),
  required('occurredAt', instant),
  required('clientId', text(1, 64)),
  required('paymentRequestId', text(1, 64)),
];

const resultObserved = shape([
  ...envelope,
  required('dialect', dialect),
  required('source', oneOf(ObservationSourceSchema.options)),
  required('outcome', oneOf(ObservationOutcomeSchema.options)),
  required('resultCode', text(1, 64)),
  nullish('resultMessage', text(0, 256)),
  nullish('paymentId', text(1, 64)),
  nullish('amount', amount),
  nullish('paymentTime', instant),
  nullish('rawBody', text(0, RAW_BODY_MAX_CHARS)),
  nullish('attention', attention),
]);

const status = oneOf(OrderStatusSchema.options);
const statusChanged = shape([
  ...envelope,
  required('orderNo', text(1, 64)),
  required('dialect', dialect),
  nullable('from', status),
  required('to', status),
  required('source', oneOf(StatusChangedV1Schema.shape.source.options)),
  nullish('resultCode', text(1, 64)),
  required('amount', amount),
  required('paymentExpiryTime', instant),
  required('version', (v) => Number.isSafeInteger(v) && (v as number) > 0),
  nullish('causeEventId', text(0, 200)),
  nullish('paymentId', text(1, 64)),
  nullish('paymentTime', instant),
  nullish('reportedAmount', amount),
]);

const shapes: Partial<Record<TopicName, Shape>> = {
  [Topics.resultObserved]: resultObserved,
  [Topics.statusChanged]: statusChanged,
};

/** The fields each fast path knows, in order: the spec checks them against the zod schemas' shapes. */
export const fastPathKeys = {
  [Topics.resultObserved]: resultObserved.fields.map((f) => f.key),
  [Topics.statusChanged]: statusChanged.fields.map((f) => f.key),
};
export const fastPathSchemas = {
  [Topics.resultObserved]: ResultObservedV1Schema,
  [Topics.statusChanged]: StatusChangedV1Schema,
};

/**
 * True only when the topic's zod schema accepts `value` and its output equals `value` (same keys,
 * same order, same values); false means "ask zod", never "refused".
 */
export function fastAccepts(topic: TopicName, value: unknown): boolean {
  const s = shapes[topic];
  return s !== undefined && conforms(value, s);
}
