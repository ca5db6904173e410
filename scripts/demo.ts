/**
 * npm run demo — the whole pipeline on this machine, with chaos on.
 *
 * Starts Kafka and PostgreSQL (infra/local-infra.sh), then order-state, inquiry-poller, notify-gateway
 * and the Alipay+ simulator as real processes; runs DEMO_PAYMENTS payments (default 1,000) whose
 * results reach us by notification, by inquiry or, for payments never paid, by cancel; and checks
 * every order's final status against the simulator's truth. Exits non-zero on any mismatch, and stops
 * everything it started. The last line printed is the summary as one JSON object.
 */
import { randomBytes } from 'crypto';
import * as path from 'path';
import { SingleBar, Presets } from 'cli-progress';
import { purgeInfra, repoRoot, startInfra } from '@app/testing';
import { Pipeline, randomPayment, seededRandom } from '@app/testing/pipeline';
import { buildReport, countFinal, loadOutcomes } from '@app/testing/pipeline-report';
import { DEMO_METRICS, scrapeTotals } from '@app/testing/metrics-scrape';
import {
  startLedgerSubscriber,
  type LedgerSubscriber,
} from '../examples/ledger-subscriber/ledger-subscriber';
import { compareLedgerWithOrderState } from '../examples/ledger-subscriber/order-state-totals';

const PAYMENTS = Number(process.env.DEMO_PAYMENTS ?? 1000);
const EXPIRY_MS = Number(process.env.DEMO_EXPIRY_MS ?? 15_000);
const SEED = Number(process.env.DEMO_SEED ?? 42);
const CHAOS = {
  notifyDropRate: 0.3,
  notifyDuplicateRate: 0.1,
  notifyMaxDelayMs: 3000,
  inquiryUnknownRate: 0.1,
  cancelUnknownRate: 0.2,
  http5xxRate: 0.02,
  latencyMs: [1, 30],
};

const say = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  let instanceDir: string | undefined;
  let pipeline: Pipeline | undefined;
  let ledger: LedgerSubscriber | undefined;
  const stopAll = async () => {
    await ledger?.stop().catch(() => undefined);
    await pipeline?.stop().catch(() => undefined);
    if (instanceDir) await purgeInfra(instanceDir).catch(() => undefined);
  };
  process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    let kafkaBrokers = process.env.KAFKA_BROKERS;
    let databaseUrl = process.env.DATABASE_URL;
    if (!kafkaBrokers || !databaseUrl) {
      instanceDir = path.join(repoRoot(), '.infra', `demo-${process.pid}`);
      say('starting Kafka 3.9.1 and PostgreSQL 15 (infra/local-infra.sh)…');
      ({ kafkaBrokers, databaseUrl } = await startInfra({ instanceDir, ownerPid: process.pid }));
    }
    say('starting order-state, inquiry-poller, notify-gateway and the Alipay+ simulator…');
    pipeline = await Pipeline.start({
      kafkaBrokers,
      databaseUrl,
      simSeed: SEED,
      simChaos: CHAOS,
      env: {
        'inquiry-poller': { FIRST_INQUIRY_DELAY_MS: '2000', INQUIRY_INTERVALS_MS: '1000,2000,3000,5000' },
      },
    });
    say(`chaos: ${JSON.stringify(CHAOS)}`);
    say('starting the ledger subscriber (examples/ledger-subscriber)…');
    ledger = await startLedgerSubscriber({
      brokers: kafkaBrokers.split(','),
      databaseUrl,
      logger: { info: say, warn: say, error: say },
    });

    const rand = seededRandom(SEED);
    const runId = `demo-${randomBytes(3).toString('hex')}`;
    const ids: string[] = [];
    const bar = new SingleBar(
      { format: ' {phase} [{bar}] {value}/{total} {unit}', hideCursor: true, stream: process.stderr },
      Presets.shades_classic,
    );
    const started = Date.now();
    bar.start(PAYMENTS, 0, { phase: 'paying   ', unit: 'payments started' });
    for (let i = 0; i < PAYMENTS; i += 20) {
      const specs = Array.from({ length: Math.min(20, PAYMENTS - i) }, (_, k) =>
        randomPayment(rand, i + k, runId, EXPIRY_MS),
      );
      await Promise.all(specs.map((s) => pipeline!.startPayment(s)));
      ids.push(...specs.map((s) => s.paymentRequestId));
      bar.update(ids.length);
    }
    bar.stop();

    const deadline = Date.now() + EXPIRY_MS + 120_000;
    bar.start(PAYMENTS, 0, { phase: 'settling ', unit: 'orders final' });
    let final = 0;
    while (final < PAYMENTS && Date.now() < deadline) {
      final = await countFinal(databaseUrl, ids);
      bar.update(final);
      if (final < PAYMENTS) await new Promise((r) => setTimeout(r, 500));
    }
    bar.stop();

    const report = buildReport(ids, await loadOutcomes(databaseUrl, ids), await pipeline.truths());
    const stats = await pipeline.simStats();
    say('');
    say(`payments: ${report.payments} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    say(`final status:        ${JSON.stringify(report.byStatus)}`);
    say(
      `result learnt from:  ${JSON.stringify(report.bySource)}  (notify = notification, inquiry = polling, cancel = cancel at expiry)`,
    );
    say(`simulator:           ${JSON.stringify(stats)}`);
    say(`latency payment → final status: p50 ${report.p50Ms} ms, p99 ${report.p99Ms} ms`);
    say(`orders whose final status differs from the simulator's truth: ${report.mismatches}`);
    const ledgerCheck = await compareLedgerWithOrderState(ledger, databaseUrl, ids);
    say(`ledger subscriber:   ${JSON.stringify(ledgerCheck.ledger)}`);
    say(
      `order-state:         ${JSON.stringify(ledgerCheck.orderState)} (${ledgerCheck.equal ? 'equal' : 'DIFFERENT'})`,
    );
    for (const m of report.mismatchSamples) say(`  mismatch ${JSON.stringify(m)}`);
    const metrics: Record<string, Record<string, number>> = {};
    for (const [service, names] of Object.entries(DEMO_METRICS)) {
      metrics[service] = await scrapeTotals(pipeline.url(service as keyof typeof DEMO_METRICS), names);
      say(`GET /metrics ${service.padEnd(15)} ${JSON.stringify(metrics[service])}`);
    }
    const { mismatchSamples: _samples, ...summary } = report;
    console.log(JSON.stringify({ ...summary, ledger: ledgerCheck, metrics }));
    return report.mismatches === 0 && report.pending === 0 && ledgerCheck.equal ? 0 : 1;
  } finally {
    say('stopping everything…');
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
