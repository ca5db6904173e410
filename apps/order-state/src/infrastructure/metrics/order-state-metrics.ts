import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { ServiceMetrics } from '@app/observability';
import { AppliedOutcome, OutcomeRecorder } from '../../application/ports';
import { isFinal } from '../../domain/order-status';

/**
 * order-state's Prometheus series (GET /metrics), declared in one place. Counters move after a batch
 * commits; gauges are read from PostgreSQL when Prometheus scrapes, so every replica reports the same
 * database-wide value (alert on max, not sum).
 */
@Injectable()
export class OrderStateMetrics extends OutcomeRecorder {
  private readonly applied: Counter<'source' | 'effect'>;
  private readonly transitions: Counter<'from' | 'to' | 'source'>;
  private readonly finals: Counter<'status' | 'source'>;
  private readonly anomalies: Counter<'kind'>;

  constructor(
    readonly metrics: ServiceMetrics,
    @InjectDataSource() db: DataSource,
  ) {
    super();
    this.applied = metrics.counter('observations_applied_total', 'Result observations applied, by effect.', [
      'source',
      'effect',
    ]);
    this.transitions = metrics.counter('order_transitions_total', 'Order status changes.', [
      'from',
      'to',
      'source',
    ]);
    this.finals = metrics.counter('orders_final_total', 'Orders that reached a final status.', [
      'status',
      'source',
    ]);
    this.anomalies = metrics.counter('anomalies_total', 'Anomalies recorded, by kind.', ['kind']);
    const scalar = async (sql: string): Promise<number> =>
      Number(((await db.query(sql)) as { v: unknown }[])[0]?.v ?? 0);
    metrics.gauge('outbox_pending', 'Outbox rows not yet published.', [], async (g) => {
      g.set(await scalar(`SELECT count(*) AS v FROM outbox`));
    });
    metrics.gauge(
      'outbox_publish_lag_seconds',
      'Age of the oldest outbox row not yet published.',
      [],
      async (g) => {
        g.set(
          await scalar(`SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0) AS v FROM outbox`),
        );
      },
    );
    metrics.gauge('parked_results', 'Results waiting for their order to register.', [], async (g) => {
      g.set(await scalar(`SELECT count(*) AS v FROM payment_observations WHERE effect = 'parked'`));
    });
    metrics.gauge('exceptions_open', 'Open exceptions, by reason.', ['reason'], async (g) => {
      const rows = (await db.query(
        `SELECT reason, count(*)::int AS n FROM exceptions WHERE resolved_at IS NULL GROUP BY reason`,
      )) as { reason: string; n: number }[];
      g.reset();
      for (const r of rows) g.set({ reason: r.reason }, r.n);
    });
  }

  /** Counted per distinct label set, then added once each: a batch of thousands is a few increments. */
  recordApplied(outcome: AppliedOutcome): void {
    const tally = new Map<string, { counter: Counter<string>; labels: Record<string, string>; n: number }>();
    const seen = (key: string) => {
      const t = tally.get(key);
      if (t) t.n++;
      return t !== undefined;
    };
    const first = (key: string, counter: Counter<string>, labels: Record<string, string>) =>
      tally.set(key, { counter, labels, n: 1 });
    for (const { source, effect } of outcome.observations) {
      const key = `a ${source} ${effect}`;
      if (!seen(key)) first(key, this.applied, { source, effect });
    }
    for (const { from, to, source } of outcome.transitions) {
      const key = `t ${from} ${to} ${source}`;
      if (!seen(key)) first(key, this.transitions, { from, to, source });
      const final = `f ${to} ${source}`;
      if (isFinal(to) && !seen(final)) first(final, this.finals, { status: to, source });
    }
    for (const kind of outcome.anomalies) {
      if (!seen(`k ${kind}`)) first(`k ${kind}`, this.anomalies, { kind });
    }
    for (const { counter, labels, n } of tally.values()) counter.inc(labels, n);
  }
}
