import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Dialect, StatusChangedV1 } from '@app/contracts';
import { partnerKey } from '../domain/polling-policy';
import { planStatusChanges, StatusChange, TransitionContext } from '../domain/schedule-transitions';
import { PollingLoop } from './polling-loop';
import { POLLER_SETTINGS, PollerSettings } from './poller-settings';
import { ScheduleRepository } from './ports';

export interface ApplySummary {
  inserted: number;
  updated: number;
  ignored: number;
}

/**
 * Feeds the schedule from payments.status-changed.v1 (issue 4 point 1): `init` schedules an order,
 * a final status ends its polling; duplicates and reordered events are sorted out by `version`
 * (domain/schedule-transitions). One transaction per consumed batch.
 */
@Injectable()
export class ApplyStatusChangesUseCase {
  private readonly logger = new Logger('ApplyStatusChanges');
  private readonly polled: Set<string>;
  /** Partners already warned about (once per process: the topic may carry many of their events). */
  private readonly warned = new Set<string>();

  constructor(
    @Inject(POLLER_SETTINGS) private readonly settings: PollerSettings,
    private readonly schedule: ScheduleRepository,
    private readonly loop: PollingLoop,
  ) {
    this.polled = new Set(settings.targets.map((t) => t.key));
  }

  async execute(events: readonly StatusChangedV1[]): Promise<ApplySummary> {
    if (events.length === 0) return { inserted: 0, updated: 0, ignored: 0 };
    const changes = events.map(toStatusChange);
    const now = this.settings.now();
    const ctx: TransitionContext = {
      now,
      policyFor: (dialect: Dialect, clientId: string) =>
        this.settings.targets.find((t) => t.key === partnerKey(dialect, clientId))?.policy ??
        this.settings.defaultPolicy,
      random: this.settings.random,
    };
    let ignored = 0;
    let dueNow = false;
    const written = await this.schedule.applyStatusChanges(
      changes.map((c) => c.paymentRequestId),
      (existing) => {
        const plan = planStatusChanges(existing, changes, ctx);
        ignored = plan.ignored;
        dueNow = [...plan.writes.values()].some(
          (w) => w.entry.nextDueAt !== null && w.entry.nextDueAt <= now,
        );
        return plan.writes;
      },
    );
    const foreign = new Set(
      changes
        .map((c) => partnerKey(c.dialect, c.clientId))
        .filter((key) => !this.polled.has(key) && !this.warned.has(key)),
    );
    if (foreign.size > 0) {
      // Kept in the schedule (a deployment configured for them polls them); this one never claims them.
      for (const key of foreign) this.warned.add(key);
      this.logger.warn(
        `UNKNOWN_PARTNER: orders of partners this replica does not poll: ${[...foreign].join(', ')}`,
      );
    }
    if (dueNow) this.loop.wake();
    return { ...written, ignored };
  }
}

function toStatusChange(e: StatusChangedV1): StatusChange {
  return {
    paymentRequestId: e.paymentRequestId,
    clientId: e.clientId,
    dialect: e.dialect,
    amount: e.amount,
    expiresAt: Date.parse(e.paymentExpiryTime),
    to: e.to,
    version: e.version,
    occurredAt: Date.parse(e.occurredAt),
  };
}
