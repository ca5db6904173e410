/**
 * npm run bench:e2e — a notification accepted, then its status-changed published (issue 14 §4).
 *
 * The whole pipeline runs on this box as real processes (order-state, inquiry-poller, notify-gateway,
 * the simulator; Kafka and PostgreSQL started for the run). For each offered rate (default 500, 1,000
 * and 2,000 notifications/s for BENCH_E2E_SECONDS each) it registers fresh orders, pre-signs one
 * Alipay+ notification per order, sends them open-loop, and times each from its scheduled send to the
 * moment a subscriber receives the order's status-changed (init → success, source notify).
 *
 * Baseline in the same run and at the same rate: the floor of the transport, one 330-byte message
 * produced with acks=all and consumed by the same subscriber (the pipeline makes two such hops plus
 * an HTTP request, a signature check and a PostgreSQL transaction). The last line is one JSON object.
 */
import 'reflect-metadata';
import * as path from 'path';
import { Kafka, logLevel } from 'kafkajs';
import { loadPrivateKey, signMessage, NOTIFY_ACK_BODY } from '@app/alipayplus';
import { Topics } from '@app/contracts';
import { purgeInfra, repoRoot, startInfra, waitFor } from '@app/testing';
import { DEMO_PARTNERS, Pipeline } from '@app/testing/pipeline';
import { generateTestKeyPair } from '@app/testing/keys';
import { percentile, PreparedRequest, sendOpenLoop } from './e2e/open-loop';
import { arrivals, kafkaFloor } from './e2e/kafka-floor';

