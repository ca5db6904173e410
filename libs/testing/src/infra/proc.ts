// Processes of the local infrastructure (design.md §9). A pid file alone is never trusted: the number
// may have been reused by an unrelated process after a crash or reboot, so the command line must also
// name this instance (procMatches).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { Output } from './instance';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The fields of /proc/<pid>/stat text after the command name: state (R, S, Z…), ppid, pgrp, … The
 * name may hold spaces and ')', so the fields start after the last ') '.
 */
export function parseStat(statText: string): string[] {
  return statText.slice(statText.lastIndexOf(') ') + 2).split(' ');
}

/** The fields of /proc/<pid>/stat after the command name: state, ppid, pgrp, … (undefined if gone). */
function statFields(pid: number): string[] | undefined {
  try {
    return parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** True when the process exists and is not a zombie. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== '' && state !== 'Z';
}

/** The start time of a process (clock ticks since boot), which tells a reused pid apart. */
export function procStartTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** True when PID runs (not a zombie) and its command line contains PATTERN. */
export function procMatches(pid: number | undefined, pattern: string): boolean {
  if (pid === undefined || !pidAlive(pid)) return false;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(pattern);
  } catch {
    return false;
  }
}

/** The first line of a pid file as a pid, if it is one. */
export function readPidFile(file: string): number | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8').split('\n')[0].trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

export function writeFileAtomic(file: string, text: string): void {
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
}

/**
 * Sends SIGNAL, waits up to timeoutS, then SIGKILLs the process and its process group (every
 * process we start is a session leader, so its group is exactly what it spawned).
 */
export async function stopProcess(
  pid: number,
  pattern: string,
  name: string,
  signal: NodeJS.Signals,
  timeoutS: number,
  out: Output,
): Promise<void> {
  if (!procMatches(pid, pattern)) return;
  out.log(`stopping ${name} (pid ${pid}, ${signal})`);
  kill(pid, signal);
  if (await waitGone(pid, pattern, timeoutS * 1000)) return;
  out.log(`${name} did not stop within ${timeoutS}s; sending SIGKILL`);
  kill(statFields(pid)?.[2] === String(pid) ? -pid : pid, 'SIGKILL');
  if (!(await waitGone(pid, pattern, 5000))) throw new Error(`${name} (pid ${pid}) survived SIGKILL`);
}

async function waitGone(pid: number, pattern: string, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 100) {
    if (!procMatches(pid, pattern)) return true;
    await sleep(100);
  }
  return !procMatches(pid, pattern);
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Starts a command in its own session (so a Ctrl-C or SIGHUP aimed at the caller's process group
 * does not hit it), stdin from /dev/null, stdout and stderr appended to OUT. Returns its pid.
 */
export function spawnDetached(command: string, args: string[], outFile: string, cwd?: string): number {
  const fd = fs.openSync(outFile, 'a');
  try {
    const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new Error(`could not spawn: ${command} ${args.join(' ')}`);
    child.on('error', () => undefined); // reported through the missing pid / readiness check
    child.unref();
    return child.pid;
  } finally {
    fs.closeSync(fd);
  }
}

export interface RunResult {
  code: number;
  stdout: string;
}

/**
 * Runs a command to its end; its stderr (and stdout unless captured) goes to the output. Resolves
 * with the exit code (never rejects for a non-zero one; a spawn failure is code 127).
 */
export function run(
  command: string,
  args: string[],
  out: Output,
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; captureStdout?: boolean } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      if (opts.captureStdout) stdout += chunk.toString();
      else out.raw(chunk.toString());
    });
    child.stderr?.on('data', (chunk: Buffer) => out.raw(chunk.toString()));
    child.on('error', (error) => {
      out.raw(`${command}: ${error.message}\n`);
      resolve({ code: 127, stdout });
    });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout }));
  });
}

/** The last LINES lines of a file ('' when it cannot be read). */
export function tailFile(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
