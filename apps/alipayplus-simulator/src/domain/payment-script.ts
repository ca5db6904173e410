import { z } from 'zod';
import { AmountSchema, DIALECTS, Id64Schema, PAYMENT_FAILURE_CODES } from '@app/alipayplus';
import { SimulatorError } from '../errors';
import type { PaymentScript, SimulatorDialect } from '../types';

/** The failure reason of a FAIL step without one: the code every MPP must support (seed 004, protocol.md §6). */
export const DEFAULT_FAIL_CODE = 'USER_BALANCE_NOT_ENOUGH';

const StepSchema = z.strictObject({
  atMs: z.number().finite().min(0),
  status: z.enum(['PROCESSING', 'SUCCESS', 'FAIL']),
  /** Payment failure codes of protocol.md §6 (ORDER_IS_CLOSED included); only on FAIL. */
  resultCode: z.enum(PAYMENT_FAILURE_CODES).optional(),
});

const ScriptAmountSchema = z.strictObject({
  value: AmountSchema.shape.value,
  currency: AmountSchema.shape.currency,
});

/**
 * How this payment's partner misbehaves, for the exception scenarios (issue: money-path exceptions).
 * Every quirk is off by default; the truth timeline still decides what the payment really is.
 */
const QuirksSchema = z.strictObject({
  /** cancelPayment/cancel is refused with `F resultCode` (e.g. ORDER_IS_CLOSED, PROCESS_FAIL) and changes nothing. */
  cancelRefusal: z.strictObject({ resultCode: z.string().min(1).max(64) }).optional(),
  /**
   * Until this simulated time the partner does not know the order: inquiries and cancels answer
   * F ORDER_NOT_EXIST (the pay request had not reached it yet).
   */
  unknownUntilMs: z.number().finite().min(0).optional(),
  /** Until this simulated time cancels are answered U UNKNOWN_EXCEPTION (and change nothing). */
  cancelUnknownUntilMs: z.number().finite().min(0).optional(),
  /** The amount notifications and inquiry answers report (a mismatch), or null: omitted from notifications. */
  reportedAmount: ScriptAmountSchema.nullable().optional(),
  /** Antom inquiry answers carry this paymentStatus instead of the truth's, or none at all. */
  antomPaymentStatus: z.union([z.literal('missing'), z.string().min(1).max(32)]).optional(),
  /** Inquiries are answered with the call-level `F resultCode` (e.g. USER_KYC_NOT_QUALIFIED). */
  inquiryRefusal: z.strictObject({ resultCode: z.string().min(1).max(64) }).optional(),
});
export type PaymentQuirks = z.infer<typeof QuirksSchema>;

/** What createPayment and `POST /sim/payments` accept. Amounts follow protocol.md §6 (minor units, ISO-4217). */
export const PaymentScriptSchema = z.strictObject({
  paymentRequestId: Id64Schema,
  clientId: z.string().min(1).max(64),
  dialect: z.enum(DIALECTS),
  amount: ScriptAmountSchema,
  timeline: z.array(StepSchema).max(100),
  notify: z.boolean().optional(),
  quirks: QuirksSchema.optional(),
});

export interface ScriptStep {
  readonly atMs: number;
  readonly status: 'PROCESSING' | 'SUCCESS' | 'FAIL';
  /** Set on FAIL steps only (defaulted to DEFAULT_FAIL_CODE). */
  readonly resultCode?: string;
}

/** A validated script with its defaults applied. */
export interface NormalizedScript {
  readonly paymentRequestId: string;
  readonly clientId: string;
  readonly dialect: SimulatorDialect;
  readonly amount: { readonly value: string; readonly currency: string };
  readonly timeline: readonly ScriptStep[];
  readonly notify: boolean;
  readonly quirks: PaymentQuirks;
}

/**
 * Validates a script (throws INVALID_SCRIPT). Beyond the shape, the timeline must be in time order and
 * nothing may follow a final step: a payment that succeeded or failed does not change again on its own
 * (only a cancel changes it, protocol.md §4), so such a script is a mistake in the test, not a scenario.
 */
export function parsePaymentScript(input: PaymentScript | unknown): NormalizedScript {
  const parsed = PaymentScriptSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(script)'}: ${issue.message}`)
      .join('; ');
    throw new SimulatorError('INVALID_SCRIPT', `invalid payment script: ${problems}`);
  }
  const script = parsed.data;
  const timeline: ScriptStep[] = [];
  script.timeline.forEach((step, index) => {
    const where = `timeline.${index}`;
    const previous = timeline[timeline.length - 1];
    if (previous && step.atMs < previous.atMs) {
      throw new SimulatorError('INVALID_SCRIPT', `${where}: steps must be in time order (atMs ascending)`);
    }
    if (previous && previous.status !== 'PROCESSING') {
      throw new SimulatorError('INVALID_SCRIPT', `${where}: no step may follow the final ${previous.status}`);
    }
    if (step.resultCode !== undefined && step.status !== 'FAIL') {
      throw new SimulatorError('INVALID_SCRIPT', `${where}: resultCode is only for FAIL steps`);
    }
    timeline.push(
      step.status === 'FAIL'
        ? { atMs: step.atMs, status: 'FAIL', resultCode: step.resultCode ?? DEFAULT_FAIL_CODE }
        : { atMs: step.atMs, status: step.status },
    );
  });
  return {
    paymentRequestId: script.paymentRequestId,
    clientId: script.clientId,
    dialect: script.dialect,
    amount: { value: script.amount.value, currency: script.amount.currency },
    timeline,
    notify: script.notify ?? true,
    quirks: script.quirks ?? {},
  };
}
