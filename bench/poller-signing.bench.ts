// Signing bench (issue 14): `npm run bench:poller-signing`.
//
// 1. CPU per signed RSA-2048 inquiry of the poller process alone — a real replica (dist main.js) in a
//    process of its own, its CPU read from /proc (every thread: the signing threads count) — against
//    the floor measured in this run: one RSA-2048 sign plus one RSA-2048 verify. Once with
//    SIGNING_THREADS=0 (sign on the main thread), once with signing threads. The simulator signs its
//    answers with RSA-2048 too (the verify of the floor), in its own process: its CPU is not counted.
// 1b. The same at BENCH_SIGNED_SLOPE_RATE (1,000/s; 0 skips it), for the line through the two runs'
//    CPU per second: its slope is what each added inquiry costs; its intercept is what an active
//    replica spends whatever its rate (claim cycles, timers, V8's own threads; on this VM every wake-up
//    of a process is charged ~25 µs in C and ~40–60 µs in Node), plus what the faster run saves by
//    sharing wake-ups, claims and write-backs among more inquiries. CPU per inquiry at one rate mixes
//    the two, so it falls as the rate rises (300/s: ~1.05 ms; 1,000/s: ~0.75 ms, warmed up).
// 1c. The bare HTTP exchange at the same rates (poller-signing/http-exchange.ts): a Node keep-alive
//    client in a process of its own replaying one signed inquiry to the same simulator, started in
//    batches as the claim loop starts them, reading each answer and nothing more. Its CPU per request
//    is the part of the overhead that any Node client calling the partner pays at that rate; the
//    bench prints the poller's overhead beyond the floor and this exchange too.
// 2. Replica scaling: inquiries per second of one replica against two (each its own process, pinned to
//    a core of its own with taskset when BENCH_PIN=1 and there are two, signing on its main thread),
//    draining a backlog, the simulator made cheap (RSA-1024). Beside the wall-clock ratio, the cores
//    the replicas got and inquiries per CPU-second of the replicas, and from it the ratio projected
//    with a core each: on a 2-core machine shared with the peer, the database, the broker and other
//    work, the wall clock says more about the neighbours.
//    Then the same replicas paced at BENCH_SCALE_RATE (400/s) each, for 15 s: one replica at 400/s,
//    two at 800/s together. Draining a backlog, two replicas each run at about half the rate of one,
//    and CPU per inquiry falls with the rate (1b), so the drain's projection mixes that in; paced,
//    each replica runs at the same rate in both, and the projection shows what a second replica costs.
// Every replica first runs an unmeasured warm-up (BENCH_WARMUP_S seconds of the run's rate, 8; a
// quarter of the backlog for the drains), and so does the bare exchange: measured cold, a run also
// paid V8's compiling of the hot paths and the first connections, once per replica.
//
// Settings: BENCH_SIGNED_N (6000) inquiries at BENCH_SIGNED_RATE (300/s) per signed run,
// BENCH_SIGNING_THREADS (os.availableParallelism()), BENCH_SCALE_N (8000) backlog per scaling run,
// BENCH_FLOOR_N (2000), BENCH_PIN (1), BENCH_WARMUP_S (8), BENCH_SCALE_RATE (400; 0 skips the paced
// runs). Starts its own Kafka and PostgreSQL unless KAFKA_BROKERS and DATABASE_URL are both set; stops
// everything it started. The last line is one JSON object.
import { generateKeyPairSync, KeyObject, randomBytes } from 'crypto';
import { availableParallelism, loadavg } from 'os';
import * as path from 'path';
import { Client } from 'pg';
import {
  ALIPAYPLUS_INQUIRY_PAYMENT_PATH,
  buildSignContent,
  signContent,
  signMessage,
  verifyContent,
} from '@app/alipayplus';
import { purgeInfra, repoRoot, startInfra, waitFor } from '@app/testing';
import { createTestDatabase } from '@app/testing/test-database';
import { Replica, runExchange, SimulatorProcess } from './poller-signing/processes';

const intEnv = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
  return value;
};

