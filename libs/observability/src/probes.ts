/**
 * Liveness and readiness (Kubernetes probes), kept apart on purpose:
 * - live: the process works (its event loop turns, its consumer is not stopped for good). A failed
 *   liveness probe restarts the pod, so it must never depend on the database or the broker: an
 *   outage of either would restart every pod and help nothing.
 * - ready: the pod can serve now (database and Kafka reachable). A failed readiness probe only takes
 *   the pod out of the Service. It turns not-ready first on SIGTERM (draining), so traffic moves
 *   away before the shutdown closes anything.
 */
export interface ProbeCheck {
  /** The code a failure reports (DATABASE_UNAVAILABLE, CONSUMER_STOPPED, …). */
  readonly code: string;
  /** Resolves true when healthy; false or a rejection is a failure. */
  readonly check: () => Promise<boolean> | boolean;
}

export interface ProbeResult {
  readonly ok: boolean;
  /** The codes of the failed checks, in declaration order. */
  readonly failures: readonly string[];
}

export class ServiceProbes {
  private drainingSince: number | null = null;

  constructor(
    private readonly checks: { readonly live: readonly ProbeCheck[]; readonly ready: readonly ProbeCheck[] },
    /** How long a single check may take before it counts as failed. */
    private readonly checkTimeoutMs = 2_000,
  ) {}

  /** SIGTERM: readiness fails from now on (code SHUTTING_DOWN); liveness is unchanged. */
  startDraining(now = Date.now()): void {
    this.drainingSince ??= now;
  }

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  live(): Promise<ProbeResult> {
    return this.run(this.checks.live);
  }

  async ready(): Promise<ProbeResult> {
    const result = await this.run(this.checks.ready);
    if (!this.draining) return result;
    return { ok: false, failures: ['SHUTTING_DOWN', ...result.failures] };
  }

  private async run(checks: readonly ProbeCheck[]): Promise<ProbeResult> {
    const outcomes = await Promise.all(checks.map((c) => this.passes(c)));
    const failures = checks.filter((_, i) => !outcomes[i]).map((c) => c.code);
    return { ok: failures.length === 0, failures };
  }

  private async passes(c: ProbeCheck): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.checkTimeoutMs);
      timer.unref();
    });
    try {
      return (await Promise.race([Promise.resolve().then(c.check), timeout])) === true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * A liveness check of the event loop: fails when, since the previous check, a timer set to fire
 * every `intervalMs` was late by more than `maxLagMs` (a loop blocked by CPU-bound work, or wedged).
 * A loop blocked right now cannot answer the probe at all, which Kubernetes counts as a failure too.
 */
export function eventLoopCheck(intervalMs = 1_000, maxLagMs = 10_000): ProbeCheck & { stop(): void } {
  let last = Date.now();
  let worstLagSinceCheck = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    worstLagSinceCheck = Math.max(worstLagSinceCheck, now - last - intervalMs);
    last = now;
  }, intervalMs);
  timer.unref();
  return {
    code: 'EVENT_LOOP_BLOCKED',
    check: () => {
      const lag = Math.max(worstLagSinceCheck, Date.now() - last - intervalMs);
      worstLagSinceCheck = 0;
      return lag <= maxLagMs;
    },
    stop: () => clearInterval(timer),
  };
}
