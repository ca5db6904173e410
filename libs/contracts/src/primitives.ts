import { z } from 'zod';
import { DIALECTS, type Dialect } from '@app/alipayplus/dialect';

/** protocol.md §6: an amount is {currency: ISO-4217 alpha-3, value: positive integer string in minor units}. */
export const AmountSchema = z.object({
  value: z.string().regex(/^[1-9][0-9]{0,17}$/, 'a positive integer string in minor units'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO-4217 alpha-3 code'),
});
export type Amount = z.infer<typeof AmountSchema>;

/**
 * Text that PostgreSQL can store: no U+0000 (NUL). Every string a consumer writes to its database
 * carries this rule, so such a value is refused at the contract (→ DLQ) instead of failing a batch.
 */
// The NUL is the point of this pattern (a regex, so that the JSON Schemas carry the rule too).
// eslint-disable-next-line no-control-regex
export const text = () => z.string().regex(/^[^\u0000]*$/, 'must not contain U+0000 (NUL)');

/** ≤ 64 chars (protocol.md §3): the key of every event. */
export const PaymentRequestIdSchema = text().min(1).max(64);

/** The wire dialects: the one list lives with the protocol (libs/alipayplus `DIALECTS`). */
export const DialectSchema = z.enum(DIALECTS);
export type { Dialect };

/**
 * Whether the instant, moved to UTC, still falls in the years 0001–9999. Only a year of 0001 or 9999
 * can leave that range (an offset moves an instant by less than a day), so other years skip the Date
 * arithmetic: this check runs for every instant of every event (bench:order-state's profile), and
 * instant.spec.ts holds it to the full computation on a corpus.
 */
export function instantInUtcRange(v: string): boolean {
  const year = v.slice(0, 4);
  if (year > '0001' && year < '9999' && /^\d{4}-/.test(v)) return true;
  const ms = Date.parse(v);
  // Not an instant at all: the format check reports it (zod runs this refinement anyway, and
  // toISOString would throw out of safeParse instead of reporting an issue).
  if (Number.isNaN(ms)) return false;
  return /^(?!0000)\d{4}-/.test(new Date(ms).toISOString());
}

/**
 * An ISO-8601 instant with an offset or Z, as Alipay+ sends them (protocol.md §6: parse leniently).
 * Year 0000 does not exist in PostgreSQL's calendar (nor in the proleptic Gregorian one ISO uses
 * for dates after 1582), so it is refused.
 */
const IsoInstantSchema = z.iso.datetime({ offset: true });

/** The format check of InstantSchema, as zod runs it (the hand-checked fast paths in fast-paths.ts reuse it). */
export const ISO_INSTANT_PATTERN: RegExp = IsoInstantSchema._zod.def.pattern!;

export const InstantSchema = IsoInstantSchema.regex(/^(?!0000-)/, 'year 0000 is not a valid year')
  // An offset can carry the instant out of that range (0001-01-01T00:00:00+01:00 is year 0000 in
  // UTC, which is how it is stored).
  .refine(instantInUtcRange, 'the instant in UTC must fall in the years 0001–9999');

export const ResultCodeSchema = text().min(1).max(64);
export const ResultMessageSchema = text().max(256);

/** Fields every event carries (design.md §3). */
export const envelopeFields = {
  eventId: text().min(1).max(200),
  schemaVersion: z.literal(1),
  occurredAt: InstantSchema,
  /** The tenant: the partner client id the payment belongs to. */
  clientId: text().min(1).max(64),
};