const SIGNED_N = intEnv('BENCH_SIGNED_N', 6000);
const SIGNED_RATE = intEnv('BENCH_SIGNED_RATE', 300);
const SLOPE_RATE = intEnv('BENCH_SIGNED_SLOPE_RATE', 1000);
/**
 * The signed runs' rates and sizes: SIGNED_RATE, then SLOPE_RATE (unless 0 or the same) with as many
 * inquiries as make it last as long: the idle lead and tail in each run's CPU window then weigh the
 * same in both, and cancel out of the slope.
 */
const SIGNED_RUNS: readonly (readonly [rate: number, n: number])[] = [
  [SIGNED_RATE, SIGNED_N],
  ...(SLOPE_RATE > 0 && SLOPE_RATE !== SIGNED_RATE
    ? [[SLOPE_RATE, Math.round((SIGNED_N * SLOPE_RATE) / SIGNED_RATE)] as const]
    : []),
];
const THREADS = intEnv('BENCH_SIGNING_THREADS', availableParallelism());
const SCALE_N = intEnv('BENCH_SCALE_N', 8000);
const FLOOR_N = intEnv('BENCH_FLOOR_N', 2000);
const PIN = intEnv('BENCH_PIN', 1) === 1 && availableParallelism() >= 2;
const WARMUP_S = intEnv('BENCH_WARMUP_S', 8);
const SCALE_RATE = intEnv('BENCH_SCALE_RATE', 400);
const SCALE_SECONDS = 15;
const CLIENT_ID = 'BENCH_POLLER';
const DIALECT = 'alipayplus' as const;
const AMOUNT = { value: '1000', currency: 'JPY' };
const LEAD_MS = 2000;

const log = (line: string) => console.log(line);
const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;
const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function keyPair(bits: number) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    privateKey,
    publicKey,
    privateKeyBase64: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    publicKeyBase64: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}

/** The floor: one RSA-2048 sign of a request plus one RSA-2048 verify of an answer, in CPU ms. */
function floor(ours: KeyObject, theirs: { privateKey: KeyObject; publicKey: KeyObject }) {
  const content = (body: string) =>
    buildSignContent({
      path: ALIPAYPLUS_INQUIRY_PAYMENT_PATH,
      clientId: CLIENT_ID,
      time: new Date().toISOString(),
      body,
    });
  const request = content('{"paymentRequestId":"bench-123456"}');
  const answer = content(
    '{"result":{"resultCode":"PAYMENT_IN_PROCESS","resultStatus":"U","resultMessage":"in process"}}',
  );
  const signature = signContent(answer, theirs.privateKey);
  let started = cpuMs();
  for (let i = 0; i < FLOOR_N; i++) signContent(request, ours);
  const signMs = (cpuMs() - started) / FLOOR_N;
  started = cpuMs();
  for (let i = 0; i < FLOOR_N * 5; i++) verifyContent(answer, signature, theirs.publicKey);
  const verifyMs = (cpuMs() - started) / (FLOOR_N * 5);
  return { signMs, verifyMs, floorMs: signMs + verifyMs };
}

interface Run {
  inquiries: number;
  seconds: number;
  perSecond: number;
  cpuMs: number[];
  /** The replicas' main threads (the event loop): the part of cpuMs one core must carry. */
  mainThreadCpuMs: number[];
  /** CPU the replicas use idle (claim loop, Kafka heartbeats), in ms per second, measured just before. */
  idleMsPerSecond: number;
  /** The simulator's CPU over the same window: near windowMs, the peer is the bottleneck. */
  simCpuMs: number;
  /** How long the CPU was counted for (from scheduling to the last write-back seen). */
  windowMs: number;
}

/** CPU of all the run's replicas together, in ms. */
const totalCpuMs = (r: Run) => r.cpuMs.reduce((a, b) => a + b, 0);

/** CPU per inquiry less what the replicas would have used idle over the same window. */
const marginal = (r: Run) => (totalCpuMs(r) - (r.idleMsPerSecond * r.windowMs) / 1000) / r.inquiries;

const IDLE_SAMPLE_MS = 3000;

