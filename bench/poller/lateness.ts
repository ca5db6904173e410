// What each contender's handler reports: one start per (order, n-th inquiry), with the due time the
// queue had for it. Lateness is start minus due. Every item must start exactly once: a second start
// of the same item is a violation, and so is a start well before its due time.

/** A start this much before its due time is early (due times are stored to the microsecond or ms). */
const EARLY_TOLERANCE_MS = 5;

export interface RunFigures {
  /** Items (order, n-th inquiry) started, counting each once. */
  started: number;
  expected: number;
  /** Expected items not started by the deadline: their lateness counts as (end − due), a lower bound. */
  unfinished: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Duplicate starts plus early starts plus starts of items never scheduled. */
  violations: number;
  duplicates: number;
  early: number;
}

export class StartRecorder {
  private readonly counts: Uint8Array;
  private readonly lateness: Float64Array;
  private readonly dues: Float64Array;
  private startedItems = 0;
  private duplicates = 0;
  private early = 0;
  private strays = 0;
  private firstStart = Infinity;
  private lastStart = 0;
  private waiter?: () => void;

  /**
   * @param expectedOrders orders 0..expectedOrders−1 are expected to be inquired `inquiries` times.
   * @param totalOrders all seeded orders (a start of a later one is recorded as a stray violation).
   */
  constructor(
    private readonly expectedOrders: number,
    private readonly inquiries: number,
    private readonly totalOrders: number,
  ) {
    this.counts = new Uint8Array(totalOrders * inquiries);
    this.lateness = new Float64Array(totalOrders * inquiries);
    this.dues = new Float64Array(totalOrders * inquiries);
  }

  get expected(): number {
    return this.expectedOrders * this.inquiries;
  }

  get started(): number {
    return this.startedItems;
  }

  /** The n-th inquiry (0-based) of `order`, due at `dueMs`, starts now. */
  start(order: number, n: number, dueMs: number, nowMs = Date.now()): void {
    if (!(order >= 0 && order < this.totalOrders && n >= 0 && n < this.inquiries)) {
      this.strays++;
      return;
    }
    const slot = order * this.inquiries + n;
    if (this.counts[slot] === 255) return;
    if (++this.counts[slot] > 1) {
      this.duplicates++;
      return;
    }
    const late = nowMs - dueMs;
    if (late < -EARLY_TOLERANCE_MS) this.early++;
    this.lateness[slot] = late;
    this.dues[slot] = dueMs;
    if (order < this.expectedOrders) this.startedItems++;
    else this.strays++;
    this.firstStart = Math.min(this.firstStart, nowMs);
    this.lastStart = Math.max(this.lastStart, nowMs);
    if (this.startedItems >= this.expected) this.waiter?.();
  }

  /** Resolves once every expected item started, or at `deadlineMs`. */
  whenDone(deadlineMs: number): Promise<void> {
    if (this.startedItems >= this.expected) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, deadlineMs - Date.now()));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiter = done;
    });
  }

  /**
   * The figures at `endMs`. An expected item never started counts with lateness `endMs − due`
   * (the due of a re-inquiry that was never scheduled is unknown: then `endMs − first due`).
   */
  figures(endMs: number, firstDue: Float64Array): RunFigures {
    const values: number[] = [];
    let unfinished = 0;
    for (let order = 0; order < this.expectedOrders; order++) {
      for (let n = 0; n < this.inquiries; n++) {
        const slot = order * this.inquiries + n;
        if (this.counts[slot] > 0) values.push(this.lateness[slot]);
        else {
          unfinished++;
          values.push(endMs - firstDue[order]);
        }
      }
    }
    const sorted = Float64Array.from(values).sort();
    const at = (q: number) =>
      sorted.length === 0
        ? 0
        : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
    const spanS = Math.max(0.001, (this.lastStart - this.firstStart) / 1000);
    return {
      started: this.startedItems,
      expected: this.expected,
      unfinished,
      perSec: round(this.startedItems / spanS),
      p50Ms: round(at(0.5)),
      p99Ms: round(at(0.99)),
      maxMs: round(sorted.length === 0 ? 0 : sorted[sorted.length - 1]),
      violations: this.duplicates + this.early + this.strays,
      duplicates: this.duplicates,
      early: this.early,
    };
  }
}

export const round = (v: number): number => Math.round(v * 10) / 10;
