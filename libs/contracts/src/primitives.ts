import { z } from 'zod';

/** protocol.md §6: an amount is {currency: ISO-4217 alpha-3, value: positive integer string in minor units}. */
export const AmountSchema = z.object({
  value: z.string().regex(/^[1-9][0-9]{0,17}$/, 'a positive integer string in minor units'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO-4217 alpha-3 code'),
});
export type Amount = z.infer<typeof AmountSchema>;

/** ≤ 64 chars (protocol.md §3): the key of every event. */
export const PaymentRequestIdSchema = z.string().min(1).max(64);

export const DialectSchema = z.enum(['alipayplus', 'antom']);
export type Dialect = z.infer<typeof DialectSchema>;

/** An ISO-8601 instant with an offset or Z, as Alipay+ sends them (protocol.md §6: parse leniently). */
export const InstantSchema = z.iso.datetime({ offset: true });

export const ResultCodeSchema = z.string().min(1).max(64);
export const ResultMessageSchema = z.string().max(256);

/** Fields every event carries (design.md §3). */
export const envelopeFields = {
  eventId: z.string().min(1).max(200),
  schemaVersion: z.literal(1),
  occurredAt: InstantSchema,
  /** The tenant: the partner client id the payment belongs to. */
  clientId: z.string().min(1).max(64),
};
