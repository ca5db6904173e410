import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { Topics } from '@app/contracts';
import {
  ConsumerHealth,
  createKafkaClient,
  DurableProducer,
  ensureTopics,
  KafkaBatchTransport,
  KafkaReachability,
} from '@app/kafka';
import { createLogger, eventLoopCheck, ServiceMetrics, ServiceProbes } from '@app/observability';
import { loadOperatorAuth, OperatorApiErrorsFilter } from '@app/operator-auth';
import { isPostgresDataError } from '@app/persistence';
import {
  defaultInstanceId,
  InquiryPollerConfig,
  loadPolledPartners,
  PolledPartner,
  signingThreads,
} from './config';
import { PollerMetrics } from './application/poller-metrics';
import { PollerSettings } from './application/poller-settings';
import { PollingLoop } from './application/polling-loop';
import { ScheduleRepository } from './application/ports';
import { MeteredPartnerApi, PollerPrometheus } from './infrastructure/metrics/metered-partner-api';
import { InquiryPollerModule } from './inquiry-poller.module';
import { AlipayPlusPartnerApi } from './infrastructure/partners/alipayplus-partner-api';
import { createKeepAliveFetch } from './infrastructure/partners/keep-alive-fetch';
import { reloadPartnersOnSignal } from './infrastructure/partners/partner-reload';
import { createSigningPool } from './infrastructure/partners/signing-pool';
import { KafkaResultPublisher } from './infrastructure/messaging/result-observed.publisher';
import { INQUIRY_POLLER_MIGRATION_LOCK, runMigrations } from './infrastructure/persistence/data-source';

/** A claim loop that has not finished a cycle for this long is stuck (a cycle is a few queries). */
const POLLING_STALLED_AFTER_MS = 60_000;

/** A partner answer is a few hundred bytes; a megabyte means something is wrong. */
const PARTNER_MAX_RESPONSE_BYTES = 1024 * 1024;

export interface RunningInquiryPoller {
  app: NestFastifyApplication;
  url: string;
  instanceId: string;
  /** Counters (claim cycles, inquiries started, …) and the inquiry-start listener. */
  metrics: PollerMetrics;
  /**
   * Graceful shutdown (design.md §6): stop consuming (the batch in flight finishes and commits), stop
   * claiming and let the calls in flight finish and be written back, then Kafka, HTTP and the DB.
   */
  close(): Promise<void>;
}

export function pollerSettings(
  config: InquiryPollerConfig,
  partners: readonly PolledPartner[],
): PollerSettings {
  return {
    instanceId: config.POLLER_INSTANCE_ID ?? defaultInstanceId(),
    targets: partners.map((p) => ({
      key: p.key,
      clientId: p.partner.clientId,
      dialect: p.partner.dialect,
      policy: p.policy,
      rate: p.rate,
    })),
    defaultPolicy: {
      firstInquiryDelayMs: config.FIRST_INQUIRY_DELAY_MS,
      inquiryIntervalsMs: config.INQUIRY_INTERVALS_MS,
      jitterRatio: config.JITTER_RATIO,
      maxInquiries: config.MAX_INQUIRIES > 0 ? config.MAX_INQUIRIES : null,
      maxInquiriesAction: config.MAX_INQUIRIES_ACTION,
      cancelRetryIntervalsMs: config.CANCEL_RETRY_INTERVALS_MS,
      cancelNotExistGraceMs: config.CANCEL_NOT_EXIST_GRACE_MS,
      cancelRefusedInquiryMs: config.CANCEL_REFUSED_INQUIRY_MS,
    },
    claimIntervalMs: config.CLAIM_INTERVAL_MS,
    claimBatch: config.CLAIM_BATCH,
    maxInFlight: config.MAX_IN_FLIGHT,
    leaseMs: config.LEASE_MS,
    inquiryTimeoutMs: config.INQUIRY_TIMEOUT_MS,
    cancelTimeoutMs: config.CANCEL_TIMEOUT_MS,
    publishTimeoutMs: config.PUBLISH_TIMEOUT_MS,
    completionFlushMs: config.COMPLETION_FLUSH_MS,
    hintMinGapMs: config.HINT_MIN_GAP_MS,
    tombstoneRetentionMs: config.TOMBSTONE_RETENTION_HOURS * 3_600_000,
    now: Date.now,
    random: Math.random,
  };
}

