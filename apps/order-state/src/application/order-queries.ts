// The read side of order-state (the query API and the console): a port, whose adapter
// (infrastructure/persistence/postgres-order-queries.ts) reads the same tables the use cases write.
import { z } from 'zod';
import { PaymentRequestIdSchema } from '@app/contracts';
import type { Amount, Dialect, ExceptionReason, ExceptionResolution, OrderStatus } from '@app/contracts';

export interface OrderListFilter {
  status?: OrderStatus[];
  /** Only orders registered at least this many seconds ago. */
  olderThanSeconds?: number;
  /** Only non-final orders past their payment expiry: the ones that need a person or the poller. */
  stuck?: boolean;
  limit: number;
  /** Keyset pagination: only orders after this one, in (registeredAt, paymentRequestId) order. */
  after?: OrderCursor;
}

export interface ExceptionListFilter {
  reason?: ExceptionReason[];
  clientId?: string;
  dialect?: Dialect;
  /** Only exceptions opened at least this many seconds ago. */
  olderThanSeconds?: number;
  /** true: open ones only; false: resolved ones only; absent: both. */
  open?: boolean;
  limit: number;
  /** Keyset pagination: only exceptions with a larger id (oldest first). */
  after?: string;
}

/** A position in the order list: the registration instant as PostgreSQL prints it (µs kept) and the id. */
export interface OrderCursor {
  readonly registeredAt: string;
  readonly paymentRequestId: string;
}

export const encodeOrderCursor = (c: OrderCursor): string =>
  Buffer.from(JSON.stringify([c.registeredAt, c.paymentRequestId])).toString('base64url');

const OrderCursorSchema = z.tuple([
  z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00$/),
  PaymentRequestIdSchema,
]);

export function decodeOrderCursor(cursor: string): OrderCursor | undefined {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined; // not base64url JSON: not ours
  }
  const parsed = OrderCursorSchema.safeParse(json);
  return parsed.success ? { registeredAt: parsed.data[0], paymentRequestId: parsed.data[1] } : undefined;
}

/** An order as the API shows it (timestamps as PostgreSQL returns them; JSON makes them ISO strings). */
export type OrderView = {
  paymentRequestId: string;
  clientId: string;
  orderNo: string;
  dialect: Dialect;
  amount: Amount;
  status: OrderStatus;
  version: number;
  paymentExpiryTime: Date;
  resultCode: string | null;
  resultSource: string | null;
  paymentId: string | null;
  registeredAt: Date;
  updatedAt: Date;
  finalAt: Date | null;
};

/** One line of an order's timeline: an observation, or a person's resolution. */
export type TimelineView = {
  eventId: string;
  source: string;
  outcome: string;
  resultCode: string;
  resultMessage: string | null;
  paymentId: string | null;
  amount: Amount | null;
  paymentTime: Date | null;
  effect: string;
  statusAfter: OrderStatus | null;
  note: string | null;
  occurredAt: Date;
  receivedAt: Date;
  /** The partner's body as received; the API shows it to operators only. */
  rawBody: string | null;
};

/** An exception as the API shows it, with its order's status (null: no order, UNREGISTERED_RESULT). */
export type ExceptionView = {
  id: string;
  paymentRequestId: string;
  clientId: string;
  dialect: Dialect;
  reason: ExceptionReason;
  detail: string;
  openedAt: Date;
  lastEvidence: Record<string, unknown>;
  lastEvidenceAt: Date;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  resolution: Exclude<ExceptionResolution, 'reinquire'> | null;
  resolutionNote: string | null;
  version: number;
  open: boolean;
  orderStatus: OrderStatus | null;
};

/** The order with its timeline (arrival order) and its exceptions (newest first). */
export type OrderDetail = OrderView & { timeline: TimelineView[]; exceptions: ExceptionView[] };

export type AnomalyView = {
  id: string;
  paymentRequestId: string;
  kind: string;
  eventId: string;
  detail: Record<string, unknown>;
  createdAt: Date;
};

export interface OrderSummary {
  /** Every status, in lifecycle order, with how many orders and when the oldest was registered. */
  byStatus: { status: string; count: number; oldestAt: string | null }[];
  /** Non-final orders past their payment expiry. */
  stuck: number;
}

/** Read side of order-state (the query API). Never writes. */
export abstract class OrderQueries {
  /** Throws when the database does not answer. */
  abstract ping(): Promise<void>;

  abstract getOrder(paymentRequestId: string): Promise<OrderDetail | null>;

  /** Per status: how many orders, and when the oldest was registered. */
  abstract summary(): Promise<OrderSummary>;

  /** The order's open exception, if any. */
  abstract openExceptionOf(paymentRequestId: string): Promise<{ id: string } | null>;

  abstract getException(id: string): Promise<ExceptionView | null>;

  /** Oldest first, by id. */
  abstract listExceptions(filter: ExceptionListFilter): Promise<ExceptionView[]>;

  /** Oldest first, by (registeredAt, paymentRequestId); `last` is the cursor of the page's last row. */
  abstract listOrders(filter: OrderListFilter): Promise<{ rows: OrderView[]; last: OrderCursor | undefined }>;

  /** Newest first; `beforeId`: only anomalies older than that one. */
  abstract listAnomalies(limit: number, paymentRequestId?: string, beforeId?: string): Promise<AnomalyView[]>;
}
