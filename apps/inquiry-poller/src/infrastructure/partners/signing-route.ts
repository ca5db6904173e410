import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Cumulative times of this thread, in ms: busy (on a CPU) and the rest. */
export interface LoopTimes {
  readonly idle: number;
  readonly active: number;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/**
 * The calling thread's CPU time (Linux: /proc/thread-self/stat, utime + stime) against the wall clock.
 * Not the event loop's utilization: on a shared machine a loop waiting for a CPU counts as active
 * there, and would send signatures to threads that have no free CPU either. Elsewhere (no /proc), the
 * event loop's utilization.
 */
export function threadTimes(): LoopTimes {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const active = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    return { active, idle: Math.max(0, performance.now() - active) };
  } catch {
    return performance.eventLoopUtilization();
  }
}

export interface SigningRouteOptions {
  /** How often the main thread's utilization is read again, in ms. */
  readonly windowMs?: number;
  /** Signing goes to the threads once the main thread was busier than this over a window… */
  readonly offloadAbove?: number;
  /** …and comes back to the main thread once it is less busy than this (hysteresis). */
  readonly inlineBelow?: number;
  readonly now?: () => number;
  readonly loopTimes?: () => LoopTimes;
  /** Always one way, whatever the load (tests). */
  readonly fixed?: 'inline' | 'threads';
}

/**
 * Where to sign the next request: on the main thread, or on the signing threads (issue 14).
 *
 * Handing a signature to a thread is not free: a message each way, a thread woken and a turn of the
 * event loop to read the answer — measured ~0.2 ms of CPU per call at a few hundred calls a second,
 * half the signature itself (~0.4 ms), because at that rate every message carries one signature.
 * The threads are there so that a replica uses more than one core when one is not enough, so they are
 * used when the main thread is busy (its CPU time over the wall clock, `threadTimes`): above
 * `offloadAbove` of a window (0.5) every signature goes to the
 * threads, and it comes back once the main thread, without the signing, is below `inlineBelow` (0.25):
 * at the rate that fills half of the main thread signing inline, the main thread without the signing
 * is ~0.3 busy, so the route does not flap at the switch-over. Both ways make the same signature.
 */
export class SigningRoute {
  private readonly windowMs: number;
  private readonly offloadAbove: number;
  private readonly inlineBelow: number;
  private readonly now: () => number;
  private readonly loopTimes: () => LoopTimes;
  private last: LoopTimes;
  private windowStart: number;
  private offloading = false;
  /** Signatures made on the main thread and on the threads, for the health details and the bench. */
  readonly counts = { inline: 0, threads: 0 };

  constructor(private readonly options: SigningRouteOptions = {}) {
    this.windowMs = options.windowMs ?? 500;
    this.offloadAbove = options.offloadAbove ?? 0.5;
    this.inlineBelow = options.inlineBelow ?? 0.25;
    this.now = options.now ?? Date.now;
    this.loopTimes = options.loopTimes ?? threadTimes;
    this.last = this.loopTimes();
    this.windowStart = this.now();
  }

  /** True: sign this one on the threads; false: on the calling (main) thread. Counts the choice. */
  offload(): boolean {
    const now = this.now();
    if (this.options.fixed !== undefined) {
      this.offloading = this.options.fixed === 'threads';
    } else if (now - this.windowStart >= this.windowMs) {
      const times = this.loopTimes();
      const active = times.active - this.last.active;
      const total = active + times.idle - this.last.idle;
      const busy = total > 0 ? active / total : 0;
      this.offloading = this.offloading ? busy >= this.inlineBelow : busy > this.offloadAbove;
      this.last = times;
      this.windowStart = now;
    }
    if (this.offloading) this.counts.threads++;
    else this.counts.inline++;
    return this.offloading;
  }
}
