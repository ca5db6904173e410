import {
  ANTOM_CANCEL_MAX_UNKNOWN_RETRIES,
  CancelPaymentResponseByDialect,
  ClientResult,
  decideCancel,
  decideInquiry,
  decideOnTransportError,
  InquiryPaymentResponseByDialect,
  ORDER_NOT_EXIST,
} from '@app/alipayplus';
import type { Dialect } from '@app/contracts';
import { afterUnsettledInquiry, nextCancelAttemptAt, Random } from './cadence';
import { FinalInquiryResult } from './observations';
import { PollingPolicy } from './polling-policy';

export type InquiryCallResult = ClientResult<InquiryPaymentResponseByDialect[Dialect]>;
export type CancelCallResult = ClientResult<CancelPaymentResponseByDialect[Dialect]>;

/**
 * Something people should know about (logged with this code and kept on the row): the answer was
 * not believed, or the partner refused the request for a reason a retry cannot fix.
 */
export interface Attention {
  readonly code:
    | 'UNTRUSTED_RESPONSE'
    | 'INVALID_RESPONSE'
    | 'RESULT_FOR_OTHER_ORDER'
    | 'INQUIRY_REFUSED'
    | 'CANCEL_STILL_UNKNOWN';
  readonly detail: string;
}

export interface StepContext {
  readonly now: number;
  readonly policy: PollingPolicy;
  readonly random: Random;
  /** How long to leave a partner alone after REQUEST_TRAFFIC_EXCEED_LIMIT (protocol.md §6). */
  readonly partnerBackoffMs: number;
}

/** The row facts the steps depend on. */
export interface StepEntry {
  readonly paymentRequestId: string;
  readonly dialect: Dialect;
  readonly expiresAt: number;
  /** Made before this call. */
  readonly inquiryAttempts: number;
  /** Made before this call. */
  readonly cancelAttempts: number;
}

export type InquiryStep =
  /** Publish the final result, then stop polling (protocol.md §3). */
  | { readonly kind: 'publish-final'; readonly result: FinalInquiryResult }
  | {
      readonly kind: 'poll-again';
      readonly at: number;
      /** What the answer was (PAYMENT_IN_PROCESS, ORDER_NOT_EXIST, NO_RESPONSE, …), kept on the row. */
      readonly resultCode: string;
      readonly backoffPartner: boolean;
      readonly attention?: Attention;
    }
  /** Polling is over without a final answer: cancel (protocol.md §3.1, §4.1). */
  | {
      readonly kind: 'start-cancel';
      readonly reason: 'EXPIRED' | 'MAX_INQUIRIES';
      readonly resultCode: string;
      readonly backoffPartner: boolean;
      readonly attention?: Attention;
    };

type Reading =
  | { readonly kind: 'final'; readonly result: FinalInquiryResult }
  | {
      readonly kind: 'unsettled';
      readonly resultCode: string;
      readonly backoff: boolean;
      readonly attention?: Attention;
    };

const code64 = (code: string) => code.slice(0, 64);

/**
 * Reads one inquiry call. Only a verified answer (the client checks every signature, protocol.md
 * §1.6) can be final; everything else leaves the payment unsettled:
 * - no answer (timeout, network, non-2xx) → retry the same inquiry (§0, §3.1 "(no response)");
 * - a badly signed answer, or an S answer without a signature → not believed (design.md §7);
 * - result U → retry, after a backoff for REQUEST_TRAFFIC_EXCEED_LIMIT (§6);
 * - ORDER_NOT_EXIST → re-checked within the expiry, then cancelled; never read as paid (§3.1);
 * - other F (bad request, configuration, contract) → a person must act; polling goes on until the
 *   expiry and ends in a cancel, whose own refusal becomes an anomaly (§3.1, §6).
 */
function readInquiry(entry: StepEntry, call: InquiryCallResult): Reading {
  switch (call.kind) {
    case 'transport-error': {
      const d = decideOnTransportError(call.reason);
      return { kind: 'unsettled', resultCode: d.resultCode, backoff: d.backoff };
    }
    case 'untrusted':
      return {
        kind: 'unsettled',
        resultCode: 'UNTRUSTED_RESPONSE',
        backoff: false,
        attention: {
          code: 'UNTRUSTED_RESPONSE',
          detail: `${call.reason}${call.detail ? ` (${call.detail})` : ''}`,
        },
      };
    case 'invalid-response':
      return {
        kind: 'unsettled',
        resultCode: 'INVALID_RESPONSE',
        backoff: false,
        attention: { code: 'INVALID_RESPONSE', detail: call.reason.slice(0, 200) },
      };
    case 'response':
      break;
  }
  const decision = decideInquiry(entry.dialect, call.body);
  switch (decision.kind) {
    case 'final':
      // §2.1 handling rules: check the echoed id against our record before acting on the answer.
      if (decision.paymentRequestId !== undefined && decision.paymentRequestId !== entry.paymentRequestId) {
        return {
          kind: 'unsettled',
          resultCode: 'RESULT_FOR_OTHER_ORDER',
          backoff: false,
          attention: {
            code: 'RESULT_FOR_OTHER_ORDER',
            detail: `answer names paymentRequestId ${decision.paymentRequestId.slice(0, 64)}`,
          },
        };
      }
      return {
        kind: 'final',
        result: {
          outcome: decision.outcome,
          resultCode: decision.resultCode,
          ...(decision.resultMessage !== undefined ? { resultMessage: decision.resultMessage } : {}),
          ...(decision.paymentId !== undefined ? { paymentId: decision.paymentId } : {}),
          ...(decision.amount !== undefined ? { amount: decision.amount } : {}),
          ...(decision.paymentTime !== undefined ? { paymentTime: decision.paymentTime } : {}),
          rawBody: call.rawBody,
        },
      };
    case 'pending':
      return { kind: 'unsettled', resultCode: code64(decision.reason), backoff: false };
    case 'not-found':
      return { kind: 'unsettled', resultCode: ORDER_NOT_EXIST, backoff: false };
    case 'retry':
      return { kind: 'unsettled', resultCode: decision.resultCode, backoff: decision.backoff };
    case 'human':
      return {
        kind: 'unsettled',
        resultCode: decision.resultCode,
        backoff: false,
        attention: {
          code: 'INQUIRY_REFUSED',
          detail: `${decision.resultCode}${decision.resultMessage ? `: ${decision.resultMessage.slice(0, 200)}` : ''}`,
        },
      };
  }
}

