// Contender 3: graphile-worker 0.17 — one job per inquiry, due at `run_at`; each inquiry that is not
// the last adds the next one as a new job. `concurrency` jobs at once, a local queue of
// concurrency + 1 (its performance docs' starting point), batched completions, polling every
// `pollMs` for jobs that fall due (it hears of new jobs that are due at once through NOTIFY).
import { Logger, makeWorkerUtils, run, Runner, WorkerUtils } from 'graphile-worker';
import { Contender, ContenderFactory, fakeInquiry, InquiryJob, nextDue } from './contender';

const TASK = 'inquiry';
const INSERT_CHUNK = 5000;

export const graphileWorkerContender: ContenderFactory = (spec, recorder): Contender => {
  let utils: WorkerUtils | undefined;
  let runner: Runner | undefined;
  let errors = 0;
  // Warnings and errors only: its info lines would drown the benchmark's.
  const logger = new Logger(() => (level: string, message: string) => {
    if (level === 'error' || level === 'warning') {
      errors++;
      console.error(`[graphile-worker] ${level}: ${message}`);
    }
  });

  return {
    async seed(due) {
      utils = await makeWorkerUtils({ connectionString: spec.databaseUrl, logger });
      await utils.migrate();
      for (let from = 0; from < due.length; from += INSERT_CHUNK) {
        const specs = [];
        for (let o = from; o < Math.min(due.length, from + INSERT_CHUNK); o++)
          specs.push({
            identifier: TASK,
            payload: { o, n: 0, due: due[o] } satisfies InquiryJob,
            runAt: new Date(due[o]),
          });
        await utils.addJobs(specs);
      }
      await utils.release();
      utils = undefined;
    },
    async start() {
      runner = await run({
        noHandleSignals: true,
        logger,
        preset: {
          worker: {
            connectionString: spec.databaseUrl,
            maxPoolSize: spec.poolSize,
            concurrentJobs: spec.concurrency,
            pollInterval: spec.pollMs,
            localQueue: { size: spec.concurrency + 1 },
            completeJobBatchDelay: 0,
            crontabFile: '/nonexistent/crontab',
            taskDirectory: '/nonexistent/tasks',
          },
        },
        taskList: {
          [TASK]: async (payload, helpers) => {
            const { o, n, due } = payload as InquiryJob;
            recorder.start(o, n, due);
            await fakeInquiry(spec);
            const next = nextDue(spec, n + 1);
            if (next !== null)
              await helpers.addJob(TASK, { o, n: n + 1, due: next } satisfies InquiryJob, {
                runAt: new Date(next),
              });
          },
        },
      });
    },
    async notes() {
      return `${errors} errors/warnings logged`;
    },
    async stop() {
      await runner?.stop();
      await utils?.release();
    },
  };
};
