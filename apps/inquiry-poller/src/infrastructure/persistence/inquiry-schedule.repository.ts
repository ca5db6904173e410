import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Dialect, OrderStatus } from '@app/contracts';
import type {
  AnswerDoubt,
  ClaimedEntry,
  DoneReason,
  ScheduleEntry,
  SchedulePhase,
  VerifyReason,
} from '../../domain/schedule-entry';
import {
  ClaimRequest,
  Completion,
  ExceptionCommandResult,
  ForceInquiryResult,
  HintedOrder,
  ScheduleRepository,
  ScheduleView,
  ScheduleWrite,
} from '../../application/ports';

interface Row {
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
const columns = (alias = '') => {
  const a = alias ? `${alias}.` : '';
  return `${a}payment_request_id, ${a}client_id, ${a}dialect, ${a}amount_value::text AS amount_value,
    ${a}amount_currency, ${a}payment_expiry_time, ${a}registered_at, ${a}phase, ${a}order_status, ${a}last_version,
    ${a}next_due_at, ${a}lease_owner, ${a}lease_until, ${a}inquiry_attempts, ${a}cancel_attempts,
    ${a}cancel_requested_at, ${a}last_attempt_at, ${a}last_result_code, ${a}attention_code, ${a}attention_detail,
    ${a}done_reason, ${a}answer_doubt, ${a}reported_attention, ${a}verify_reason, ${a}verify_until, ${a}reversal_of`;
};

const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());
const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
const isoOf = (d: Date | null): string | null => (d === null ? null : d.toISOString());

function toEntry(r: Row): ScheduleEntry {
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
  };
}

/** Raised inside a transaction to run it again: another writer inserted one of our new rows first. */
class InsertRaceError extends Error {
  readonly code = 'SCHEDULE_INSERT_RACE';
}

/** PostgreSQL errors after which the same statement may simply be run again. */
const RETRYABLE_SQLSTATES = new Set(['40P01' /* deadlock_detected */, '40001' /* serialization_failure */]);
const isRetryable = (err: unknown) =>
  err instanceof InsertRaceError || RETRYABLE_SQLSTATES.has((err as { code?: string }).code ?? '');

/**
 * Set-based SQL over `inquiry_schedule`: each call is a fixed number of statements whatever the batch
 * size (arrays go through `unnest`). Times come from the poller's clock (passed in), so that due
 * times, claims and leases are compared on one clock.
 *
 * Several rows are only ever locked in key order (explicitly, with ORDER BY … FOR UPDATE), so the
 * status consumer, the completion writer and hints never wait on each other in a cycle; the claim
 * skips locked rows and never waits at all. A deadlock reported anyway is retried.
 */
