/**
 * npm run bench:order-state — observations applied per second by order-state (design.md §8).
 *
 * Preloads N result-observed events (default 200,000) into Kafka, then in the same run measures:
 * - baseline: one transaction per message (kafkajs eachMessage → the same use case with one event);
 * - candidate: the real order-state (eachBatch → one transaction per batch, set-based SQL, outbox
 *   rows written in the same transaction, the relay publishing them meanwhile).
 * Each starts from the same topic with its own consumer group and database. Prints both rates and
 * the ratio; the last line is one JSON object.
 */
import 'reflect-metadata';
import { randomBytes } from 'crypto';
import { cpus, loadavg } from 'os';
import * as path from 'path';
import { Kafka, logLevel } from 'kafkajs';
import { measureFloor, PreparedObservation } from './order-state-floor';
import { profiled } from './cpu-profile';
import { DataSource } from 'typeorm';
import { Logger } from '@nestjs/common';
import { decodeEvent, encodeEvent, ResultObservedV1, Topics } from '@app/contracts';
import { createKafkaClient, ensureTopics } from '@app/kafka';
import { purgeInfra, repoRoot, startInfra } from '@app/testing';
import { createTestDatabase, queryRows } from '@app/testing/test-database';
import { groupCaughtUp } from '@app/testing/kafka-probes';
import { CpuMeter, localInfraPids, ownCpuMs, processTreeCpuMs } from '@app/testing/process-cpu';
import { bootstrapOrderState } from '../apps/order-state/src/bootstrap';
import { loadOrderStateConfig } from '../apps/order-state/src/config';
import { ApplyObservationsUseCase } from '../apps/order-state/src/application/apply-observations.use-case';
import { PostgresOrderRepository } from '../apps/order-state/src/infrastructure/persistence/postgres-order-repository';
import {
  orderStateDataSourceOptions,
  runMigrations,
  ORDER_STATE_MIGRATION_LOCK,
} from '../apps/order-state/src/infrastructure/persistence/data-source';

const N = Number(process.env.BENCH_N ?? 200_000);
const FLOOR_BATCH = Number(process.env.BENCH_FLOOR_BATCH ?? 1000);
const BASELINE_N = Number(process.env.BENCH_BASELINE_N ?? Math.min(N, 5_000));
const CLIENT_ID = 'T_BENCH';
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function main() {
  let instanceDir: string | undefined;
  if (!process.env.KAFKA_BROKERS || !process.env.DATABASE_URL) {
    instanceDir = path.join(repoRoot(), '.infra', `bench-${process.pid}`);
    const infra = await startInfra({ instanceDir, ownerPid: process.pid });
    process.env.KAFKA_BROKERS = infra.kafkaBrokers;
    process.env.DATABASE_URL = infra.databaseUrl;
  } else {
    log('using the given KAFKA_BROKERS/DATABASE_URL: the topic must hold no other result-observed events');
  }
  try {
    return await run(instanceDir);
  } finally {
    if (instanceDir) await purgeInfra(instanceDir);
  }
}

