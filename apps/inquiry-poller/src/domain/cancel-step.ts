import { decideCancel, decideOnTransportError, dialectSpec } from '@app/alipayplus';
import { jittered, nextCancelAttemptAt, nthInterval } from './cadence';
import { once, Report, StepContext, StepEntry } from './next-step';
import { Attention, CancelCallResult } from './read-inquiry';

export type CancelStep =
  /** Publish CANCELLED and stop (protocol.md §4). */
  | { readonly kind: 'cancelled'; readonly resultCode: string; readonly rawBody: string }
  /** F ORDER_IS_CLOSED: publish CLOSED (source cancel) and stop; the order ends cancelled (issue 11 row 4). */
  | {
      readonly kind: 'closed';
      readonly resultCode: string;
      readonly resultMessage?: string;
      readonly rawBody: string;
    }
  /**
   * F ORDER_NOT_EXIST: nothing is published yet; the row re-inquires until `verifyUntil` (phase
   * verify, CANCEL_NOT_EXIST; issue 11 row 5), first at `at`.
   */
  | {
      readonly kind: 'not-found';
      readonly resultCode: string;
      readonly at: number;
      readonly verifyUntil: number;
    }
  /**
   * Any other F: publish CANCEL_FAILED with the code (order-state records that the cancel was
   * refused), then inquire until `verifyUntil` to learn the truth (phase verify, CANCEL_REFUSED; row 7).
   */
  | {
      readonly kind: 'refused';
      readonly resultCode: string;
      readonly resultMessage?: string;
      readonly rawBody: string;
      readonly at: number;
      readonly verifyUntil: number;
    }
  /** Send the same cancel again later: same paymentRequestId, idempotent (§4.1, §4.2). */
  | {
      readonly kind: 'retry';
      readonly at: number;
      readonly resultCode: string;
      readonly backoffPartner: boolean;
      readonly attention?: Attention;
      readonly report?: Report;
    };

/**
 * The cancel result table (protocol.md §4; issue 11 rows 2, 4, 5, 7): S → cancelled; U,
 * UNKNOWN_EXCEPTION, a timeout or any answer we cannot believe → send it again, until it succeeds;
 * F ORDER_IS_CLOSED → closed; F ORDER_NOT_EXIST → re-inquire over a grace window; any other F →
 * refused, then inquire. An answer we do not believe opens an exception once (UNVERIFIED_ANSWERS /
 * INVALID_ANSWERS) and the cancel is still retried. A dialect may ask a person to act when a cancel is
 * still U after some retries (its spec's `stillUnknown`; Antom: contact support after 3, §4.2): an
 * exception CANCEL_UNKNOWN is opened once, and it is still retried.
 */
export function decideAfterCancel(entry: StepEntry, call: CancelCallResult, ctx: StepContext): CancelStep {
  const attemptsMade = entry.cancelAttempts + 1;
  const retry = (
    resultCode: string,
    backoff: boolean,
    attention?: Attention,
    report?: Report,
  ): CancelStep => {
    const escalation = dialectSpec(entry.dialect).cancelPayment.stillUnknown;
    const stillUnknown = escalation !== undefined && attemptsMade > escalation.afterRetries;
    const detail = `cancel still unknown after ${attemptsMade} attempts: ${escalation?.advice}`;
    const flagged =
      attention ?? (stillUnknown ? ({ code: 'CANCEL_STILL_UNKNOWN', detail } as const) : undefined);
    const reported = report ?? (stillUnknown ? once(entry, { reason: 'CANCEL_UNKNOWN', detail }) : undefined);
    return {
      kind: 'retry',
      at: nextCancelAttemptAt(
        ctx.now,
        attemptsMade,
        ctx.policy,
        ctx.random,
        backoff ? ctx.partnerBackoffMs : 0,
      ),
      resultCode,
      backoffPartner: backoff,
      ...(flagged ? { attention: flagged } : {}),
      ...(reported ? { report: reported } : {}),
    };
  };
  const firstInquiryAt =
    ctx.now + jittered(nthInterval(ctx.policy.inquiryIntervalsMs, 0), ctx.policy.jitterRatio, ctx.random);

  switch (call.kind) {
    case 'transport-error': {
      const d = decideOnTransportError(call.reason);
      return retry(d.resultCode, d.backoff);
    }
    case 'untrusted': {
      const detail = `${call.reason}${call.detail ? ` (${call.detail})` : ''}`;
      return retry(
        'UNTRUSTED_RESPONSE',
        false,
        { code: 'UNTRUSTED_RESPONSE', detail },
        once(entry, {
          reason: 'UNVERIFIED_ANSWERS',
          detail: `the cancel's answer failed verification (${detail}); the cancel is retried`,
        }),
      );
    }
    case 'invalid-response':
      return retry(
        'INVALID_RESPONSE',
        false,
        { code: 'INVALID_RESPONSE', detail: call.reason.slice(0, 200) },
        once(entry, {
          reason: 'INVALID_ANSWERS',
          detail: `the cancel's answer does not fit the protocol (${call.reason.slice(0, 200)}); the cancel is retried`,
        }),
      );
    case 'response':
      break;
  }
  const decision = decideCancel(entry.dialect, call.body);
  const message =
    decision.kind === 'failed' && decision.resultMessage !== undefined
      ? { resultMessage: decision.resultMessage }
      : {};
  switch (decision.kind) {
    case 'cancelled':
      return { kind: 'cancelled', resultCode: decision.resultCode, rawBody: call.rawBody };
    case 'retry':
      return retry(decision.resultCode, decision.backoff);
    case 'failed':
      if (decision.order === 'closed')
        return { kind: 'closed', resultCode: decision.resultCode, ...message, rawBody: call.rawBody };
      if (decision.order === 'not-found') {
        return {
          kind: 'not-found',
          resultCode: decision.resultCode,
          at: firstInquiryAt,
          verifyUntil: ctx.now + ctx.policy.cancelNotExistGraceMs,
        };
      }
      return {
        kind: 'refused',
        resultCode: decision.resultCode,
        ...message,
        rawBody: call.rawBody,
        at: firstInquiryAt,
        verifyUntil: ctx.now + ctx.policy.cancelRefusedInquiryMs,
      };
  }
}