@Injectable()
export class InquiryScheduleRepository extends ScheduleRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async applyStatusChanges(
    ids: readonly string[],
    plan: (existing: ReadonlyMap<string, ScheduleEntry>) => ReadonlyMap<string, ScheduleWrite>,
  ): Promise<{ inserted: number; updated: number }> {
    if (ids.length === 0) return { inserted: 0, updated: 0 };
    const sorted = [...new Set(ids)].sort();
    return this.retrying(() =>
      this.dataSource.transaction('READ COMMITTED', async (em) => {
        const rows: Row[] = await em.query(
          `SELECT ${columns()} FROM inquiry_schedule WHERE payment_request_id = ANY($1::text[])
            ORDER BY payment_request_id FOR UPDATE`,
          [sorted],
        );
        const writes = [...plan(new Map(rows.map((r) => [r.payment_request_id, toEntry(r)]))).values()];
        const inserts = writes.filter((w) => w.isNew);
        const updates = writes.filter((w) => !w.isNew);
        const inserted = await this.insertEntries(em, inserts);
        if (inserted < inserts.length)
          throw new InsertRaceError('a concurrent writer inserted the same order');
        await this.updateEntries(em, updates);
        return { inserted, updated: updates.length };
      }),
    );
  }

  async claimDue(input: ClaimRequest): Promise<ClaimedEntry[]> {
    if (input.limit <= 0) return [];
    const rows = rowsOf<Row & { due: Date }>(
      await this.dataSource.query(
        `UPDATE inquiry_schedule s
          SET lease_owner = $5, lease_until = $4::timestamptz + make_interval(secs => $6::double precision / 1000),
              updated_at = now()
         FROM (SELECT payment_request_id, next_due_at AS due
                 FROM inquiry_schedule
                WHERE client_id = $1 AND dialect = $2 AND phase <> 'done'
                  AND next_due_at <= $4::timestamptz
                  AND (lease_until IS NULL OR lease_until <= $4::timestamptz)
                ORDER BY next_due_at
                LIMIT $3
                FOR UPDATE SKIP LOCKED) c
        WHERE s.payment_request_id = c.payment_request_id
    RETURNING ${columns('s')}, c.due`,
        [input.clientId, input.dialect, input.limit, iso(input.now), input.leaseToken, input.leaseMs],
      ),
    );
    return rows
      .map((r) => ({
        ...toEntry(r),
        dueAt: r.due.getTime(),
        leaseToken: input.leaseToken,
        leaseUntil: input.now + input.leaseMs,
        inquiryAttempts: r.inquiry_attempts,
        cancelAttempts: r.cancel_attempts,
        lastResultCode: r.last_result_code,
        answerDoubt: r.answer_doubt,
        reportedAttention: r.reported_attention,
        verifyReason: r.verify_reason,
        verifyUntil: ms(r.verify_until),
      }))
      .sort((a, b) => a.dueAt - b.dueAt);
  }

  async complete(completions: readonly Completion[]): Promise<number> {
    if (completions.length === 0) return 0;
    const sorted = [...completions].sort((a, b) => (a.paymentRequestId < b.paymentRequestId ? -1 : 1));
    const col = <T>(f: (c: Completion) => T) => sorted.map(f);
    return this.retrying(async () => {
      const rows: unknown[] = await this.dataSource.query(
        `WITH u AS (
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::text[],
                                $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
                                $14::text[], $15::text[])
                  AS u(id, token, phase, next_due_at, inquiry_attempts, cancel_attempts, last_attempt_at,
                       last_result_code, attention_code, attention_detail, done_reason, answer_doubt,
                       reported_attention, verify_reason, verify_until)
         ), locked AS (
           SELECT s.payment_request_id FROM inquiry_schedule s JOIN u ON u.id = s.payment_request_id
            WHERE s.lease_owner = u.token ORDER BY s.payment_request_id FOR UPDATE OF s
         )
         UPDATE inquiry_schedule s
            SET phase = u.phase,
                next_due_at = u.next_due_at::timestamptz,
                inquiry_attempts = u.inquiry_attempts,
                cancel_attempts = u.cancel_attempts,
                last_attempt_at = COALESCE(u.last_attempt_at::timestamptz, s.last_attempt_at),
                last_result_code = COALESCE(u.last_result_code, s.last_result_code),
                attention_code = COALESCE(u.attention_code, s.attention_code),
                attention_detail = CASE WHEN u.attention_code IS NULL THEN s.attention_detail ELSE u.attention_detail END,
                done_reason = u.done_reason,
                answer_doubt = u.answer_doubt,
                reported_attention = COALESCE(u.reported_attention, s.reported_attention),
                verify_reason = u.verify_reason,
                verify_until = u.verify_until::timestamptz,
                lease_owner = NULL, lease_until = NULL, updated_at = now()
           FROM u
          WHERE s.payment_request_id = u.id AND s.lease_owner = u.token
            AND s.payment_request_id IN (SELECT payment_request_id FROM locked)
      RETURNING 1`,
        [
          col((c) => c.paymentRequestId),
          col((c) => c.leaseToken),
          col((c) => c.phase),
          col((c) => iso(c.nextDueAt)),
          col((c) => c.inquiryAttempts),
          col((c) => c.cancelAttempts),
          col((c) => iso(c.lastAttemptAt)),
          col((c) => c.lastResultCode?.slice(0, 64) ?? null),
          col((c) => c.attention?.code ?? null),
          col((c) => c.attention?.detail.slice(0, 300) ?? null),
          col((c) => c.doneReason),
          col((c) => c.answerDoubt),
          col((c) => c.reportedAttention),
          col((c) => c.verifyReason),
          col((c) => iso(c.verifyUntil)),
        ],
      );
      return updatedCount(rows);
    });
  }

  async requestReversal(
    paymentRequestId: string,
    reversalKey: string,
    now: number,
  ): Promise<ExceptionCommandResult> {
    // The lease is revoked like a status change revokes it: a call in flight is fenced out.
    const rows: unknown[] = await this.dataSource.query(
      `UPDATE inquiry_schedule
          SET phase = 'cancel', next_due_at = $3::timestamptz, cancel_attempts = 0, reversal_of = $2,
              cancel_requested_at = COALESCE(cancel_requested_at, $3::timestamptz), done_reason = NULL,
              verify_reason = NULL, verify_until = NULL, lease_owner = NULL, lease_until = NULL,
              updated_at = now()
        WHERE payment_request_id = $1 AND reversal_of IS DISTINCT FROM $2
    RETURNING 1`,
      [paymentRequestId, reversalKey, iso(now)],
    );
    if (updatedCount(rows) === 1) return 'applied';
    return (await this.exists(paymentRequestId)) ? 'ignored' : 'not-found';
  }

  async reinquire(paymentRequestId: string, now: number): Promise<ExceptionCommandResult> {
    // In SET, every column reference is the row before the update.
    const rows: unknown[] = await this.dataSource.query(
      `UPDATE inquiry_schedule
          SET phase = CASE WHEN phase = 'done' THEN 'verify' ELSE phase END,
              verify_reason = CASE WHEN phase = 'done' THEN 'REINQUIRE' ELSE verify_reason END,
              verify_until = CASE WHEN phase = 'done' THEN $2::timestamptz ELSE verify_until END,
              done_reason = CASE WHEN phase = 'done' THEN NULL ELSE done_reason END,
              next_due_at = LEAST(COALESCE(next_due_at, $2::timestamptz), $2::timestamptz),
              updated_at = now()
        WHERE payment_request_id = $1 AND phase <> 'cancel'
    RETURNING 1`,
      [paymentRequestId, iso(now)],
    );
    if (updatedCount(rows) === 1) return 'applied';
    return (await this.exists(paymentRequestId)) ? 'ignored' : 'not-found';
  }

  private async exists(paymentRequestId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM inquiry_schedule WHERE payment_request_id = $1`,
      [paymentRequestId],
    );
    return rows.length > 0;
  }

  async markCancelRequested(paymentRequestId: string, leaseToken: string, now: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `UPDATE inquiry_schedule
          SET cancel_requested_at = COALESCE(cancel_requested_at, $3::timestamptz), updated_at = now()
        WHERE payment_request_id = $1 AND lease_owner = $2 AND phase = 'cancel'
    RETURNING 1`,
      [paymentRequestId, leaseToken, iso(now)],
    );
    return updatedCount(rows) === 1;
  }

  async forceInquiry(paymentRequestId: string, now: number): Promise<ForceInquiryResult> {
    return this.dataSource.transaction('READ COMMITTED', async (em) => {
      const [row]: { phase: SchedulePhase; lease_until: Date | null; done_reason: DoneReason | null }[] =
        await em.query(
          `SELECT phase, lease_until, done_reason FROM inquiry_schedule WHERE payment_request_id = $1 FOR UPDATE`,
          [paymentRequestId],
        );
      if (!row) return { kind: 'not-found' };
      if (row.phase === 'cancel') return { kind: 'cancelling' };
      if (row.phase === 'done') return { kind: 'done', doneReason: row.done_reason! };
      await em.query(
        `UPDATE inquiry_schedule SET next_due_at = LEAST(next_due_at, $2::timestamptz), updated_at = now()
          WHERE payment_request_id = $1`,
        [paymentRequestId, iso(now)],
      );
      return { kind: 'scheduled', inFlight: row.lease_until !== null && row.lease_until.getTime() > now };
    });
  }

  async hintInquiry(hints: readonly HintedOrder[], now: number, minGapMs: number): Promise<number> {
    if (hints.length === 0) return 0;
    // Repeated hints need no de-duplication: rows are matched with EXISTS and locked in key order.
    return this.retrying(async () => {
      const rows: unknown[] = await this.dataSource.query(
        `WITH hint AS (
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS h(payment_request_id, client_id, dialect)
         ), target AS (
           SELECT s.payment_request_id,
                  GREATEST($4::timestamptz,
                           COALESCE(s.last_attempt_at + make_interval(secs => $5::double precision / 1000),
                                    $4::timestamptz)) AS due
             FROM inquiry_schedule s
            WHERE s.phase = 'inquiry' AND s.hinted_at IS NULL
              AND EXISTS (SELECT 1 FROM hint h
                           WHERE h.payment_request_id = s.payment_request_id
                             AND h.client_id = s.client_id AND h.dialect = s.dialect)
            ORDER BY s.payment_request_id FOR UPDATE
         )
         UPDATE inquiry_schedule s SET next_due_at = t.due, hinted_at = $4::timestamptz, updated_at = now()
           FROM target t
          WHERE s.payment_request_id = t.payment_request_id AND s.next_due_at > t.due
      RETURNING 1`,
        [
          hints.map((h) => h.paymentRequestId),
          hints.map((h) => h.clientId),
          hints.map((h) => h.dialect),
          iso(now),
          minGapMs,
        ],
      );
      return updatedCount(rows);
    });
  }

  async pruneTombstones(before: number, limit: number): Promise<number> {
    const rows: unknown[] = await this.dataSource.query(
      `DELETE FROM inquiry_schedule WHERE payment_request_id IN (
         SELECT payment_request_id FROM inquiry_schedule
          WHERE phase = 'done' AND updated_at < $1::timestamptz
          LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING 1`,
      [iso(before), limit],
    );
    return updatedCount(rows);
  }

  async find(paymentRequestId: string): Promise<ScheduleView | null> {
    const [r]: Row[] = await this.dataSource.query(
      `SELECT ${columns()} FROM inquiry_schedule WHERE payment_request_id = $1`,
      [paymentRequestId],
    );
    if (!r) return null;
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

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  private async insertEntries(em: EntityManager, writes: ScheduleWrite[]): Promise<number> {
    if (writes.length === 0) return 0;
    const col = <T>(f: (e: ScheduleEntry) => T) => writes.map((w) => f(w.entry));
    const rows: unknown[] = await em.query(
      `INSERT INTO inquiry_schedule
         (payment_request_id, client_id, dialect, amount_value, amount_currency, payment_expiry_time, registered_at,
          phase, order_status, last_version, next_due_at, cancel_requested_at, done_reason, created_at, updated_at)
       SELECT t.id, t.client_id, t.dialect, t.amount_value::numeric, t.amount_currency, t.expiry::timestamptz,
              t.registered_at::timestamptz, t.phase, t.order_status, t.last_version, t.next_due_at::timestamptz,
              t.cancel_requested_at::timestamptz, t.done_reason, now(), now()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::int[], $11::text[], $12::text[], $13::text[])
              AS t(id, client_id, dialect, amount_value, amount_currency, expiry, registered_at, phase, order_status,
                   last_version, next_due_at, cancel_requested_at, done_reason)
        ORDER BY t.id
       ON CONFLICT (payment_request_id) DO NOTHING
       RETURNING 1`,
      [
        col((e) => e.paymentRequestId),
        col((e) => e.clientId),
        col((e) => e.dialect),
        col((e) => e.amount.value),
        col((e) => e.amount.currency),
        col((e) => iso(e.expiresAt)),
        col((e) => iso(e.registeredAt)),
        col((e) => e.phase),
        col((e) => e.orderStatus),
        col((e) => e.lastVersion),
        col((e) => iso(e.nextDueAt)),
        col((e) => iso(e.cancelRequestedAt)),
        col((e) => e.doneReason),
      ],
    );
    return updatedCount(rows);
  }

  private async updateEntries(em: EntityManager, writes: ScheduleWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const col = <T>(f: (w: ScheduleWrite) => T) => writes.map(f);
    await em.query(
      `UPDATE inquiry_schedule s
          SET phase = u.phase, order_status = u.order_status, last_version = u.last_version,
              next_due_at = u.next_due_at::timestamptz, cancel_requested_at = u.cancel_requested_at::timestamptz,
              done_reason = u.done_reason,
              -- A status change may end a verify phase (the order went final); it never starts one.
              verify_reason = CASE WHEN u.phase = 'verify' THEN s.verify_reason END,
              verify_until = CASE WHEN u.phase = 'verify' THEN s.verify_until END,
              lease_owner = CASE WHEN u.revoke THEN NULL ELSE s.lease_owner END,
              lease_until = CASE WHEN u.revoke THEN NULL ELSE s.lease_until END,
              updated_at = now()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::bool[])
              AS u(id, phase, order_status, last_version, next_due_at, cancel_requested_at, done_reason, revoke)
        WHERE s.payment_request_id = u.id`,
      [
        col((w) => w.entry.paymentRequestId),
        col((w) => w.entry.phase),
        col((w) => w.entry.orderStatus),
        col((w) => w.entry.lastVersion),
        col((w) => iso(w.entry.nextDueAt)),
        col((w) => iso(w.entry.cancelRequestedAt)),
        col((w) => w.entry.doneReason),
        col((w) => w.revokeLease),
      ],
    );
  }

  private async retrying<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        if (attempt >= attempts || !isRetryable(err)) throw err;
      }
    }
  }
}

/**
 * TypeORM's postgres driver returns `[rows, affected]` for UPDATE/DELETE (… RETURNING) and the bare
 * rows for SELECT/INSERT. Rows are objects, never arrays, so the two shapes cannot be confused.
 */
function rowsOf<T>(result: unknown[]): T[] {
  if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number')
    return result[0] as T[];
  return result as T[];
}

const updatedCount = (result: unknown[]): number => rowsOf(result).length;
