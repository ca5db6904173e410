// CPU accounting for benchmarks (Linux /proc): how much CPU each part of a run used, so that a
// throughput figure comes with what it cost — order-state, PostgreSQL and Kafka share the machine.
import * as fs from 'node:fs';
import * as path from 'node:path';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on

interface ProcStat {
  ppid: number;
  /** utime + stime + cutime + cstime, in ms: the process, its threads and its reaped children. */
  cpuMs: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // exited meanwhile
  }
  // The command name may contain spaces and parentheses: fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  return { ppid: Number(fields[1]), cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_SECOND };
}

/**
 * CPU time used so far by a process and all its live descendants, in ms. Descendants that exited
 * and were reaped are in their parent's cutime/cstime, so nothing is counted twice or lost (a
 * PostgreSQL backend that closed is in the postmaster's figure).
 */
export function processTreeCpuMs(rootPid: number): number {
  const stats = new Map<number, ProcStat>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.set(Number(entry), stat);
  }
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of stats) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  let total = 0;
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    total += stats.get(pid)?.cpuMs ?? 0;
    pending.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Pids of the Kafka broker and the PostgreSQL postmaster of a local-infra instance, if running. */
export function localInfraPids(instanceDir: string): { kafka?: number; postgres?: number } {
  const firstLineNumber = (file: string): number | undefined => {
    try {
      const n = Number(fs.readFileSync(file, 'utf8').split('\n')[0].trim());
      return Number.isInteger(n) && n > 0 ? n : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    kafka: firstLineNumber(path.join(instanceDir, 'kafka', 'kafka.pid')),
    postgres: firstLineNumber(path.join(instanceDir, 'pg', 'data', 'postmaster.pid')),
  };
}

/** CPU used by named parts between `start()` and `stop()`, in ms each. */
export class CpuMeter {
  private readonly before = new Map<string, number>();

  constructor(private readonly parts: Record<string, () => number>) {}

  start(): void {
    for (const [name, read] of Object.entries(this.parts)) this.before.set(name, read());
  }

  stop(): Record<string, number> {
    const used: Record<string, number> = {};
    for (const [name, read] of Object.entries(this.parts)) used[name] = read() - this.before.get(name)!;
    return used;
  }
}

/** This process (all its threads), in ms. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
