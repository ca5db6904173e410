// Set-based SQL over `payment_observations` (an order's timeline, parked results included), run
// inside the caller's transaction.
import type { EntityManager } from 'typeorm';
import type { Attention } from '@app/contracts';
import type { ObservationResult } from '../../domain/order-ledger';
import type {
  ObservedPayment,
  StoredObservation,
  TimelineEntry,
  UnregisteredResult,
} from '../../application/ports';
import { cut, inSlices, MAX_ROWS_PER_STATEMENT, textArray, textParams } from './sql-text';

export async function existingObservationIds(
  em: EntityManager,
  eventIds: readonly string[],
): Promise<Set<string>> {
  const rows: { event_id: string }[] = await em.query(
    `SELECT event_id FROM payment_observations WHERE event_id = ANY($1::text[])`,
    [eventIds],
  );
  return new Set(rows.map((r) => r.event_id));
}

export async function insertObservations(
  em: EntityManager,
  observations: readonly StoredObservation[],
  results: ReadonlyMap<string, ObservationResult>,
): Promise<void> {
  if (observations.length === 0) return;
  if (observations.length > MAX_ROWS_PER_STATEMENT) {
    return inSlices(observations, (slice) => insertObservations(em, slice, results));
  }
  const col = (f: (o: StoredObservation) => string | null | undefined) => textArray(observations.map(f));
  const result = observations.map((o) => results.get(o.eventId)!);
  await em.query(
    `INSERT INTO payment_observations
       (event_id, payment_request_id, client_id, dialect, source, outcome, result_code, result_message, payment_id,
        amount_value, amount_currency, payment_time, raw_body, occurred_at, received_at, effect, status_after, note,
        attention)
     SELECT t.event_id, t.pid, t.client_id, t.dialect, t.source, t.outcome, t.code, t.msg, t.payment_id,
            t.amount_value::numeric, t.amount_currency, t.payment_time::timestamptz, t.raw_body,
            t.occurred_at::timestamptz, now(), t.effect, t.status_after, t.note, t.attention::jsonb
       FROM ROWS FROM (unnest($1::text[]), unnest($2::text[]), unnest($3::text[]), unnest($4::text[]),
                       unnest($5::text[]), unnest($6::text[]), unnest($7::text[]), unnest($8::text[]),
                       unnest($9::text[]), unnest($10::text[]), unnest(ARRAY[${textParams(18, observations.length)}]::text[]),
                       unnest($11::text[]), unnest($12::text[]), unnest($13::text[]), unnest($14::text[]),
                       unnest($15::text[]), unnest($16::text[]), unnest($17::text[]))
            WITH ORDINALITY AS t(event_id, pid, source, outcome, code, msg, payment_id, amount_value, amount_currency,
                                 payment_time, raw_body, occurred_at, effect, status_after, note,
                                 client_id, dialect, attention, ord)
      ORDER BY t.ord
     ON CONFLICT (event_id) DO NOTHING`,
    [
      col((o) => o.eventId),
      col((o) => o.paymentRequestId),
      col((o) => o.source),
      col((o) => o.outcome),
      col((o) => o.resultCode),
      col((o) => o.resultMessage),
      col((o) => o.paymentId),
      col((o) => o.amount?.value),
      col((o) => o.amount?.currency),
      col((o) => o.paymentTime),
      col((o) => o.occurredAt),
      textArray(result.map((r) => r.effect)),
      textArray(result.map((r) => r.statusAfter)),
      textArray(result.map((r) => r.note)),
      col((o) => o.clientId),
      col((o) => o.dialect),
      col((o) => (o.attention ? JSON.stringify(o.attention) : null)),
      ...observations.map((o) => o.rawBody ?? null),
    ],
  );
}

