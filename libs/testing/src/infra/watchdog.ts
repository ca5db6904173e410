// Watchdog: a detached process that stops an instance when its owner (e.g. a Jest runner, the demo)
// dies without tearing it down. It is the CLI's `__watchdog <owner-pid> <instance-dir>` command.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { file, InfraError, type Instance } from './instance';
import {
  pidAlive,
  procMatches,
  readPidFile,
  sleep,
  spawnDetached,
  stopProcess,
  writeFileAtomic,
} from './proc';

const MARK = '__watchdog';

/** The watchdog's pid if it runs. */
export function watchdogPid(inst: Instance): number | undefined {
  const pid = readPidFile(file.watchdogPid(inst));
  return procMatches(pid, MARK) ? pid : undefined;
}

/**
 * How to run the CLI in a new process: the compiled cli.js beside this file when running from dist/,
 * else (running from source, e.g. under ts-jest) scripts/infra.js, which compiles the sources as it loads them.
 */
export function cliCommand(root: string, self = __filename): string[] {
  return self.endsWith('.ts')
    ? [path.join(root, 'scripts', 'infra.js')]
    : [path.join(path.dirname(self), 'cli.js')];
}

/** Starts the watchdog of this instance for OWNER unless one runs. */
export function startWatchdog(inst: Instance, owner: number): void {
  if (!pidAlive(owner)) throw new InfraError(`--owner-pid ${owner} is not a running process`);
  if (watchdogPid(inst)) return;
  const args = [...cliCommand(inst.root), MARK, String(owner), inst.dir];
  const pid = spawnDetached(process.execPath, args, file.watchdogLog(inst), inst.root);
  writeFileAtomic(file.watchdogPid(inst), `${pid}\n`);
  inst.out.log(`watchdog ${pid} stops this instance when pid ${owner} exits`);
}

/** Stops the watchdog; a no-op when called by the watchdog itself (it must not wait for its own death). */
export async function stopWatchdog(inst: Instance): Promise<void> {
  const pid = watchdogPid(inst);
  if (pid && pid !== process.pid)
    await stopProcess(pid, MARK, 'watchdog', 'SIGTERM', inst.stopTimeoutS, inst.out);
  if (pid !== process.pid) fs.rmSync(file.watchdogPid(inst), { force: true });
}

/** Resolves once OWNER no longer runs (polled every intervalMs). */
export async function waitForExit(
  owner: number,
  opts: {
    isAlive?: (pid: number) => boolean;
    pause?: (ms: number) => Promise<void>;
    intervalMs?: number;
  } = {},
): Promise<void> {
  const { isAlive = pidAlive, pause = sleep, intervalMs = 1000 } = opts;
  while (isAlive(owner)) await pause(intervalMs);
}

/** The watchdog's life: wait for the owner, then stop the instance with STOP (which takes the lock). */
export async function runWatchdog(inst: Instance, owner: number, stop: () => Promise<void>): Promise<void> {
  await waitForExit(owner);
  inst.out.log(`owner pid ${owner} is gone; stopping the instance`);
  await stop();
  fs.rmSync(file.watchdogPid(inst), { force: true });
  inst.out.log('watchdog done');
}
