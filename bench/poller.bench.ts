// Poller benchmark (issue #14; design.md §8). `npm run bench:poller`.
//
// 1. The scheduler against the queues a Node team would pick instead: our schedule and claim loop,
//    pg-boss and graphile-worker, each on the same PostgreSQL (a fresh database per run), the same
//    pool size and concurrency, the same orders and due times, the same handler (a fake inquiry of a
//    fixed 20 ms, no crypto, rescheduling itself on a growing interval). Bounded run: every order is
//    inquired BENCH_INQUIRIES times (default 3, waits 1 s then 2 s), then left alone. Three seedings:
//    spread (due evenly over 60 s), burst (all due at once), future (1 % due now, the rest in 24 h).
//    Each run is a child process: its CPU and RSS are its own; PostgreSQL's CPU is read from /proc.
// 2. The real path: signed RSA inquiries through the whole poller (Kafka too), CPU of the poller
//    process alone per inquiry, against one RSA sign plus one verify measured in the same run.
//
// Sizes: BENCH_ORDERS (100,000), BENCH_INQUIRIES, BENCH_INTERVALS_MS, BENCH_HANDLER_MS, BENCH_POOL (10),
// BENCH_CONCURRENCY (500), BENCH_POLL_MS (100), BENCH_CLAIM_BATCH (ours: 200, the production default), BENCH_SPREAD_MS, BENCH_FUTURE_NOW, BENCH_LEAD_MS,
// BENCH_GRACE_S (60), BENCH_SEEDINGS / BENCH_CONTENDERS (comma lists), BENCH_SIGNED_ORDERS (20,000; 0
// skips), BENCH_RATE (2,000/s offered in the signed run), BENCH_KEY_BITS, BENCH_SIM_KEY_BITS.
// Starts its own Kafka and PostgreSQL unless KAFKA_BROKERS and DATABASE_URL are both set (then the
// database CPU is not measured), and stops everything it started. The last line is one JSON object.
import 'reflect-metadata';
import { cpus, loadavg } from 'os';
import * as path from 'path';
import { purgeInfra, repoRoot, startInfra } from '@app/testing';
import { localInfraPids } from '@app/testing/process-cpu';
import { compareQueues, Comparison, RunResult } from './poller/compare';
import { runSigned, SignedResult } from './poller/signed';
import { BEFORE, benchSettings, ContenderName, Seeding } from './poller/settings';

const TARGET_P99_MS = 500;
const SIGNED_TARGET_OVERHEAD = 0.5;
const log = (line: string) => console.log(line);

interface Infra {
  kafkaBrokers: string;
  databaseUrl: string;
  postgresPid?: number;
  stop(): Promise<void>;
}

async function infra(): Promise<Infra> {
  if (process.env.KAFKA_BROKERS && process.env.DATABASE_URL) {
    log(`[infra] using KAFKA_BROKERS=${process.env.KAFKA_BROKERS} and the given DATABASE_URL`);
    return {
      kafkaBrokers: process.env.KAFKA_BROKERS,
      databaseUrl: process.env.DATABASE_URL,
      stop: async () => undefined,
    };
  }
  const instanceDir = path.join(repoRoot(), '.infra', `bench-poller-${process.pid}`);
  const started = Date.now();
  // ownerPid: a watchdog stops Kafka and PostgreSQL if this process dies before it cleans up.
  const endpoints = await startInfra({ instanceDir, ownerPid: process.pid });
  log(`[infra] Kafka ${endpoints.kafkaBrokers} and PostgreSQL ready in ${Date.now() - started} ms`);
  const { postgres } = localInfraPids(instanceDir);
  return { ...endpoints, postgresPid: postgres, stop: () => purgeInfra(instanceDir) };
}

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : null);

/** Ours against each queue, per seeding: lateness ratio (lower is better) and throughput ratio. */
function verdicts(results: Comparison) {
  const out: Record<string, unknown> = {};
  let aheadEverywhere = true;
  for (const [seeding, byContender] of Object.entries(results) as [
    Seeding,
    Partial<Record<ContenderName, RunResult>>,
  ][]) {
    const ours = byContender.ours;
    if (!ours) continue;
    const row: Record<string, unknown> = { oursP99WithinTarget: ours.p99Ms <= TARGET_P99_MS };
    for (const other of ['pgBoss', 'graphileWorker'] as const) {
      const them = byContender[other];
      if (!them) continue;
      const p99Ratio = ratio(ours.p99Ms, them.p99Ms);
      const perSecRatio = ratio(ours.perSec, them.perSec);
      // Throughput is capped by the offered rate when both keep up: within 2 % counts as even.
      // Unfinished items count at the deadline, the same for all: fewer of them is also required.
      const ahead =
        ours.p99Ms <= them.p99Ms && (perSecRatio ?? 0) >= 0.98 && ours.unfinished <= them.unfinished;
      aheadEverywhere &&= ahead;
      row[other] = { p99Ratio, perSecRatio, ahead };
      log(
        `[${seeding}] ours vs ${other}: p99 ${ours.p99Ms} vs ${them.p99Ms} ms (ratio ${p99Ratio}), ` +
          `throughput ${ours.perSec} vs ${them.perSec}/s (ratio ${perSecRatio}), unfinished ${ours.unfinished} vs ${them.unfinished}, ` +
          `CPU per item: db ${ours.dbCpuMsPerItem ?? '?'} vs ${them.dbCpuMsPerItem ?? '?'} ms, process ${ours.cpuMsPerItem} vs ${them.cpuMsPerItem} ms; RSS ${ours.peakRssMb} vs ${them.peakRssMb} MB` +
          ` → ${ahead ? 'ahead' : 'NOT ahead'}`,
      );
    }
    out[seeding] = row;
  }
  return { bySeeding: out, aheadEverywhere };
}

