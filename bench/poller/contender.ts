// One contender run, in a child process of its own (so that its RSS and CPU are its own): seed the
// orders, start the contender, record every inquiry start, stop at the last expected start or the
// deadline, report. The parent measures PostgreSQL's CPU between the 'seeded' and 'result' messages.
import 'reflect-metadata';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { StartRecorder, RunFigures } from './lateness';
import { deadline, expectedOrders, firstDueTimes, intervalAfter, RunSpec } from './settings';

/** What every contender's handler does: a fake inquiry (fixed latency, no crypto). */
export const fakeInquiry = (spec: RunSpec): Promise<void> => sleep(spec.handlerMs);

/**
 * When the next inquiry of an order falls due after its n-th (1-based) ended now, or null when the
 * order has had all its inquiries.
 */
export const nextDue = (spec: RunSpec, inquiriesMade: number, now = Date.now()): number | null =>
  inquiriesMade >= spec.inquiries ? null : now + intervalAfter(spec.intervalsMs, inquiriesMade);

/** The payload of one queued inquiry (pg-boss job data, graphile-worker job payload). */
export interface InquiryJob {
  /** Order index. */
  o: number;
  /** 0-based inquiry number. */
  n: number;
  /** Due time, ms since the epoch. */
  due: number;
}

export interface Contender {
  /** Creates its schema and one job (row) per order, order i first due at `due[i]`. */
  seed(due: Float64Array): Promise<void>;
  start(): Promise<void>;
  /** Stops claiming; lets handlers in flight end. */
  stop(): Promise<void>;
  /** Anything worth printing about the run (queue depth left, claim cycles, …). */
  notes?(): Promise<string>;
}

export type ContenderFactory = (spec: RunSpec, recorder: StartRecorder) => Contender;

export type ChildMessage =
  | { type: 'seeded'; seedMs: number }
  | {
      type: 'result';
      figures: RunFigures;
      seedMs: number;
      /** How far past the first due time seeding ended (0: it ended in time). */
      seedOverrunMs: number;
      cpuMs: number;
      peakRssMb: number;
      notes: string;
    }
  | { type: 'error'; message: string };

export async function runContender(spec: RunSpec, factory: ContenderFactory): Promise<ChildMessage> {
  const recorder = new StartRecorder(expectedOrders(spec), spec.inquiries, spec.orders);
  const contender = factory(spec, recorder);
  const seedStarted = Date.now();
  const t0 = seedStarted + spec.leadMs;
  const due = firstDueTimes(spec, t0);
  await contender.seed(due);
  // The same for every contender: no autovacuum of the fresh rows inside the measured run.
  const pg = new Client({ connectionString: spec.databaseUrl });
  await pg.connect();
  await pg.query('VACUUM ANALYZE').finally(() => pg.end());
  const seedMs = Date.now() - seedStarted;
  const seedOverrunMs = Math.max(0, Date.now() - t0);
  process.send!({ type: 'seeded', seedMs } satisfies ChildMessage);

  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  const cpuBefore = process.cpuUsage();
  await contender.start();
  const deadlineMs = deadline(spec, t0);
  await recorder.whenDone(deadlineMs);
  // Items not started count as started at the deadline (a lower bound), the same for every contender.
  const end = Math.min(Date.now(), deadlineMs);
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(rssTimer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const figures = recorder.figures(end, due);
  const notes = (await contender.notes?.()) ?? '';
  await contender.stop();
  return {
    type: 'result',
    figures,
    seedMs,
    seedOverrunMs,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    peakRssMb: Math.round(peakRss / (1024 * 1024)),
    notes,
  };
}
