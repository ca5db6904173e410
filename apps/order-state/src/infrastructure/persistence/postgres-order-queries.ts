import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  AnomalyView,
  ExceptionListFilter,
  ExceptionView,
  OrderCursor,
  OrderDetail,
  OrderListFilter,
  OrderQueries,
  OrderSummary,
  OrderView,
} from '../../application/order-queries';

/** The read side in PostgreSQL: plain SQL over the tables the use cases write; never writes. */
@Injectable()
export class PostgresOrderQueries extends OrderQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  /** Throws when the database does not answer. */
  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  async getOrder(paymentRequestId: string): Promise<OrderDetail | null> {
    const [order] = await this.dataSource.query(`${ORDER_SELECT} WHERE payment_request_id = $1`, [
      paymentRequestId,
    ]);
    if (!order) return null;
    const timeline = await this.dataSource.query(
      `SELECT event_id AS "eventId", source, outcome, result_code AS "resultCode", result_message AS "resultMessage",
              payment_id AS "paymentId",
              CASE WHEN amount_value IS NULL THEN NULL
                   ELSE json_build_object('value', amount_value::text, 'currency', amount_currency) END AS amount,
              payment_time AS "paymentTime", effect, status_after AS "statusAfter", note,
              occurred_at AS "occurredAt", received_at AS "receivedAt", raw_body AS "rawBody"
         FROM payment_observations WHERE payment_request_id = $1 ORDER BY seq`,
      [paymentRequestId],
    );
    // Its exceptions, newest first: the open one (if any) and the history of resolved ones.
    const exceptions = await this.dataSource.query(
      `${EXCEPTION_SELECT} WHERE e.payment_request_id = $1 ORDER BY e.id DESC`,
      [paymentRequestId],
    );
    return { ...order, timeline, exceptions };
  }

  /** Per status: how many orders, and when the oldest was registered. */
  async summary(): Promise<OrderSummary> {
    const rows = (await this.dataSource.query(
      `SELECT status, count(*)::int AS count, min(registered_at) AS "oldestAt" FROM payment_orders GROUP BY status`,
    )) as { status: string; count: number; oldestAt: Date | null }[];
    const [stuck] = (await this.dataSource.query(
      `SELECT count(*)::int AS n FROM payment_orders
        WHERE status IN ('init', 'cancelling') AND payment_expiry_time < now()`,
    )) as { n: number }[];
    const order = ['init', 'cancelling', 'success', 'fail', 'cancelled'];
    return {
      byStatus: order.map((status) => {
        const row = rows.find((r) => r.status === status);
        return {
          status,
          count: row?.count ?? 0,
          oldestAt: row?.oldestAt ? new Date(row.oldestAt).toISOString() : null,
        };
      }),
      stuck: stuck.n,
    };
  }

  /** The order's open exception, if any. */
  async openExceptionOf(paymentRequestId: string): Promise<{ id: string } | null> {
    const [row] = (await this.dataSource.query(
      `SELECT id::text AS id FROM exceptions WHERE payment_request_id = $1 AND resolved_at IS NULL`,
      [paymentRequestId],
    )) as { id: string }[];
    return row ?? null;
  }

  async getException(id: string): Promise<ExceptionView | null> {
    const [row] = await this.dataSource.query(`${EXCEPTION_SELECT} WHERE e.id = $1::bigint`, [id]);
    return row ?? null;
  }

  /** Oldest first, by id. */
  async listExceptions(filter: ExceptionListFilter): Promise<ExceptionView[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (filter.reason?.length) add((p) => `e.reason = ANY(${p}::text[])`, filter.reason);
    if (filter.clientId !== undefined) add((p) => `e.client_id = ${p}`, filter.clientId);
    if (filter.dialect !== undefined) add((p) => `e.dialect = ${p}`, filter.dialect);
    if (filter.olderThanSeconds !== undefined) {
      add((p) => `e.opened_at <= now() - make_interval(secs => ${p})`, filter.olderThanSeconds);
    }
    if (filter.open !== undefined) where.push(`e.resolved_at IS ${filter.open ? '' : 'NOT '}NULL`);
    if (filter.after !== undefined) add((p) => `e.id > ${p}::bigint`, filter.after);
    params.push(filter.limit);
    return this.dataSource.query(
      `${EXCEPTION_SELECT} ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
        ORDER BY e.id LIMIT $${params.length}`,
      params,
    );
  }

  async listOrders(filter: OrderListFilter): Promise<{ rows: OrderView[]; last: OrderCursor | undefined }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status?.length) {
      params.push(filter.status);
      where.push(`status = ANY($${params.length}::text[])`);
    }
    if (filter.olderThanSeconds !== undefined) {
      params.push(filter.olderThanSeconds);
      where.push(`registered_at <= now() - make_interval(secs => $${params.length})`);
    }
    if (filter.stuck) where.push(`status IN ('init', 'cancelling') AND payment_expiry_time < now()`);
    if (filter.after) {
      params.push(filter.after.registeredAt, filter.after.paymentRequestId);
      where.push(
        `(registered_at, payment_request_id) > ($${params.length - 1}::timestamptz, $${params.length})`,
      );
    }
    params.push(filter.limit);
    const rows: (OrderView & { cursorAt: string })[] = await this.dataSource.query(
      `${ORDER_COLUMNS}, (registered_at AT TIME ZONE 'UTC')::text || '+00' AS "cursorAt" FROM payment_orders
          ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
          ORDER BY registered_at, payment_request_id LIMIT $${params.length}`,
      params,
    );
    const last = rows.at(-1);
    return {
      rows: rows.map(({ cursorAt: _cursor, ...order }) => order),
      last: last ? { registeredAt: last.cursorAt, paymentRequestId: last.paymentRequestId } : undefined,
    };
  }

  async listAnomalies(limit: number, paymentRequestId?: string, beforeId?: string): Promise<AnomalyView[]> {
    const where: string[] = [];
    const params: unknown[] = [limit];
    if (paymentRequestId) {
      params.push(paymentRequestId);
      where.push(`payment_request_id = $${params.length}`);
    }
    if (beforeId) {
      params.push(beforeId);
      where.push(`id < $${params.length}::bigint`);
    }
    return this.dataSource.query(
      `SELECT id::text AS id, payment_request_id AS "paymentRequestId", kind, event_id AS "eventId", detail,
              created_at AS "createdAt"
         FROM anomalies ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
        ORDER BY id DESC LIMIT $1`,
      params,
    );
  }
}

