import type { Provider } from '@nestjs/common';
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
import { ReplayPublisher } from '@app/dead-letters';
import { createLogger, eventLoopCheck, ServiceMetrics, ServiceProbes } from '@app/observability';
import { loadOperatorAuth, OperatorApiErrorsFilter } from '@app/operator-auth';
import { isPostgresDataError } from '@app/persistence';
import { OrderStateModule } from './order-state.module';
import { OrderStateConfig } from './config';
import {
  runMigrations,
  ORDER_STATE_MIGRATION_LOCK,
  ORDER_STATE_PG_SESSION_OPTIONS,
} from './infrastructure/persistence/data-source';
import { OutboxRelay } from './infrastructure/messaging/outbox-relay';
import { ParkedSweeper } from './infrastructure/messaging/parked-sweeper';
import { ApplyObservationsUseCase } from './application/apply-observations.use-case';
import { ExceptionsUseCase } from './application/exceptions.use-case';
import { ExceptionSweeper } from './infrastructure/messaging/exception-sweeper';

export interface RunningOrderState {
  app: NestFastifyApplication;
  config: OrderStateConfig;
  url: string;
  relay: OutboxRelay;
  /** Graceful shutdown (design.md §6): stop fetching, finish the batch in flight and commit, then the relay, Kafka, the DB. */
  close(): Promise<void>;
}

export interface OrderStateBootOptions {
  /**
   * Bindings that replace the module's by token (OrderStateModule.forRoot), e.g. a test bootstrap's
   * decorator of a port (apps/order-state/test/crash-after-commit.main.ts). None in production.
   */
  overrides?: readonly Provider[];
}

export async function bootstrapOrderState(
  config: OrderStateConfig,
  options: OrderStateBootOptions = {},
): Promise<RunningOrderState> {
  const logger = createLogger('order-state');
  const auth = loadOperatorAuth('order-state', config);
  const metrics = new ServiceMetrics('order-state');
  // Filled in once the app and Kafka client exist; the probes read them when asked.
  const parts: { kafkaUp?: KafkaReachability; consumerHealth?: ConsumerHealth; database?: DataSource } = {};
  const loop = eventLoopCheck();
  const probes = new ServiceProbes({
    // Restarting helps only when the process itself is stuck: its loop, or a consumer kafkajs gave up on.
    live: [loop, { code: 'CONSUMER_STOPPED', check: () => parts.consumerHealth?.failure == null }],
    ready: [
      {
        code: 'DATABASE_UNAVAILABLE',
        check: async () => (await parts.database?.query('SELECT 1'), parts.database !== undefined),
      },
      { code: 'KAFKA_UNAVAILABLE', check: () => parts.kafkaUp?.reachable() ?? false },
    ],
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    OrderStateModule.forRoot(config, { metrics, probes, auth }, options.overrides),
    new FastifyAdapter({ bodyLimit: 64 * 1024 }),
    { logger, bufferLogs: false },
  );

  // Every refusal of the operator API carries a code, also the framework's own (bad JSON, 413, 415).
  app.useGlobalFilters(new OperatorApiErrorsFilter());
  const db = app.get(DataSource);
  parts.database = db;
  const consumerHealth = app.get(ConsumerHealth);
  parts.consumerHealth = consumerHealth;
  if (config.DB_MIGRATE_ON_BOOT) await runMigrations(db, ORDER_STATE_MIGRATION_LOCK);

  const kafka = createKafkaClient({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? 'order-state',
    logger,
  });
  if (config.KAFKA_CREATE_TOPICS) {
    await ensureTopics(kafka, [
      Topics.orderRegistered,
      Topics.resultObserved,
      Topics.statusChanged,
      Topics.exceptions,
      Topics.orderCommands,
      Topics.dlq,
    ]);
  }
  const producer = new DurableProducer(kafka, { sendTimeoutMs: 30_000, logger });
  await producer.connect();
  const kafkaUp = new KafkaReachability(kafka);
  parts.kafkaUp = kafkaUp;
  // Dead letters are replayed through the same durable producer.
  app.get(ReplayPublisher).attach(producer);

  const transport = new KafkaBatchTransport({
    kafka,
    groupId: config.KAFKA_GROUP_ID,
    deadLetters: producer,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENCY,
    // A result PostgreSQL cannot store (a value out of its range) goes to the DLQ; the rest applies.
    isPoisonError: isPostgresDataError,
    health: consumerHealth,
    metrics,
    // One transaction and one offset commit per fetch, not per partition (issue 14 §4: latency).
    mergePartitions: true,
  });
  app.connectMicroservice({ strategy: transport });
  await app.startAllMicroservices();

  const relay = new OutboxRelay({
    databaseUrl: config.DATABASE_URL,
    producer,
    pollMs: config.OUTBOX_POLL_MS,
    batchSize: config.OUTBOX_BATCH,
    sessionOptions: ORDER_STATE_PG_SESSION_OPTIONS,
  });
  if (config.OUTBOX_RELAY_ENABLED) relay.start();
  const sweeper = new ParkedSweeper(app.get(ApplyObservationsUseCase), config.PARKED_SWEEP_MS);
  sweeper.start();
  const exceptionSweeper = new ExceptionSweeper(app.get(ExceptionsUseCase), {
    intervalMs: config.EXCEPTION_SWEEP_MS,
    unregisteredGraceMs: config.UNREGISTERED_RESULT_GRACE_MS,
    stuckAfterExpiryMs: config.STUCK_AFTER_EXPIRY_MS,
  });
  exceptionSweeper.start();

  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.HTTP_PORT;
  logger.log(`order-state listening on :${port}`);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      probes.startDraining(); // not ready from now on: traffic moves away first
      await transport.close();
      await sweeper.stop();
      await exceptionSweeper.stop();
      await relay.stop();
      await producer.disconnect();
      await kafkaUp.close();
      loop.stop();
      await app.close();
    })());

  return { app, config, url: `http://127.0.0.1:${port}`, relay, close };
}
