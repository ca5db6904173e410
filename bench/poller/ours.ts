// Contender 1: our poller's schedule and claim loop — the production PollingLoop, CompletionWriter,
// ProcessClaimedOrderUseCase and InquiryScheduleRepository on a TypeORM pool, with only the partner
// faked (a 20 ms pending answer, no crypto) and no Kafka (a pending answer publishes nothing).
// Bounded run: the policy allows `inquiries` inquiries per order, then waits until the payment
// expiry (two days out), so each order is inquired exactly that many times within the run.
import { DataSource } from 'typeorm';
import type { ResultObservedV1 } from '@app/contracts';
import { runMigrations } from '@app/persistence';
import { CompletionWriter } from '../../apps/inquiry-poller/src/application/completion-writer';
import { PollerMetrics } from '../../apps/inquiry-poller/src/application/poller-metrics';
import type {
  PollerSettings,
  PollingTarget,
} from '../../apps/inquiry-poller/src/application/poller-settings';
import { PollingLoop } from '../../apps/inquiry-poller/src/application/polling-loop';
import { PartnerApi, ResultPublisher } from '../../apps/inquiry-poller/src/application/ports';
import { ProcessClaimedOrderUseCase } from '../../apps/inquiry-poller/src/application/process-claimed-order.use-case';
import type { ClaimedEntry } from '../../apps/inquiry-poller/src/domain/schedule-entry';
import type { CancelCallResult, InquiryCallResult } from '../../apps/inquiry-poller/src/domain/read-inquiry';
import {
  INQUIRY_POLLER_MIGRATION_LOCK,
  inquiryPollerDataSourceOptions,
} from '../../apps/inquiry-poller/src/infrastructure/persistence/data-source';
import { InquiryScheduleRepository } from '../../apps/inquiry-poller/src/infrastructure/persistence/inquiry-schedule.repository';
import { Contender, ContenderFactory, fakeInquiry } from './contender';
import type { RunSpec } from './settings';

const CLIENT_ID = 'BENCH_QUEUE';
const DIALECT = 'alipayplus' as const;
const PENDING_BODY = {
  result: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' },
  paymentResult: { resultCode: 'PAYMENT_IN_PROCESS', resultStatus: 'U', resultMessage: 'in process' },
};

/** The partner: every inquiry answered pending after the fixed latency, as if signed and verified. */
class FakePartnerApi extends PartnerApi {
  constructor(private readonly spec: RunSpec) {
    super();
  }

  async inquire(_key: string, paymentRequestId: string): Promise<InquiryCallResult> {
    await fakeInquiry(this.spec);
    const body = { ...PENDING_BODY, paymentRequestId };
    return { kind: 'response', body, rawBody: JSON.stringify(body), verified: true } as InquiryCallResult;
  }

  async cancel(): Promise<CancelCallResult> {
    throw new Error('the benchmark never cancels');
  }
}

/** Counts what would go to Kafka; a pending answer publishes nothing. */
class CountingPublisher extends ResultPublisher {
  published = 0;
  async publish(events: readonly ResultObservedV1[]): Promise<void> {
    this.published += events.length;
  }
}

export function benchPollerSettings(spec: RunSpec): PollerSettings {
  const policy = {
    firstInquiryDelayMs: 0,
    inquiryIntervalsMs: spec.intervalsMs,
    jitterRatio: 0,
    maxInquiries: spec.inquiries,
    maxInquiriesAction: 'wait' as const,
    cancelRetryIntervalsMs: [60_000],
    cancelNotExistGraceMs: 60_000,
    cancelRefusedInquiryMs: 60_000,
  };
  const target: PollingTarget = {
    key: `${DIALECT}:${CLIENT_ID}`,
    clientId: CLIENT_ID,
    dialect: DIALECT,
    policy,
    // No partner budget in the way: the queue is what is measured.
    rate: { perSecond: 1e9, burst: 1e9, backoffMs: 5000 },
  };
  return {
    instanceId: `bench-${process.pid}`,
    targets: [target],
    defaultPolicy: policy,
    claimIntervalMs: spec.pollMs,
    claimBatch: Math.min(spec.claimBatch, spec.concurrency),
    maxInFlight: spec.concurrency,
    leaseMs: 30_000,
    inquiryTimeoutMs: 5000,
    cancelTimeoutMs: 8000,
    publishTimeoutMs: 5000,
    completionFlushMs: 20,
    hintMinGapMs: 1000,
    tombstoneRetentionMs: 72 * 3_600_000,
    now: Date.now,
    random: Math.random,
  };
}

export const oursContender: ContenderFactory = (spec, recorder): Contender => {
  const dataSource = new DataSource(inquiryPollerDataSourceOptions(spec.databaseUrl, spec.poolSize));
  const settings = benchPollerSettings(spec);
  const metrics = new PollerMetrics();
  const publisher = new CountingPublisher();
  let loop: PollingLoop | undefined;

  /** Records the start where the use case does (the same tick as `metrics.inquiryStarted`). */
  class RecordingProcessor extends ProcessClaimedOrderUseCase {
    override execute(entry: ClaimedEntry, target: PollingTarget) {
      recorder.start(Number(entry.paymentRequestId.slice(2)), entry.inquiryAttempts, entry.dueAt);
      return super.execute(entry, target);
    }
  }

  return {
    async seed(due) {
      await dataSource.initialize();
      await runMigrations(dataSource, INQUIRY_POLLER_MIGRATION_LOCK);
      // Set-based, like the status consumer's inserts: one statement per 10,000 rows.
      for (let from = 0; from < due.length; from += 10_000) {
        const slice = Array.from(due.subarray(from, from + 10_000));
        await dataSource.query(
          `INSERT INTO inquiry_schedule
             (payment_request_id, client_id, dialect, amount_value, amount_currency, payment_expiry_time,
              registered_at, phase, order_status, last_version, next_due_at, created_at, updated_at)
           SELECT 'o-' || ($4::int + i - 1), $1, $2, 1000, 'JPY', now() + interval '2 days', now(), 'inquiry',
                  'init', 1, to_timestamp(d / 1000.0), now(), now()
             FROM unnest($3::float8[]) WITH ORDINALITY AS u(d, i)`,
          [CLIENT_ID, DIALECT, slice, from],
        );
      }
      await dataSource.query('ANALYZE inquiry_schedule');
    },
    async start() {
      const schedule = new InquiryScheduleRepository(dataSource);
      const processor = new RecordingProcessor(
        settings,
        new FakePartnerApi(spec),
        publisher,
        schedule,
        metrics,
      );
      const completions = new CompletionWriter(settings, schedule, metrics);
      loop = new PollingLoop(settings, schedule, processor, completions, metrics);
      loop.start();
    },
    async notes() {
      return `${metrics.cycles} claim cycles, ${metrics.claimed} rows claimed, ${metrics.completionsApplied} written back, ${metrics.completionsFenced} fenced, ${publisher.published} published`;
    },
    async stop() {
      await loop?.stop();
      await dataSource.destroy();
    },
  };
};