async function run(instanceDir: string | undefined) {
  const brokers = process.env.KAFKA_BROKERS!.split(',');
  const kafka = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING });
  await ensureTopics(createKafkaClient({ brokers, clientId: 'bench', logger: new Logger('bench') }), [
    Topics.orderRegistered,
    Topics.resultObserved,
    Topics.statusChanged,
    Topics.dlq,
  ]);
  const ids = Array.from(
    { length: N },
    (_, i) => `bench-${i.toString(36)}-${randomBytes(4).toString('hex')}`,
  );

  log(`preloading ${N} result-observed events`);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const raw = JSON.stringify({
    paymentResult: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' },
    padding: 'x'.repeat(300),
  });
  for (let i = 0; i < N; i += 5000) {
    await producer.send({
      topic: Topics.resultObserved,
      acks: -1,
      messages: ids.slice(i, i + 5000).map((id) => {
        const e: ResultObservedV1 = {
          eventId: `notify:${id}`,
          schemaVersion: 1,
          occurredAt: new Date().toISOString(),
          clientId: CLIENT_ID,
          paymentRequestId: id,
          dialect: 'alipayplus',
          source: 'notify',
          outcome: 'SUCCESS',
          resultCode: 'SUCCESS',
          paymentId: `ALIPAY-${id}`,
          amount: { value: '1000', currency: 'USD' },
          paymentTime: new Date().toISOString(),
          rawBody: raw,
        };
        return { key: id, value: encodeEvent(Topics.resultObserved, e) };
      }),
    });
  }
  await producer.disconnect();

  const baseline = await measureBaseline(kafka, ids);
  const candidate = await profiled(process.env.BENCH_PROFILE, () =>
    measureCandidate(ids, kafka, instanceDir),
  );
  const floor = await measureFloorRow(ids, raw, instanceDir);
  const ratio = candidate.perSec / baseline.perSec;
  console.log(
    `baseline  (one transaction per message): ${baseline.perSec.toFixed(0)} observations/s (${BASELINE_N} in ${baseline.seconds.toFixed(1)} s)`,
  );
  console.log(
    `candidate (eachBatch, set-based SQL + outbox): ${candidate.perSec.toFixed(0)} observations/s (${N} in ${candidate.seconds.toFixed(1)} s)`,
  );
  console.log(`ratio: ${ratio.toFixed(2)}x   targets: ≥ 20000/s and ≥ 5x`);
  const cpu = candidate.cpuUsPerObs;
  const totalUs = Object.values(cpu).reduce((a, b) => a + b, 0);
  console.log(
    `cpu per observation (candidate): ${Object.entries(cpu)
      .map(([part, us]) => `${part} ${us.toFixed(1)} µs`)
      .join(
        ', ',
      )}; total ${totalUs.toFixed(1)} µs → ${((totalUs * 20_000) / 1e6).toFixed(2)} cores at 20,000/s (this machine: ${cpus().length})`,
  );
  const floorParts = Object.entries(floor.cpuUsPerObs)
    .map(([part, us]) => `${part} ${us.toFixed(1)} µs`)
    .join(', ');
  const floorRatio = totalUs / floor.floorUsPerObs;
  console.log(
    `floor (the same rows by set-based SQL from prepared arrays, batches of ${FLOOR_BATCH}, no Kafka): ${floor.perSec.toFixed(0)} observations/s; cpu per observation ${floorParts}; total ${floor.floorUsPerObs.toFixed(1)} µs`,
  );
  console.log(
    `candidate total / floor: ${floorRatio.toFixed(2)}x   targets: order-state ≤ 40 µs/obs, total ≤ 1.3x the floor, ≥ 20x the baseline`,
  );
  console.log(
    JSON.stringify({
      batchPerSec: Math.round(candidate.perSec),
      baselinePerSec: Math.round(baseline.perSec),
      ratio: Number(ratio.toFixed(2)),
      n: N,
      baselineN: BASELINE_N,
      cpuUsPerObs: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, Number(v.toFixed(1))])),
      floorPerSec: Math.round(floor.perSec),
      floorUsPerObs: Number(floor.floorUsPerObs.toFixed(1)),
      floorCpuUsPerObs: Object.fromEntries(
        Object.entries(floor.cpuUsPerObs).map(([k, v]) => [k, Number(v.toFixed(1))]),
      ),
      totalOverFloor: Number(floorRatio.toFixed(2)),
      // The 1-minute load average when the candidate started and at the end: other work on the box
      // shows here (the CPU figures are per observation, but a busy box still moves them).
      loadAvg: [candidate.loadAvgAtStart, Number(loadavg()[0].toFixed(2))],
    }),
  );
}

/** The floor row: the same orders and rows, written straight by SQL (bench/order-state-floor.ts). */
async function measureFloorRow(ids: string[], raw: string, instanceDir: string | undefined) {
  const db = await createTestDatabase();
  await seedOrders(db.url, ids);
  const now = new Date().toISOString();
  const rows: PreparedObservation[] = ids.map((id) => ({
    eventId: `notify:${id}`,
    paymentRequestId: id,
    rawBody: raw,
    statusChangedPayload: encodeEvent(Topics.statusChanged, {
      eventId: `status:${id}:2`,
      schemaVersion: 1,
      occurredAt: now,
      clientId: CLIENT_ID,
      paymentRequestId: id,
      orderNo: `o-${id}`,
      dialect: 'alipayplus',
      from: 'init',
      to: 'success',
      source: 'notify',
      resultCode: 'SUCCESS',
      amount: { value: '1000', currency: 'USD' },
      paymentExpiryTime: now,
      version: 2,
      causeEventId: `notify:${id}`,
      paymentId: `ALIPAY-${id}`,
      paymentTime: now,
      reportedAmount: { value: '1000', currency: 'USD' },
    }),
  }));
  log(`floor: ${N} observations' rows by set-based SQL`);
  const pids = instanceDir ? localInfraPids(instanceDir) : {};
  const floor = await measureFloor(db.url, rows, {
    batchSize: FLOOR_BATCH,
    postgresPid: pids.postgres,
    clientId: CLIENT_ID,
  });
  const [check] = await queryRows<{ n: string }>(
    db.url,
    `SELECT count(*) AS n FROM payment_orders WHERE status = 'success'`,
  );
  if (Number(check.n) !== N) throw new Error(`floor: expected ${N} orders in success, found ${check.n}`);
  await db.drop();
  return floor;
}

