/**
 * The two wire dialects this library speaks (protocol.md §0):
 * - `alipayplus`: Alipay+ as seen by an acquirer (ACQP), paths under `/aps/...`;
 * - `antom`: Antom / AMS as seen by a merchant, paths under `/ams/...`.
 * Signing is identical for both (§1); bodies, paths and decision tables differ (§2–§4).
 */
export const DIALECTS = ['alipayplus', 'antom'] as const;

export type Dialect = (typeof DIALECTS)[number];

export function isDialect(value: unknown): value is Dialect {
  return typeof value === 'string' && (DIALECTS as readonly string[]).includes(value);
}