export async function ordersWithStrandedParked(em: EntityManager, limit: number): Promise<string[]> {
  const rows: { id: string }[] = await em.query(
    `SELECT DISTINCT o.payment_request_id AS id
       FROM payment_observations o JOIN payment_orders p ON p.payment_request_id = o.payment_request_id
      WHERE o.effect = 'parked' LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.id);
}

export async function loadParked(em: EntityManager, ids: readonly string[]): Promise<StoredObservation[]> {
  const rows: {
    event_id: string;
    payment_request_id: string;
    client_id: string | null;
    dialect: StoredObservation['dialect'];
    source: StoredObservation['source'];
    outcome: StoredObservation['outcome'];
    result_code: string;
    payment_id: string | null;
    amount_value: string | null;
    amount_currency: string | null;
    payment_time: Date | null;
    attention: Attention | null;
    occurred_at: Date;
  }[] = await em.query(
    `SELECT event_id, payment_request_id, client_id, dialect, source, outcome, result_code, payment_id,
            amount_value::text AS amount_value, amount_currency, payment_time, attention, occurred_at
       FROM payment_observations
      WHERE payment_request_id = ANY($1::text[]) AND effect = 'parked'
      ORDER BY seq`,
    [textArray(ids)],
  );
  return rows.map((r) => ({
    eventId: r.event_id,
    paymentRequestId: r.payment_request_id,
    clientId: r.client_id,
    dialect: r.dialect,
    source: r.source,
    outcome: r.outcome,
    resultCode: r.result_code,
    paymentId: r.payment_id,
    amount:
      r.amount_value && r.amount_currency ? { value: r.amount_value, currency: r.amount_currency } : null,
    paymentTime: r.payment_time?.toISOString() ?? null,
    attention: r.attention,
    occurredAt: r.occurred_at.toISOString(),
  }));
}

export async function updateObservationResults(
  em: EntityManager,
  results: readonly ObservationResult[],
): Promise<void> {
  if (results.length === 0) return;
  await em.query(
    `UPDATE payment_observations o
        SET effect = t.effect, status_after = t.status_after, note = t.note
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(event_id, effect, status_after, note)
      WHERE o.event_id = t.event_id`,
    [
      textArray(results.map((r) => r.eventId)),
      textArray(results.map((r) => r.effect)),
      textArray(results.map((r) => r.statusAfter)),
      textArray(results.map((r) => r.note)),
    ],
  );
}

export async function latestSuccess(
  em: EntityManager,
  paymentRequestId: string,
): Promise<ObservedPayment | undefined> {
  const [row]: {
    payment_id: string | null;
    amount_value: string | null;
    amount_currency: string | null;
    payment_time: Date | null;
  }[] = await em.query(
    `SELECT payment_id, amount_value::text AS amount_value, amount_currency, payment_time
       FROM payment_observations
      WHERE payment_request_id = $1 AND outcome = 'SUCCESS' AND effect <> 'parked'
      ORDER BY seq DESC LIMIT 1`,
    [paymentRequestId],
  );
  if (!row) return undefined;
  return {
    paymentId: row.payment_id,
    amount:
      row.amount_value && row.amount_currency
        ? { value: row.amount_value, currency: row.amount_currency }
        : null,
    paymentTime: row.payment_time?.toISOString() ?? null,
  };
}

export async function insertTimelineEntry(em: EntityManager, e: TimelineEntry): Promise<void> {
  await em.query(
    `INSERT INTO payment_observations (event_id, payment_request_id, client_id, dialect, source, outcome, result_code,
                                       occurred_at, received_at, effect, status_after, note)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now(), $8, $9, $10)
     ON CONFLICT (event_id) DO NOTHING`,
    [
      e.eventId,
      e.paymentRequestId,
      e.clientId,
      e.dialect,
      e.source,
      e.outcome,
      e.resultCode,
      e.effect,
      e.statusAfter,
      cut(e.note, 200),
    ],
  );
}

/** See OrderTransaction.unregisteredResults. */
export async function unregisteredResults(
  em: EntityManager,
  graceMs: number,
  limit: number,
): Promise<UnregisteredResult[]> {
  const rows: UnregisteredResult[] = await em.query(
    `WITH g AS (
       SELECT payment_request_id, min(received_at) AS first_at, max(seq) AS last_seq, count(*)::int AS n
         FROM payment_observations
        WHERE effect = 'parked' AND client_id IS NOT NULL
        GROUP BY payment_request_id
       HAVING min(received_at) < now() - make_interval(secs => $1::double precision)
     )
     SELECT o.payment_request_id AS "paymentRequestId", o.client_id AS "clientId", o.dialect,
            o.event_id AS "eventId", o.source, o.outcome, o.result_code AS "resultCode",
            CASE WHEN o.amount_value IS NULL THEN NULL ELSE o.amount_value::text || ' ' || o.amount_currency END
              AS amount,
            g.n AS count
       FROM g JOIN payment_observations o ON o.seq = g.last_seq AND o.payment_request_id = g.payment_request_id
      WHERE NOT EXISTS (SELECT 1 FROM payment_orders p WHERE p.payment_request_id = g.payment_request_id)
        -- Open already, or a person closed it after the latest result: nothing new to say.
        AND NOT EXISTS (SELECT 1 FROM exceptions e
                         WHERE e.payment_request_id = g.payment_request_id
                           AND (e.resolved_at IS NULL OR e.resolved_at >= o.received_at))
      ORDER BY g.first_at LIMIT $2`,
    [graceMs / 1000, limit],
  );
  return rows;
}
