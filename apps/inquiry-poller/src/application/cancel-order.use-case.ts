import { Logger } from '@nestjs/common';
import type { ResultObservedV1 } from '@app/contracts';
import { cancelRequestRecheckAt, nthInterval } from '../domain/cadence';
import { CancelStep, decideAfterCancel } from '../domain/cancel-step';
import type { StepContext } from '../domain/next-step';
import { cancelObservation } from '../domain/observations';
import type { CancelCallResult } from '../domain/read-inquiry';
import type { ClaimedEntry } from '../domain/schedule-entry';
import { ClaimedOrderStep, ProcessedOrder, unpublishable } from './claimed-order-step';
import { PollingTarget } from './poller-settings';

/**
 * The cancel phase of a claimed row (protocol.md §4; issue 11 rows 2, 4, 5, 7, 13): publish
 * CANCEL_REQUESTED, then cancel with the same paymentRequestId until S (CANCELLED), F ORDER_IS_CLOSED
 * (CLOSED), F ORDER_NOT_EXIST (re-inquire over a grace window) or another F (CANCEL_FAILED, then
 * inquire for the truth). Before the first request the row records that a cancel is being
 * requested, so that a success reported meanwhile no longer stops it (schedule-transitions).
 *
 * No cancel goes out before order-state has moved the order to `cancelling`. Order-state is the
 * single writer: if a notification made the order `success` while its status event was still on
 * its way to us, order-state refuses CANCEL_REQUESTED, and cancelling would reverse a payment it
 * has already reported as paid. So CANCEL_REQUESTED is published (again, same event id, less and
 * less often, until the answer comes) and the row waits: the `cancelling` event makes it due at
 * once, a `success` or `fail` event ends it with nothing sent. The one exception is a reversal that
 * an exception asked for (PAID_AFTER_CLOSE, or a person's `reverse`): it is sent whatever the status.
 */
export class CancelOrderUseCase extends ClaimedOrderStep {
  protected readonly logger = new Logger('CancelOrder');

  async execute(entry: ClaimedEntry, target: PollingTarget): Promise<ProcessedOrder> {
    const { settings, partners, metrics, schedule } = this.deps;
    const startedAt = settings.now();
    const attempts = { inquiryAttempts: entry.inquiryAttempts, cancelAttempts: entry.cancelAttempts };
    if (entry.reversalOf === null && entry.cancelAttempts === 0 && entry.orderStatus !== 'cancelling') {
      if (
        entry.cancelRequestedAt === null &&
        !(await schedule.markCancelRequested(entry.paymentRequestId, entry.leaseToken, startedAt))
      ) {
        // The order went final (or another replica took the row) before anything was sent.
        return { completion: null, backoffPartner: false, calledPartner: false };
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
      const recheckAt = cancelRequestRecheckAt(
        startedAt,
        entry.cancelRequestedAt ?? startedAt,
        target.policy,
        settings.random,
      );
      return this.completed(
        entry,
        { ...attempts, phase: 'cancel', nextDueAt: recheckAt },
        { calledPartner: false },
      );
    }

    metrics.cancelsStarted++;
    const callAt = settings.now();
    const call = await partners.cancel(target.key, entry.paymentRequestId, settings.cancelTimeoutMs);
    const now = settings.now();
    const step = this.cancelStep(entry, call, this.stepContext(target, now));
    const attempted = { ...attempts, cancelAttempts: entry.cancelAttempts + 1, lastAttemptAt: callAt };
    const retrySoon = now + nthInterval(target.policy.cancelRetryIntervalsMs, 0);

    switch (step.kind) {
      case 'retry': {
        this.flag(entry, step.attention);
        const reported = await this.report(entry, 'cancel', step.report, step.resultCode, now);
        return this.completed(
          entry,
          {
            ...attempted,
            phase: 'cancel',
            nextDueAt: step.at,
            lastResultCode: step.resultCode,
            attention: step.attention ?? null,
            reportedAttention: reported,
          },
          { backoffPartner: step.backoffPartner },
        );
      }
      case 'not-found':
        this.logger.warn(
          `${entry.paymentRequestId}: cancel answered ORDER_NOT_EXIST; re-inquiring until ${new Date(step.verifyUntil).toISOString()}`,
        );
        return this.completed(entry, {
          ...attempted,
          phase: 'verify',
          nextDueAt: step.at,
          lastResultCode: step.resultCode,
          answerDoubt: null,
          verifyReason: 'CANCEL_NOT_EXIST',
          verifyUntil: step.verifyUntil,
        });
      case 'cancelled':
      case 'closed':
      case 'refused': {
        const event = cancelResultEvent(entry, step, new Date(now));
        if (!(await this.tryPublish(entry, [event]))) {
          // Cancel is idempotent: sending it again yields the same answer, published then.
          return this.completed(entry, {
            ...attempted,
            phase: 'cancel',
            nextDueAt: retrySoon,
            lastResultCode: step.resultCode,
          });
        }
        const fields = { ...attempted, lastResultCode: step.resultCode, answerDoubt: null };
        if (step.kind === 'refused') {
          this.logger.error(
            `${entry.paymentRequestId}: CANCEL_FAILED — cancel refused with ${step.resultCode}; inquiring for the truth until ${new Date(step.verifyUntil).toISOString()}`,
          );
          return this.completed(entry, {
            ...fields,
            phase: 'verify',
            nextDueAt: step.at,
            verifyReason: 'CANCEL_REFUSED',
            verifyUntil: step.verifyUntil,
          });
        }
        this.logger.log(
          `${entry.paymentRequestId}: ${event.outcome} after ${attempted.cancelAttempts} cancel attempt(s) (${step.resultCode})`,
        );
        return this.completed(entry, { ...fields, phase: 'done', nextDueAt: null, doneReason: 'CANCELLED' });
      }
    }
  }

  /** The cancel table's step; an answer that cannot be told is retried as an invalid answer. */
  private cancelStep(entry: ClaimedEntry, call: CancelCallResult, ctx: StepContext): CancelStep {
    const step = decideAfterCancel(entry, call, ctx);
    if (step.kind === 'retry' || step.kind === 'not-found') return step;
    const violation = unpublishable(cancelResultEvent(entry, step, new Date(ctx.now)));
    return violation === null ? step : decideAfterCancel(entry, violation, ctx);
  }
}

/** CANCELLED, CLOSED (F ORDER_IS_CLOSED) or CANCEL_FAILED for a cancel answer that ends the cancel. */
function cancelResultEvent(
  entry: ClaimedEntry,
  step: Extract<CancelStep, { kind: 'cancelled' | 'closed' | 'refused' }>,
  at: Date,
): ResultObservedV1 {
  const outcome =
    step.kind === 'cancelled' ? 'CANCELLED' : step.kind === 'closed' ? 'CLOSED' : 'CANCEL_FAILED';
  return cancelObservation(
    entry,
    outcome,
    {
      resultCode: step.resultCode,
      ...(step.kind !== 'cancelled' && step.resultMessage !== undefined
        ? { resultMessage: step.resultMessage }
        : {}),
      rawBody: step.rawBody,
    },
    at,
    entry.reversalOf ?? undefined,
  );
}