const RATES = (process.env.BENCH_E2E_RATES ?? '500,1000,2000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_E2E_SECONDS ?? 10);
const P99_TARGET_MS = 100;
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const partner = DEMO_PARTNERS.find((p) => p.dialect === 'alipayplus')!;

interface RateRow {
  offeredPerSec: number;
  achievedPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  sent: number;
  failures: number;
  missing: number;
  floorP50Ms: number;
  floorP99Ms: number;
  /** Scheduled send → result-observed received (HTTP, verify, the gateway's Kafka write, one hop). */
  toObservedP50Ms: number;
  toObservedP99Ms: number;
  /** result-observed received → status-changed received (order-state's apply, outbox relay, a hop). */
  observedToStatusP50Ms: number;
  observedToStatusP99Ms: number;
}

async function main() {
  const instanceDir = path.join(repoRoot(), '.infra', `bench-e2e-${process.pid}`);
  const infra = await startInfra({ instanceDir, ownerPid: process.pid });
  const partnerKey = generateTestKeyPair();
  let pipeline: Pipeline | undefined;
  try {
    pipeline = await Pipeline.start({
      kafkaBrokers: infra.kafkaBrokers,
      databaseUrl: infra.databaseUrl,
      partnerKey,
      env: {
        // Production's defaults, not the suites' faster test cadence.
        'order-state': { OUTBOX_POLL_MS: '200' },
        // The poller runs (it consumes status-changed like in production) but does not inquire during
        // the run, so every status-changed here comes from the notification.
        'inquiry-poller': { FIRST_INQUIRY_DELAY_MS: '3600000' },
      },
    });
    await run(pipeline, infra.kafkaBrokers.split(','), partnerKey.privateKeyBase64);
  } finally {
    await pipeline?.stop();
    await purgeInfra(instanceDir);
  }
}

async function run(pipeline: Pipeline, brokers: string[], partnerPrivateKey: string) {
  const kafka = new Kafka({ clientId: 'bench-e2e', brokers, logLevel: logLevel.NOTHING });
  const statusAt = await arrivals(kafka, Topics.statusChanged, (value) => {
    const e = JSON.parse(value) as { paymentRequestId: string; to: string; source: string };
    return e.to === 'success' && e.source === 'notify' ? e.paymentRequestId : undefined;
  });
  // The first hop's end: when the gateway's result-observed event reaches a subscriber.
  const observedAt = await arrivals(kafka, Topics.resultObserved, (value) => {
    const e = JSON.parse(value) as { paymentRequestId: string; source: string };
    return e.source === 'notify' ? e.paymentRequestId : undefined;
  });
  const key = loadPrivateKey(partnerPrivateKey);
  const byRate: Record<string, RateRow> = {};
  try {
    for (const rate of RATES) {
      const n = Math.round(rate * SECONDS);
      const ids = Array.from({ length: n }, (_, i) => `e2e-${rate}-${i}-${process.pid}`);
      log(`${rate}/s: registering ${n} orders`);
      await registerAll(pipeline, ids);
      log(`${rate}/s: the Kafka floor at the same rate`);
      const floor = await kafkaFloor(kafka, rate, n);
      log(`${rate}/s: signing ${n} notifications`);
      const requests = ids.map((id) => signedNotification(id, key));
      log(`${rate}/s: sending for ${SECONDS} s`);
      const sent = await sendOpenLoop(pipeline.url('notify-gateway'), requests, rate, (status, body) => {
        return status === 200 && body === NOTIFY_ACK_BODY;
      });
      const acked = [...sent.ackedAt.keys()];
      await waitFor(async () => acked.every((id) => statusAt.seen.has(id)), {
        timeoutMs: 120_000,
        intervalMs: 50,
        description: 'status-changed for every acknowledged notification',
      }).catch(() => undefined);
      const lat = acked
        .filter((id) => statusAt.seen.has(id))
        .map((id) => statusAt.seen.get(id)! - sent.scheduledAt.get(id)!)
        .sort((a, b) => a - b);
      const both = acked.filter((id) => statusAt.seen.has(id) && observedAt.seen.has(id));
      const toObserved = both
        .map((id) => observedAt.seen.get(id)! - sent.scheduledAt.get(id)!)
        .sort((a, b) => a - b);
      const observedToStatus = both
        .map((id) => statusAt.seen.get(id)! - observedAt.seen.get(id)!)
        .sort((a, b) => a - b);
      byRate[rate] = {
        offeredPerSec: rate,
        achievedPerSec: Math.round(acked.length / sent.seconds),
        p50Ms: round(percentile(lat, 50)),
        p99Ms: round(percentile(lat, 99)),
        maxMs: round(lat[lat.length - 1]),
        sent: n,
        failures: sent.failures,
        missing: acked.length - lat.length,
        floorP50Ms: round(floor.p50Ms),
        floorP99Ms: round(floor.p99Ms),
        toObservedP50Ms: round(percentile(toObserved, 50)),
        toObservedP99Ms: round(percentile(toObserved, 99)),
        observedToStatusP50Ms: round(percentile(observedToStatus, 50)),
        observedToStatusP99Ms: round(percentile(observedToStatus, 99)),
      };
      const r = byRate[rate];
      console.log(
        `${rate}/s offered: floor (Kafka hop) p50 ${r.floorP50Ms} ms p99 ${r.floorP99Ms} ms | pipeline ${r.achievedPerSec}/s acked, p50 ${r.p50Ms} ms p99 ${r.p99Ms} ms max ${r.maxMs} ms, ${r.failures} refused or failed${sent.firstFailure ? ` (first: ${sent.firstFailure})` : ''}, ${r.missing} without status-changed | p99 ratio ${(r.p99Ms / r.floorP99Ms).toFixed(1)}x the floor | hops p50/p99: to result-observed ${r.toObservedP50Ms}/${r.toObservedP99Ms} ms, then to status-changed ${r.observedToStatusP50Ms}/${r.observedToStatusP99Ms} ms`,
      );
    }
  } finally {
    await statusAt.stop();
    await observedAt.stop();
  }
  // Sustained: the whole offered rate acknowledged (within 5 %), nothing refused or missing, and
  // latency bounded (p99 under a second: the backlog did not grow through the run).
  const sustained = Object.values(byRate)
    .filter(
      (r) =>
        r.failures === 0 && r.missing === 0 && r.achievedPerSec >= 0.95 * r.offeredPerSec && r.p99Ms < 1000,
    )
    .sort((a, b) => b.offeredPerSec - a.offeredPerSec)[0];
  console.log(
    sustained
      ? `highest rate sustained: ${sustained.offeredPerSec}/s, p99 ${sustained.p99Ms} ms (target ≤ ${P99_TARGET_MS} ms: ${sustained.p99Ms <= P99_TARGET_MS ? 'met' : 'missed'})`
      : 'no offered rate was sustained',
  );
  console.log(
    JSON.stringify({
      sustainedPerSec: sustained?.offeredPerSec ?? 0,
      p50Ms: sustained?.p50Ms ?? null,
      p99Ms: sustained?.p99Ms ?? null,
      floorP99Ms: sustained?.floorP99Ms ?? null,
      ratio: sustained ? Number((sustained.p99Ms / sustained.floorP99Ms).toFixed(2)) : null,
      seconds: SECONDS,
      byRate,
    }),
  );
}

const round = (v: number) => Math.round(v * 10) / 10;

/** Registers the orders with order-state's API, a few at a time (registration is idempotent). */
async function registerAll(pipeline: Pipeline, ids: string[]) {
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      await pipeline.registerOrder({
        paymentRequestId: id,
        partner,
        amount: { value: '1000', currency: 'USD' },
        paymentExpiryTime: new Date(Date.now() + 3_600_000).toISOString(),
        timeline: [],
      });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** An Alipay+ notifyPayment for the order, signed with the partner's key (protocol.md §1.3, §2.1). */
function signedNotification(id: string, privateKey: ReturnType<typeof loadPrivateKey>): PreparedRequest {
  const signedPath = `/${partner.dialect}/notify`;
  const body = JSON.stringify({
    paymentResult: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' },
    paymentRequestId: id,
    paymentId: `P${id}`.slice(0, 64),
    acquirerId: 'ACQ-BENCH',
    pspId: 'PSP-BENCH',
    customerId: 'CUST-BENCH',
    paymentAmount: { value: '1000', currency: 'USD' },
    paymentTime: new Date().toISOString(),
    walletBrandName: 'BENCH',
  });
  const time = new Date().toISOString();
  const { signatureHeader } = signMessage({
    path: signedPath,
    clientId: partner.clientId,
    time,
    body,
    privateKey,
    keyVersion: '1',
  });
  return {
    id,
    path: signedPath,
    headers: {
      'content-type': 'application/json; charset=UTF-8',
      'client-id': partner.clientId,
      'request-time': time,
      signature: signatureHeader,
    },
    body,
  };
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
