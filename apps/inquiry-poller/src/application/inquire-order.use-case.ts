import { Logger } from '@nestjs/common';
import { ORDER_NOT_EXIST } from '@app/alipayplus';
import { nthInterval } from '../domain/cadence';
import { decideAfterInquiry, decideAfterVerify, InquiryStep, StepContext } from '../domain/next-step';
import { cancelObservation, CLOSED_UNCONFIRMED_MESSAGE, inquiryObservation } from '../domain/observations';
import type { InquiryCallResult } from '../domain/read-inquiry';
import type { ClaimedEntry } from '../domain/schedule-entry';
import { ClaimedOrderStep, ProcessedOrder, unpublishable } from './claimed-order-step';
import { PollingTarget } from './poller-settings';

/**
 * One inquiry of a claimed row, in the inquiry phase (protocol.md §3) or the verify phase (after a
 * cancel answer that did not settle the order, or a person's re-inquiry; issue 11). The result is
 * published before the row is written back, and only once Kafka has it (design.md §6): a crash in
 * between repeats the call, and the deterministic event id makes the repeat a duplicate.
 */
export class InquireOrderUseCase extends ClaimedOrderStep {
  protected readonly logger = new Logger('InquireOrder');

  async execute(entry: ClaimedEntry, target: PollingTarget): Promise<ProcessedOrder> {
    const { settings, partners, metrics } = this.deps;
    const startedAt = settings.now();
    metrics.inquiryStarted(entry.paymentRequestId, entry.dueAt, startedAt);
    const call = await partners.inquire(target.key, entry.paymentRequestId, settings.inquiryTimeoutMs);
    const now = settings.now();
    const step = this.inquiryStep(entry, call, this.stepContext(target, now));
    const base = {
      inquiryAttempts: entry.inquiryAttempts + 1,
      cancelAttempts: entry.cancelAttempts,
      lastAttemptAt: startedAt,
    };
    // Published or not, an answer known but not yet told is asked for again soon, whatever the expiry.
    const soon = now + nthInterval(target.policy.inquiryIntervalsMs, 0);
    const again = (resultCode: string) =>
      this.completed(entry, { ...base, phase: entry.phase, nextDueAt: soon, lastResultCode: resultCode });

    switch (step.kind) {
      case 'publish-final': {
        const reinquiry = entry.verifyReason === 'REINQUIRE' ? (entry.verifyUntil ?? undefined) : undefined;
        const event = inquiryObservation(entry, step.result, new Date(now), reinquiry);
        if (!(await this.tryPublish(entry, [event]))) return again(step.result.resultCode);
        this.logger.log(
          `${entry.paymentRequestId}: inquiry observed ${step.result.outcome} (${step.result.resultCode})`,
        );
        const fields = { ...base, lastResultCode: step.result.resultCode, answerDoubt: null };
        if (entry.verifyReason === 'CANCEL_NOT_EXIST' && step.result.outcome === 'SUCCESS') {
          // The partner did not know the order when we cancelled it; now it has it paid. The order is
          // cancelling, and after requesting cancel it may only end CANCELLED (protocol.md §4.1).
          return this.completed(entry, { ...fields, phase: 'cancel', nextDueAt: now });
        }
        return this.completed(entry, {
          ...fields,
          phase: 'done',
          nextDueAt: null,
          doneReason: 'RESULT_OBSERVED',
        });
      }
      case 'poll-again':
      case 'start-cancel': {
        this.flag(entry, step.attention);
        const reported = await this.report(entry, 'inquiry', step.report, step.resultCode, now);
        const written = {
          ...base,
          lastResultCode: step.resultCode,
          attention: step.attention ?? null,
          reportedAttention: reported,
        };
        const extra = { backoffPartner: step.backoffPartner };
        if (step.kind === 'poll-again') {
          return this.completed(
            entry,
            { ...written, phase: entry.phase, nextDueAt: step.at, answerDoubt: step.doubt },
            extra,
          );
        }
        this.logger.log(
          `${entry.paymentRequestId}: no final result after ${base.inquiryAttempts} inquiries (${step.reason}, last ${step.resultCode}); cancelling`,
        );
        return this.completed(
          entry,
          { ...written, phase: 'cancel', nextDueAt: now, answerDoubt: null },
          extra,
        );
      }
      case 'conclude':
        return this.conclude(entry, step, base, now, again);
    }
  }

  /** The end of a verify phase without a final answer (domain/next-step `decideAfterVerify`). */
  private async conclude(
    entry: ClaimedEntry,
    step: Extract<InquiryStep, { kind: 'conclude' }>,
    base: { inquiryAttempts: number; cancelAttempts: number; lastAttemptAt: number },
    now: number,
    again: (resultCode: string) => ProcessedOrder,
  ): Promise<ProcessedOrder> {
    const fields = { ...base, lastResultCode: step.resultCode, attention: step.attention ?? null };
    const done = (
      doneReason: 'REINQUIRED' | 'CANCEL_REFUSED' | 'CLOSED_NO_ORDER',
      reported: string | null = null,
    ) =>
      this.completed(entry, {
        ...fields,
        phase: 'done',
        nextDueAt: null,
        doneReason,
        reportedAttention: reported,
      });
    switch (step.conclusion) {
      case 'NOTHING':
        this.logger.log(`${entry.paymentRequestId}: re-inquiry found no final result (${step.resultCode})`);
        return done('REINQUIRED');
      case 'RECANCEL':
        this.logger.warn(
          `${entry.paymentRequestId}: the partner knows the order after its cancel answered ORDER_NOT_EXIST (${step.resultCode}); cancelling again`,
        );
        return this.completed(entry, { ...fields, phase: 'cancel', nextDueAt: now, answerDoubt: null });
      case 'CANCEL_REFUSED': {
        if (!step.report) return done('CANCEL_REFUSED');
        const reported = await this.report(entry, 'inquiry', step.report, step.resultCode, now);
        return reported === null ? again(step.resultCode) : done('CANCEL_REFUSED', reported);
      }
      case 'CLOSED_UNCONFIRMED': {
        const event = cancelObservation(
          entry,
          'CLOSED',
          {
            resultCode: ORDER_NOT_EXIST,
            resultMessage: `${CLOSED_UNCONFIRMED_MESSAGE}: the cancel was answered ORDER_NOT_EXIST and so was every inquiry until ${new Date(entry.verifyUntil ?? now).toISOString()}`,
          },
          new Date(now),
          entry.reversalOf ?? undefined,
        );
        if (!(await this.tryPublish(entry, [event]))) return again(step.resultCode);
        this.logger.warn(`${entry.paymentRequestId}: CLOSED, not confirmed by the partner (ORDER_NOT_EXIST)`);
        return done('CLOSED_NO_ORDER');
      }
    }
  }

  /**
   * The decision table's step, unless the final answer it would publish does not fit the
   * result-observed contract (an amount of 0 or over 18 digits, a result code over 64 characters, a
   * NUL in an id). Such an answer cannot be told, so it is not believed: it is read as an invalid
   * answer, flagged on the row, and never the reason for a cancel (issue 11 row 11). Treated as a
   * failed publish it would be asked about again every few seconds, forever.
   */
  private inquiryStep(entry: ClaimedEntry, call: InquiryCallResult, ctx: StepContext): InquiryStep {
    const decide = entry.phase === 'verify' ? decideAfterVerify : decideAfterInquiry;
    const step = decide(entry, call, ctx);
    if (step.kind !== 'publish-final') return step;
    const violation = unpublishable(inquiryObservation(entry, step.result, new Date(ctx.now)));
    return violation === null ? step : decide(entry, violation, ctx);
  }
}
