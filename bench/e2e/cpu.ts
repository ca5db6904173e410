/**
 * bench:e2e's CPU accounting: what each part of the pipeline spent per notification during a pass,
 * so a latency change comes with what it cost on this shared 2-core box (wall-clock is noisy; CPU
 * per unit of work much less so).
 */
import * as fs from 'fs';
import { CpuMeter, localInfraPids, processTreeCpuMs } from '@app/testing/process-cpu';

const SERVICES = {
  orderState: 'order-state',
  gateway: 'notify-gateway',
  poller: 'inquiry-poller',
} as const;

/** The pid of this process's child running dist/apps/<name>/src/main.js, if any. */
function servicePid(name: string): number | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(`/apps/${name}/src/main.js`)) return Number(entry);
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}

/** A meter over our three services, PostgreSQL and Kafka (those this run started). */
export function pipelineCpuMeter(instanceDir: string): CpuMeter {
  const parts: Record<string, () => number> = {};
  for (const [part, name] of Object.entries(SERVICES)) {
    const pid = servicePid(name);
    if (pid) parts[part] = () => processTreeCpuMs(pid);
  }
  const infra = localInfraPids(instanceDir);
  if (infra.postgres) parts.postgres = () => processTreeCpuMs(infra.postgres!);
  if (infra.kafka) parts.kafka = () => processTreeCpuMs(infra.kafka!);
  return new CpuMeter(parts);
}

/** µs of CPU per notification for each part, and their total. */
export function perNotification(cpuMs: Record<string, number>, n: number): Record<string, number> {
  const out: Record<string, number> = {};
  let total = 0;
  for (const [part, ms] of Object.entries(cpuMs)) {
    out[part] = Math.round((ms * 1000) / n);
    total += ms;
  }
  out.total = Math.round((total * 1000) / n);
  return out;
}