const ORDER_COLUMNS = `
  SELECT payment_request_id AS "paymentRequestId", client_id AS "clientId", order_no AS "orderNo", dialect,
         json_build_object('value', amount_value::text, 'currency', amount_currency) AS amount,
         status, version, payment_expiry_time AS "paymentExpiryTime", result_code AS "resultCode",
         result_source AS "resultSource", payment_id AS "paymentId", registered_at AS "registeredAt",
         updated_at AS "updatedAt", final_at AS "finalAt"`;
const ORDER_SELECT = `${ORDER_COLUMNS} FROM payment_orders`;

/** An exception as the API shows it, with its order's status (null: no order, UNREGISTERED_RESULT). */
const EXCEPTION_SELECT = `
  SELECT e.id::text AS id, e.payment_request_id AS "paymentRequestId", e.client_id AS "clientId", e.dialect,
         e.reason, e.detail, e.opened_at AS "openedAt", e.last_evidence AS "lastEvidence",
         e.last_evidence_at AS "lastEvidenceAt", e.resolved_at AS "resolvedAt", e.resolved_by AS "resolvedBy",
         e.resolution, e.resolution_note AS "resolutionNote", e.version,
         (e.resolved_at IS NULL) AS open,
         (SELECT p.status FROM payment_orders p WHERE p.payment_request_id = e.payment_request_id) AS "orderStatus"
    FROM exceptions e`;
