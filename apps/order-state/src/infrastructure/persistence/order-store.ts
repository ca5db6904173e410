import { EntityManager } from 'typeorm';
import {
  Topics,
  StatusChangedV1,
  statusChangedEventId,
  encodeEvent,
  ExceptionEventV1,
  ExceptionReason,
  ExceptionResolution,
  TopicName,
} from '@app/contracts';
import type { Amount, Attention, Dialect, OrderStatus } from '@app/contracts';
import type {
  AnomalyRecord,
  ExceptionAction,
  ExceptionEvidence,
  Observation,
  ObservationResult,
  OpenException,
  OrderSnapshot,
  Transition,
} from '../../domain/order-ledger';

export interface StoredObservation extends Observation {
  resultMessage?: string | null;
  paymentTime?: string | null;
  rawBody?: string | null;
  occurredAt: string;
}

interface OrderRow {
  payment_request_id: string;
  client_id: string;
  order_no: string;
  dialect: OrderSnapshot['dialect'];
  amount_value: string;
  amount_currency: string;
  status: OrderSnapshot['status'];
  version: number;
  payment_expiry_time: Date;
  result_code: string | null;
  result_source: string | null;
  payment_id: string | null;
  cancel_refused: boolean;
  exception_reason: ExceptionReason | null;
  exception_client_id: string | null;
  exception_dialect: Dialect | null;
}

const toSnapshot = (r: OrderRow): OrderSnapshot => ({
  paymentRequestId: r.payment_request_id,
  clientId: r.client_id,
  orderNo: r.order_no,
  dialect: r.dialect,
  amount: { value: r.amount_value, currency: r.amount_currency },
  status: r.status,
  version: r.version,
  paymentExpiryTime: r.payment_expiry_time.toISOString(),
  resultCode: r.result_code,
  resultSource: r.result_source,
  paymentId: r.payment_id,
  cancelRefused: r.cancel_refused,
  openException: r.exception_reason
    ? { reason: r.exception_reason, clientId: r.exception_client_id!, dialect: r.exception_dialect! }
    : null,
});

/** An exception row as the store reads it back to publish its event. */
export interface ExceptionRow {
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

const EXCEPTION_RETURNING = `id::text AS id, payment_request_id, client_id, dialect, reason, detail, opened_at,
  resolved_at, resolved_by, resolution, resolution_note, version`;

/** The contract's text limits (ExceptionEventV1): longer values are cut, never refused. */
const cut = (s: string | null | undefined, max: number): string | null =>
  s == null ? null : s.length > max ? s.slice(0, max - 1) + '…' : s;

/** One event per change of an exception row: the id is derived from (exception, version). */
export function exceptionEventFor(
  row: ExceptionRow,
  orderStatus: OrderStatus | null,
  reinquire?: { by: string; note: string | null },
): ExceptionEventV1 {
  const type = row.resolved_at ? 'resolved' : row.version === 1 ? 'opened' : 'updated';
  return {
    eventId: `exception:${row.id}:${row.version}`,
    schemaVersion: 1,
    occurredAt: new Date().toISOString(),
    clientId: row.client_id,
    paymentRequestId: row.payment_request_id,
    dialect: row.dialect,
    exceptionId: row.id,
    type,
    reason: row.reason,
    detail: row.detail,
    openedAt: row.opened_at.toISOString(),
    resolvedAt: row.resolved_at?.toISOString() ?? null,
    resolvedBy: reinquire?.by ?? row.resolved_by,
    resolution: reinquire ? 'reinquire' : row.resolution,
    note: reinquire ? reinquire.note : row.resolution_note,
    orderStatus,
  };
}

/**
 * Long text values (raw bodies, outbox payloads) go one bind parameter each, gathered with
 * `ARRAY[$n, …]`: node-postgres then writes each string as is, and PostgreSQL takes each as a datum,
 * where a `text[]` literal costs an escaping pass in JavaScript and a parsing pass in the server.
 * The protocol allows 65,535 parameters per statement, so larger batches are split.
 */
const MAX_ROWS_PER_STATEMENT = 20_000;
const textParams = (first: number, n: number) =>
  Array.from({ length: n }, (_, i) => `$${first + i}`).join(',');

/**
 * Set-based SQL for order-state's tables: each call is one statement whatever the batch size
 * (arrays passed through `unnest`). Every method runs inside the caller's transaction.
 */
export class OrderStore {
  constructor(private readonly em: EntityManager) {}

