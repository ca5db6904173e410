// The status consumer's writes (applyStatusChanges): new rows and updates, one statement each,
// inside the repository's transaction.
import type { EntityManager } from 'typeorm';
import type { ScheduleEntry } from '../../domain/schedule-entry';
import type { ScheduleWrite } from '../../application/ports';
import { iso, updatedCount } from './schedule-rows';

/** Returns how many rows were inserted (a row inserted meanwhile by another writer is not). */
export async function insertEntries(em: EntityManager, writes: readonly ScheduleWrite[]): Promise<number> {
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

export async function updateEntries(em: EntityManager, writes: readonly ScheduleWrite[]): Promise<void> {
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
