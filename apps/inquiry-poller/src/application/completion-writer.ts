import { Inject, Injectable, Logger } from '@nestjs/common';
import { PollerMetrics } from './poller-metrics';
import { POLLER_SETTINGS, PollerSettings } from './poller-settings';
import { Completion, ScheduleRepository } from './ports';

interface Pending {
  readonly completion: Completion;
  /** After this the lease is gone anyway; writing the completion then would change nothing. */
  readonly expiresAt: number;
}

const MAX_BATCH = 1000;
const RETRY_MS = 1000;

/**
 * Writes completed rows back in batches: one statement per `COMPLETION_FLUSH_MS` instead of one
 * transaction per inquiry, which is what lets a replica sustain thousands of inquiries a second
 * (design.md §8).
 *
 * A failed write (PostgreSQL restarting) is retried while the leases last. A completion whose lease
 * has run out is dropped with a warning: the row is claimable again and is simply inquired about once
 * more — at-least-once, with the deterministic event ids absorbing any repeated observation.
 */
@Injectable()
export class CompletionWriter {
  private readonly logger = new Logger('CompletionWriter');
  private pending: Pending[] = [];
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(
    @Inject(POLLER_SETTINGS) private readonly settings: PollerSettings,
    private readonly schedule: ScheduleRepository,
    private readonly metrics: PollerMetrics,
  ) {}

  submit(completion: Completion, leaseUntil: number): void {
    this.pending.push({ completion, expiresAt: leaseUntil });
    if (this.pending.length >= MAX_BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.settings.completionFlushMs);
  }

  /** Writes everything submitted so far (retrying while the leases last). */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.flushing) await this.flush();
  }

  private flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing ??= this.writeAll().finally(() => {
      this.flushing = undefined;
      if (this.pending.length > 0)
        this.timer ??= setTimeout(() => void this.flush(), this.settings.completionFlushMs);
    });
    return this.flushing;
  }

  private async writeAll(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_BATCH);
      try {
        const applied = await this.schedule.complete(batch.map((p) => p.completion));
        this.metrics.completionsApplied += applied;
        this.metrics.completionsFenced += batch.length - applied;
      } catch (err) {
        const now = this.settings.now();
        const alive = batch.filter((p) => p.expiresAt > now);
        if (alive.length < batch.length) {
          this.logger.warn(
            `${batch.length - alive.length} completion(s) outlived their lease while the database was unavailable; those orders will be polled again`,
          );
        }
        this.logger.error(
          `writing ${batch.length} completion(s) failed: ${(err as Error).message}; retrying`,
        );
        this.pending.unshift(...alive);
        if (alive.length > 0) await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }
}
