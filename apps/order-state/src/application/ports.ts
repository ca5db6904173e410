// The ports of order-state's use cases (the poller's shape, style.md): abstract classes the module
// binds to adapters (`{ provide: Port, useClass: Adapter }`), so the use cases are tested against
// in-memory fakes (test/order-state-fakes.ts) and against PostgreSQL (test/*.int-spec.ts) alike.
// The read side, which the HTTP API and the console query, is its own port: `OrderQueries`
// (order-queries.ts). Contract events are built from what the ledger decides in status-events.ts.
import type {
  Amount,
  Dialect,
  ExceptionEventV1,
  ExceptionReason,
  ExceptionResolution,
  ObservationOutcome,
  ObservationSource,
  OrderStatus,
  StatusChangedV1,
} from '@app/contracts';
import type {
  AnomalyRecord,
  ExceptionEvidence,
  Observation,
  ObservationResult,
  OpenException,
  OrderSnapshot,
} from '../domain/order-ledger';

/** An observation as the timeline keeps it: what the ledger folds plus what people read. */
export interface StoredObservation extends Observation {
  resultMessage?: string | null;
  paymentTime?: string | null;
  rawBody?: string | null;
  occurredAt: string;
}

/** An exception as stored, read back to publish its event (ExceptionEventV1). */
export interface ExceptionRecord {
  id: string;
  paymentRequestId: string;
  clientId: string;
  dialect: Dialect;
  reason: ExceptionReason;
  detail: string;
  openedAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: Exclude<ExceptionResolution, 'reinquire'> | null;
  resolutionNote: string | null;
  /** Changes so far; change n is published as event `exception:<id>:<n>`. */
  version: number;
}

/** The cause an exception is opened or updated with. */
export interface ExceptionRaise {
  paymentRequestId: string;
  clientId: string;
  dialect: Dialect;
  reason: ExceptionReason;
  detail: string;
  evidence: ExceptionEvidence;
}

/** A line in an order's timeline that no partner wrote (a person's resolution, issue 11). */
export interface TimelineEntry {
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
}

/** The partner's latest SUCCESS for an order, as observed (what a person accepts). */
export interface ObservedPayment {
  paymentId: string | null;
  amount: Amount | null;
  paymentTime: string | null;
}

/** Results parked for an order never registered, past the grace (issue 11 row 15): the latest one. */
export interface UnregisteredResult {
  paymentRequestId: string;
  clientId: string;
  dialect: Dialect;
  eventId: string;
  source: ObservationSource;
  outcome: ObservationOutcome;
  resultCode: string;
  /** `<value> <currency>`, or null when the result named no amount. */
  amount: string | null;
  /** How many results are parked for it. */
  count: number;
}

/**
 * What one transaction over order-state's tables can do. Every call runs inside the transaction
 * `OrderRepository.transaction` opened; nothing is visible to others before it commits.
 */
export interface OrderTransaction {
  /**
   * Loads orders with their open exception; with `lock`, row-locks them until the transaction ends,
   * in key order. Every writer of an existing order takes this lock, which serialises its changes.
   */
  loadOrders(ids: readonly string[], lock?: boolean): Promise<Map<string, OrderSnapshot>>;
  /** Inserts new orders (`init`, version 1); returns the ids that were new. */
  insertOrders(orders: readonly OrderSnapshot[]): Promise<Set<string>>;
  updateOrders(orders: readonly OrderSnapshot[]): Promise<void>;

  existingObservationIds(eventIds: readonly string[]): Promise<Set<string>>;
  /** Appends to the timeline, each with its result; an event id already there is skipped. */
  insertObservations(
    observations: readonly StoredObservation[],
    results: ReadonlyMap<string, ObservationResult>,
  ): Promise<void>;
  /** Parked observations of these orders, in arrival order. */
  loadParked(ids: readonly string[]): Promise<StoredObservation[]>;
  /**
   * Orders that exist but still have parked observations: a result parked by a transaction that
   * committed after the registration looked for parked results (the two ran concurrently).
   */
  ordersWithStrandedParked(limit: number): Promise<string[]>;
  updateObservationResults(results: readonly ObservationResult[]): Promise<void>;
  latestSuccess(paymentRequestId: string): Promise<ObservedPayment | undefined>;
  insertTimelineEntry(entry: TimelineEntry): Promise<void>;

  /** Duplicates (same event id and kind) are skipped. */
  insertAnomalies(anomalies: readonly AnomalyRecord[]): Promise<void>;
  /**
   * Through the outbox, in the same transaction as the change (design.md §4): the relay publishes
   * them after the commit, in this order.
   */
  enqueueStatusEvents(events: readonly StatusChangedV1[]): Promise<void>;
  enqueueExceptionEvents(events: readonly ExceptionEventV1[]): Promise<void>;

  /** Opens the order's exception, or updates its open one (one open exception per order). */
  raiseException(raise: ExceptionRaise): Promise<ExceptionRecord>;
  /** Closes the order's open exception; undefined when it has none. */
  resolveOpenException(
    paymentRequestId: string,
    resolution: Exclude<ExceptionResolution, 'reinquire'>,
    by: string,
    note: string | null,
    evidence?: ExceptionEvidence,
  ): Promise<ExceptionRecord | undefined>;
  /** A re-inquiry asked by a person: the exception stays open, its version counts the event. */
  touchException(id: string): Promise<ExceptionRecord>;
  /** Loads one exception, row-locked until the transaction ends. */
  lockException(id: string): Promise<ExceptionRecord | undefined>;
  /** The order an exception belongs to (no lock). */
  exceptionOrderId(id: string): Promise<string | undefined>;
  openExceptions(ids: readonly string[]): Promise<Map<string, OpenException>>;

  /** One exception sweep at a time across replicas, until the transaction ends; false: another runs. */
  tryLockExceptionSweep(): Promise<boolean>;
  /**
   * Orders with an open UNREGISTERED_RESULT of their own partner that registered since and have
   * nothing parked left.
   */
  settledUnregisteredResults(limit: number): Promise<string[]>;
  /**
   * Orders never registered whose first parked result is older than `graceMs`, with no open exception
   * and none closed after their latest result; oldest first.
   */
  unregisteredResults(graceMs: number, limit: number): Promise<UnregisteredResult[]>;
  /**
   * Non-final orders past their expiry plus `afterMs`, with no open exception and none closed within
   * the last `afterMs`; earliest expiry first.
   */
  stuckOrders(afterMs: number, limit: number): Promise<string[]>;
}

/** order-state's tables (design.md §4): every change runs in one READ COMMITTED transaction. */
export abstract class OrderRepository {
  /** Runs `work` in one transaction: it commits when `work` resolves and rolls back when it throws. */
  abstract transaction<T>(work: (tx: OrderTransaction) => Promise<T>): Promise<T>;
}

/** What one committed batch did, for the metrics (counted only after the transaction commits). */
export interface AppliedOutcome {
  readonly observations: readonly {
    readonly source: ObservationSource | 'operator';
    readonly effect: string;
  }[];
  readonly transitions: readonly {
    readonly from: OrderStatus;
    readonly to: OrderStatus;
    readonly source: string;
  }[];
  readonly anomalies: readonly string[];
}

/**
 * Where order-state tells what it applied (GET /metrics). A port, so the use cases are tested
 * without a metrics registry; the adapter is infrastructure/metrics/order-state-metrics.ts.
 */
export abstract class OutcomeRecorder {
  abstract recordApplied(outcome: AppliedOutcome): void;
}

/** Records nothing (tests and tools that need no metrics). */
export class NoOutcomeRecorder extends OutcomeRecorder {
  recordApplied(): void {}
}
