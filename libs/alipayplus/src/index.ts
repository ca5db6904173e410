/**
 * `@app/alipayplus` — the Alipay+ (ACQP) and Antom (AMS) payment-result protocol as plain code
 * (docs: /shared/docs/protocol.md). No framework imports; Node's crypto and fetch only.
 *
 * - signing/  message signatures (§1)
 * - dialects/ one spec per wire dialect (paths, schemas, decision tables, ack, cancel rules) and
 *             their registry `DIALECT_SPECS`
 * - models/   wire schemas, paths, the notify ack, notification parsing (§2–§4, §6)
 * - results/  result-code classification and the inquiry/cancel decision tables (§3, §4, §6)
 * - client/   signed HTTP client for inquiryPayment and cancelPayment/cancel
 * - server/   signing responses and verifying incoming signed requests
 */
export { DIALECTS, isDialect } from './dialect';
export type { Dialect } from './dialect';
export { AlipayPlusError, KeyLoadError } from './errors';
export type { AlipayPlusErrorCode } from './errors';
export * from './dialects';
export * from './signing';
export * from './models';
export * from './results';
export * from './client';
export * from './server';
