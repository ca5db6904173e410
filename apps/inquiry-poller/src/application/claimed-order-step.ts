import { Logger } from '@nestjs/common';
import { contractViolation, Topics } from '@app/contracts';
import type { ResultObservedV1 } from '@app/contracts';
import type { Report, StepContext } from '../domain/next-step';
import { attentionObservation } from '../domain/observations';
import type { Attention } from '../domain/read-inquiry';
import type { ClaimedEntry } from '../domain/schedule-entry';
import { PollerMetrics } from './poller-metrics';
import { PollerSettings, PollingTarget } from './poller-settings';
import { Completion, PartnerApi, ResultPublisher, ScheduleRepository } from './ports';

export interface ProcessedOrder {
  /** What to write back; null when the lease was lost before anything was sent. */
  readonly completion: Completion | null;
  /** The partner answered REQUEST_TRAFFIC_EXCEED_LIMIT (or 429/503): pause its budget. */
  readonly backoffPartner: boolean;
  /** A request went to the partner: only then does the row's rate-limit token count (issue 11 row 13). */
  readonly calledPartner: boolean;
}

export interface StepDeps {
  readonly settings: PollerSettings;
  readonly partners: PartnerApi;
  readonly publisher: ResultPublisher;
  readonly schedule: ScheduleRepository;
  readonly metrics: PollerMetrics;
}

/** The completion fields a step decides; the rest default from the claimed row. */
export type CompletionFields = Pick<
  Completion,
  'phase' | 'nextDueAt' | 'inquiryAttempts' | 'cancelAttempts'
> &
  Partial<Omit<Completion, 'paymentRequestId' | 'leaseToken'>>;

/** What the inquiry and cancel steps share: publishing, reporting an exception's cause, writing back. */
export abstract class ClaimedOrderStep {
  protected abstract readonly logger: Logger;

  constructor(protected readonly deps: StepDeps) {}

  protected stepContext(target: PollingTarget, now: number): StepContext {
    return {
      now,
      policy: target.policy,
      random: this.deps.settings.random,
      partnerBackoffMs: target.rate.backoffMs,
    };
  }

  protected async tryPublish(entry: ClaimedEntry, events: readonly ResultObservedV1[]): Promise<boolean> {
    try {
      await this.deps.publisher.publish(events);
      this.deps.metrics.published += events.length;
      return true;
    } catch (err) {
      this.logger.error(
        `${entry.paymentRequestId}: PUBLISH_FAILED ${events.map((e) => e.outcome).join(',')}: ${(err as Error).message}; will retry`,
      );
      return false;
    }
  }

  /**
   * Publishes an exception's cause (a PROCESSING observation with `attention`); the reason is
   * returned to be recorded on the row once published, so that it goes out once. A failed publish is
   * tried again at the next step that reports it.
   */
  protected async report(
    entry: ClaimedEntry,
    source: 'inquiry' | 'cancel',
    report: Report | undefined,
    resultCode: string,
    at: number,
  ): Promise<string | null> {
    if (!report) return null;
    const event = attentionObservation(entry, source, { ...report, resultCode }, new Date(at));
    if (!(await this.tryPublish(entry, [event]))) return null;
    this.logger.error(`${entry.paymentRequestId}: exception ${report.reason} — ${report.detail}`);
    return report.reason;
  }

  protected flag(entry: ClaimedEntry, attention: Attention | undefined): void {
    if (attention) this.logger.warn(`${entry.paymentRequestId}: ${attention.code} — ${attention.detail}`);
  }

  protected completed(
    entry: ClaimedEntry,
    fields: CompletionFields,
    extra: { backoffPartner?: boolean; calledPartner?: boolean } = {},
  ): ProcessedOrder {
    return {
      completion: {
        paymentRequestId: entry.paymentRequestId,
        leaseToken: entry.leaseToken,
        lastAttemptAt: null,
        lastResultCode: null,
        attention: null,
        doneReason: null,
        answerDoubt: entry.answerDoubt,
        reportedAttention: null,
        verifyReason: fields.phase === 'verify' ? entry.verifyReason : null,
        verifyUntil: fields.phase === 'verify' ? entry.verifyUntil : null,
        ...fields,
      },
      backoffPartner: extra.backoffPartner ?? false,
      calledPartner: extra.calledPartner ?? true,
    };
  }
}

/** The answer as an invalid response when the event built from it does not fit its contract. */
export function unpublishable(event: ResultObservedV1): { kind: 'invalid-response'; reason: string } | null {
  const violation = contractViolation(Topics.resultObserved, event);
  return violation === null
    ? null
    : { kind: 'invalid-response', reason: `answer does not fit ${Topics.resultObserved}: ${violation}` };
}
