/**
 * npm run bench:gateway — notifications/s through the notify-gateway against a bare Fastify route
 * (design.md §8: ≥ 0.5 × the bare route, p99 ≤ 25 ms at 50 connections).
 *
 * In one run, each server in its own process (as in production) and autocannon (programmatic, in this
 * process) as the client on the same box:
 * - baseline: a bare Fastify route answering the fixed ack (bench/gateway/bare-server.ts);
 * - gateway: the real notify-gateway (dist main.js) — RSA-2048 verification of every notification,
 *   the durable Kafka write (acks=all) and the signed Alipay+ ack.
 * 50 connections; every gateway request is a distinct notification (330-byte body) pre-signed before
 * anything is measured. Each measurement follows an unmeasured warm-up.
 *
 * CPU: the gateway's CPU over the measured window is read from /proc/<pid>/stat (all threads) and
 * /proc/<pid>/task/<pid>/stat (the main thread). The split by phase comes from a second, profiled run
 * of the gateway (node --cpu-prof, 500 µs sampling): the main thread's busy samples inside that run's
 * window are put in phases by their innermost telling frame (bench/gateway/cpu-profile.ts), and those
 * shares are applied to the main thread's CPU of the unprofiled run; the other threads' CPU (GC
 * helpers, libuv) goes to "rest". The profiled run's own rate is not reported: profiling slows it.
 *
 * The box's ceiling: the load generator and the broker share the cores with the server, so the CPU
 * each request costs all of them (server tree, this process, the broker's tree) bounds the rate the
 * box can reach at all. The ratio of the two ceilings ("ceiling ratio") is the best the ratio above
 * could be here if every core were busy; it tells a slow gateway from a crowded box.
 *
 * The last line is one JSON object. BENCH_KEEP_PROFILE=<file> keeps the profile; BENCH_FIXTURE=<file>
 * keeps the keys and signed notifications for the next run; BENCH_GATEWAY_ROOT runs another build of
 * the gateway (before/after comparisons); BENCH_GATEWAY_NODE_FLAGS gives it node flags. BENCH_N, BENCH_WARMUP_N, BENCH_PROFILE_N, BENCH_BASELINE_N and
 * BENCH_CONNECTIONS override the defaults.
 */
import 'reflect-metadata';
import { randomBytes } from 'crypto';
import { copyFileSync, existsSync, mkdtempSync, writeFileSync, readdirSync, readFileSync, rmSync } from 'fs';
import { cpus, loadavg, tmpdir } from 'os';
import * as path from 'path';
import { spawn } from 'child_process';
import { Worker } from 'worker_threads';
import autocannon = require('autocannon');
import { Logger } from '@nestjs/common';
import { Topics } from '@app/contracts';
import { createKafkaClient, ensureTopics } from '@app/kafka';
import { purgeInfra, repoRoot, startInfra, waitFor } from '@app/testing';
import { testKafka, topicEndOffsetSum } from '@app/testing/kafka-probes';
import { generateTestKeyPair } from '@app/testing/keys';
import { localInfraPids, ownCpuMs, processTreeCpuMs } from '@app/testing/process-cpu';
import { freePort } from '@app/testing/service-process';
import { PHASES, splitProfile } from './gateway/cpu-profile';
import type { SignJob } from './gateway/sign-worker';

