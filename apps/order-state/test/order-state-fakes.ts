/**
 * An in-memory OrderRepository for the use-case specs: the tables as arrays and maps, a transaction
 * that rolls back on a throw, a clock the spec moves, and the events the outbox would publish (each
 * checked against its contract, as the PostgreSQL adapter's encodeEvent checks it). The SQL itself is
 * covered by the integration specs (test/*.int-spec.ts) against a real PostgreSQL.
 */
import { encodeEvent, Topics } from '@app/contracts';
import type {
  Amount,
  ExceptionEventV1,
  ExceptionResolution,
  ResultObservedV1,
  StatusChangedV1,
} from '@app/contracts';
import type {
  AnomalyRecord,
  ExceptionEvidence,
  ObservationResult,
  OrderSnapshot,
} from '../src/domain/order-ledger';
import {
  AppliedOutcome,
  ExceptionRaise,
  ExceptionRecord,
  OrderRepository,
  OrderTransaction,
  OutcomeRecorder,
  StoredObservation,
  TimelineEntry,
  UnregisteredResult,
} from '../src/application/ports';
import type { Registration } from '../src/application/register-orders.use-case';

export const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const FINAL = ['success', 'fail', 'cancelled'];

type StoredOrder = Omit<OrderSnapshot, 'openException'> & { registeredAt: number; finalAt: number | null };
type TimelineRow = Omit<StoredObservation, 'outcome'> & {
  outcome: string;
  seq: number;
  receivedAt: number;
  effect: string;
  statusAfter: string | null;
  note: string | null;
};
type ExceptionRow = ExceptionRecord & { lastEvidence: ExceptionEvidence };

interface Tables {
  orders: Map<string, StoredOrder>;
  timeline: TimelineRow[];
  anomalies: AnomalyRecord[];
  statusEvents: StatusChangedV1[];
  exceptionEvents: ExceptionEventV1[];
  exceptions: ExceptionRow[];
  seq: number;
}

const cut = (s: string | null | undefined, max: number) =>
  s == null ? null : s.length > max ? s.slice(0, max - 1) + '…' : s;

export class InMemoryOrderRepository extends OrderRepository {
  tables: Tables = {
    orders: new Map(),
    timeline: [],
    anomalies: [],
    statusEvents: [],
    exceptionEvents: [],
    exceptions: [],
    seq: 0,
  };
  now = T0;
  /** Another replica holds the exception sweep lock. */
  sweepLockedElsewhere = false;
  /** Throws when the transaction calls this method (after its earlier writes): a failure mid-way. */
  failOn?: keyof OrderTransaction;
  transactions = 0;

  advance(ms: number): void {
    this.now += ms;
  }

  async transaction<T>(work: (tx: OrderTransaction) => Promise<T>): Promise<T> {
    const before = structuredClone(this.tables);
    this.transactions++;
    try {
      return await work(this.tx());
    } catch (err) {
      this.tables = before;
      throw err;
    }
  }

  /** Test setup: an order as if registered earlier. */
  seedOrder(over: Partial<StoredOrder> = {}): StoredOrder {
    const order: StoredOrder = {
      paymentRequestId: 'pr-1',
      clientId: 'C1',
      orderNo: 'o-1',
      dialect: 'alipayplus',
      amount: { value: '1000', currency: 'JPY' },
      status: 'init',
      version: 1,
      paymentExpiryTime: new Date(this.now + 60_000).toISOString(),
      resultCode: null,
      resultSource: null,
      paymentId: null,
      cancelRefused: false,
      registeredAt: this.now,
      finalAt: null,
      ...over,
    };
    this.tables.orders.set(order.paymentRequestId, order);
    return order;
  }

  order(id: string): StoredOrder | undefined {
    return this.tables.orders.get(id);
  }

  timelineOf(id: string): TimelineRow[] {
    return this.tables.timeline.filter((t) => t.paymentRequestId === id);
  }

  exceptionsOf(id: string): ExceptionRow[] {
    return this.tables.exceptions.filter((e) => e.paymentRequestId === id);
  }

