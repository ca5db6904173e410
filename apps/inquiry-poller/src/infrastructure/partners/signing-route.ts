import { performance } from 'node:perf_hooks';

/** Cumulative event-loop times of this thread, in ms (performance.eventLoopUtilization()). */
export interface LoopTimes {
  readonly idle: number;
  readonly active: number;
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
 * used when the main thread is busy: above `offloadAbove` of a window (0.5) every signature goes to the
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
    this.loopTimes = options.loopTimes ?? (() => performance.eventLoopUtilization());
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
