// The queue comparison: every seeding × every contender, each run in a child process on a fresh
// database of the same PostgreSQL, one after the other. PostgreSQL's CPU is read from /proc (the
// postmaster and all its backends) between the end of seeding and the end of the run.
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { processTreeCpuMs } from '@app/testing/process-cpu';
import { createTestDatabase } from '@app/testing/test-database';
import type { ChildMessage } from './contender';
import type { RunFigures } from './lateness';
import { BenchSettings, ContenderName, deadline, RunSpec, Seeding } from './settings';

export interface RunResult extends RunFigures {
  seedMs: number;
  seedOverrunMs: number;
  /** PostgreSQL (postmaster and backends) during the run, ms of CPU; null when not ours to read. */
  dbCpuMs: number | null;
  /** CPU cores of PostgreSQL on average over the run. */
  dbCores: number | null;
  /**
   * CPU per item started, of PostgreSQL and of the contender process: what an inquiry costs whatever
   * the machine's load (wall-clock figures on a shared machine are mostly about its other tenants).
   */
  dbCpuMsPerItem: number | null;
  cpuMsPerItem: number;
  /** The contender process: CPU during the run and its peak RSS. */
  cpuMs: number;
  peakRssMb: number;
  runMs: number;
  /** 1-minute load average of the machine at the end of the run (it is shared). */
  load: number;
  notes: string;
}

export type Comparison = Partial<Record<Seeding, Partial<Record<ContenderName, RunResult>>>>;

const log = (line: string) => console.log(line);

const perItem = (ms: number, items: number) => Math.round((ms / Math.max(1, items)) * 1000) / 1000;

function runOne(spec: RunSpec, postgresPid: number | undefined): Promise<RunResult> {
  // BENCH_CPU_PROF=<dir>: a V8 CPU profile of every contender process, to see where its time goes.
  const profDir = process.env.BENCH_CPU_PROF;
  const execArgv = profDir
    ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${profDir}`]
    : process.execArgv;
  const child = fork(path.join(__dirname, 'run-contender.js'), [], { stdio: 'inherit', execArgv });
  const dbCpu = () => (postgresPid ? processTreeCpuMs(postgresPid) : NaN);
  let dbBefore = NaN;
  let runStarted = 0;
  // Seeding plus the lead, the run, and a margin for stopping.
  const killAfter = spec.leadMs + deadline(spec, Date.now()) - Date.now() + 180_000;
  return new Promise<RunResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${spec.contender}/${spec.seeding}: no result after ${killAfter} ms`));
    }, killAfter);
    child.on('message', (msg: ChildMessage) => {
      if (msg.type === 'seeded') {
        dbBefore = dbCpu();
        runStarted = Date.now();
      } else if (msg.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`${spec.contender}/${spec.seeding}: ${msg.message}`));
      } else {
        clearTimeout(timer);
        const runMs = Date.now() - runStarted;
        const dbDelta = Math.round(dbCpu() - dbBefore);
        // Negative (seen once, pg-boss: its pool closes idle connections during the run): the CPU of
        // a backend that exited was not found in the postmaster's reaped-children time. Unknown then.
        const dbCpuMs = Number.isNaN(dbDelta) || dbDelta < 0 ? null : dbDelta;
        resolve({
          ...msg.figures,
          seedMs: msg.seedMs,
          seedOverrunMs: msg.seedOverrunMs,
          dbCpuMs,
          dbCores: dbCpuMs === null ? null : Math.round((dbCpuMs / runMs) * 100) / 100,
          dbCpuMsPerItem: dbCpuMs === null ? null : perItem(dbCpuMs, msg.figures.started),
          cpuMsPerItem: perItem(msg.cpuMs, msg.figures.started),
          cpuMs: msg.cpuMs,
          peakRssMb: msg.peakRssMb,
          runMs,
          load: Math.round(loadavg()[0] * 10) / 10,
          notes: msg.notes,
        });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${spec.contender}/${spec.seeding}: child exited with ${code}`));
    });
    child.send(spec);
  });
}

export const describeRun = (r: RunResult): string =>
  `${r.started}/${r.expected} started at ${r.perSec}/s, lateness p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms, ` +
  `${r.violations} violations (${r.duplicates} duplicate, ${r.early} early), ${r.unfinished} unfinished; ` +
  `db ${r.dbCpuMs ?? '?'} ms CPU (${r.dbCores ?? '?'} cores, ${r.dbCpuMsPerItem ?? '?'} ms/item), ` +
  `process ${r.cpuMs} ms CPU (${r.cpuMsPerItem} ms/item), RSS ${r.peakRssMb} MB; ` +
  `seeded in ${r.seedMs} ms${r.seedOverrunMs ? ` (${r.seedOverrunMs} ms past the first due time)` : ''}; load ${r.load}`;

export async function compareQueues(
  settings: BenchSettings,
  databaseUrl: string,
  postgresPid: number | undefined,
): Promise<Comparison> {
  const results: Comparison = {};
  for (const seeding of settings.seedings) {
    results[seeding] = {};
    for (const contender of settings.contenders) {
      const db = await createTestDatabase(databaseUrl);
      try {
        const spec: RunSpec = { ...settings, contender, seeding, databaseUrl: db.url };
        log(`[${seeding}] ${contender}: seeding ${settings.orders} orders …`);
        const result = await runOne(spec, postgresPid);
        results[seeding]![contender] = result;
        log(`[${seeding}] ${contender}: ${describeRun(result)}`);
        if (result.notes) log(`[${seeding}] ${contender}: ${result.notes}`);
      } catch (err) {
        log(`[${seeding}] ${contender}: FAILED ${(err as Error).message}`);
      } finally {
        await db.drop().catch((err: Error) => log(`drop database: ${err.message}`));
      }
    }
  }
  return results;
}