export async function bootstrapInquiryPoller(config: InquiryPollerConfig): Promise<RunningInquiryPoller> {
  const logger = createLogger('inquiry-poller');
  const partners = loadPolledPartners(config);
  const settings = pollerSettings(config, partners);
  const metrics = new PollerMetrics();

  const kafka = createKafkaClient({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? 'inquiry-poller',
    logger,
  });
  const producer = new DurableProducer(kafka, { sendTimeoutMs: config.PUBLISH_TIMEOUT_MS, logger });
  const http = createKeepAliveFetch({
    maxSockets: config.PARTNER_HTTP_MAX_SOCKETS,
    maxResponseBytes: PARTNER_MAX_RESPONSE_BYTES,
  });

  // Our requests are signed on these threads (issue 14); the partner API gives them the keys.
  const signingPool = createSigningPool(signingThreads(config), logger);
  const partnerApi = new AlipayPlusPartnerApi(partners, http.fetch, signingPool);
  const auth = loadOperatorAuth('inquiry-poller', config);
  const serviceMetrics = new ServiceMetrics('inquiry-poller');
  // Filled in once the app and the Kafka client exist; the probes and gauges read them when asked.
  const parts: {
    schedule?: ScheduleRepository;
    consumer?: ConsumerHealth;
    loop?: PollingLoop;
    database?: DataSource;
    kafkaUp?: KafkaReachability;
  } = {};
  const prom = new PollerPrometheus(serviceMetrics, metrics, () => parts.database);
  const eventLoop = eventLoopCheck();
  const probes = new ServiceProbes({
    // A restart helps only when the process itself is stuck: its event loop, its claim loop, or a
    // consumer kafkajs gave up on. A database or broker outage only makes it not ready.
    live: [
      eventLoop,
      { code: 'SIGNING_THREADS_DOWN', check: () => signingPool?.healthy ?? true },
      { code: 'CONSUMER_STOPPED', check: () => parts.consumer?.failure == null },
      {
        code: 'POLLING_STALLED',
        check: () => {
          const last = metrics.lastCycleAt;
          return !parts.loop?.isRunning || last === null || settings.now() - last <= POLLING_STALLED_AFTER_MS;
        },
      },
    ],
    ready: [
      {
        code: 'DATABASE_UNAVAILABLE',
        check: async () => (await parts.schedule?.ping(), parts.schedule !== undefined),
      },
      { code: 'KAFKA_UNAVAILABLE', check: () => parts.kafkaUp?.reachable() ?? false },
    ],
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    InquiryPollerModule.forRoot({
      databaseUrl: config.DATABASE_URL,
      dbPoolSize: config.DB_POOL_SIZE,
      settings,
      partnerApi: new MeteredPartnerApi(partnerApi, prom),
      publisher: new KafkaResultPublisher(producer, config.PUBLISH_TIMEOUT_MS),
      metrics,
      auth,
      observability: {
        metrics: serviceMetrics,
        probes,
        details: () => ({
          instance: settings.instanceId,
          partners: settings.targets.map((t) => t.key),
          callsInFlight: parts.loop?.callsInFlight ?? 0,
          ...metrics.snapshot(),
          // Where requests were signed: on the main thread, or on the signing threads (issue 14).
          ...(signingPool ? { signatures: { ...partnerApi.signatures } } : {}),
        }),
      },
    }),
    new FastifyAdapter({ bodyLimit: 16 * 1024 }),
    { logger, bufferLogs: false },
  ).catch((err: unknown) => {
    // No application to close yet: release the connections opened above, and the signing threads.
    http.close();
    void signingPool?.close();
    throw err;
  });
  // Every refusal of the operator API carries a code, also the framework's own (bad JSON, 413, 415).
  app.useGlobalFilters(new OperatorApiErrorsFilter());
  const loop = app.get(PollingLoop);
  parts.loop = loop;
  parts.schedule = app.get(ScheduleRepository);
  parts.consumer = app.get(ConsumerHealth);
  parts.database = app.get(DataSource);
  const kafkaUp = new KafkaReachability(kafka);
  parts.kafkaUp = kafkaUp;
  const partnerReload = reloadPartnersOnSignal(config, partners, partnerApi, logger);
  let transport: KafkaBatchTransport | undefined;
  let producerConnected = false;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      partnerReload.close();
      probes.startDraining(); // not ready from now on
      await transport?.close();
      await loop.stop();
      await signingPool?.close();
      http.close();
      if (producerConnected) await producer.disconnect();
      await kafkaUp.close();
      eventLoop.stop();
      await app.close();
    })());

  try {
    if (config.DB_MIGRATE_ON_BOOT) await runMigrations(app.get(DataSource), INQUIRY_POLLER_MIGRATION_LOCK);
    if (config.KAFKA_CREATE_TOPICS) {
      await ensureTopics(kafka, [
        Topics.statusChanged,
        Topics.inquiryHint,
        Topics.exceptions,
        Topics.resultObserved,
        Topics.dlq,
      ]);
    }
    await producer.connect();
    producerConnected = true;

    transport = new KafkaBatchTransport({
      kafka,
      groupId: config.KAFKA_GROUP_ID,
      deadLetters: producer,
      isPoisonError: isPostgresDataError,
      health: app.get(ConsumerHealth),
      metrics: serviceMetrics,
      // One transaction and one offset commit for the small partition batches of a fetch (a few
      // status changes each at a steady rate), as in order-state: fewer round trips per event.
      mergePartitions: true,
      fetch: { minBytes: config.KAFKA_FETCH_MIN_BYTES, maxWaitMs: config.KAFKA_FETCH_MAX_WAIT_MS },
    });
    app.connectMicroservice({ strategy: transport });
    await app.startAllMicroservices();

    loop.start();
    await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  } catch (err) {
    // Release what was started, so a failed boot leaves no consumer or connection behind.
    await close().catch((closeErr: Error) =>
      logger.error(`cleanup after a failed start: ${closeErr.message}`),
    );
    throw err;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.HTTP_PORT;
  logger.log(
    `inquiry-poller ${settings.instanceId} listening on :${port}, polling ${settings.targets.map((t) => t.key).join(', ')}`,
  );

  return { app, url: `http://127.0.0.1:${port}`, instanceId: settings.instanceId, metrics, close };
}
