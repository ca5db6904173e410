import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ClaimedEntry } from '../domain/schedule-entry';
import { CancelOrderUseCase } from './cancel-order.use-case';
import { ProcessedOrder, StepDeps } from './claimed-order-step';
import { InquireOrderUseCase } from './inquire-order.use-case';
import { PollerMetrics } from './poller-metrics';
import { POLLER_SETTINGS, PollerSettings, PollingTarget } from './poller-settings';
import { CallNotMadeError, Completion, PartnerApi, ResultPublisher, ScheduleRepository } from './ports';

/** A row whose call could not be sent (CallNotMadeError) is due again this much later. */
export const NOT_SENT_RETRY_MS = 1000;

export type { ProcessedOrder } from './claimed-order-step';

/**
 * One claimed row, one call (design.md §5): an inquiry in the inquiry and verify phases
 * (InquireOrderUseCase), a cancel in the cancel phase (CancelOrderUseCase).
 */
@Injectable()
export class ProcessClaimedOrderUseCase {
  private readonly logger = new Logger('ProcessClaimedOrder');
  private readonly inquire: InquireOrderUseCase;
  private readonly cancel: CancelOrderUseCase;

  constructor(
    @Inject(POLLER_SETTINGS) private readonly settings: PollerSettings,
    partners: PartnerApi,
    publisher: ResultPublisher,
    schedule: ScheduleRepository,
    metrics: PollerMetrics,
  ) {
    const deps: StepDeps = { settings, partners, publisher, schedule, metrics };
    this.inquire = new InquireOrderUseCase(deps);
    this.cancel = new CancelOrderUseCase(deps);
  }

  async execute(entry: ClaimedEntry, target: PollingTarget): Promise<ProcessedOrder> {
    const timeoutMs =
      entry.phase === 'cancel' ? this.settings.cancelTimeoutMs : this.settings.inquiryTimeoutMs;
    const now = this.settings.now();
    // The call and the publishes after it must end inside the lease, or a second replica could claim
    // the row and call while this one still is. A row claimed too late (a stalled process) goes back.
    if (entry.leaseUntil - now < timeoutMs + 2 * this.settings.publishTimeoutMs) {
      this.logger.warn(`${entry.paymentRequestId}: too little lease left to call; handing the row back`);
      return { completion: handBack(entry, now), backoffPartner: false, calledPartner: false };
    }
    try {
      return await (entry.phase === 'cancel'
        ? this.cancel.execute(entry, target)
        : this.inquire.execute(entry, target));
    } catch (err) {
      if (!(err instanceof CallNotMadeError)) throw err;
      // Nothing reached the partner: no attempt is counted, the token goes back (issue 14), and the
      // row is due again shortly rather than held under its lease until it runs out.
      this.logger.warn(`${entry.paymentRequestId}: ${err.code}, nothing sent; handing the row back`);
      const retryAt = this.settings.now() + NOT_SENT_RETRY_MS;
      return { completion: handBack(entry, retryAt), backoffPartner: false, calledPartner: false };
    }
  }
}

function handBack(entry: ClaimedEntry, now: number): Completion {
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
    answerDoubt: entry.answerDoubt,
    reportedAttention: null,
    verifyReason: entry.verifyReason,
    verifyUntil: entry.verifyUntil,
  };
}