  private tx(): OrderTransaction {
    const impl = new InMemoryTransaction(this);
    return new Proxy(impl, {
      get: (target, prop: keyof OrderTransaction) => {
        if (prop === this.failOn) throw new Error(`spec: ${String(prop)} fails`);
        const value = target[prop];
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
}

class InMemoryTransaction implements OrderTransaction {
  constructor(private readonly repo: InMemoryOrderRepository) {}

  private get t(): Tables {
    return this.repo.tables;
  }
  private iso = () => new Date(this.repo.now).toISOString();
  private openOf = (id: string) => this.t.exceptions.find((e) => e.paymentRequestId === id && !e.resolvedAt);

  async loadOrders(ids: readonly string[]): Promise<Map<string, OrderSnapshot>> {
    const out = new Map<string, OrderSnapshot>();
    for (const id of [...new Set(ids)].sort()) {
      const o = this.t.orders.get(id);
      if (!o) continue;
      const { registeredAt: _r, finalAt: _f, ...snapshot } = o;
      const open = this.openOf(id);
      out.set(id, {
        ...structuredClone(snapshot),
        openException: open ? { reason: open.reason, clientId: open.clientId, dialect: open.dialect } : null,
      });
    }
    return out;
  }

  async insertOrders(orders: readonly OrderSnapshot[]): Promise<Set<string>> {
    const created = new Set<string>();
    for (const { openException: _open, ...o } of orders) {
      if (this.t.orders.has(o.paymentRequestId)) continue;
      this.t.orders.set(o.paymentRequestId, {
        ...o,
        status: 'init',
        version: 1,
        registeredAt: this.repo.now,
        finalAt: null,
      });
      created.add(o.paymentRequestId);
    }
    return created;
  }

  async updateOrders(orders: readonly OrderSnapshot[]): Promise<void> {
    for (const o of orders) {
      const row = this.t.orders.get(o.paymentRequestId);
      if (!row) continue;
      const finalAt = !FINAL.includes(o.status)
        ? null
        : o.status === row.status
          ? row.finalAt
          : this.repo.now;
      const { resultCode, resultSource, paymentId, cancelRefused, status, version } = o;
      Object.assign(row, { status, version, resultCode, resultSource, paymentId, cancelRefused, finalAt });
    }
  }

  async existingObservationIds(eventIds: readonly string[]): Promise<Set<string>> {
    return new Set(this.t.timeline.map((t) => t.eventId).filter((id) => eventIds.includes(id)));
  }

  async insertObservations(
    observations: readonly StoredObservation[],
    results: ReadonlyMap<string, ObservationResult>,
  ): Promise<void> {
    for (const o of observations) {
      if (this.t.timeline.some((t) => t.eventId === o.eventId)) continue;
      const r = results.get(o.eventId)!;
      this.t.timeline.push({
        ...structuredClone(o),
        seq: ++this.t.seq,
        receivedAt: this.repo.now,
        effect: r.effect,
        statusAfter: r.statusAfter,
        note: r.note,
      });
    }
  }

  async loadParked(ids: readonly string[]): Promise<StoredObservation[]> {
    return this.t.timeline
      .filter((t) => ids.includes(t.paymentRequestId) && t.effect === 'parked')
      .map(({ seq: _s, receivedAt: _r, effect: _e, statusAfter: _a, note: _n, ...o }) => ({
        ...(o as StoredObservation),
      }));
  }

  async ordersWithStrandedParked(limit: number): Promise<string[]> {
    const ids = this.t.timeline
      .filter((t) => t.effect === 'parked' && this.t.orders.has(t.paymentRequestId))
      .map((t) => t.paymentRequestId);
    return [...new Set(ids)].slice(0, limit);
  }

  async updateObservationResults(results: readonly ObservationResult[]): Promise<void> {
    for (const r of results) {
      const row = this.t.timeline.find((t) => t.eventId === r.eventId);
      if (row) Object.assign(row, { effect: r.effect, statusAfter: r.statusAfter, note: r.note });
    }
  }

  async latestSuccess(id: string) {
    const row = this.t.timeline
      .filter((t) => t.paymentRequestId === id && t.outcome === 'SUCCESS' && t.effect !== 'parked')
      .at(-1);
    if (!row) return undefined;
    return {
      paymentId: row.paymentId ?? null,
      amount: (row.amount as Amount | null) ?? null,
      paymentTime: row.paymentTime ?? null,
    };
  }

  async insertTimelineEntry(e: TimelineEntry): Promise<void> {
    if (this.t.timeline.some((t) => t.eventId === e.eventId)) return;
    const { note, effect, statusAfter, ...rest } = e;
    this.t.timeline.push({
      ...rest,
      source: rest.source as StoredObservation['source'],
      occurredAt: this.iso(),
      seq: ++this.t.seq,
      receivedAt: this.repo.now,
      effect,
      statusAfter,
      note: cut(note, 200),
    });
  }

  async insertAnomalies(anomalies: readonly AnomalyRecord[]): Promise<void> {
    for (const a of anomalies) {
      if (this.t.anomalies.some((x) => x.eventId === a.eventId && x.kind === a.kind)) continue;
      this.t.anomalies.push(structuredClone(a));
    }
  }

  async enqueueStatusEvents(events: readonly StatusChangedV1[]): Promise<void> {
    for (const e of events) this.t.statusEvents.push(JSON.parse(encodeEvent(Topics.statusChanged, e)));
  }

  async enqueueExceptionEvents(events: readonly ExceptionEventV1[]): Promise<void> {
    for (const e of events) this.t.exceptionEvents.push(JSON.parse(encodeEvent(Topics.exceptions, e)));
  }

  async raiseException(a: ExceptionRaise): Promise<ExceptionRecord> {
    const evidence = { ...a.evidence, note: cut(a.evidence.note, 500) };
    const change = {
      clientId: a.clientId,
      dialect: a.dialect,
      reason: a.reason,
      detail: cut(a.detail, 500)!,
    };
    const open = this.openOf(a.paymentRequestId);
    if (open) {
      Object.assign(open, change, { lastEvidence: evidence, version: open.version + 1 });
      return this.record(open);
    }
    const row: ExceptionRow = {
      id: String(this.t.exceptions.length + 1),
      paymentRequestId: a.paymentRequestId,
      ...change,
      openedAt: this.iso(),
      resolvedAt: null,
      resolvedBy: null,
      resolution: null,
      resolutionNote: null,
      version: 1,
      lastEvidence: evidence,
    };
    this.t.exceptions.push(row);
    return this.record(row);
  }

  async resolveOpenException(
    paymentRequestId: string,
    resolution: Exclude<ExceptionResolution, 'reinquire'>,
    by: string,
    note: string | null,
    evidence?: ExceptionEvidence,
  ): Promise<ExceptionRecord | undefined> {
    const open = this.openOf(paymentRequestId);
    if (!open) return undefined;
    Object.assign(open, {
      resolvedAt: this.iso(),
      resolvedBy: cut(by, 100),
      resolution,
      resolutionNote: cut(note, 500),
      version: open.version + 1,
      lastEvidence: evidence ?? open.lastEvidence,
    });
    return this.record(open);
  }

  async touchException(id: string): Promise<ExceptionRecord> {
    const row = this.t.exceptions.find((e) => e.id === id)!;
    row.version++;
    return this.record(row);
  }

  async lockException(id: string): Promise<ExceptionRecord | undefined> {
    const row = this.t.exceptions.find((e) => e.id === id);
    return row && this.record(row);
  }

  async exceptionOrderId(id: string): Promise<string | undefined> {
    return this.t.exceptions.find((e) => e.id === id)?.paymentRequestId;
  }

  async openExceptions(ids: readonly string[]) {
    const out = new Map<
      string,
      { reason: ExceptionRecord['reason']; clientId: string; dialect: ExceptionRecord['dialect'] }
    >();
    for (const id of ids) {
      const open = this.openOf(id);
      if (open) out.set(id, { reason: open.reason, clientId: open.clientId, dialect: open.dialect });
    }
    return out;
  }

  async tryLockExceptionSweep(): Promise<boolean> {
    return !this.repo.sweepLockedElsewhere;
  }

  async settledUnregisteredResults(limit: number): Promise<string[]> {
    return this.t.exceptions
      .filter((e) => !e.resolvedAt && e.reason === 'UNREGISTERED_RESULT')
      .filter((e) => {
        const o = this.t.orders.get(e.paymentRequestId);
        return o && o.clientId === e.clientId && o.dialect === e.dialect;
      })
      .filter(
        (e) =>
          !this.t.timeline.some((t) => t.paymentRequestId === e.paymentRequestId && t.effect === 'parked'),
      )
      .map((e) => e.paymentRequestId)
      .slice(0, limit);
  }

  async unregisteredResults(graceMs: number, limit: number): Promise<UnregisteredResult[]> {
    const groups = new Map<string, TimelineRow[]>();
    for (const t of this.t.timeline) {
      if (t.effect !== 'parked' || t.clientId === null) continue;
      groups.set(t.paymentRequestId, [...(groups.get(t.paymentRequestId) ?? []), t]);
    }
    return [...groups.entries()]
      .filter(([, rows]) => rows[0].receivedAt < this.repo.now - graceMs)
      .filter(([id]) => !this.t.orders.has(id))
      .filter(([id, rows]) => {
        const last = rows.at(-1)!;
        return !this.exceptionsOf(id).some(
          (e) => !e.resolvedAt || Date.parse(e.resolvedAt) >= last.receivedAt,
        );
      })
      .sort(([, a], [, b]) => a[0].receivedAt - b[0].receivedAt)
      .slice(0, limit)
      .map(([id, rows]) => {
        const last = rows.at(-1)!;
        return {
          paymentRequestId: id,
          clientId: last.clientId!,
          dialect: last.dialect!,
          eventId: last.eventId,
          source: last.source,
          outcome: last.outcome as UnregisteredResult['outcome'],
          resultCode: last.resultCode,
          amount: last.amount ? `${last.amount.value} ${last.amount.currency}` : null,
          count: rows.length,
        };
      });
  }

  async stuckOrders(afterMs: number, limit: number): Promise<string[]> {
    const cutoff = this.repo.now - afterMs;
    return [...this.t.orders.values()]
      .filter(
        (o) => (o.status === 'init' || o.status === 'cancelling') && Date.parse(o.paymentExpiryTime) < cutoff,
      )
      .filter(
        (o) =>
          !this.exceptionsOf(o.paymentRequestId).some(
            (e) => !e.resolvedAt || Date.parse(e.resolvedAt) > cutoff,
          ),
      )
      .sort((a, b) => Date.parse(a.paymentExpiryTime) - Date.parse(b.paymentExpiryTime))
      .map((o) => o.paymentRequestId)
      .slice(0, limit);
  }

  private exceptionsOf(id: string) {
    return this.t.exceptions.filter((e) => e.paymentRequestId === id);
  }

  private record({ lastEvidence: _e, ...r }: ExceptionRow): ExceptionRecord {
    return { ...r };
  }
}

/** Keeps what each committed batch applied, as the metrics would count it. */
export class RecordingOutcomes extends OutcomeRecorder {
  readonly applied: AppliedOutcome[] = [];
  recordApplied(outcome: AppliedOutcome): void {
    this.applied.push(outcome);
  }
}

/** A result-observed event for order pr-1 of partner C1 (a SUCCESS of the order's amount). */
export const result = (over: Partial<ResultObservedV1> = {}): ResultObservedV1 => ({
  eventId: `notify:${over.paymentRequestId ?? 'pr-1'}:${over.outcome ?? 'SUCCESS'}`,
  schemaVersion: 1,
  occurredAt: new Date(T0).toISOString(),
  clientId: 'C1',
  paymentRequestId: 'pr-1',
  dialect: 'alipayplus',
  source: 'notify',
  outcome: 'SUCCESS',
  resultCode: 'SUCCESS',
  paymentId: 'PAY-1',
  amount: { value: '1000', currency: 'JPY' },
  paymentTime: new Date(T0 + 1000).toISOString(),
  ...over,
});

/** A registration of order pr-1 of partner C1, for 1000 JPY. */
export const registration = (over: Partial<Registration> = {}): Registration => ({
  eventId: `registered:${over.paymentRequestId ?? 'pr-1'}`,
  paymentRequestId: 'pr-1',
  clientId: 'C1',
  orderNo: 'o-1',
  dialect: 'alipayplus',
  amount: { value: '1000', currency: 'JPY' },
  paymentExpiryTime: new Date(T0 + 60_000).toISOString(),
  occurredAt: new Date(T0).toISOString(),
  ...over,
});
