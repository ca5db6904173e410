// SQL over `exceptions` (issue 11): at most one open exception per order, each change counted in
// `version` (change n is published as event `exception:<id>:<n>`). Runs inside the caller's transaction.
import type { EntityManager } from 'typeorm';
import type { Dialect, ExceptionReason, ExceptionResolution } from '@app/contracts';
import type { ExceptionEvidence, OpenException } from '../../domain/order-ledger';
import type { ExceptionRaise, ExceptionRecord } from '../../application/ports';
import { cut } from './sql-text';

/** One sweeper round at a time across replicas (transaction-level: released at commit). */
const EXCEPTION_SWEEP_LOCK = 0x0a51_0003;

interface ExceptionRow {
  id: string;
  payment_request_id: string;
  client_id: string;
  dialect: Dialect;
  reason: ExceptionReason;
  detail: string;
  opened_at: Date;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution: Exclude<ExceptionResolution, 'reinquire'> | null;
  resolution_note: string | null;
  version: number;
}

const RETURNING = `id::text AS id, payment_request_id, client_id, dialect, reason, detail, opened_at,
  resolved_at, resolved_by, resolution, resolution_note, version`;

const toRecord = (r: ExceptionRow): ExceptionRecord => ({
  id: r.id,
  paymentRequestId: r.payment_request_id,
  clientId: r.client_id,
  dialect: r.dialect,
  reason: r.reason,
  detail: r.detail,
  openedAt: r.opened_at.toISOString(),
  resolvedAt: r.resolved_at?.toISOString() ?? null,
  resolvedBy: r.resolved_by,
  resolution: r.resolution,
  resolutionNote: r.resolution_note,
  version: r.version,
});

/** An upsert on the one-open-per-order index: opens the order's exception or updates the open one. */
export async function raiseException(em: EntityManager, a: ExceptionRaise): Promise<ExceptionRecord> {
  const [row]: ExceptionRow[] = await em.query(
    `INSERT INTO exceptions (payment_request_id, client_id, dialect, reason, detail, opened_at, last_evidence,
                             last_evidence_at, version)
     VALUES ($1, $2, $3, $4, $5, now(), $6::jsonb, now(), 1)
     ON CONFLICT (payment_request_id) WHERE resolved_at IS NULL
     DO UPDATE SET client_id = EXCLUDED.client_id, dialect = EXCLUDED.dialect, reason = EXCLUDED.reason,
                   detail = EXCLUDED.detail, last_evidence = EXCLUDED.last_evidence,
                   last_evidence_at = now(), version = exceptions.version + 1
     RETURNING ${RETURNING}`,
    [
      a.paymentRequestId,
      a.clientId,
      a.dialect,
      a.reason,
      cut(a.detail, 500),
      JSON.stringify({ ...a.evidence, note: cut(a.evidence.note, 500) }),
    ],
  );
  return toRecord(row);
}

export async function resolveOpenException(
  em: EntityManager,
  paymentRequestId: string,
  resolution: Exclude<ExceptionResolution, 'reinquire'>,
  by: string,
  note: string | null,
  evidence?: ExceptionEvidence,
): Promise<ExceptionRecord | undefined> {
  const rows: [ExceptionRow[], number] = await em.query(
    `UPDATE exceptions
        SET resolved_at = now(), resolved_by = $2, resolution = $3, resolution_note = $4, version = version + 1,
            last_evidence = COALESCE($5::jsonb, last_evidence),
            last_evidence_at = CASE WHEN $5::jsonb IS NULL THEN last_evidence_at ELSE now() END
      WHERE payment_request_id = $1 AND resolved_at IS NULL
     RETURNING ${RETURNING}`,
    [paymentRequestId, cut(by, 100), resolution, cut(note, 500), evidence ? JSON.stringify(evidence) : null],
  );
  const row = rows[0][0];
  return row ? toRecord(row) : undefined;
}

export async function touchException(em: EntityManager, id: string): Promise<ExceptionRecord> {
  const rows: [ExceptionRow[], number] = await em.query(
    `UPDATE exceptions SET version = version + 1 WHERE id = $1::bigint RETURNING ${RETURNING}`,
    [id],
  );
  return toRecord(rows[0][0]);
}

export async function lockException(em: EntityManager, id: string): Promise<ExceptionRecord | undefined> {
  const [row]: ExceptionRow[] = await em.query(
    `SELECT ${RETURNING} FROM exceptions WHERE id = $1::bigint FOR UPDATE`,
    [id],
  );
  return row ? toRecord(row) : undefined;
}

export async function exceptionOrderId(em: EntityManager, id: string): Promise<string | undefined> {
  const [row]: { payment_request_id: string }[] = await em.query(
    `SELECT payment_request_id FROM exceptions WHERE id = $1::bigint`,
    [id],
  );
  return row?.payment_request_id;
}

export async function openExceptions(
  em: EntityManager,
  ids: readonly string[],
): Promise<Map<string, OpenException>> {
  if (ids.length === 0) return new Map();
  const rows: { payment_request_id: string; reason: ExceptionReason; client_id: string; dialect: Dialect }[] =
    await em.query(
      `SELECT payment_request_id, reason, client_id, dialect FROM exceptions
        WHERE payment_request_id = ANY($1::text[]) AND resolved_at IS NULL`,
      [ids],
    );
  return new Map(
    rows.map((r) => [r.payment_request_id, { reason: r.reason, clientId: r.client_id, dialect: r.dialect }]),
  );
}

export async function tryLockExceptionSweep(em: EntityManager): Promise<boolean> {
  const [{ locked }]: { locked: boolean }[] = await em.query(
    'SELECT pg_try_advisory_xact_lock($1) AS locked',
    [EXCEPTION_SWEEP_LOCK],
  );
  return locked;
}

/** See OrderTransaction.settledUnregisteredResults. */
export async function settledUnregisteredResults(em: EntityManager, limit: number): Promise<string[]> {
  const rows: { payment_request_id: string }[] = await em.query(
    `SELECT e.payment_request_id FROM exceptions e
       JOIN payment_orders p ON p.payment_request_id = e.payment_request_id
      WHERE e.resolved_at IS NULL AND e.reason = 'UNREGISTERED_RESULT'
        -- A result of another partner under this id stays for a person (see the ledger).
        AND e.client_id = p.client_id AND e.dialect = p.dialect
        AND NOT EXISTS (SELECT 1 FROM payment_observations o
                         WHERE o.payment_request_id = e.payment_request_id AND o.effect = 'parked')
      LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.payment_request_id);
}