/** Inquiries per CPU-second of the replicas. */
const perCpu = (r: Run) => r.inquiries / (totalCpuMs(r) / 1000);

/** The line through two runs' CPU per second at two rates: ms per added inquiry, and its intercept (ms/s). */
interface Slope {
  rates: [number, number];
  cpuMsPerAddedInquiry: number;
  interceptMsPerSecond: number;
}

function slope(slower: Run, faster: Run): Slope {
  const msPerSecond = (r: Run) => r.cpuMs[0] / r.seconds;
  const perAdded = (msPerSecond(faster) - msPerSecond(slower)) / (faster.perSecond - slower.perSecond);
  return {
    rates: [slower.perSecond, faster.perSecond],
    cpuMsPerAddedInquiry: perAdded,
    interceptMsPerSecond: msPerSecond(slower) - perAdded * slower.perSecond,
  };
}

const slopeJson = (s: Slope | undefined, floorMs: number) =>
  s
    ? {
        rates: s.rates.map((r) => round(r, 0)),
        cpuMsPerAddedInquiry: round(s.cpuMsPerAddedInquiry),
        overheadRatio: round((s.cpuMsPerAddedInquiry - floorMs) / floorMs, 2),
        interceptMsPerSecond: round(s.interceptMsPerSecond, 0),
      }
    : null;

class Bench {
  private seq = 0;
  constructor(
    private readonly kafkaBrokers: string,
    private readonly databaseUrl: string,
  ) {}

  replicaEnv(simUrl: string, simPublicKey: string, threads: number | undefined): NodeJS.ProcessEnv {
    return {
      KAFKA_BROKERS: this.kafkaBrokers,
      DATABASE_URL: this.databaseUrl,
      OPERATOR_AUTH: 'disabled',
      LOG_LEVEL: 'warn',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      KAFKA_GROUP_ID: `poller-signing-bench-${randomBytes(3).toString('hex')}`,
      BENCH_POLLER_KEY: process.env.BENCH_POLLER_KEY,
      PARTNERS_JSON: JSON.stringify([
        {
          clientId: CLIENT_ID,
          dialect: DIALECT,
          privateKeyEnv: 'BENCH_POLLER_KEY',
          peerPublicKey: simPublicKey,
          apiBaseUrl: simUrl,
        },
      ]),
      // One inquiry per order within the run: the next one is an hour out.
      PARTNER_POLICIES_JSON: JSON.stringify({ [CLIENT_ID]: { inquiryIntervalsMs: [3_600_000] } }),
      RATE_LIMIT_PER_SECOND: '100000',
      ...(threads !== undefined ? { SIGNING_THREADS: String(threads) } : {}),
    };
  }

  /**
   * Runs `n` inquiries through replicas just started, and forgets what they cost: a replica runs for
   * days, so what counts is its steady state, not its first seconds (V8 compiling the hot paths, the
   * first connections to the partner). Unwarmed, each replica's run paid for that once, and two
   * replicas paid for it twice.
   */
  async warmUp(sim: SimulatorProcess, replicas: Replica[], n: number, rate: number): Promise<void> {
    if (n <= 0) return;
    const run = await this.run(sim, replicas, n, rate);
    log(
      `  warm-up: ${n} inquiries at ${round(run.perSecond, 0)}/s, ${round(totalCpuMs(run) / n)} ms per inquiry (not counted)`,
    );
  }