const intEnv = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const N = intEnv('BENCH_N', 30_000);
const WARMUP_N = intEnv('BENCH_WARMUP_N', 4_000);
const PROFILE_N = intEnv('BENCH_PROFILE_N', 12_000);
const BASELINE_N = intEnv('BENCH_BASELINE_N', 60_000);
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 50);
const BODY_BYTES = 330;
const CLIENT_ID = 'BENCH_GW';
const PATH = '/alipayplus/notify';
/** BENCH_GATEWAY_ROOT: another build's tree (dist/, scripts/) to run as the gateway, for before/after. */
const GATEWAY_ROOT = process.env.BENCH_GATEWAY_ROOT ?? repoRoot();
/** BENCH_GATEWAY_NODE_FLAGS: node flags for the gateway process (e.g. --max-semi-space-size=32). */
const GATEWAY_NODE_FLAGS = (process.env.BENCH_GATEWAY_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

interface Signed {
  body: string;
  time: string;
  signature: string;
}

/** A notification body of exactly BODY_BYTES bytes, unique by its paymentRequestId. */
function notificationBody(i: number): string {
  const id = `gwb-${i.toString(36)}-${randomBytes(4).toString('hex')}`;
  const fields = (pad: string) =>
    JSON.stringify({
      paymentResult: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' },
      paymentRequestId: id,
      paymentId: `2026120611121280010016${id.slice(4)}`,
      paymentAmount: { currency: 'JPY', value: '1000' },
      paymentTime: '2026-12-06T12:01:01+08:00',
      customerId: '1000001119398804',
      walletBrandName: pad,
    });
  return fields('W'.repeat(Math.max(0, BODY_BYTES - fields('').length)));
}

async function presign(privateKeyBase64: string, count: number): Promise<Signed[]> {
  const bodies = Array.from({ length: count }, (_, i) => notificationBody(i));
  const threads = Math.max(1, cpus().length);
  const share = Math.ceil(count / threads);
  const parts = await Promise.all(
    Array.from({ length: threads }, (_, t) => {
      const job: SignJob = {
        privateKeyBase64,
        clientId: CLIENT_ID,
        path: PATH,
        bodies: bodies.slice(t * share, (t + 1) * share),
      };
      return new Promise<Signed[]>((resolve, reject) => {
        const worker = new Worker(path.join(__dirname, 'gateway', 'sign-worker.js'), { workerData: job });
        worker.once('message', (m: Signed[]) => resolve(m));
        worker.once('error', reject);
      });
    }),
  );
  return parts.flat();
}

/** Hands out the pre-signed notifications in order, each once, across all connections. */
function fire(url: string, notifications: Signed[], amount: number) {
  let next = 0;
  return autocannon({
    url,
    connections: CONNECTIONS,
    amount,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: PATH,
        setupRequest: (req) => {
          const n = notifications[next++ % notifications.length];
          return {
            ...req,
            headers: {
              'content-type': 'application/json; charset=UTF-8',
              'client-id': CLIENT_ID,
              'request-time': n.time,
              signature: n.signature,
            },
            body: n.body,
          };
        },
      },
    ],
  });
}

