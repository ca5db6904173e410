// Set-based SQL over `payment_orders` and `anomalies`: each call is one statement whatever the batch
// size (arrays passed through `unnest`), run inside the caller's transaction.
import type { EntityManager } from 'typeorm';
import type { Dialect, ExceptionReason } from '@app/contracts';
import type { AnomalyRecord, OrderSnapshot } from '../../domain/order-ledger';
import { scalarArray, textArray } from './sql-text';

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

/** With `lock`, rows are locked in key order, so that two transactions never wait in a cycle. */
export async function loadOrders(
  em: EntityManager,
  ids: readonly string[],
  lock = false,
): Promise<Map<string, OrderSnapshot>> {
  const rows: OrderRow[] = await em.query(
    `SELECT p.payment_request_id, p.client_id, p.order_no, p.dialect, p.amount_value::text AS amount_value,
            p.amount_currency, p.status, p.version, p.payment_expiry_time, p.result_code, p.result_source,
            p.payment_id, p.cancel_refused, e.reason AS exception_reason,
            e.client_id AS exception_client_id, e.dialect AS exception_dialect
       FROM payment_orders p
       LEFT JOIN exceptions e ON e.payment_request_id = p.payment_request_id AND e.resolved_at IS NULL
      WHERE p.payment_request_id = ANY($1::text[])
      ORDER BY p.payment_request_id ${lock ? 'FOR UPDATE OF p' : ''}`,
    [textArray(ids)],
  );
  return new Map(rows.map((r) => [r.payment_request_id, toSnapshot(r)]));
}

export async function updateOrders(em: EntityManager, orders: readonly OrderSnapshot[]): Promise<void> {
  if (orders.length === 0) return;
  await em.query(
    `UPDATE payment_orders o
        SET status = t.status, version = t.version, result_code = t.result_code, result_source = t.result_source,
            payment_id = t.payment_id, cancel_refused = t.cancel_refused, updated_at = now(),
            final_at = CASE WHEN t.status NOT IN ('success', 'fail', 'cancelled') THEN NULL
                            WHEN t.status = o.status THEN o.final_at ELSE now() END
       FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::boolean[])
            AS t(pid, status, version, result_code, result_source, payment_id, cancel_refused)
      WHERE o.payment_request_id = t.pid`,
    [
      textArray(orders.map((o) => o.paymentRequestId)),
      textArray(orders.map((o) => o.status)),
      scalarArray(orders.map((o) => o.version)),
      textArray(orders.map((o) => o.resultCode)),
      textArray(orders.map((o) => o.resultSource)),
      textArray(orders.map((o) => o.paymentId)),
      scalarArray(orders.map((o) => o.cancelRefused)),
    ],
  );
}

/** Inserts new orders; returns the ids that were new (the others were registered before). */
export async function insertOrders(
  em: EntityManager,
  orders: readonly OrderSnapshot[],
): Promise<Set<string>> {
  if (orders.length === 0) return new Set();
  const rows: { payment_request_id: string }[] = await em.query(
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

/** See OrderTransaction.stuckOrders. */
export async function stuckOrders(em: EntityManager, afterMs: number, limit: number): Promise<string[]> {
  const rows: { payment_request_id: string }[] = await em.query(
    `SELECT p.payment_request_id FROM payment_orders p
      WHERE p.status IN ('init', 'cancelling')
        AND p.payment_expiry_time < now() - make_interval(secs => $1::double precision)
        AND NOT EXISTS (SELECT 1 FROM exceptions e
                         WHERE e.payment_request_id = p.payment_request_id
                           AND (e.resolved_at IS NULL
                                OR e.resolved_at > now() - make_interval(secs => $1::double precision)))
      ORDER BY p.payment_expiry_time LIMIT $2`,
    [afterMs / 1000, limit],
  );
  return rows.map((r) => r.payment_request_id);
}

export async function insertAnomalies(em: EntityManager, anomalies: readonly AnomalyRecord[]): Promise<void> {
  if (anomalies.length === 0) return;
  await em.query(
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
