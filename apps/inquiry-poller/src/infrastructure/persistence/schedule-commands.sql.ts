// Commands on one row from people and other services (exception events, the operator API, inquiry
// hints) and the tombstone pruner.
import type { DataSource } from 'typeorm';
import type { DoneReason, SchedulePhase } from '../../domain/schedule-entry';
import type { ExceptionCommandResult, ForceInquiryResult, HintedOrder } from '../../application/ports';
import { iso, updatedCount } from './schedule-rows';

export async function requestReversal(
  db: DataSource,
  paymentRequestId: string,
  reversalKey: string,
  now: number,
): Promise<ExceptionCommandResult> {
  // The lease is revoked like a status change revokes it: a call in flight is fenced out.
  const rows: unknown[] = await db.query(
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
  return (await exists(db, paymentRequestId)) ? 'ignored' : 'not-found';
}

export async function reinquire(
  db: DataSource,
  paymentRequestId: string,
  now: number,
): Promise<ExceptionCommandResult> {
  // In SET, every column reference is the row before the update.
  const rows: unknown[] = await db.query(
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
  return (await exists(db, paymentRequestId)) ? 'ignored' : 'not-found';
}

async function exists(db: DataSource, paymentRequestId: string): Promise<boolean> {
  const rows: unknown[] = await db.query(`SELECT 1 FROM inquiry_schedule WHERE payment_request_id = $1`, [
    paymentRequestId,
  ]);
  return rows.length > 0;
}

export async function forceInquiry(
  db: DataSource,
  paymentRequestId: string,
  now: number,
): Promise<ForceInquiryResult> {
  return db.transaction('READ COMMITTED', async (em) => {
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

/** One attempt at bringing hinted inquiries forward (rows matched with EXISTS, locked in key order). */
export async function hintRows(
  db: DataSource,
  hints: readonly HintedOrder[],
  now: number,
  minGapMs: number,
): Promise<number> {
  const rows: unknown[] = await db.query(
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
}

export async function pruneTombstones(db: DataSource, before: number, limit: number): Promise<number> {
  const rows: unknown[] = await db.query(
    `DELETE FROM inquiry_schedule WHERE payment_request_id IN (
       SELECT payment_request_id FROM inquiry_schedule
        WHERE phase = 'done' AND updated_at < $1::timestamptz
        LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING 1`,
    [iso(before), limit],
  );
  return updatedCount(rows);
}