/** The inquiry decision table (protocol.md §3) turned into what the poller does next. */
export function decideAfterInquiry(entry: StepEntry, call: InquiryCallResult, ctx: StepContext): InquiryStep {
  const reading = readInquiry(entry, call);
  if (reading.kind === 'final') return { kind: 'publish-final', result: reading.result };
  const next = afterUnsettledInquiry(
    {
      now: ctx.now,
      inquiriesMade: entry.inquiryAttempts + 1,
      expiresAt: entry.expiresAt,
      minWaitMs: reading.backoff ? ctx.partnerBackoffMs : 0,
    },
    ctx.policy,
    ctx.random,
  );
  const common = {
    resultCode: reading.resultCode,
    backoffPartner: reading.backoff,
    ...(reading.attention ? { attention: reading.attention } : {}),
  };
  return next.kind === 'inquire'
    ? { kind: 'poll-again', at: next.at, ...common }
    : { kind: 'start-cancel', reason: next.reason, ...common };
}

export type CancelStep =
  /** Publish CANCELLED and stop (protocol.md §4). */
  | { readonly kind: 'cancelled'; readonly resultCode: string; readonly rawBody: string }
  /** Publish CANCEL_FAILED with the code (order-state records an anomaly) and stop (§4.1 "act per code"). */
  | {
      readonly kind: 'refused';
      readonly resultCode: string;
      readonly resultMessage?: string;
      readonly rawBody: string;
    }
  /** Send the same cancel again later: same paymentRequestId, idempotent (§4.1, §4.2). */
  | {
      readonly kind: 'retry';
      readonly at: number;
      readonly resultCode: string;
      readonly backoffPartner: boolean;
      readonly attention?: Attention;
    };

/**
 * The cancel result table (protocol.md §4): S → cancelled; U, UNKNOWN_EXCEPTION, a timeout or any
 * answer we cannot believe → send it again, until it succeeds; any other F → refused. Antom asks to
 * contact support when a cancel is still U after 3 retries (§4.2): it is flagged, and still retried.
 */
export function decideAfterCancel(entry: StepEntry, call: CancelCallResult, ctx: StepContext): CancelStep {
  const attemptsMade = entry.cancelAttempts + 1;
  const retry = (resultCode: string, backoff: boolean, attention?: Attention): CancelStep => {
    const flagged =
      attention ??
      (entry.dialect === 'antom' && attemptsMade > ANTOM_CANCEL_MAX_UNKNOWN_RETRIES
        ? ({
            code: 'CANCEL_STILL_UNKNOWN',
            detail: `cancel still unknown after ${attemptsMade} attempts: contact Antom support (protocol.md §4.2)`,
          } as const)
        : undefined);
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
    };
  };

  switch (call.kind) {
    case 'transport-error': {
      const d = decideOnTransportError(call.reason);
      return retry(d.resultCode, d.backoff);
    }
    case 'untrusted':
      return retry('UNTRUSTED_RESPONSE', false, {
        code: 'UNTRUSTED_RESPONSE',
        detail: `${call.reason}${call.detail ? ` (${call.detail})` : ''}`,
      });
    case 'invalid-response':
      return retry('INVALID_RESPONSE', false, {
        code: 'INVALID_RESPONSE',
        detail: call.reason.slice(0, 200),
      });
    case 'response':
      break;
  }
  const decision = decideCancel(entry.dialect, call.body);
  switch (decision.kind) {
    case 'cancelled':
      return { kind: 'cancelled', resultCode: decision.resultCode, rawBody: call.rawBody };
    case 'retry':
      return retry(decision.resultCode, decision.backoff);
    case 'failed':
      return {
        kind: 'refused',
        resultCode: decision.resultCode,
        ...(decision.resultMessage !== undefined ? { resultMessage: decision.resultMessage } : {}),
        rawBody: call.rawBody,
      };
  }
}
