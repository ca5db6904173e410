import { EntityManager } from 'typeorm';
import { Topics, StatusChangedV1, statusChangedEventId, encodeEvent } from '@app/contracts';
import type {
  AnomalyRecord,
  Observation,
  ObservationResult,
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
});

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
      `SELECT payment_request_id, client_id, order_no, dialect, amount_value::text AS amount_value, amount_currency,
              status, version, payment_expiry_time, result_code, result_source, payment_id
         FROM payment_orders WHERE payment_request_id = ANY($1::text[])
        ORDER BY payment_request_id ${lock ? 'FOR UPDATE' : ''}`,
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
          amount_value, amount_currency, payment_time, raw_body, occurred_at, received_at, effect, status_after, note)
       SELECT t.event_id, t.pid, t.client_id, t.dialect, t.source, t.outcome, t.code, t.msg, t.payment_id,
              t.amount_value::numeric, t.amount_currency, t.payment_time::timestamptz, t.raw_body,
              t.occurred_at::timestamptz, now(), t.effect, t.status_after, t.note
         FROM ROWS FROM (unnest($1::text[]), unnest($2::text[]), unnest($3::text[]), unnest($4::text[]),
                         unnest($5::text[]), unnest($6::text[]), unnest($7::text[]), unnest($8::text[]),
                         unnest($9::text[]), unnest($10::text[]), unnest(ARRAY[${textParams(17, observations.length)}]::text[]),
                         unnest($11::text[]), unnest($12::text[]), unnest($13::text[]), unnest($14::text[]),
                         unnest($15::text[]), unnest($16::text[]))
              WITH ORDINALITY AS t(event_id, pid, source, outcome, code, msg, payment_id, amount_value, amount_currency,
                                   payment_time, raw_body, occurred_at, effect, status_after, note,
                                   client_id, dialect, ord)
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
      occurred_at: Date;
    }[] = await this.em.query(
      `SELECT event_id, payment_request_id, client_id, dialect, source, outcome, result_code, payment_id,
              amount_value::text AS amount_value, amount_currency, occurred_at
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
              payment_id = t.payment_id, updated_at = now(),
              final_at = CASE WHEN t.status IN ('success', 'fail', 'cancelled') THEN now() ELSE NULL END
         FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[])
              AS t(pid, status, version, result_code, result_source, payment_id)
        WHERE o.payment_request_id = t.pid`,
      [
        orders.map((o) => o.paymentRequestId),
        orders.map((o) => o.status),
        orders.map((o) => o.version),
        orders.map((o) => o.resultCode),
        orders.map((o) => o.resultSource),
        orders.map((o) => o.paymentId),
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
    if (changes.length === 0) return;
    if (changes.length > MAX_ROWS_PER_STATEMENT) {
      for (let i = 0; i < changes.length; i += MAX_ROWS_PER_STATEMENT) {
        await this.insertOutbox(changes.slice(i, i + MAX_ROWS_PER_STATEMENT));
      }
      return;
    }
    await this.em.query(
      `INSERT INTO outbox (event_id, topic, message_key, payload, created_at)
       SELECT t.event_id, $1, t.message_key, t.payload, now()
         FROM ROWS FROM (unnest($2::text[]), unnest($3::text[]), unnest(ARRAY[${textParams(4, changes.length)}]::text[]))
              WITH ORDINALITY AS t(event_id, message_key, payload, ord)
        ORDER BY t.ord`,
      [
        Topics.statusChanged,
        changes.map((c) => c.eventId),
        changes.map((c) => c.paymentRequestId),
        ...changes.map((c) => encodeEvent(Topics.statusChanged, c)),
      ],
    );
    // Wakes the relay at commit; it also polls, so a lost notification only delays.
    await this.em.query(`SELECT pg_notify('payments_outbox', '')`);
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

export const transitionToEvent = (t: Transition): StatusChangedV1 =>
  statusChangedFor(t.order, t.from, t.cause.source, t.cause.eventId);
