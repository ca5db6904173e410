import type { z } from 'zod';
import { Dialect } from '../dialect';
import { ALIPAYPLUS_DIALECT } from './alipayplus';
import { ANTOM_DIALECT } from './antom';
import { DialectSpec } from './dialect-spec';

/**
 * Every dialect's rules, one entry per name in `DIALECTS` (the compiler asks for each, the way
 * `TopicSchemas` asks for each topic). Adding a dialect: its name in `DIALECTS`, its spec in
 * `dialects/<name>.ts`, its entry here, then whatever else the compiler names; and a migration for
 * the database CHECK constraints (the dialect-checks integration specs fail until there is one).
 */
export const DIALECT_SPECS = {
  alipayplus: ALIPAYPLUS_DIALECT,
  antom: ANTOM_DIALECT,
} as const satisfies Record<Dialect, DialectSpec>;

type Specs = typeof DIALECT_SPECS;

/** The rules of one dialect, with its bodies typed loosely; see the `…ByDialect` types for exact ones. */
export function dialectSpec(dialect: Dialect): DialectSpec {
  return DIALECT_SPECS[dialect];
}

/** Each dialect's request and answer bodies, as its schemas define them. */
export type InquiryPaymentRequestByDialect = {
  [D in Dialect]: z.output<Specs[D]['inquiryPayment']['request']>;
};
export type InquiryPaymentResponseByDialect = {
  [D in Dialect]: z.output<Specs[D]['inquiryPayment']['response']>;
};
export type CancelPaymentRequestByDialect = {
  [D in Dialect]: z.output<Specs[D]['cancelPayment']['request']>;
};
export type CancelPaymentResponseByDialect = {
  [D in Dialect]: z.output<Specs[D]['cancelPayment']['response']>;
};
export type NotifyPaymentByDialect = { [D in Dialect]: z.output<Specs[D]['notification']['schema']> };
