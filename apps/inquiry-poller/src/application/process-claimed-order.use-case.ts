import { Inject, Injectable, Logger } from '@nestjs/common';
import { contractViolation, Topics } from '@app/contracts';
import type { ResultObservedV1 } from '@app/contracts';
import { nthInterval } from '../domain/cadence';
import {
  Attention,
  CancelCallResult,
  CancelStep,
  decideAfterCancel,
  decideAfterInquiry,
  InquiryCallResult,
  InquiryStep,
  StepContext,
} from '../domain/next-step';
import { cancelObservation, inquiryObservation } from '../domain/observations';
import type { ClaimedEntry } from '../domain/schedule-entry';
import { PollerMetrics } from './poller-metrics';
import { POLLER_SETTINGS, PollerSettings, PollingTarget } from './poller-settings';
import { Completion, PartnerApi, ResultPublisher, ScheduleRepository } from './ports';

export interface ProcessedOrder {
  /** What to write back; null when the lease was lost before anything was sent. */
  readonly completion: Completion | null;
  /** The partner answered REQUEST_TRAFFIC_EXCEED_LIMIT (or 429/503): pause its budget. */
  readonly backoffPartner: boolean;
}

/**
 * One claimed row, one call (design.md §5): an inquiry in the inquiry phase, a cancel in the cancel
 * phase. The result is published before the row is written back, and only once Kafka has it
 * (design.md §6): a crash in between repeats the call, and the deterministic event id makes the
 * repeated observation a duplicate that order-state ignores.
 */
@Injectable()
export class ProcessClaimedOrderUseCase {
  private readonly logger = new Logger('ProcessClaimedOrder');

  constructor(
    @Inject(POLLER_SETTINGS) private readonly settings: PollerSettings,
    private readonly partners: PartnerApi,
    private readonly publisher: ResultPublisher,
    private readonly schedule: ScheduleRepository,
    private readonly metrics: PollerMetrics,
  ) {}

  async execute(entry: ClaimedEntry, target: PollingTarget): Promise<ProcessedOrder> {
    const timeoutMs =
      entry.phase === 'cancel' ? this.settings.cancelTimeoutMs : this.settings.inquiryTimeoutMs;
    const now = this.settings.now();
    // The call and the publishes after it must end inside the lease, or a second replica could claim
    // the row and call while this one still is. A row claimed too late (a stalled process) goes back.
    if (entry.leaseUntil - now < timeoutMs + 2 * this.settings.publishTimeoutMs) {
      this.logger.warn(`${entry.paymentRequestId}: too little lease left to call; handing the row back`);
      return { completion: this.handBack(entry, now), backoffPartner: false };
    }
    return entry.phase === 'cancel' ? this.cancel(entry, target) : this.inquire(entry, target);
  }

  private async inquire(entry: ClaimedEntry, target: PollingTarget): Promise<ProcessedOrder> {
    const startedAt = this.settings.now();
    this.metrics.inquiryStarted(entry.paymentRequestId, entry.dueAt, startedAt);
    const call = await this.partners.inquire(
      target.key,
      entry.paymentRequestId,
      this.settings.inquiryTimeoutMs,
    );
    const now = this.settings.now();
    const step = this.inquiryStep(entry, call, this.stepContext(target, now));
    const attempts = entry.inquiryAttempts + 1;
    const base = {
      paymentRequestId: entry.paymentRequestId,
      leaseToken: entry.leaseToken,
      inquiryAttempts: attempts,
      cancelAttempts: entry.cancelAttempts,
      lastAttemptAt: startedAt,
    };

    switch (step.kind) {
      case 'publish-final': {
        const published = await this.tryPublish(entry, [
          inquiryObservation(entry, step.result, new Date(now)),
        ]);
        if (!published) {
          // The answer is known but not yet told: ask again soon, whatever the expiry, and publish then.
          return this.completed(
            { ...base, phase: 'inquiry', nextDueAt: now + nthInterval(target.policy.inquiryIntervalsMs, 0) },
            step.result.resultCode,
            null,
          );
        }
        this.logger.log(
          `${entry.paymentRequestId}: inquiry observed ${step.result.outcome} (${step.result.resultCode})`,
        );
        return this.completed(
          { ...base, phase: 'done', nextDueAt: null, doneReason: 'RESULT_OBSERVED' },
          step.result.resultCode,
          null,
        );
      }
      case 'poll-again':
        this.flag(entry, step.attention);
        return this.completed(
          { ...base, phase: 'inquiry', nextDueAt: step.at },
          step.resultCode,
          step.attention ?? null,
          step.backoffPartner,
        );
      case 'start-cancel':
        this.flag(entry, step.attention);
        this.logger.log(
          `${entry.paymentRequestId}: no final result after ${attempts} inquiries (${step.reason}, last ${step.resultCode}); cancelling`,
        );
        return this.completed(
          { ...base, phase: 'cancel', nextDueAt: now },
          step.resultCode,
          step.attention ?? null,
          step.backoffPartner,
        );
    }
  }

