// The commands of the local infrastructure (design.md §9): a single-node KRaft Kafka and a throwaway
// PostgreSQL on free loopback ports, all state in one instance directory. Shared by the CLI
// (`npm run infra -- <cmd>`, cli.ts) and the TypeScript API (../local-infra.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { elapsed, file, InfraError, openInstance, withLock, type Instance, type Output } from './instance';
import { kafkaPid, startKafka, stopKafka } from './kafka';
import { ensurePorts, loadPorts, type Ports } from './ports';
import { pgLogFile, pgPid, PG_DATABASE, PG_PASSWORD, startPostgres, stopPostgres } from './postgres';
import { writeFileAtomic } from './proc';
import { runWatchdog, startWatchdog, stopWatchdog, watchdogPid } from './watchdog';

export const USAGE = `Local Kafka and PostgreSQL without Docker (design.md §9).

  npm run infra -- start [--owner-pid PID]   start what is not running, print the env lines
  npm run infra -- stop | purge              stop both (purge also deletes the instance dir)
  npm run infra -- kafka-stop | kafka-start  only the broker, same ports and data
  npm run infra -- pg-stop | pg-start        only PostgreSQL, same port and data
  npm run infra -- status | env | logs [LINES]

Instance directory: $INFRA_DIR, default <repo>/.infra/default. Two instances with different
directories can run at once. Logs go to stderr; \`start\` prints only the env lines on stdout:
  KAFKA_BROKERS=127.0.0.1:<port>
  DATABASE_URL=postgres://postgres:postgres@127.0.0.1:<port>/payments
--owner-pid PID (or INFRA_OWNER_PID): a detached watchdog stops the instance when PID exits.
Tunables: KAFKA_READY_TIMEOUT=90, PG_READY_TIMEOUT=60, STOP_TIMEOUT=20 (seconds before SIGKILL).`;

export interface Io {
  stdout: (text: string) => void;
  out: Output;
  env: NodeJS.ProcessEnv;
  /** Relative instance dirs are resolved against it. */
  cwd: string;
  /** Instance dir; default: $INFRA_DIR, else <repo>/.infra/default. */
  dir?: string;
}

export function envLines(ports: Ports): string {
  const url = `postgres://postgres:${PG_PASSWORD}@127.0.0.1:${ports.postgres}/${PG_DATABASE}`;
  return `KAFKA_BROKERS=127.0.0.1:${ports.kafka}\nDATABASE_URL=${url}\n`;
}

const locked = <T>(inst: Instance, fn: () => Promise<T>) =>
  withLock(file.lock(inst), 300, `instance ${inst.dir}`, fn);
const neverStarted = (inst: Instance) =>
  new InfraError(`instance ${inst.dir} was never started; run 'start' first`);

/** Stops the watchdog, then Kafka and PostgreSQL at once (each may take seconds). */
export async function stopAll(inst: Instance): Promise<void> {
  await stopWatchdog(inst);
  const results = await Promise.allSettled([stopKafka(inst), stopPostgres(inst)]);
  for (const r of results) if (r.status === 'rejected') inst.out.log(`ERROR: ${(r.reason as Error).message}`);
}

async function start(inst: Instance, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  let owner = env.INFRA_OWNER_PID || undefined;
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] !== '--owner-pid') throw new InfraError(`unknown option for start: ${args[i]}`);
    owner = args[i + 1];
    if (!owner) throw new InfraError('--owner-pid needs a pid');
  }
  if (owner !== undefined && !/^\d+$/.test(owner)) throw new InfraError(`--owner-pid ${owner} is not a pid`);
  return locked(inst, async () => {
    const t0 = Date.now();
    fs.mkdirSync(inst.dir, { recursive: true });
    const ports = await ensurePorts(inst);
    writeFileAtomic(file.env(inst), envLines(ports));
    try {
      // Started before the servers so an owner killed during startup is covered too.
      if (owner) startWatchdog(inst, Number(owner));
      // Both start in parallel (Kafka is the slow one), and both are waited for.
      const [kafka, pg] = await Promise.allSettled([startKafka(inst), startPostgres(inst)]);
      const why = (r: PromiseSettledResult<void>) =>
        r.status === 'rejected' ? (r.reason as Error).message : 'ok';
      if (kafka.status === 'rejected' || pg.status === 'rejected') {
        throw new InfraError(`start failed (kafka: ${why(kafka)}; postgres: ${why(pg)})`);
      }
    } catch (error) {
      // A failed start must not leave half an instance running (nothing would stop it).
      inst.out.log('start failed; stopping this instance');
      await stopAll(inst);
      throw error;
    }
    inst.out.log(`instance ${inst.dir} ready in ${elapsed(t0)}`);
    return fs.readFileSync(file.env(inst), 'utf8');
  });
}

function status(inst: Instance): string {
  if (!fs.existsSync(inst.dir)) return `no instance at ${inst.dir}\n`;
  const ports = loadPorts(inst);
  const line = (name: string, pid: number | undefined, where = '') =>
    pid ? `${name}: up (pid ${pid}${where})\n` : `${name}: down\n`;
  return (
    line('kafka', kafkaPid(inst), `, 127.0.0.1:${ports?.kafka ?? '?'}`) +
    line('postgres', pgPid(inst), `, 127.0.0.1:${ports?.postgres ?? '?'}`) +
    line('watchdog', watchdogPid(inst))
  );
}