  /**
   * Loads orders; with `lock`, row-locks them until the transaction ends, in key order so that two
   * transactions never wait on each other in a cycle. Every writer of an existing order takes this
   * lock (the batch consumer, the parked sweeper), which serialises all changes to one order.
   */
  async loadOrders(ids: string[], lock = false): Promise<Map<string, OrderSnapshot>> {
    const rows: OrderRow[] = await this.em.query(
      `SELECT p.payment_request_id, p.client_id, p.order_no, p.dialect, p.amount_value::text AS amount_value,
              p.amount_currency, p.status, p.version, p.payment_expiry_time, p.result_code, p.result_source,
              p.payment_id, p.cancel_refused, e.reason AS exception_reason,
              e.client_id AS exception_client_id, e.dialect AS exception_dialect
         FROM payment_orders p
         LEFT JOIN exceptions e ON e.payment_request_id = p.payment_request_id AND e.resolved_at IS NULL
        WHERE p.payment_request_id = ANY($1::text[])
        ORDER BY p.payment_request_id ${lock ? 'FOR UPDATE OF p' : ''}`,
      [ids],
    );
    return new Map(rows.map((r) => [r.payment_request_id, toSnapshot(r)]));
  }

  async existingObservationIds(eventIds: string[]): Promise<Set<string>> {
    const rows: { event_id: string }[] = await this.em.query(
      `SELECT event_id FROM payment_observations WHERE event_id = ANY($1::text[])`,
      [eventIds],
    );
    return new Set(rows.map((r) => r.event_id));
  }

  async insertObservations(
    observations: StoredObservation[],
    results: Map<string, ObservationResult>,
  ): Promise<void> {
    if (observations.length === 0) return;
    if (observations.length > MAX_ROWS_PER_STATEMENT) {
      for (let i = 0; i < observations.length; i += MAX_ROWS_PER_STATEMENT) {
        await this.insertObservations(observations.slice(i, i + MAX_ROWS_PER_STATEMENT), results);
      }
      return;
    }
    const col = <T>(f: (o: StoredObservation) => T) => observations.map(f);
    await this.em.query(
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
        col((o) => o.resultMessage ?? null),
        col((o) => o.paymentId ?? null),
        col((o) => o.amount?.value ?? null),
        col((o) => o.amount?.currency ?? null),
        col((o) => o.paymentTime ?? null),
        col((o) => o.occurredAt),
        col((o) => results.get(o.eventId)!.effect),
        col((o) => results.get(o.eventId)!.statusAfter),
        col((o) => results.get(o.eventId)!.note),
        col((o) => o.clientId),
        col((o) => o.dialect),
        col((o) => (o.attention ? JSON.stringify(o.attention) : null)),
        ...col((o) => o.rawBody ?? null),
      ],
    );
  }