  /**
   * protocol.md §4: publish CANCEL_REQUESTED, then cancel with the same paymentRequestId until S
   * (CANCELLED) or a non-retryable F (CANCEL_FAILED, an anomaly for people). Before the first
   * request the row records that a cancel is being requested, so that a success reported meanwhile
   * no longer stops it (schedule-transitions).
   *
   * No cancel goes out before order-state has moved the order to `cancelling`. Order-state is the
   * single writer: if a notification made the order `success` while its status event was still on
   * its way to us, order-state refuses CANCEL_REQUESTED, and cancelling would reverse a payment it
   * has already reported as paid. So CANCEL_REQUESTED is published (again, same event id, until the
   * answer comes) and the row waits: the `cancelling` event makes it due at once, a `success` or
   * `fail` event ends it with nothing sent.
   */
  private async cancel(entry: ClaimedEntry, target: PollingTarget): Promise<ProcessedOrder> {
    const startedAt = this.settings.now();
    const base = {
      paymentRequestId: entry.paymentRequestId,
      leaseToken: entry.leaseToken,
      inquiryAttempts: entry.inquiryAttempts,
    };
    if (entry.cancelAttempts === 0 && entry.orderStatus !== 'cancelling') {
      if (
        entry.cancelRequestedAt === null &&
        !(await this.schedule.markCancelRequested(entry.paymentRequestId, entry.leaseToken, startedAt))
      ) {
        // The order went final (or another replica took the row) before anything was sent.
        return { completion: null, backoffPartner: false };
      }
      const requested = cancelObservation(
        entry,
        'CANCEL_REQUESTED',
        {
          resultCode: 'CANCEL_REQUESTED',
          resultMessage: `no final result by the payment expiry ${new Date(entry.expiresAt).toISOString()}; last inquiry answer ${entry.lastResultCode ?? 'none'}`,
        },
        new Date(startedAt),
      );
      await this.tryPublish(entry, [requested]);
      // Published or not, look again later; order-state's answer normally makes the row due sooner.
      const recheckAt = startedAt + nthInterval(target.policy.cancelRetryIntervalsMs, 0);
      return this.completed(
        { ...base, cancelAttempts: 0, lastAttemptAt: null, phase: 'cancel', nextDueAt: recheckAt },
        null,
        null,
      );
    }

    this.metrics.cancelsStarted++;
    const callAt = this.settings.now();
    const call = await this.partners.cancel(
      target.key,
      entry.paymentRequestId,
      this.settings.cancelTimeoutMs,
    );
    const now = this.settings.now();
    const step = this.cancelStep(entry, call, this.stepContext(target, now));
    const attempted = { ...base, cancelAttempts: entry.cancelAttempts + 1, lastAttemptAt: callAt };

    switch (step.kind) {
      case 'cancelled':
      case 'refused': {
        const event = cancelResultEvent(entry, step, new Date(now));
        const outcome = event.outcome;
        if (!(await this.tryPublish(entry, [event]))) {
          // Cancel is idempotent: sending it again yields the same answer, published then.
          const retryAt = now + nthInterval(target.policy.cancelRetryIntervalsMs, 0);
          return this.completed({ ...attempted, phase: 'cancel', nextDueAt: retryAt }, step.resultCode, null);
        }
        if (step.kind === 'refused') {
          this.logger.error(
            `${entry.paymentRequestId}: CANCEL_FAILED — cancel refused with ${step.resultCode}; recorded as an anomaly for people to act on`,
          );
        } else {
          this.logger.log(
            `${entry.paymentRequestId}: cancelled after ${attempted.cancelAttempts} attempt(s)`,
          );
        }
        return this.completed(
          {
            ...attempted,
            phase: 'done',
            nextDueAt: null,
            doneReason: outcome === 'CANCELLED' ? 'CANCELLED' : 'CANCEL_FAILED',
          },
          step.resultCode,
          null,
        );
      }
      case 'retry':
        this.flag(entry, step.attention);
        return this.completed(
          { ...attempted, phase: 'cancel', nextDueAt: step.at },
          step.resultCode,
          step.attention ?? null,
          step.backoffPartner,
        );
    }
  }

