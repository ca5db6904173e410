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

  recordApplied(outcome: AppliedOutcome): void {
    for (const o of outcome.observations) this.applied.inc({ source: o.source, effect: o.effect });
    for (const t of outcome.transitions) {
      this.transitions.inc({ from: t.from, to: t.to, source: t.source });
      if (isFinal(t.to)) this.finals.inc({ status: t.to, source: t.source });
    }
    for (const kind of outcome.anomalies) this.anomalies.inc({ kind });
  }
}