async function seedOrders(url: string, ids: string[]) {
  const ds = new DataSource(orderStateDataSourceOptions(url, 2));
  await ds.initialize();
  await runMigrations(ds, ORDER_STATE_MIGRATION_LOCK);
  for (let i = 0; i < ids.length; i += 50_000) {
    await ds.query(
      `INSERT INTO payment_orders (payment_request_id, client_id, order_no, dialect, amount_value, amount_currency, status,
                                   version, payment_expiry_time, registered_at, updated_at)
       SELECT id, $2, 'o-' || id, 'alipayplus', 1000, 'USD', 'init', 1, now() + interval '1 hour', now(), now()
         FROM unnest($1::text[]) AS id`,
      [ids.slice(i, i + 50_000), CLIENT_ID],
    );
  }
  await ds.destroy();
}

async function measureBaseline(kafka: Kafka, ids: string[]) {
  const db = await createTestDatabase();
  await seedOrders(db.url, ids);
  const ds = new DataSource(orderStateDataSourceOptions(db.url, 10));
  await ds.initialize();
  const useCase = new ApplyObservationsUseCase(new PostgresOrderRepository(ds));
  const consumer = kafka.consumer({ groupId: `bench-baseline-${randomBytes(3).toString('hex')}` });
  await consumer.connect();
  await consumer.subscribe({ topic: Topics.resultObserved, fromBeginning: true });
  let applied = 0;
  let started = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  log(`baseline: ${BASELINE_N} observations, one transaction each`);
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachMessage: async ({ message }) => {
      if (applied >= BASELINE_N) return;
      if (started === 0) started = performance.now();
      const decoded = decodeEvent(Topics.resultObserved, message.value);
      if (!decoded.ok) throw new Error(decoded.reason);
      await useCase.execute([decoded.value]);
      if (++applied === BASELINE_N) resolveDone();
    },
  });
  await done;
  const seconds = (performance.now() - started) / 1000;
  await consumer.disconnect();
  await ds.destroy();
  await db.drop();
  return { seconds, perSec: BASELINE_N / seconds };
}

async function measureCandidate(ids: string[], kafkaForProbe: Kafka, instanceDir: string | undefined) {
  const db = await createTestDatabase();
  await seedOrders(db.url, ids);
  log(`candidate: ${N} observations through order-state's batch path`);
  const app = await bootstrapOrderState(
    loadOrderStateConfig({
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      DATABASE_URL: db.url,
      HTTP_PORT: '0',
      OPERATOR_AUTH: 'disabled',
      KAFKA_GROUP_ID: `bench-batch-${randomBytes(3).toString('hex')}`,
      LOG_LEVEL: 'warn',
      // Tuning knobs pass through, so a run can compare settings.
      ...(process.env.KAFKA_PARTITIONS_CONCURRENCY
        ? { KAFKA_PARTITIONS_CONCURRENCY: process.env.KAFKA_PARTITIONS_CONCURRENCY }
        : {}),
      ...(process.env.OUTBOX_BATCH ? { OUTBOX_BATCH: process.env.OUTBOX_BATCH } : {}),
    }),
  );
  // Done when the group has committed every offset: offsets are committed only after the DB commit,
  // so that is "applied". The clock starts when the consumer has joined (bootstrap returns then).
  // What each part of the machine spent meanwhile: this process is order-state (consumer and relay)
  // plus the bench's probe; PostgreSQL and Kafka only when this run started them.
  const pids = instanceDir ? localInfraPids(instanceDir) : {};
  const meter = new CpuMeter({
    orderState: ownCpuMs,
    ...(pids.postgres ? { postgres: () => processTreeCpuMs(pids.postgres!) } : {}),
    ...(pids.kafka ? { kafka: () => processTreeCpuMs(pids.kafka!) } : {}),
  });
  const loadAvgAtStart = Number(loadavg()[0].toFixed(2));
  meter.start();
  const started = performance.now();
  const groupId = app.config.KAFKA_GROUP_ID;
  while (!(await groupCaughtUp(kafkaForProbe, groupId, Topics.resultObserved))) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuMs = meter.stop();
  const cpuUsPerObs = Object.fromEntries(Object.entries(cpuMs).map(([part, ms]) => [part, (ms * 1000) / N]));
  const [check] = await queryRows<{ n: string }>(
    db.url,
    `SELECT count(*) AS n FROM payment_orders WHERE status = 'success'`,
  );
  if (Number(check.n) !== N) throw new Error(`expected ${N} orders in success, found ${check.n}`);
  await app.close();
  await db.drop();
  return { seconds, perSec: N / seconds, cpuUsPerObs, loadAvgAtStart };
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