/** CPU ms of one thread of a process (task/<tid>/stat: utime + stime). */
function threadCpuMs(pid: number, tid: number): number {
  const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** A server in its own node process, ready once `readyUrl` answers 200 (or 404: the bare server). */
async function startNode(
  args: string[],
  env: Record<string, string>,
  readyUrl: string,
  execArgv: string[] = [],
) {
  const child = spawn(process.execPath, [...execArgv, ...args], {
    cwd: repoRoot(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let done = false;
  void exited.then(() => (done = true));
  const stop = async () => {
    if (!done) child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitFor(
      async () => {
        if (done) throw new Error(`${args.join(' ')} exited during start:\n${err}`);
        const res = await fetch(readyUrl).catch(() => undefined);
        return res?.ok === true || res?.status === 404;
      },
      { description: `${readyUrl} answers`, timeoutMs: 60_000, intervalMs: 200 },
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { pid: child.pid!, stop };
}

/** Result publishes and produce requests so far, from the gateway's /metrics. */
async function produceCounts(url: string) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
  return {
    publishes: value(
      /^kafka_publish_duration_seconds_count\{[^}]*topic="payments\.result-observed\.v1"[^}]*\} (\d+)$/m,
    ),
    requests: value(/^kafka_produce_requests_sent(?:\{[^}]*\})? (\d+)$/m),
  };
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

interface Measured {
  perSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** CPU µs per request of the load generator (this process: autocannon) and of the server's tree. */
  clientUs: number;
  serverUs: number;
  /** The broker's CPU µs per request (only when the bench started Kafka itself). */
  brokerUs?: number;
}

/** The broker's pid when this bench started it (KAFKA_BROKERS given: unknown, not counted). */
let brokerPid: number | undefined;

async function measure(
  url: string,
  notifications: Signed[],
  amount: number,
  serverPid?: number,
): Promise<Measured> {
  const before = {
    client: ownCpuMs(),
    server: serverPid ? processTreeCpuMs(serverPid) : 0,
    broker: brokerPid ? processTreeCpuMs(brokerPid) : 0,
  };
  const r = await fire(url, notifications, amount);
  const perRequest = (ms: number) => (ms * 1000) / r.requests.total;
  return {
    perSec: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    clientUs: perRequest(ownCpuMs() - before.client),
    serverUs: serverPid ? perRequest(processTreeCpuMs(serverPid) - before.server) : NaN,
    ...(brokerPid ? { brokerUs: perRequest(processTreeCpuMs(brokerPid) - before.broker) } : {}),
  };
}

async function baseline(notifications: Signed[]): Promise<Measured> {
  const port = await freePort();
  const svc = await startNode(
    [path.join(repoRoot(), 'dist', 'bench', 'gateway', 'bare-server.js')],
    { HTTP_PORT: String(port) },
    `http://127.0.0.1:${port}/`,
  );
  try {
    const url = `http://127.0.0.1:${port}`;
    await measure(url, notifications, WARMUP_N);
    log(`baseline: ${BASELINE_N} requests`);
    return await measure(url, notifications, BASELINE_N, svc.pid);
  } finally {
    await svc.stop();
  }
}

async function gateway(
  brokers: string,
  keys: { ours: string; alipayPublic: string },
  notifications: Signed[],
  profileDir?: string,
) {
  const port = await freePort();
  const amount = profileDir ? PROFILE_N : N;
  const svc = await startNode(
    [
      '-r',
      path.join(GATEWAY_ROOT, 'scripts', 'register-paths.js'),
      path.join(GATEWAY_ROOT, 'dist', 'apps', 'notify-gateway', 'src', 'main.js'),
    ],
    {
      KAFKA_BROKERS: brokers,
      HTTP_PORT: String(port),
      BENCH_GW_KEY: keys.ours,
      LOG_FORMAT: 'json',
      PARTNERS_JSON: JSON.stringify([
        {
          clientId: CLIENT_ID,
          dialect: 'alipayplus',
          privateKeyEnv: 'BENCH_GW_KEY',
          peerPublicKey: keys.alipayPublic,
        },
      ]),
    },
    `http://127.0.0.1:${port}/health/ready`,
    [
      ...GATEWAY_NODE_FLAGS,
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=500'] : []),
    ],
  );
  const url = `http://127.0.0.1:${port}`;
  const pid = svc.pid;
  try {
    await measure(url, notifications.slice(0, WARMUP_N), WARMUP_N);
    const rest = notifications.slice(WARMUP_N);
    const kafkaBefore = await produceCounts(url);
    const cpuBefore = { all: processTreeCpuMs(pid), main: threadCpuMs(pid, pid) };
    const from = monotonicUs();
    const result = await measure(url, rest, amount, pid);
    const to = monotonicUs();
    const cpu = { all: processTreeCpuMs(pid) - cpuBefore.all, main: threadCpuMs(pid, pid) - cpuBefore.main };
    const kafkaAfter = await produceCounts(url);
    const publishesPerRequest =
      kafkaAfter.requests > kafkaBefore.requests
        ? (kafkaAfter.publishes - kafkaBefore.publishes) / (kafkaAfter.requests - kafkaBefore.requests)
        : undefined; // a build without the kafka_produce_requests_sent series
    return { result, cpu, amount, window: { from, to }, publishesPerRequest };
  } finally {
    await svc.stop();
  }
}

/**
 * The keys and pre-signed notifications. BENCH_FIXTURE=<file> keeps them between runs (back-to-back
 * comparisons on a busy machine need not sign them again); a file with too few is made anew.
 */
async function fixture(
  total: number,
): Promise<{ keys: { ours: string; alipayPublic: string }; all: Signed[] }> {
  const file = process.env.BENCH_FIXTURE;
  if (file && existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as {
      keys: { ours: string; alipayPublic: string };
      all: Signed[];
    };
    if (saved.all.length >= total) return { keys: saved.keys, all: saved.all.slice(0, total) };
  }
  const alipay = generateTestKeyPair();
  const ours = generateTestKeyPair();
  const keys = { ours: ours.privateKeyBase64, alipayPublic: alipay.publicKeyBase64 };
  log(`pre-signing ${total} distinct notifications (${BODY_BYTES}-byte bodies, RSA-2048)`);
  const all = await presign(alipay.privateKeyBase64, total);
  if (file) writeFileSync(file, JSON.stringify({ keys, all }));
  return { keys, all };
}

async function main() {
  const instanceDir = path.join(repoRoot(), '.infra', `bench-gw-${process.pid}`);
  let brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    brokers = (await startInfra({ instanceDir, ownerPid: process.pid })).kafkaBrokers;
    brokerPid = localInfraPids(instanceDir).kafka;
  }
  const profileDir = mkdtempSync(path.join(tmpdir(), 'gw-prof-'));
  try {
    await ensureTopics(
      createKafkaClient({ brokers: brokers.split(','), clientId: 'bench', logger: new Logger('bench') }),
      [Topics.resultObserved, Topics.inquiryHint],
    );
    const total = 2 * WARMUP_N + N + PROFILE_N;
    const { keys, all } = await fixture(total);
    if (Buffer.byteLength(all[0].body) !== BODY_BYTES) throw new Error(`body is ${all[0].body.length} bytes`);
    const firstRun = all.slice(0, WARMUP_N + N);
    const profileRun = all.slice(WARMUP_N + N);

    const kafka = testKafka(brokers);
    const before = await topicEndOffsetSum(kafka, Topics.resultObserved);
    const base = await baseline(all);
    log(`gateway: ${N} notifications`);
    const gw = await gateway(brokers, keys, firstRun);
    const written = (await topicEndOffsetSum(kafka, Topics.resultObserved)) - before;
    if (gw.result.non2xx > 0 || gw.result.errors > 0 || written < WARMUP_N + N) {
      throw new Error(
        `gateway: ${gw.result.non2xx} non-2xx, ${gw.result.errors} errors, ${written} events written`,
      );
    }
    log(`gateway, profiled (--cpu-prof): ${PROFILE_N} notifications`);
    const prof = await gateway(brokers, keys, profileRun, profileDir);
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('the profiled gateway wrote no .cpuprofile');
    const split = splitProfile(path.join(profileDir, file), prof.window.from, prof.window.to);
    // BENCH_KEEP_PROFILE=<file>: keep the profile (open it in Chrome DevTools or VS Code).
    if (process.env.BENCH_KEEP_PROFILE)
      copyFileSync(path.join(profileDir, file), process.env.BENCH_KEEP_PROFILE);

    const usAll = (gw.cpu.all * 1000) / N;
    const usMain = (gw.cpu.main * 1000) / N;
    const cpuSplit = Object.fromEntries(PHASES.map((p) => [p, (usMain * split.samples[p]) / split.busy]));
    cpuSplit.rest += usAll - usMain; // other threads
    const ratio = gw.result.perSec / base.perSec;
    const fmt = (m: Measured) =>
      `${m.perSec.toFixed(0)} req/s, p50 ${m.p50.toFixed(1)} ms, p99 ${m.p99.toFixed(1)} ms`;
    console.log(`baseline (bare Fastify route, fixed ack):          ${fmt(base)} (${BASELINE_N} requests)`);
    console.log(`gateway  (verify + Kafka acks=all + signed ack):   ${fmt(gw.result)} (${N} notifications)`);
    console.log(
      `ratio: ${ratio.toFixed(2)}   targets: ≥ 0.5 and gateway p99 ≤ 25 ms; ${CONNECTIONS} connections`,
    );
    console.log(
      `gateway CPU per notification: ${usAll.toFixed(0)} µs (main thread ${usMain.toFixed(0)} µs, other threads ${(usAll - usMain).toFixed(0)} µs); ` +
        PHASES.map((p) => `${p} ${cpuSplit[p].toFixed(0)} µs`).join(', ') +
        ` (split from ${split.busy} samples${split.windowed ? '' : ', whole profile'}); load average ${loadavg()[0].toFixed(2)}, ${cpus().length} cores`,
    );
    console.log(
      `Kafka: ${gw.publishesPerRequest?.toFixed(1) ?? 'n/a'} notifications per produce request (acks=all, one request in flight)`,
    );
    // What the box can give at most: its cores divided by all the CPU one request costs (server, the
    // load generator on the same box, the broker). The ratio of the two ceilings bounds the ratio above.
    const boxUs = cpus().length * 1e6;
    const baseAllUs = base.serverUs + base.clientUs;
    const gwAllUs = gw.result.serverUs + gw.result.clientUs + (gw.result.brokerUs ?? 0);
    const ceilingRatio = baseAllUs / gwAllUs;
    console.log(
      `CPU per request on this box: baseline ${base.serverUs.toFixed(0)} µs server + ${base.clientUs.toFixed(0)} µs client = ${baseAllUs.toFixed(0)} µs ` +
        `(ceiling ${(boxUs / baseAllUs).toFixed(0)}/s); gateway ${gw.result.serverUs.toFixed(0)} µs + ${gw.result.clientUs.toFixed(0)} µs client + ` +
        `${gw.result.brokerUs?.toFixed(0) ?? 'n/a'} µs broker = ${gwAllUs.toFixed(0)} µs (ceiling ${(boxUs / gwAllUs).toFixed(0)}/s); ` +
        `ceiling ratio ${ceilingRatio.toFixed(2)}`,
    );
    const round = (v: number, d = 1) => Number(v.toFixed(d));
    console.log(
      JSON.stringify({
        baselinePerSec: Math.round(base.perSec),
        gatewayPerSec: Math.round(gw.result.perSec),
        ratio: round(ratio, 2),
        baselineP50Ms: round(base.p50),
        baselineP99Ms: round(base.p99),
        gatewayP50Ms: round(gw.result.p50),
        gatewayP99Ms: round(gw.result.p99),
        cpuUsPerNotification: Math.round(usAll),
        cpuUsSplit: Object.fromEntries(PHASES.map((p) => [p, Math.round(cpuSplit[p])])),
        mainThreadUs: Math.round(usMain),
        publishesPerKafkaRequest: gw.publishesPerRequest === undefined ? null : round(gw.publishesPerRequest),
        n: N,
        connections: CONNECTIONS,
        cpuUsPerRequest: {
          baselineServer: Math.round(base.serverUs),
          baselineClient: Math.round(base.clientUs),
          gatewayClient: Math.round(gw.result.clientUs),
          broker: gw.result.brokerUs === undefined ? null : Math.round(gw.result.brokerUs),
        },
        ceilingRatio: round(ceilingRatio, 2),
      }),
    );
  } finally {
    rmSync(profileDir, { recursive: true, force: true });
    if (!process.env.KAFKA_BROKERS) await purgeInfra(instanceDir);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
