// Contender 2: pg-boss 10 — one job per inquiry, due at `startAfter`; each inquiry that is not the
// last sends the next one as a new job (a new job per re-inquiry). Workers: `concurrency / batch`
// work() loops of `batch` jobs each, handled concurrently, polling every max(pollMs, 500 ms) (its
// minimum). Its defaults otherwise (supervision on, retries as configured by default).
import PgBoss from 'pg-boss';
import { Contender, ContenderFactory, fakeInquiry, InquiryJob, nextDue } from './contender';

const QUEUE = 'inquiry';
/** Jobs per work() fetch; concurrency / BATCH loops together make up the concurrency. */
const BATCH = 50;
const INSERT_CHUNK = 5000;

export const pgBossContender: ContenderFactory = (spec, recorder): Contender => {
  const boss = new PgBoss({
    connectionString: spec.databaseUrl,
    schema: 'pgboss',
    max: spec.poolSize,
    schedule: false,
  });
  let errors = 0;
  let lastError = '';
  boss.on('error', (err) => {
    errors++;
    lastError = err.message;
  });

  const handle = async (job: PgBoss.Job<InquiryJob>): Promise<void> => {
    const { o, n, due } = job.data;
    recorder.start(o, n, due);
    await fakeInquiry(spec);
    const next = nextDue(spec, n + 1);
    if (next !== null)
      await boss.send(QUEUE, { o, n: n + 1, due: next } satisfies InquiryJob, { startAfter: new Date(next) });
  };

  return {
    async seed(due) {
      await boss.start();
      await boss.createQueue(QUEUE);
      for (let from = 0; from < due.length; from += INSERT_CHUNK) {
        const jobs: PgBoss.JobInsert<InquiryJob>[] = [];
        for (let o = from; o < Math.min(due.length, from + INSERT_CHUNK); o++)
          jobs.push({ name: QUEUE, data: { o, n: 0, due: due[o] }, startAfter: new Date(due[o]) });
        await boss.insert(jobs);
      }
    },
    async start() {
      const loops = Math.max(1, Math.round(spec.concurrency / BATCH));
      const batchSize = Math.max(1, Math.floor(spec.concurrency / loops));
      const pollingIntervalSeconds = Math.max(0.5, spec.pollMs / 1000);
      for (let i = 0; i < loops; i++) {
        await boss.work<InquiryJob>(QUEUE, { batchSize, pollingIntervalSeconds }, async (jobs) => {
          await Promise.all(jobs.map(handle));
        });
      }
    },
    async notes() {
      const left = await boss.getQueueSize(QUEUE).catch(() => NaN);
      return `${left} jobs queued at the end, ${errors} errors${errors ? ` (last: ${lastError})` : ''}`;
    },
    async stop() {
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    },
  };
};
