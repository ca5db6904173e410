// The TypeScript API of the local Kafka broker and PostgreSQL cluster (design.md §9). It runs the same
// commands as `npm run infra -- <cmd>` (infra/commands.ts), in this process; their log is kept and shown
// only when a command fails.
import * as path from 'node:path';
import { runCommand } from './infra/commands';
import { repoRoot } from './infra/instance';
import { parseAssignments } from './infra/ports';

export { repoRoot };

export interface InfraEndpoints {
  /** e.g. `127.0.0.1:24567` */
  kafkaBrokers: string;
  /** e.g. `postgres://postgres:postgres@127.0.0.1:23456/payments` */
  databaseUrl: string;
}

export interface StartInfraOptions {
  /** Instance directory (the CLI's INFRA_DIR). Default: `$INFRA_DIR`, else `<repo>/.infra/default`. */
  instanceDir?: string;
  /** The instance is stopped by a watchdog when this process dies. */
  ownerPid?: number;
}

/**
 * The instance that tests control: the one the Jest global setup started (it exports INFRA_DIR),
 * else the default. Undefined lets the commands apply their own default.
 */
function defaultInstanceDir(): string | undefined {
  return process.env.INFRA_DIR || undefined;
}

/** True when tests run against an instance the harness controls (so they may stop/start servers). */
export function isLocalInfraManaged(): boolean {
  return Boolean(process.env.INFRA_DIR);
}

/**
 * Runs one command (`start`, `kafka-stop`, … as `npm run infra -- <args>`) on an instance (relative
 * to the repository root); resolves with what it printed on stdout, rejects with its log.
 */
export async function runInfraCommand(args: string[], instanceDir = defaultInstanceDir()): Promise<string> {
  let stdout = '';
  const log: string[] = [];
  const code = await runCommand(args, {
    stdout: (text) => (stdout += text),
    out: { log: (line) => log.push(`${line}\n`), raw: (text) => log.push(text) },
    env: process.env,
    cwd: repoRoot(),
    dir: instanceDir && path.resolve(repoRoot(), instanceDir),
  });
  if (code !== 0)
    throw new Error(`local-infra ${args.join(' ')} failed (exit code ${code}):\n${tail(log.join(''), 80)}`);
  return stdout;
}

/** The former name of runInfraCommand, from when the commands were a bash script. */
export const runInfraScript = runInfraCommand;

/** Starts Kafka and PostgreSQL of an instance (or just returns its endpoints if they are up). */
export async function startInfra(opts: StartInfraOptions = {}): Promise<InfraEndpoints> {
  const args = ['start'];
  if (opts.ownerPid !== undefined) args.push('--owner-pid', String(opts.ownerPid));
  return parseEnv(await runInfraCommand(args, opts.instanceDir ?? defaultInstanceDir()));
}

/** Stops both servers; the instance keeps its ports and data, so startInfra brings it back. */
export async function stopInfra(instanceDir = defaultInstanceDir()): Promise<void> {
  await runInfraCommand(['stop'], instanceDir);
}

/** Stops both servers and deletes the instance directory. */
export async function purgeInfra(instanceDir = defaultInstanceDir()): Promise<void> {
  await runInfraCommand(['purge'], instanceDir);
}

/** Stops only the broker (SIGTERM, clean shutdown). */
export async function stopKafka(instanceDir = defaultInstanceDir()): Promise<void> {
  await runInfraCommand(['kafka-stop'], instanceDir);
}

/** Starts the broker again on the same address and data dir; resolves once it serves requests. */
export async function startKafka(instanceDir = defaultInstanceDir()): Promise<void> {
  await runInfraCommand(['kafka-start'], instanceDir);
}

/** Stops only PostgreSQL (fast shutdown: open connections are closed). */
export async function stopPostgres(instanceDir = defaultInstanceDir()): Promise<void> {
  await runInfraCommand(['pg-stop'], instanceDir);
}

/** Starts PostgreSQL again on the same port and data dir; resolves once it accepts connections. */
export async function startPostgres(instanceDir = defaultInstanceDir()): Promise<void> {
  await runInfraCommand(['pg-start'], instanceDir);
}

/** The endpoints of an instance that was started before (reads its env file). */
export async function infraEndpoints(instanceDir = defaultInstanceDir()): Promise<InfraEndpoints> {
  return parseEnv(await runInfraCommand(['env'], instanceDir));
}

/** The endpoints in the env lines that `start` and `env` print. */
export function parseEnv(stdout: string): InfraEndpoints {
  const vars = parseAssignments(stdout);
  const kafkaBrokers = vars.get('KAFKA_BROKERS');
  const databaseUrl = vars.get('DATABASE_URL');
  if (!kafkaBrokers || !databaseUrl) throw new Error(`local-infra printed no endpoints:\n${stdout}`);
  return { kafkaBrokers, databaseUrl };
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
