import { Inject, Injectable, Logger } from '@nestjs/common';
import { claimWaitMs } from '../domain/claim-wait';
import { TokenBucket } from '../domain/token-bucket';
import type { ClaimedEntry } from '../domain/schedule-entry';
import { CompletionWriter } from './completion-writer';
import { PollerMetrics } from './poller-metrics';
import { POLLER_SETTINGS, PollerSettings, PollingTarget } from './poller-settings';
import { ScheduleRepository } from './ports';
import { ProcessClaimedOrderUseCase } from './process-claimed-order.use-case';

const PRUNE_EVERY_MS = 10 * 60_000;
const PRUNE_BATCH = 10_000;
const ERROR_PAUSE_MS = 1000;

interface CycleOutcome {
  readonly more: boolean;
  readonly nextDueAt: number | null;
}

/**
 * The claim loop (design.md §5): every cycle, for each partner, take as many tokens as the partner's
 * budget and this replica's free call slots allow, claim that many due rows (FOR UPDATE SKIP LOCKED
 * plus a lease), and start one call per row. Nothing is timed in memory: the due times live in the
 * table, so a restart or a second replica loses nothing and takes nothing twice.
 *
 * Tokens are taken before claiming, so rows of a partner that is out of budget (or backing off after
 * REQUEST_TRAFFIC_EXCEED_LIMIT) stay unclaimed instead of waiting in memory under a lease. A row
 * processed without a call to the partner gives its token back.
 *
 * Between cycles it waits the rest of the claim interval, or until the earliest upcoming due time
 * when that is sooner (read from the claim index after a claim that left budget unused), never less
 * than a floor (domain/claim-wait.ts); wake() still cuts the wait short.
 */
@Injectable()
export class PollingLoop {
  private readonly logger = new Logger('PollingLoop');
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private wakeRequested = false;
  private claimSeq = 0;
  private lastPruneAt = 0;

  constructor(
    @Inject(POLLER_SETTINGS) private readonly settings: PollerSettings,
    private readonly schedule: ScheduleRepository,
    private readonly processor: ProcessClaimedOrderUseCase,
    private readonly completions: CompletionWriter,
    private readonly metrics: PollerMetrics,
  ) {
    const now = settings.now();
    for (const t of settings.targets)
      this.buckets.set(t.key, new TokenBucket(t.rate.perSecond, t.rate.burst, now));
  }

  get isRunning(): boolean {
    return this.running;
  }

  get callsInFlight(): number {
    return this.inFlight.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Graceful stop: no new claims; calls in flight finish (bounded by their timeouts) and are written back. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
    await this.completions.drain();
  }

  /** Runs a cycle now rather than at the next tick (a row was made due by a trigger or an event). */
  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.wakeRequested = true;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const cycleStartedAt = this.settings.now();
      let outcome: CycleOutcome = { more: false, nextDueAt: null };
      try {
        outcome = await this.cycle();
      } catch (err) {
        this.logger.error(`claim cycle failed: ${(err as Error).message}; retrying`);
        await this.sleep(ERROR_PAUSE_MS);
      }
      this.metrics.cycles++;
      this.metrics.lastCycleAt = this.settings.now();
      if (!this.running) break;
      // Claimed a full budget: more may be due right now. Otherwise wait for the next tick or due
      // time, a wake-up, or a free call slot.
      if (!outcome.more || this.inFlight.size >= this.settings.maxInFlight) {
        const waitMs = claimWaitMs({
          cycleStartedAt,
          now: this.settings.now(),
          intervalMs: this.settings.claimIntervalMs,
          nextDueAt: outcome.nextDueAt,
        });
        await this.sleep(waitMs);
      }
    }
  }

  /**
   * One pass over the partners: `more` when some partner may have more due rows than it claimed;
   * `nextDueAt`, the earliest later due time of the partners whose claim left budget unused.
   */
  private async cycle(): Promise<CycleOutcome> {
    let more = false;
    let nextDueAt: number | null = null;
    for (const target of this.settings.targets) {
      const free = this.settings.maxInFlight - this.inFlight.size;
      if (free <= 0) return { more: true, nextDueAt: null };
      const bucket = this.buckets.get(target.key)!;
      const now = this.settings.now();
      const budget = bucket.take(Math.min(free, this.settings.claimBatch), now);
      if (budget === 0) continue;
      let claimed: ClaimedEntry[];
      let due: number | null;
      try {
        ({ claimed, nextDueAt: due } = await this.schedule.claimDueAndPeek({
          clientId: target.clientId,
          dialect: target.dialect,
          limit: budget,
          now,
          leaseMs: this.settings.leaseMs,
          leaseToken: `${this.settings.instanceId}#${++this.claimSeq}`,
        }));
      } catch (err) {
        bucket.refund(budget, this.settings.now());
        throw err;
      }
      bucket.refund(budget - claimed.length, this.settings.now());
      this.metrics.claimed += claimed.length;
      if (claimed.length === budget) more = true;
      for (const entry of claimed) this.dispatch(entry, target, bucket);
      if (claimed.length < budget && due !== null && (nextDueAt === null || due < nextDueAt)) nextDueAt = due;
    }
    await this.prune();
    return { more, nextDueAt };
  }

  private dispatch(entry: ClaimedEntry, target: PollingTarget, bucket: TokenBucket): void {
    const task = this.processor
      .execute(entry, target)
      .then(({ completion, backoffPartner, calledPartner }) => {
        // Only a real call to the partner spends its budget (issue 11 row 13): a row that only
        // re-published CANCEL_REQUESTED, or was handed back, gives its token back.
        if (!calledPartner) bucket.refund(1, this.settings.now());
        if (backoffPartner && !bucket.isPaused(this.settings.now())) {
          this.logger.warn(
            `partner ${target.key} asks us to slow down; pausing it for ${target.rate.backoffMs} ms`,
          );
          bucket.pause(target.rate.backoffMs, this.settings.now());
        }
        if (completion) this.completions.submit(completion, entry.leaseUntil);
      })
      .catch((err: Error) => {
        // The row keeps its lease until it runs out, then any replica claims it again.
        this.logger.error(`${entry.paymentRequestId}: ${err.message}; the row is retried after its lease`);
      })
      .finally(() => {
        this.inFlight.delete(task);
        // A slot is free: a loop that waited for one may claim again.
        if (this.inFlight.size === this.settings.maxInFlight - 1) this.wake();
      });
    this.inFlight.add(task);
  }

  /** Deletes old tombstones now and then; any replica may, it is idempotent. */
  private async prune(): Promise<void> {
    const now = this.settings.now();
    if (now - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = now;
    const pruned = await this.schedule.pruneTombstones(now - this.settings.tombstoneRetentionMs, PRUNE_BATCH);
    if (pruned > 0) this.logger.log(`pruned ${pruned} tombstone(s) older than the retention`);
  }

  /** Waits `ms`, or less when woken; a wake-up that came while no one slept ends the next sleep at once. */
  private sleep(ms: number): Promise<void> {
    if (this.wakeRequested) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wakeUp === done) this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