  /**
   * Orders that exist but still have parked observations: a result parked by a transaction that
   * committed after the registration looked for parked results (the two ran concurrently).
   */
  async ordersWithStrandedParked(limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.em.query(
      `SELECT DISTINCT o.payment_request_id AS id
         FROM payment_observations o JOIN payment_orders p ON p.payment_request_id = o.payment_request_id
        WHERE o.effect = 'parked' LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  /** Parked observations of these orders, in arrival order. */
  async loadParked(ids: string[]): Promise<StoredObservation[]> {
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
    }[] = await this.em.query(
      `SELECT event_id, payment_request_id, client_id, dialect, source, outcome, result_code, payment_id,
              amount_value::text AS amount_value, amount_currency, payment_time, attention, occurred_at
         FROM payment_observations
        WHERE payment_request_id = ANY($1::text[]) AND effect = 'parked'
        ORDER BY seq`,
      [ids],
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

  async updateObservationResults(results: ObservationResult[]): Promise<void> {
    if (results.length === 0) return;
    await this.em.query(
      `UPDATE payment_observations o
          SET effect = t.effect, status_after = t.status_after, note = t.note
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(event_id, effect, status_after, note)
        WHERE o.event_id = t.event_id`,
      [
        results.map((r) => r.eventId),
        results.map((r) => r.effect),
        results.map((r) => r.statusAfter),
        results.map((r) => r.note),
      ],
    );
  }

  async updateOrders(orders: OrderSnapshot[]): Promise<void> {
    if (orders.length === 0) return;
    await this.em.query(
      `UPDATE payment_orders o
          SET status = t.status, version = t.version, result_code = t.result_code, result_source = t.result_source,
              payment_id = t.payment_id, cancel_refused = t.cancel_refused, updated_at = now(),
              final_at = CASE WHEN t.status NOT IN ('success', 'fail', 'cancelled') THEN NULL
                              WHEN t.status = o.status THEN o.final_at ELSE now() END
         FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::boolean[])
              AS t(pid, status, version, result_code, result_source, payment_id, cancel_refused)
        WHERE o.payment_request_id = t.pid`,
      [
        orders.map((o) => o.paymentRequestId),
        orders.map((o) => o.status),
        orders.map((o) => o.version),
        orders.map((o) => o.resultCode),
        orders.map((o) => o.resultSource),
        orders.map((o) => o.paymentId),
        orders.map((o) => o.cancelRefused),
      ],
    );
  }

  /** Inserts new orders; returns the ids that were new (the others were registered before). */
  async insertOrders(orders: OrderSnapshot[]): Promise<Set<string>> {
    if (orders.length === 0) return new Set();
    const rows: { payment_request_id: string }[] = await this.em.query(
      `INSERT INTO payment_orders (payment_request_id, client_id, order_no, dialect, amount_value, amount_currency,
                                   status, version, payment_expiry_time, registered_at, updated_at)
       SELECT t.pid, t.client_id, t.order_no, t.dialect, t.amount_value::numeric, t.currency, 'init', 1,
              t.expiry::timestamptz, now(), now()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
              AS t(pid, client_id, order_no, dialect, amount_value, currency, expiry)
       ON CONFLICT (payment_request_id) DO NOTHING
       RETURNING payment_request_id`,
      [
        orders.map((o) => o.paymentRequestId),
        orders.map((o) => o.clientId),
        orders.map((o) => o.orderNo),
        orders.map((o) => o.dialect),
        orders.map((o) => o.amount.value),
        orders.map((o) => o.amount.currency),
        orders.map((o) => o.paymentExpiryTime),
      ],
    );
    return new Set(rows.map((r) => r.payment_request_id));
  }

  async insertAnomalies(anomalies: AnomalyRecord[]): Promise<void> {
    if (anomalies.length === 0) return;
    await this.em.query(
      `INSERT INTO anomalies (payment_request_id, kind, event_id, detail, created_at)
       SELECT t.pid, t.kind, t.event_id, t.detail::jsonb, now()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(pid, kind, event_id, detail)
       ON CONFLICT (event_id, kind) DO NOTHING`,
      [
        anomalies.map((a) => a.paymentRequestId),
        anomalies.map((a) => a.kind),
        anomalies.map((a) => a.eventId),
        anomalies.map((a) => JSON.stringify(a.detail)),
      ],
    );
  }

  /**
   * One outbox row per change, in the same transaction as the change (design.md §4). The event id is
   * derived from (order, version), so a relay that publishes a row twice publishes the same event.
   */
  async insertOutbox(changes: StatusChangedV1[]): Promise<void> {
    await this.insertOutboxRows(Topics.statusChanged, changes);
  }

  /** Exception events (issue 11), through the same outbox: ids derived from (exception, version). */
  async insertExceptionEvents(events: ExceptionEventV1[]): Promise<void> {
    await this.insertOutboxRows(Topics.exceptions, events);
  }

  private async insertOutboxRows<T extends typeof Topics.statusChanged | typeof Topics.exceptions>(
    topic: T,
    events: (T extends typeof Topics.statusChanged ? StatusChangedV1 : ExceptionEventV1)[],
  ): Promise<void> {
    if (events.length === 0) return;
    if (events.length > MAX_ROWS_PER_STATEMENT) {
      for (let i = 0; i < events.length; i += MAX_ROWS_PER_STATEMENT) {
        await this.insertOutboxRows(topic, events.slice(i, i + MAX_ROWS_PER_STATEMENT));
      }
      return;
    }
    await this.em.query(
      `INSERT INTO outbox (event_id, topic, message_key, payload, created_at)
       SELECT t.event_id, $1, t.message_key, t.payload, now()
         FROM ROWS FROM (unnest($2::text[]), unnest($3::text[]), unnest(ARRAY[${textParams(4, events.length)}]::text[]))
              WITH ORDINALITY AS t(event_id, message_key, payload, ord)
        ORDER BY t.ord`,
      [
        topic,
        events.map((c) => c.eventId),
        events.map((c) => c.paymentRequestId),
        ...events.map((c) => encodeEvent(topic as TopicName, c as never)),
      ],
    );
    // Wakes the relay at commit; it also polls, so a lost notification only delays.
    await this.em.query(`SELECT pg_notify('payments_outbox', '')`);
  }

  /**
   * Writes the ledger's exception changes in their order, each with its event. A raise is an upsert on
   * the one-open-per-order index: it opens the order's exception or updates the open one (reason,
   * detail, evidence), so a second cause never opens a second exception.
   */
  async applyExceptionActions(actions: ExceptionAction[]): Promise<void> {
    const events: ExceptionEventV1[] = [];
    for (const a of actions) {
      const row =
        a.kind === 'raise'
          ? await this.raiseException(a)
          : await this.resolveOpenException(a.paymentRequestId, 'auto', 'order-state', a.note, a.evidence);
      if (row) events.push(exceptionEventFor(row, a.orderStatus));
    }
    await this.insertExceptionEvents(events);
  }

  async raiseException(a: {
    paymentRequestId: string;
    clientId: string;
    dialect: Dialect;
    reason: ExceptionReason;
    detail: string;
    evidence: ExceptionEvidence;
  }): Promise<ExceptionRow> {
    const [row]: ExceptionRow[] = await this.em.query(
      `INSERT INTO exceptions (payment_request_id, client_id, dialect, reason, detail, opened_at, last_evidence,
                               last_evidence_at, version)
       VALUES ($1, $2, $3, $4, $5, now(), $6::jsonb, now(), 1)
       ON CONFLICT (payment_request_id) WHERE resolved_at IS NULL
       DO UPDATE SET client_id = EXCLUDED.client_id, dialect = EXCLUDED.dialect, reason = EXCLUDED.reason,
                     detail = EXCLUDED.detail, last_evidence = EXCLUDED.last_evidence,
                     last_evidence_at = now(), version = exceptions.version + 1
       RETURNING ${EXCEPTION_RETURNING}`,
      [
        a.paymentRequestId,
        a.clientId,
        a.dialect,
        a.reason,
        cut(a.detail, 500),
        JSON.stringify({ ...a.evidence, note: cut(a.evidence.note, 500) }),
      ],
    );
    return row;
  }

  /** Closes the order's open exception; undefined when it has none. */
  async resolveOpenException(
    paymentRequestId: string,
    resolution: Exclude<ExceptionResolution, 'reinquire'>,
    by: string,
    note: string | null,
    evidence?: ExceptionEvidence,
  ): Promise<ExceptionRow | undefined> {
    const rows: [ExceptionRow[], number] = await this.em.query(
      `UPDATE exceptions
          SET resolved_at = now(), resolved_by = $2, resolution = $3, resolution_note = $4, version = version + 1,
              last_evidence = COALESCE($5::jsonb, last_evidence),
              last_evidence_at = CASE WHEN $5::jsonb IS NULL THEN last_evidence_at ELSE now() END
        WHERE payment_request_id = $1 AND resolved_at IS NULL
       RETURNING ${EXCEPTION_RETURNING}`,
      [
        paymentRequestId,
        cut(by, 100),
        resolution,
        cut(note, 500),
        evidence ? JSON.stringify(evidence) : null,
      ],
    );
    return rows[0][0];
  }

  /** A re-inquiry asked by a person: the exception stays open, its version counts the event. */
  async touchException(id: string): Promise<ExceptionRow> {
    const rows: [ExceptionRow[], number] = await this.em.query(
      `UPDATE exceptions SET version = version + 1 WHERE id = $1::bigint RETURNING ${EXCEPTION_RETURNING}`,
      [id],
    );
    return rows[0][0];
  }

  /** Loads one exception, row-locked until the transaction ends. */
  async lockException(id: string): Promise<ExceptionRow | undefined> {
    const [row]: ExceptionRow[] = await this.em.query(
      `SELECT ${EXCEPTION_RETURNING} FROM exceptions WHERE id = $1::bigint FOR UPDATE`,
      [id],
    );
    return row;
  }

  /** Open exceptions of these orders, by paymentRequestId. */
  async openExceptions(ids: string[]): Promise<Map<string, OpenException>> {
    if (ids.length === 0) return new Map();
    const rows: {
      payment_request_id: string;
      reason: ExceptionReason;
      client_id: string;
      dialect: Dialect;
    }[] = await this.em.query(
      `SELECT payment_request_id, reason, client_id, dialect FROM exceptions
          WHERE payment_request_id = ANY($1::text[]) AND resolved_at IS NULL`,
      [ids],
    );
    return new Map(
      rows.map((r) => [
        r.payment_request_id,
        { reason: r.reason, clientId: r.client_id, dialect: r.dialect },
      ]),
    );
  }

  /** The partner's latest SUCCESS for this order, as observed (what a person accepts). */
  async latestSuccess(
    paymentRequestId: string,
  ): Promise<{ paymentId: string | null; amount: Amount | null; paymentTime: string | null } | undefined> {
    const [row]: {
      payment_id: string | null;
      amount_value: string | null;
      amount_currency: string | null;
      payment_time: Date | null;
    }[] = await this.em.query(
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

  /** A line in an order's timeline that no partner wrote (a person's resolution, issue 11). */
  async insertTimelineEntry(e: {
    eventId: string;
    paymentRequestId: string;
    clientId: string;
    dialect: Dialect;
    source: string;
    outcome: string;
    resultCode: string;
    effect: string;
    statusAfter: OrderStatus | null;
    note: string;
  }): Promise<void> {
    await this.em.query(
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
}

export function statusChangedFor(
  order: OrderSnapshot,
  from: StatusChangedV1['from'],
  source: StatusChangedV1['source'],
  causeEventId: string | null,
): StatusChangedV1 {
  return {
    eventId: statusChangedEventId(order.paymentRequestId, order.version),
    schemaVersion: 1,
    occurredAt: new Date().toISOString(),
    clientId: order.clientId,
    paymentRequestId: order.paymentRequestId,
    orderNo: order.orderNo,
    dialect: order.dialect,
    from,
    to: order.status,
    source,
    resultCode: order.resultCode,
    amount: order.amount,
    paymentExpiryTime: order.paymentExpiryTime,
    version: order.version,
    causeEventId,
  };
}

/**
 * The additive fields (issue 11) come from the observation that caused the change; the payment id is
 * the order's, which keeps the first one a result named.
 */
export const transitionToEvent = (t: Transition): StatusChangedV1 => ({
  ...statusChangedFor(t.order, t.from, t.cause.source, t.cause.eventId),
  ...(t.order.paymentId ? { paymentId: t.order.paymentId } : {}),
  ...(t.cause.paymentTime ? { paymentTime: t.cause.paymentTime } : {}),
  ...(t.cause.amount ? { reportedAmount: t.cause.amount } : {}),
});
