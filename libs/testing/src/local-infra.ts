// A thin TypeScript API over infra/local-infra.sh, the one script that runs the local Kafka broker and
// PostgreSQL cluster (design.md §9). Everything real happens in the script; this only calls it.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface InfraEndpoints {
  /** e.g. `127.0.0.1:24567` */
  kafkaBrokers: string;
  /** e.g. `postgres://postgres:postgres@127.0.0.1:23456/payments` */
  databaseUrl: string;
}

export interface StartInfraOptions {
  /** Instance directory (the script's INFRA_DIR). Default: `$INFRA_DIR`, else `<repo>/.infra/default`. */
  instanceDir?: string;
  /** The instance is stopped by a watchdog when this process dies. */
  ownerPid?: number;
}

/** Kafka's first start can include fetching its jars with Maven; keep well above that. */
const SCRIPT_TIMEOUT_MS = 10 * 60_000;

let cachedRoot: string | undefined;

/** The repository root: the nearest folder above this file that holds package.json and the script. */
export function repoRoot(): string {
  if (cachedRoot) return cachedRoot;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (
      fs.existsSync(path.join(dir, 'package.json')) &&
      fs.existsSync(path.join(dir, 'infra', 'local-infra.sh'))
    ) {
      return (cachedRoot = dir);
    }
    if (path.dirname(dir) === dir) throw new Error(`no repository root (package.json) above ${__dirname}`);
  }
}

/**
 * The instance that tests control: the one the Jest global setup started (it exports INFRA_DIR),
 * else the script's default. Undefined lets the script apply its own default.
 */
function defaultInstanceDir(): string | undefined {
  return process.env.INFRA_DIR || undefined;
}

/** True when tests run against an instance the harness controls (so they may stop/start servers). */
export function isLocalInfraManaged(): boolean {
  return Boolean(process.env.INFRA_DIR);
}

/** Runs `bash infra/local-infra.sh <args>`; resolves with stdout, rejects with the script's stderr. */
export function runInfraScript(args: string[], instanceDir = defaultInstanceDir()): Promise<string> {
  const root = repoRoot();
  const env = { ...process.env };
  if (instanceDir) env.INFRA_DIR = path.resolve(root, instanceDir);
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [path.join(root, 'infra', 'local-infra.sh'), ...args],
      { cwd: root, env, timeout: SCRIPT_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const how = error.killed ? `killed after ${SCRIPT_TIMEOUT_MS} ms` : `exit code ${String(error.code)}`;
        reject(
          new Error(`local-infra.sh ${args.join(' ')} failed (${how}):\n${tail(stderr, 80)}`, {
            cause: error,
          }),
        );
      },
    );
  });
}

/** Starts Kafka and PostgreSQL of an instance (or just returns its endpoints if they are up). */
export async function startInfra(opts: StartInfraOptions = {}): Promise<InfraEndpoints> {
  const args = ['start'];
  if (opts.ownerPid !== undefined) args.push('--owner-pid', String(opts.ownerPid));
  return parseEnv(await runInfraScript(args, opts.instanceDir ?? defaultInstanceDir()));
}

/** Stops both servers; the instance keeps its ports and data, so startInfra brings it back. */
export async function stopInfra(instanceDir = defaultInstanceDir()): Promise<void> {
  await runInfraScript(['stop'], instanceDir);
}

/** Stops both servers and deletes the instance directory. */
export async function purgeInfra(instanceDir = defaultInstanceDir()): Promise<void> {
  await runInfraScript(['purge'], instanceDir);
}

/** Stops only the broker (SIGTERM, clean shutdown). */
export async function stopKafka(instanceDir = defaultInstanceDir()): Promise<void> {
  await runInfraScript(['kafka-stop'], instanceDir);
}

/** Starts the broker again on the same address and data dir; resolves once it serves requests. */
export async function startKafka(instanceDir = defaultInstanceDir()): Promise<void> {
  await runInfraScript(['kafka-start'], instanceDir);
}

/** Stops only PostgreSQL (fast shutdown: open connections are closed). */
export async function stopPostgres(instanceDir = defaultInstanceDir()): Promise<void> {
  await runInfraScript(['pg-stop'], instanceDir);
}

/** Starts PostgreSQL again on the same port and data dir; resolves once it accepts connections. */
export async function startPostgres(instanceDir = defaultInstanceDir()): Promise<void> {
  await runInfraScript(['pg-start'], instanceDir);
}

/** The endpoints of an instance that was started before (reads its env file). */
export async function infraEndpoints(instanceDir = defaultInstanceDir()): Promise<InfraEndpoints> {
  return parseEnv(await runInfraScript(['env'], instanceDir));
}

function parseEnv(stdout: string): InfraEndpoints {
  const vars = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) vars.set(match[1], match[2]);
  }
  const kafkaBrokers = vars.get('KAFKA_BROKERS');
  const databaseUrl = vars.get('DATABASE_URL');
  if (!kafkaBrokers || !databaseUrl) throw new Error(`local-infra.sh printed no endpoints:\n${stdout}`);
  return { kafkaBrokers, databaseUrl };
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
