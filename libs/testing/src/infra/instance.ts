// One instance of the local infrastructure (design.md §9): a directory holding the chosen ports, the
// env file, Kafka's and PostgreSQL's data and the watchdog's pid. Two instances with different
// directories can run at once; commands on one instance are serialised by its lock file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pidAlive, procStartTime, sleep } from './proc';

/** Where a command reports: `log` for its own lines, `raw` for the output of the tools it runs. */
export interface Output {
  log(line: string): void;
  raw(text: string): void;
}

export interface Instance {
  /** The repository root (Kafka's pom and log4j config, the shared jar cache in .infra/). */
  root: string;
  /** Absolute, without a trailing slash. */
  dir: string;
  kafkaReadyTimeoutS: number;
  pgReadyTimeoutS: number;
  /** Seconds between the polite signal and SIGKILL. */
  stopTimeoutS: number;
  out: Output;
}

export const file = {
  ports: (i: Instance) => path.join(i.dir, 'ports'),
  env: (i: Instance) => path.join(i.dir, 'env'),
  lock: (i: Instance) => path.join(i.dir, '.lock'),
  watchdogPid: (i: Instance) => path.join(i.dir, 'watchdog.pid'),
  watchdogLog: (i: Instance) => path.join(i.dir, 'watchdog.log'),
  kafkaDir: (i: Instance) => path.join(i.dir, 'kafka'),
  kafkaProps: (i: Instance) => path.join(i.dir, 'kafka', 'server.properties'),
  kafkaPid: (i: Instance) => path.join(i.dir, 'kafka', 'kafka.pid'),
};

export class InfraError extends Error {}

let cachedRoot: string | undefined;

/** The repository root: the nearest folder above this file with package.json and infra/kafka/pom.xml. */
export function repoRoot(): string {
  if (cachedRoot) return cachedRoot;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (
      fs.existsSync(path.join(dir, 'package.json')) &&
      fs.existsSync(path.join(dir, 'infra/kafka/pom.xml'))
    ) {
      return (cachedRoot = dir);
    }
    if (path.dirname(dir) === dir) throw new Error(`no repository root (package.json) above ${__dirname}`);
  }
}

/**
 * An instance from its directory (relative to `base`; default `$INFRA_DIR`, else <repo>/.infra/default)
 * and the tunables KAFKA_READY_TIMEOUT=90, PG_READY_TIMEOUT=60, STOP_TIMEOUT=20 (seconds) of `env`.
 */
export function openInstance(opts: {
  dir?: string;
  base: string;
  env: NodeJS.ProcessEnv;
  out: Output;
}): Instance {
  const root = repoRoot();
  const dir = path.resolve(opts.base, opts.dir || opts.env.INFRA_DIR || path.join(root, '.infra', 'default'));
  const seconds = (name: string, fallback: number) => {
    const value = Number(opts.env[name] || fallback);
    if (!Number.isFinite(value) || value <= 0) throw new InfraError(`${name} must be a number of seconds`);
    return value;
  };
  return {
    root,
    dir,
    kafkaReadyTimeoutS: seconds('KAFKA_READY_TIMEOUT', 90),
    pgReadyTimeoutS: seconds('PG_READY_TIMEOUT', 60),
    stopTimeoutS: seconds('STOP_TIMEOUT', 20),
    out: opts.out,
  };
}

/** What a lock file says about its holder: `<pid> <start time>`. */
export function lockHolder(text: string): { pid: number; startTime: string } | undefined {
  const match = /^(\d+) (\d+)\s*$/.exec(text);
  return match ? { pid: Number(match[1]), startTime: match[2] } : undefined;
}

/** True when the holder named by a lock file's text no longer runs (or the text names none). */
export function lockIsStale(text: string, alive = pidAlive, startTimeOf = procStartTime): boolean {
  const holder = lockHolder(text);
  return !holder || !alive(holder.pid) || startTimeOf(holder.pid) !== holder.startTime;
}

/**
 * Runs FN holding the lock file LOCK (created exclusively, naming this process). A lock whose holder
 * died (a killed runner) is taken over; otherwise waits up to timeoutS.
 */
export async function withLock<T>(lock: string, timeoutS: number, what: string, fn: () => Promise<T>) {
  const mine = `${process.pid} ${procStartTime(process.pid)}\n`;
  const deadline = Date.now() + timeoutS * 1000;
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      fs.writeFileSync(lock, mine, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const text = readOr(lock, mine);
    if (text !== mine && lockIsStale(text)) {
      fs.rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new InfraError(`${what} is locked by another command (${lock})`);
    await sleep(100);
  }
  try {
    return await fn();
  } finally {
    if (readOr(lock, '') === mine) fs.rmSync(lock, { force: true });
  }
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

export const elapsed = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
