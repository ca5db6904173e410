// What the ledger folds and what it decides: plain data, shared by the fold (order-ledger.ts), the
// exception rules (exception-action.ts), the use cases and the persistence adapter.
import type {
  Amount,
  Attention,
  Dialect,
  ExceptionReason,
  ObservationOutcome,
  ObservationSource,
  OrderStatus,
} from '@app/contracts';
import type { AnomalyKind, ObservationEffect } from './state-machine';

export interface OrderSnapshot {
  paymentRequestId: string;
  clientId: string;
  orderNo: string;
  dialect: Dialect;
  amount: Amount;
  status: OrderStatus;
  version: number;
  paymentExpiryTime: string;
  resultCode: string | null;
  resultSource: string | null;
  paymentId: string | null;
  /** The partner refused this order's cancel (issue 11 row 7). */
  cancelRefused: boolean;
  /** The order's one open exception, if any (issue 11). */
  openException: OpenException | null;
}

export interface Observation {
  eventId: string;
  paymentRequestId: string;
  /**
   * The partner that reported it. Null only for results parked before the timeline kept it; those
   * are not checked against the order's partner.
   */
  clientId: string | null;
  dialect: Dialect | null;
  source: ObservationSource;
  outcome: ObservationOutcome;
  resultCode: string;
  paymentId?: string | null;
  amount?: Amount | null;
  paymentTime?: string | null;
  /** The observer could not settle the payment: the order needs an open exception with this reason. */
  attention?: Attention | null;
}

export interface ObservationResult {
  eventId: string;
  effect: ObservationEffect | 'parked';
  statusAfter: OrderStatus | null;
  note: string | null;
}

export interface Transition {
  order: OrderSnapshot;
  from: OrderStatus;
  to: OrderStatus;
  version: number;
  cause: Observation;
}

export interface AnomalyRecord {
  paymentRequestId: string;
  kind: AnomalyKind | 'registration_conflict';
  eventId: string;
  detail: Record<string, unknown>;
}

/**
 * An order's open exception as the ledger needs it: the partner is the one whose result opened it
 * (for UNREGISTERED_RESULT, the partner of the parked result, which may not be the order's).
 */
export interface OpenException {
  reason: ExceptionReason;
  clientId: string;
  dialect: Dialect;
}

/** What an exception records as the cause of its latest change. */
export interface ExceptionEvidence {
  eventId: string | null;
  code: string;
  source: string;
  note: string | null;
}

/**
 * A change to an order's one exception, in the order decided. The store writes each with its event.
 * - raise: open the order's exception, or update the open one with this reason and evidence;
 * - resolve: close the open one by itself (`auto`), because the order settled.
 */
export type ExceptionAction =
  | {
      kind: 'raise';
      paymentRequestId: string;
      clientId: string;
      dialect: Dialect;
      reason: ExceptionReason;
      detail: string;
      evidence: ExceptionEvidence;
      orderStatus: OrderStatus;
    }
  | {
      kind: 'resolve';
      paymentRequestId: string;
      note: string;
      evidence: ExceptionEvidence;
      orderStatus: OrderStatus;
    };

export interface LedgerOutcome {
  results: ObservationResult[];
  /** The orders whose status changed, as they end after the batch. */
  changed: Map<string, OrderSnapshot>;
  /** One per applied change, in order: each becomes one outbox row with its own version. */
  transitions: Transition[];
  anomalies: AnomalyRecord[];
  exceptions: ExceptionAction[];
}
