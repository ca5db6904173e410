// The polling loop's SQL: claiming due rows under a lease, finding the next due time, completing
// them (fenced by the lease token) and marking a cancel as requested under the lease.
import type { DataSource } from 'typeorm';
import type { Dialect } from '@app/contracts';
import type { ClaimedEntry } from '../../domain/schedule-entry';
import type { ClaimRequest, Completion } from '../../application/ports';
import { columns, iso, ms, Row, rowsOf, toEntry, updatedCount } from './schedule-rows';

/**
 * Claims up to `limit` due rows of one partner under a lease and, in the same statement, reads the
 * partner's next due time after `now` (the claim loop's two questions, one round trip). Rows due by
 * `now` are left out of the next due time, so the statement's snapshot (before its own update) gives
 * the same answer as asking afterwards. `nextDueAt` is null when the claim filled `limit`.
 */
export async function claimDueAndPeek(
  db: DataSource,
  input: ClaimRequest,
): Promise<{ claimed: ClaimedEntry[]; nextDueAt: number | null }> {
  if (input.limit <= 0) return { claimed: [], nextDueAt: null };
  const rows = rowsOf<Row & { due: Date | null; next_due: Date | null }>(
    await db.query(
      `WITH c AS (
         SELECT payment_request_id, next_due_at AS due
           FROM inquiry_schedule
          WHERE client_id = $1 AND dialect = $2 AND phase <> 'done'
            AND next_due_at <= $4::timestamptz
            AND (lease_until IS NULL OR lease_until <= $4::timestamptz)
          ORDER BY next_due_at
          LIMIT $3
          FOR UPDATE SKIP LOCKED
       ), u AS (
         UPDATE inquiry_schedule s
            SET lease_owner = $5, lease_until = $4::timestamptz + make_interval(secs => $6::double precision / 1000),
                updated_at = now()
           FROM c
          WHERE s.payment_request_id = c.payment_request_id
      RETURNING ${columns('s')}, c.due
       )
       SELECT u.*, n.next_due
         FROM (SELECT min(next_due_at) AS next_due FROM inquiry_schedule
                WHERE client_id = $1 AND dialect = $2 AND phase <> 'done' AND next_due_at > $4::timestamptz) n
         LEFT JOIN u ON true`,
      [input.clientId, input.dialect, input.limit, iso(input.now), input.leaseToken, input.leaseMs],
    ),
  );
  const claimed = claimedEntries(
    rows.filter((r): r is Row & { due: Date; next_due: Date | null } => r.payment_request_id !== null),
    input,
  );
  const nextDueAt = claimed.length < input.limit ? ms(rows[0]?.next_due ?? null) : null;
  return { claimed, nextDueAt };
}

export async function claimDue(db: DataSource, input: ClaimRequest): Promise<ClaimedEntry[]> {
  return (await claimDueAndPeek(db, input)).claimed;
}

function claimedEntries(rows: readonly (Row & { due: Date })[], input: ClaimRequest): ClaimedEntry[] {
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
      verifyUntil: ms(r.verify_until),
    }))
    .sort((a, b) => a.dueAt - b.dueAt);
}

/** The next due time after `after` of one partner's open rows: the first entry of inquiry_schedule_due past it. */
export async function nextDueAfter(
  db: DataSource,
  clientId: string,
  dialect: Dialect,
  after: number,
): Promise<number | null> {
  const [row] = rowsOf<{ due: Date | null }>(
    await db.query(
      `SELECT min(next_due_at) AS due FROM inquiry_schedule
        WHERE client_id = $1 AND dialect = $2 AND phase <> 'done' AND next_due_at > $3::timestamptz`,
      [clientId, dialect, iso(after)],
    ),
  );
  return row ? ms(row.due) : null;
}

/** One attempt at writing completions (sorted by id, so rows are locked in key order). */
export async function completeRows(db: DataSource, completions: readonly Completion[]): Promise<number> {
  const sorted = [...completions].sort((a, b) => (a.paymentRequestId < b.paymentRequestId ? -1 : 1));
  const col = <T>(f: (c: Completion) => T) => sorted.map(f);
  const rows: unknown[] = await db.query(
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
}

export async function markCancelRequested(
  db: DataSource,
  paymentRequestId: string,
  leaseToken: string,
  now: number,
): Promise<boolean> {
  const rows: unknown[] = await db.query(
    `UPDATE inquiry_schedule
        SET cancel_requested_at = COALESCE(cancel_requested_at, $3::timestamptz), updated_at = now()
      WHERE payment_request_id = $1 AND lease_owner = $2 AND phase = 'cancel'
  RETURNING 1`,
    [paymentRequestId, leaseToken, iso(now)],
  );
  return updatedCount(rows) === 1;
}