  /**
   * The decision table's step, unless the final answer it would publish does not fit the
   * result-observed contract (an amount of 0 or over 18 digits, a result code over 64 characters, a
   * NUL in an id). Such an answer cannot be told, so it is not believed: it is read as an invalid
   * answer, flagged on the row, and polling goes on by the cadence and ends in a cancel. Treated as
   * a failed publish it would be asked about again every few seconds, forever.
   */
  private inquiryStep(entry: ClaimedEntry, call: InquiryCallResult, ctx: StepContext): InquiryStep {
    const step = decideAfterInquiry(entry, call, ctx);
    if (step.kind !== 'publish-final') return step;
    const violation = unpublishable(inquiryObservation(entry, step.result, new Date(ctx.now)));
    return violation === null ? step : decideAfterInquiry(entry, violation, ctx);
  }

  /** As {@link inquiryStep}: a cancel answer that cannot be told is retried as an invalid answer. */
  private cancelStep(entry: ClaimedEntry, call: CancelCallResult, ctx: StepContext): CancelStep {
    const step = decideAfterCancel(entry, call, ctx);
    if (step.kind === 'retry') return step;
    const violation = unpublishable(cancelResultEvent(entry, step, new Date(ctx.now)));
    return violation === null ? step : decideAfterCancel(entry, violation, ctx);
  }

  private stepContext(target: PollingTarget, now: number): StepContext {
    return {
      now,
      policy: target.policy,
      random: this.settings.random,
      partnerBackoffMs: target.rate.backoffMs,
    };
  }

  private async tryPublish(
    entry: ClaimedEntry,
    events: Parameters<ResultPublisher['publish']>[0],
  ): Promise<boolean> {
    try {
      await this.publisher.publish(events);
      this.metrics.published += events.length;
      return true;
    } catch (err) {
      this.logger.error(
        `${entry.paymentRequestId}: PUBLISH_FAILED ${events.map((e) => e.outcome).join(',')}: ${(err as Error).message}; will retry`,
      );
      return false;
    }
  }

  private flag(entry: ClaimedEntry, attention: Attention | undefined): void {
    if (attention) this.logger.warn(`${entry.paymentRequestId}: ${attention.code} — ${attention.detail}`);
  }

  private handBack(entry: ClaimedEntry, now: number): Completion {
    return {
      paymentRequestId: entry.paymentRequestId,
      leaseToken: entry.leaseToken,
      phase: entry.phase,
      nextDueAt: now,
      inquiryAttempts: entry.inquiryAttempts,
      cancelAttempts: entry.cancelAttempts,
      lastAttemptAt: null,
      lastResultCode: null,
      attention: null,
      doneReason: null,
    };
  }

  private completed(
    fields: Omit<Completion, 'lastResultCode' | 'attention' | 'doneReason'> & {
      doneReason?: Completion['doneReason'];
    },
    lastResultCode: string | null,
    attention: Attention | null,
    backoffPartner = false,
  ): ProcessedOrder {
    return {
      completion: { doneReason: null, ...fields, lastResultCode, attention },
      backoffPartner,
    };
  }
}

/** The answer as an invalid response when the event built from it does not fit its contract. */
function unpublishable(event: ResultObservedV1): { kind: 'invalid-response'; reason: string } | null {
  const violation = contractViolation(Topics.resultObserved, event);
  return violation === null
    ? null
    : { kind: 'invalid-response', reason: `answer does not fit ${Topics.resultObserved}: ${violation}` };
}

/** CANCELLED or CANCEL_FAILED for a cancel answer that ends the cancel. */
function cancelResultEvent(
  entry: ClaimedEntry,
  step: Exclude<CancelStep, { kind: 'retry' }>,
  at: Date,
): ResultObservedV1 {
  return cancelObservation(
    entry,
    step.kind === 'cancelled' ? 'CANCELLED' : 'CANCEL_FAILED',
    {
      resultCode: step.resultCode,
      ...(step.kind === 'refused' && step.resultMessage !== undefined
        ? { resultMessage: step.resultMessage }
        : {}),
      rawBody: step.rawBody,
    },
    at,
  );
}
