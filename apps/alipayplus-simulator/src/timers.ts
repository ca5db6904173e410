/** setTimeout refuses longer delays (it fires at once instead); longer waits are chained. */
const MAX_TIMER_MS = 2_147_483_647;

export interface TimerHandle {
  cancel(): void;
}

/**
 * Every timer the simulator arms goes through here, so that `stop()` can cancel all of them and nothing
 * keeps running (or keeps the process alive) afterwards.
 */
export class TimerRegistry {
  private readonly live = new Set<NodeJS.Timeout>();
  private readonly sleepers = new Set<() => void>();
  private closed = false;

  /** Runs `fn` after `delayMs` real milliseconds, unless cancelled or the registry is closed first. */
  after(delayMs: number, fn: () => void): TimerHandle {
    let current: NodeJS.Timeout | undefined;
    let cancelled = this.closed;
    const arm = (remaining: number) => {
      const slice = Math.min(Math.max(0, remaining), MAX_TIMER_MS);
      const timer = setTimeout(() => {
        this.live.delete(timer);
        if (cancelled) return;
        if (remaining > slice) arm(remaining - slice);
        else fn();
      }, slice);
      current = timer;
      this.live.add(timer);
    };
    if (!cancelled) arm(delayMs);
    return {
      cancel: () => {
        cancelled = true;
        if (current === undefined) return;
        clearTimeout(current);
        this.live.delete(current);
      },
    };
  }

  /** Resolves true after `delayMs`, or false as soon as the registry is closed. */
  sleep(delayMs: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (delayMs <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        handle.cancel();
        resolve(false);
      };
      const handle = this.after(delayMs, () => {
        this.sleepers.delete(wake);
        resolve(true);
      });
      this.sleepers.add(wake);
    });
  }

  /** Timers currently armed. */
  get size(): number {
    return this.live.size;
  }

  /** Cancels every timer, wakes every sleeper, and refuses new timers. */
  close(): void {
    this.closed = true;
    for (const timer of this.live) clearTimeout(timer);
    this.live.clear();
    for (const wake of this.sleepers) wake();
    this.sleepers.clear();
  }
}