  /** Schedules `n` orders due from LEAD_MS from now at `rate` a second (0: all at once), and drains them. */
  async run(sim: SimulatorProcess, replicas: Replica[], n: number, rate: number): Promise<Run> {
    const prefix = `r${++this.seq}-`;
    const idleBefore = replicas.map((r) => r.cpuMs());
    await new Promise((resolve) => setTimeout(resolve, IDLE_SAMPLE_MS));
    const idle = replicas.reduce((sum, r, i) => sum + r.cpuMs() - idleBefore[i], 0);
    await sim.createPayments(
      Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`),
      AMOUNT,
    );
    const pg = new Client({ connectionString: this.databaseUrl });
    await pg.connect();
    try {
      const t0 = Date.now() + LEAD_MS;
      await pg.query(
        `INSERT INTO inquiry_schedule
           (payment_request_id, client_id, dialect, amount_value, amount_currency, payment_expiry_time, registered_at,
            phase, order_status, last_version, next_due_at, created_at, updated_at)
         SELECT $8 || i, $1, $2, $3::numeric, $4, now() + interval '1 day', now(), 'inquiry', 'init', 1,
                $5::timestamptz + make_interval(secs => (i - 1) * $6::double precision), now(), now()
           FROM generate_series(1, $7::int) AS i`,
        [
          CLIENT_ID,
          DIALECT,
          AMOUNT.value,
          AMOUNT.currency,
          new Date(t0).toISOString(),
          rate > 0 ? 1 / rate : 0,
          n,
          prefix,
        ],
      );
      const before = replicas.map((r) => r.cpuMs());
      const windowStart = Date.now();
      const simBefore = sim.cpuMs();
      const mainBefore = replicas.map((r) => r.mainThreadCpuMs());
      let row = { done: 0, last: 0 };
      await waitFor(
        async () => {
          const { rows } = await pg.query<{ done: number; last: string | null }>(
            `SELECT count(*)::int AS done, (extract(epoch FROM max(updated_at)) * 1000)::text AS last
               FROM inquiry_schedule WHERE payment_request_id LIKE $1 AND inquiry_attempts >= 1 AND lease_owner IS NULL`,
            [`${prefix}%`],
          );
          row = { done: rows[0].done, last: Number(rows[0].last ?? 0) };
          return row.done >= n;
        },
        {
          description: `${n} inquiries written back`,
          timeoutMs: LEAD_MS + (rate > 0 ? (n / rate) * 1000 : 0) + 600_000,
          intervalMs: 250,
        },
      );
      const used = replicas.map((r, i) => r.cpuMs() - before[i]);
      const usedMain = replicas.map((r, i) => r.mainThreadCpuMs() - mainBefore[i]);
      const seconds = Math.max(0.001, (row.last - t0) / 1000);
      return {
        inquiries: n,
        seconds,
        perSecond: n / seconds,
        cpuMs: used,
        mainThreadCpuMs: usedMain,
        idleMsPerSecond: (idle / IDLE_SAMPLE_MS) * 1000,
        windowMs: Date.now() - windowStart,
        simCpuMs: sim.cpuMs() - simBefore,
      };
    } finally {
      await pg.end();
    }
  }
}

async function main(): Promise<void> {
  const external = process.env.KAFKA_BROKERS && process.env.DATABASE_URL;
  const instanceDir = path.join(repoRoot(), '.infra', `bench-poller-signing-${process.pid}`);
  const endpoints = external
    ? { kafkaBrokers: process.env.KAFKA_BROKERS!, databaseUrl: process.env.DATABASE_URL! }
    : await startInfra({ instanceDir, ownerPid: process.pid });
  const cleanups: (() => Promise<void>)[] = external ? [] : [() => purgeInfra(instanceDir)];
  const stopLater = <T extends { stop(): Promise<void> }>(thing: T): T => (
    cleanups.unshift(() => thing.stop()),
    thing
  );
  try {
    const db = await createTestDatabase(endpoints.databaseUrl);
    cleanups.unshift(() => db.drop());
    const bench = new Bench(endpoints.kafkaBrokers, db.url);
    const ours = keyPair(2048);
    process.env.BENCH_POLLER_KEY = ours.privateKeyBase64;
    log(`poller signing bench: ${availableParallelism()} CPUs, ${load()}`);

    // 1. CPU per signed inquiry, against the floor.
    const peer2048 = keyPair(2048);
    const first = floor(ours.privateKey, peer2048);
    const { sim, url: simUrl } = await SimulatorProcess.start(simData(peer2048, ours));
    stopLater(sim);
    const signed: Record<string, number> = {};
    const signedMarginal: Record<string, number> = {};
    const slopes: Record<string, Slope> = {};
    for (const threads of [0, THREADS]) {
      const runAt = async (rate: number, n: number) => {
        const replica = stopLater(
          await Replica.start(
            `threads-${threads}-${rate}`,
            bench.replicaEnv(simUrl, peer2048.publicKeyBase64, threads),
          ),
        );
        await bench.warmUp(sim, [replica], rate * WARMUP_S, rate);
        const run = await bench.run(sim, [replica], n, rate);
        const where = (await replica.details()).signatures as { inline: number; threads: number } | undefined;
        await replica.stop();
        log(
          `SIGNING_THREADS=${threads}: ${run.inquiries} inquiries at ${round(run.perSecond, 0)}/s, poller process CPU ${round(run.cpuMs[0] / run.inquiries)} ms per inquiry, of it on the main thread ${round(run.mainThreadCpuMs[0] / run.inquiries)} (its ceiling ${round(run.inquiries / (run.mainThreadCpuMs[0] / 1000), 0)}/s)${where ? `; signed on the main thread ${where.inline}, on the signing threads ${where.threads}` : ''}; less idle (${round(run.idleMsPerSecond, 0)} ms/s) ${round(marginal(run))} (${load()})`,
        );
        return run;
      };
      const runs: Run[] = [];
      for (const [rate, n] of SIGNED_RUNS) runs.push(await runAt(rate, n));
      const [run, faster] = runs;
      signed[threads] = run.cpuMs[0] / run.inquiries;
      signedMarginal[threads] = marginal(run);
      if (faster) slopes[threads] = slope(run, faster);
    }
    const exchangeMs = await bareExchange(sim, simUrl, ours.privateKey);
    const second = floor(ours.privateKey, peer2048);
    const floorMs = (first.floorMs + second.floorMs) / 2;
    log(
      `floor: RSA-2048 sign ${round((first.signMs + second.signMs) / 2)} ms + verify ${round((first.verifyMs + second.verifyMs) / 2)} ms = ${round(floorMs)} ms (before ${round(first.floorMs)}, after ${round(second.floorMs)})`,
    );
    for (const threads of Object.keys(signed)) {
      log(
        `  SIGNING_THREADS=${threads}: overhead ${round(signed[threads] - floorMs)} ms = ${round((signed[threads] - floorMs) / floorMs, 2)}× the floor (target ≤ 0.5×); less idle ${round(signedMarginal[threads] - floorMs)} ms = ${round((signedMarginal[threads] - floorMs) / floorMs, 2)}×`,
      );
      log(
        `  SIGNING_THREADS=${threads}: beyond the floor and the bare exchange (${round(exchangeMs[SIGNED_RATE])} ms): ${round(signed[threads] - floorMs - exchangeMs[SIGNED_RATE])} ms = ${round((signed[threads] - floorMs - exchangeMs[SIGNED_RATE]) / floorMs, 2)}× the floor`,
      );
      const sl = slopes[threads];
      if (sl) {
        log(
          `  SIGNING_THREADS=${threads}, between ${round(sl.rates[0], 0)}/s and ${round(sl.rates[1], 0)}/s: ${round(sl.cpuMsPerAddedInquiry)} ms per added inquiry, overhead ${round((sl.cpuMsPerAddedInquiry - floorMs) / floorMs, 2)}× the floor; intercept ${round(sl.interceptMsPerSecond, 0)} ms/s (spent whatever the rate, plus what the faster run saves by batching)`,
        );
      }
    }
    await sim.stop();

    // 2. Replica scaling, the simulator cheap.
    const peer1024 = keyPair(1024);
    const { sim: cheap, url: cheapUrl } = await SimulatorProcess.start(simData(peer1024, ours));
    stopLater(cheap);
    // A replica pinned to one core has no other core to sign on: a signing thread there is pure cost
    // (messages and wake-ups), so pinned replicas sign on the main thread unless told otherwise.
    const scaleThreads = process.env.BENCH_SCALE_THREADS
      ? intEnv('BENCH_SCALE_THREADS', 1)
      : PIN
        ? 0
        : undefined;
    const scaling: Run[] = [];
    const paced: Run[] = [];
    for (const count of [1, 2]) {
      const replicas: Replica[] = [];
      for (let i = 0; i < count; i++) {
        const env = bench.replicaEnv(cheapUrl, peer1024.publicKeyBase64, scaleThreads);
        replicas.push(stopLater(await Replica.start(`replica-${count}-${i}`, env, PIN ? i : undefined)));
      }
      await bench.warmUp(cheap, replicas, Math.round(SCALE_N / 4), 0);
      const run = await bench.run(cheap, replicas, SCALE_N, 0);
      scaling.push(run);
      const cpuS = totalCpuMs(run) / 1000;
      log(
        `${count} replica(s)${PIN ? ' pinned to cores ' + replicas.map((_, i) => i).join(',') : ''}: ${run.inquiries} inquiries in ${round(run.seconds, 1)} s = ${round(run.perSecond, 0)}/s; replica CPU ${run.cpuMs.map((c) => round(c / 1000, 1)).join(' + ')} s = ${round(run.inquiries / cpuS, 0)} inquiries per CPU-second; simulator CPU ${round(run.simCpuMs / 1000, 1)} s of ${round(run.windowMs / 1000, 1)} s (${load()})`,
      );
      if (SCALE_RATE > 0) {
        // The same replicas paced at SCALE_RATE each: each replica at the same rate in both runs.
        const p = await bench.run(cheap, replicas, count * SCALE_RATE * SCALE_SECONDS, count * SCALE_RATE);
        paced.push(p);
        log(
          `${count} replica(s) paced at ${SCALE_RATE}/s each: ${p.inquiries} inquiries at ${round(p.perSecond, 0)}/s; replica CPU ${p.cpuMs.map((c) => round(c / 1000, 2)).join(' + ')} s = ${round(perCpu(p), 0)} inquiries per CPU-second (${load()})`,
        );
      }
      for (const r of replicas) await r.stop();
    }
    const [one, two] = scaling;
    // How many cores the replicas actually got: on 2 cores shared with the simulator, PostgreSQL, Kafka
    // (and whatever else runs), two replicas cannot get two cores, so the wall clock cannot show 2×.
    // With a core each and the peer elsewhere, two replicas would do 2 × (their inquiries per
    // CPU-second) against one replica's: the projection, from what each replica costs per inquiry.
    // Draining a backlog, two replicas each run at about half the rate of one, and a replica's cost per
    // inquiry falls with its rate (its claim cycles, timers and wake-ups are shared among more
    // inquiries; see the slope above): so the drain's projection also counts that, not only what a
    // second replica costs the first. The paced runs hold each replica at the same rate, one replica
    // or two: their projection is what running beside another replica costs (contended claims, locks,
    // the shared database), with the rate held equal.
    const cores = (r: Run) => totalCpuMs(r) / r.windowMs;
    const projected = (2 * perCpu(two)) / perCpu(one);
    const pacedProjected = paced.length === 2 ? (2 * perCpu(paced[1])) / perCpu(paced[0]) : null;
    log(
      `two replicas / one: ${round(two.perSecond / one.perSecond, 2)}× by the wall clock, the replicas getting ${round(cores(one), 2)} then ${round(cores(two), 2)} cores (simulator ${round(one.simCpuMs / one.windowMs, 2)} then ${round(two.simCpuMs / two.windowMs, 2)}); ${round(perCpu(two) / perCpu(one), 2)}× inquiries per replica CPU-second, so ${round(projected, 2)}× projected with a core each (target ≥ 1.8×)`,
    );
    if (pacedProjected !== null) {
      log(
        `two replicas / one, paced at ${SCALE_RATE}/s per replica: ${round(paced[1].perSecond / paced[0].perSecond, 2)}× by the wall clock (the offered rate doubled); ${round(perCpu(paced[1]) / perCpu(paced[0]), 2)}× inquiries per replica CPU-second, so ${round(pacedProjected, 2)}× projected with a core each (target ≥ 1.8×)`,
      );
    }

    for (const cleanup of cleanups.splice(0)) await cleanup();
    const chosen = signed[THREADS];
    console.log(
      JSON.stringify({
        signed: {
          cpuMsPerInquiry: round(chosen),
          floorMs: round(floorMs),
          overheadRatio: round((chosen - floorMs) / floorMs, 2),
          signingThreads: THREADS,
          lessIdleCpuMsPerInquiry: round(signedMarginal[THREADS]),
          beyondExchangeRatio: round((chosen - floorMs - exchangeMs[SIGNED_RATE]) / floorMs, 2),
          slope: slopeJson(slopes[THREADS], floorMs),
        },
        signedMainThread: {
          cpuMsPerInquiry: round(signed[0]),
          overheadRatio: round((signed[0] - floorMs) / floorMs, 2),
          lessIdleCpuMsPerInquiry: round(signedMarginal[0]),
          beyondExchangeRatio: round((signed[0] - floorMs - exchangeMs[SIGNED_RATE]) / floorMs, 2),
          slope: slopeJson(slopes[0], floorMs),
        },
        httpExchange: Object.fromEntries(Object.entries(exchangeMs).map(([rate, ms]) => [rate, round(ms)])),
        replicaScaling: {
          one: round(one.perSecond, 0),
          two: round(two.perSecond, 0),
          ratio: round(two.perSecond / one.perSecond, 2),
          perCpuRatio: round(perCpu(two) / perCpu(one), 2),
          coresOne: round(cores(one), 2),
          coresTwo: round(cores(two), 2),
          projectedRatio: round(projected, 2),
          paced:
            pacedProjected === null
              ? null
              : {
                  ratePerReplica: SCALE_RATE,
                  one: round(paced[0].perSecond, 0),
                  two: round(paced[1].perSecond, 0),
                  perCpuRatio: round(perCpu(paced[1]) / perCpu(paced[0]), 2),
                  projectedRatio: round(pacedProjected, 2),
                },
        },
      }),
    );
  } finally {
    for (const cleanup of cleanups)
      await cleanup().catch((err: Error) => console.error(`cleanup: ${err.message}`));
  }
}

/**
 * 1c: the bare HTTP exchange at the signed runs' rates (SIGNED_RUNS): CPU ms per request of a Node
 * client replaying one signed inquiry to the simulator, by rate.
 */
async function bareExchange(
  sim: SimulatorProcess,
  simUrl: string,
  ours: KeyObject,
): Promise<Record<number, number>> {
  const exchangeMs: Record<number, number> = {};
  const id = `exchange-${randomBytes(4).toString('hex')}`;
  await sim.createPayments([id], AMOUNT);
  const body = JSON.stringify({ paymentRequestId: id });
  const time = new Date().toISOString();
  const { signatureHeader } = signMessage({
    path: ALIPAYPLUS_INQUIRY_PAYMENT_PATH,
    clientId: CLIENT_ID,
    time,
    body,
    privateKey: ours,
  });
  const headers = {
    'Content-Type': 'application/json; charset=UTF-8',
    'Client-Id': CLIENT_ID,
    'Request-Time': time,
    Signature: signatureHeader,
  };
  for (const [rate, n] of SIGNED_RUNS) {
    const x = await runExchange({
      url: `${simUrl}${ALIPAYPLUS_INQUIRY_PAYMENT_PATH}`,
      headers,
      body,
      rate,
      warmUp: rate * WARMUP_S,
      n,
    });
    if (x.failures > 0) throw new Error(`the bare HTTP exchange had ${x.failures} failed answers`);
    exchangeMs[rate] = x.cpuMs / x.requests;
    log(
      `bare HTTP exchange: ${x.requests} requests at ${round(x.requests / x.seconds, 0)}/s, client CPU ${round(exchangeMs[rate])} ms per request (${load()})`,
    );
  }
  return exchangeMs;
}

function simData(peer: { privateKeyBase64: string }, acquirer: { publicKeyBase64: string }) {
  return {
    clientId: CLIENT_ID,
    dialect: DIALECT,
    privateKeyBase64: peer.privateKeyBase64,
    acquirerPublicKeyBase64: acquirer.publicKeyBase64,
  };
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`poller signing bench failed: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