/** purge deletes the instance dir: make sure a mistyped INFRA_DIR (say, $HOME) is not wiped. */
export function foreignEntry(names: string[]): string | undefined {
  const ours = ['.lock', 'ports', 'ports.tmp', 'env', 'env.tmp', 'kafka', 'pg'];
  const alsoOurs = ['watchdog.pid', 'watchdog.pid.tmp', 'watchdog.log'];
  return names.find((name) => !ours.includes(name) && !alsoOurs.includes(name));
}

async function purge(inst: Instance): Promise<void> {
  if (!fs.existsSync(inst.dir)) return;
  const foreign = foreignEntry(fs.readdirSync(inst.dir));
  if (foreign)
    throw new InfraError(`${inst.dir} holds ${foreign}: not an instance directory, not deleting it`);
  await locked(inst, () => stopAll(inst));
  const pg = path.join(inst.dir, 'pg');
  if (fs.lstatSync(pg, { throwIfNoEntry: false })?.isSymbolicLink()) {
    fs.rmSync(fs.realpathSync(pg), { recursive: true, force: true });
  }
  fs.rmSync(inst.dir, { recursive: true, force: true });
  inst.out.log(`purged ${inst.dir}`);
}

function logs(inst: Instance, lines: number): string {
  if (!fs.existsSync(inst.dir)) throw new InfraError(`no instance at ${inst.dir}`);
  const kafkaDir = file.kafkaDir(inst);
  const candidates = [path.join(kafkaDir, 'server.log'), path.join(kafkaDir, 'kafka.out')];
  const files = [...candidates, pgLogFile(inst), file.watchdogLog(inst)].filter(
    (f): f is string => f !== undefined && fs.existsSync(f),
  );
  if (!files.length) throw new InfraError(`no logs yet in ${inst.dir}`);
  const tail = (f: string) => {
    const text = fs.readFileSync(f, 'utf8').split('\n');
    if (text.at(-1) === '') text.pop();
    return text
      .slice(-lines)
      .map((l) => `${l}\n`)
      .join('');
  };
  // As tail(1) prints them: a header per file when there are several.
  return files.length === 1 ? tail(files[0]) : files.map((f) => `==> ${f} <==\n${tail(f)}`).join('\n');
}

/** Runs one command; resolves with its exit code (0 ok, 1 failed, 2 bad usage). */
export async function runCommand(argv: string[], io: Io): Promise<number> {
  const [cmd = '', ...args] = argv;
  const dir = cmd === '__watchdog' ? args[1] : io.dir;
  try {
    const inst = openInstance({ dir, base: io.cwd, env: io.env, out: io.out });
    const ifExists = async (fn: () => Promise<void>) => {
      if (fs.existsSync(inst.dir)) await locked(inst, fn);
    };
    const ifStarted = async (fn: () => Promise<void>) => {
      if (!fs.existsSync(file.ports(inst))) throw neverStarted(inst);
      await locked(inst, fn);
    };
    switch (cmd) {
      case 'start':
        io.stdout(await start(inst, args, io.env));
        break;
      case 'stop':
        await ifExists(() => stopAll(inst));
        break;
      case 'purge':
        await purge(inst);
        break;
      case 'kafka-start':
        await ifStarted(() => startKafka(inst));
        break;
      case 'kafka-stop':
        await ifExists(() => stopKafka(inst));
        break;
      case 'pg-start':
        await ifStarted(() => startPostgres(inst));
        break;
      case 'pg-stop':
        await ifExists(() => stopPostgres(inst));
        break;
      case 'status':
        io.stdout(status(inst));
        break;
      case 'env':
        if (!fs.existsSync(file.env(inst)))
          throw new InfraError(`no env file: instance ${inst.dir} was never started`);
        io.stdout(fs.readFileSync(file.env(inst), 'utf8'));
        break;
      case 'logs':
        if (!/^\d+$/.test(args[0] ?? '60'))
          throw new InfraError(`logs: LINES must be a number, not ${args[0]}`);
        io.stdout(logs(inst, Number(args[0] ?? 60)));
        break;
      case '__watchdog':
        await runWatchdog(inst, Number(args[0]), () => locked(inst, () => stopAll(inst)));
        break;
      default:
        io.out.raw(`${USAGE}\n`);
        return 2;
    }
    return 0;
  } catch (error) {
    io.out.log(`ERROR: ${error instanceof InfraError ? error.message : (error as Error).stack}`);
    return 1;
  }
}

/** On SIGINT/SIGTERM: stops the instance (without its lock, which this process may hold) and exits. */
export function stopAfterInterrupt(io: Io): void {
  const onSignal = (signal: NodeJS.Signals) => {
    io.out.log(`${signal}: stopping this instance`);
    const inst = openInstance({ dir: io.dir, base: io.cwd, env: io.env, out: io.out });
    void stopAll(inst).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