const pickFigures = (r: RunResult) => ({
  perSec: r.perSec,
  p50Ms: r.p50Ms,
  p99Ms: r.p99Ms,
  maxMs: r.maxMs,
  violations: r.violations,
  unfinished: r.unfinished,
  started: r.started,
  expected: r.expected,
  dbCpuMs: r.dbCpuMs,
  dbCores: r.dbCores,
  dbCpuMsPerItem: r.dbCpuMsPerItem,
  processCpuMsPerItem: r.cpuMsPerItem,
  processCpuMs: r.cpuMs,
  rssMb: r.peakRssMb,
  seedMs: r.seedMs,
  runMs: r.runMs,
  load: r.load,
});

async function main(): Promise<void> {
  process.env.LOG_LEVEL ??= 'warn';
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  const settings = benchSettings();
  const benchStarted = Date.now();
  log(
    `poller bench: ${settings.orders} orders × ${settings.inquiries} inquiries (waits ${settings.intervalsMs.join(', ')} ms, handler ${settings.handlerMs} ms), ` +
      `pool ${settings.poolSize}, concurrency ${settings.concurrency}, poll ${settings.pollMs} ms; seedings ${settings.seedings.join(', ')}; ` +
      `contenders ${settings.contenders.join(', ')}; signed run ${settings.signedOrders} orders at ${settings.signedRate}/s; ` +
      `${cpus().length} cores, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  const { kafkaBrokers, databaseUrl, postgresPid, stop } = await infra();
  try {
    const results = await compareQueues(settings, databaseUrl, postgresPid);
    const { bySeeding, aheadEverywhere } = verdicts(results);

    let signed: SignedResult | null = null;
    if (settings.signedOrders > 0) {
      signed = await runSigned(settings, kafkaBrokers, databaseUrl, log);
      log(`[signed] before: ${BEFORE.perSec}/s, p99 ${BEFORE.p99Ms} ms at ${BEFORE.what}`);
      log(
        `[signed] after:  ${signed.perSec}/s, start lag p50 ${signed.p50Ms} ms, p99 ${signed.p99Ms} ms, max ${signed.maxMs} ms ` +
          `(${signed.orders} orders at ${signed.offeredPerSec}/s offered; load ${signed.load})`,
      );
      log(
        `[signed] CPU ${signed.cpuMsPerInquiry} ms per inquiry (poller process alone) vs floor ${signed.floorMs} ms ` +
          `(RSA-${signed.keyBits} sign + RSA-${signed.simKeyBits} verify): overhead ${signed.overheadRatio}× the floor, ` +
          `target ≤ ${SIGNED_TARGET_OVERHEAD}× → ${signed.overheadRatio <= SIGNED_TARGET_OVERHEAD ? 'met' : 'NOT met'}`,
      );
    }
    log(
      `queues: ours ahead of both on p99 lateness and throughput in every seeding → ${aheadEverywhere ? 'yes' : 'NO'}`,
    );
    log(`total ${Math.round((Date.now() - benchStarted) / 1000)} s`);

    const seedings: Record<string, Record<string, unknown>> = {};
    for (const [seeding, byContender] of Object.entries(results)) {
      seedings[seeding] = {};
      for (const [contender, r] of Object.entries(byContender ?? {}))
        seedings[seeding][contender] = pickFigures(r);
    }
    console.log(
      JSON.stringify({
        settings: {
          orders: settings.orders,
          inquiriesPerOrder: settings.inquiries,
          intervalsMs: settings.intervalsMs,
          handlerMs: settings.handlerMs,
          poolSize: settings.poolSize,
          concurrency: settings.concurrency,
          pollMs: settings.pollMs,
          claimBatch: settings.claimBatch,
          cores: cpus().length,
        },
        seedings,
        verdicts: { ...bySeeding, aheadEverywhere, p99TargetMs: TARGET_P99_MS },
        signed,
        before: BEFORE,
        replicaScaling: null,
        replicaScalingReason:
          'measured by npm run bench:poller-signing (its replicaScaling key): one replica against two, each in its own process, pinned to a core of its own',
        totalSeconds: Math.round((Date.now() - benchStarted) / 1000),
      }),
    );
  } finally {
    await stop().catch((err: Error) => console.error(`infra stop: ${err.message}`));
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`poller bench failed: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
