// The `inquiry_schedule` row as PostgreSQL returns it, and what the repository maps it to; shared by
// the SQL files beside it.
import type { Dialect, OrderStatus } from '@app/contracts';
import type {
  AnswerDoubt,
  DoneReason,
  ScheduleEntry,
  SchedulePhase,
  VerifyReason,
} from '../../domain/schedule-entry';
import type { ScheduleView } from '../../application/ports';

export interface Row {
  payment_request_id: string;
  client_id: string;
  dialect: Dialect;
  amount_value: string;
  amount_currency: string;
  payment_expiry_time: Date;
  registered_at: Date;
  phase: SchedulePhase;
  order_status: OrderStatus;
  last_version: number;
  next_due_at: Date | null;
  lease_owner: string | null;
  lease_until: Date | null;
  inquiry_attempts: number;
  cancel_attempts: number;
  cancel_requested_at: Date | null;
  last_attempt_at: Date | null;
  last_result_code: string | null;
  attention_code: string | null;
  attention_detail: string | null;
  done_reason: DoneReason | null;
  answer_doubt: AnswerDoubt | null;
  reported_attention: string | null;
  verify_reason: VerifyReason | null;
  verify_until: Date | null;
  reversal_of: string | null;
}

/** The select list of a full row, optionally qualified by a table alias. */
export const columns = (alias = '') => {
  const a = alias ? `${alias}.` : '';
  return `${a}payment_request_id, ${a}client_id, ${a}dialect, ${a}amount_value::text AS amount_value,
    ${a}amount_currency, ${a}payment_expiry_time, ${a}registered_at, ${a}phase, ${a}order_status, ${a}last_version,
    ${a}next_due_at, ${a}lease_owner, ${a}lease_until, ${a}inquiry_attempts, ${a}cancel_attempts,
    ${a}cancel_requested_at, ${a}last_attempt_at, ${a}last_result_code, ${a}attention_code, ${a}attention_detail,
    ${a}done_reason, ${a}answer_doubt, ${a}reported_attention, ${a}verify_reason, ${a}verify_until, ${a}reversal_of`;
};

export const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());
export const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
export const isoOf = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export function toEntry(r: Row): ScheduleEntry {
  return {
    paymentRequestId: r.payment_request_id,
    clientId: r.client_id,
    dialect: r.dialect,
    amount: { value: r.amount_value, currency: r.amount_currency },
    expiresAt: r.payment_expiry_time.getTime(),
    registeredAt: r.registered_at.getTime(),
    phase: r.phase,
    orderStatus: r.order_status,
    lastVersion: r.last_version,
    nextDueAt: ms(r.next_due_at),
    cancelRequestedAt: ms(r.cancel_requested_at),
    doneReason: r.done_reason,
    reversalOf: r.reversal_of,
    verifyReason: r.verify_reason,
  };
}

/** A row as operators see it (GET /inquiries/:paymentRequestId). */
export function toView(r: Row): ScheduleView {
  return {
    paymentRequestId: r.payment_request_id,
    clientId: r.client_id,
    dialect: r.dialect,
    phase: r.phase,
    orderStatus: r.order_status,
    lastVersion: r.last_version,
    paymentExpiryTime: r.payment_expiry_time.toISOString(),
    nextDueAt: isoOf(r.next_due_at),
    leased: r.lease_until !== null && r.lease_until.getTime() > Date.now(),
    inquiryAttempts: r.inquiry_attempts,
    cancelAttempts: r.cancel_attempts,
    cancelRequestedAt: isoOf(r.cancel_requested_at),
    lastAttemptAt: isoOf(r.last_attempt_at),
    lastResultCode: r.last_result_code,
    attentionCode: r.attention_code,
    attentionDetail: r.attention_detail,
    doneReason: r.done_reason,
    answerDoubt: r.answer_doubt,
    reportedAttention: r.reported_attention,
    verifyReason: r.verify_reason,
    verifyUntil: isoOf(r.verify_until),
    reversalOf: r.reversal_of,
  };
}

/** Raised inside a transaction to run it again: another writer inserted one of our new rows first. */
export class InsertRaceError extends Error {
  readonly code = 'SCHEDULE_INSERT_RACE';
}

/** PostgreSQL errors after which the same statement may simply be run again. */
const RETRYABLE_SQLSTATES = new Set(['40P01' /* deadlock_detected */, '40001' /* serialization_failure */]);
const isRetryable = (err: unknown) =>
  err instanceof InsertRaceError || RETRYABLE_SQLSTATES.has((err as { code?: string }).code ?? '');

/** Runs `work` again (up to `attempts` times in all) after a deadlock, serialization failure or insert race. */
export async function retrying<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err)) throw err;
    }
  }
}

/**
 * TypeORM's postgres driver returns `[rows, affected]` for UPDATE/DELETE (… RETURNING) and the bare
 * rows for SELECT/INSERT. Rows are objects, never arrays, so the two shapes cannot be confused.
 */
export function rowsOf<T>(result: unknown[]): T[] {
  if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number')
    return result[0] as T[];
  return result as T[];
}

export const updatedCount = (result: unknown[]): number => rowsOf(result).length;
