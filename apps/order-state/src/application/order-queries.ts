import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { OrderStatus } from '@app/contracts';

export interface OrderListFilter {
  status?: OrderStatus[];
  /** Only orders registered at least this many seconds ago. */
  olderThanSeconds?: number;
  /** Only non-final orders past their payment expiry: the ones that need a person or the poller. */
  stuck?: boolean;
  limit: number;
}

/** Read side of order-state (the query API). Plain SQL over the same tables; never writes. */
@Injectable()
export class OrderQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async getOrder(paymentRequestId: string) {
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
    return { ...order, timeline };
  }

  async listOrders(filter: OrderListFilter) {
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
    params.push(filter.limit);
    return this.dataSource.query(
      `${ORDER_SELECT} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY registered_at LIMIT $${params.length}`,
      params,
    );
  }

  async listAnomalies(limit: number, paymentRequestId?: string) {
    return this.dataSource.query(
      `SELECT id::text AS id, payment_request_id AS "paymentRequestId", kind, event_id AS "eventId", detail,
              created_at AS "createdAt"
         FROM anomalies ${paymentRequestId ? 'WHERE payment_request_id = $2' : ''}
        ORDER BY id DESC LIMIT $1`,
      paymentRequestId ? [limit, paymentRequestId] : [limit],
    );
  }
}

const ORDER_SELECT = `
  SELECT payment_request_id AS "paymentRequestId", client_id AS "clientId", order_no AS "orderNo", dialect,
         json_build_object('value', amount_value::text, 'currency', amount_currency) AS amount,
         status, version, payment_expiry_time AS "paymentExpiryTime", result_code AS "resultCode",
         result_source AS "resultSource", payment_id AS "paymentId", registered_at AS "registeredAt",
         updated_at AS "updatedAt", final_at AS "finalAt"
    FROM payment_orders`;
