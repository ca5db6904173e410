import {
  CancelPaymentResponseByDialect,
  ClientResult,
  decideInquiry,
  decideOnTransportError,
  InquiryPaymentResponseByDialect,
  ORDER_NOT_EXIST,
} from '@app/alipayplus';
import type { Dialect } from '@app/contracts';
import { FinalInquiryResult } from './observations';
import { AnswerDoubt } from './schedule-entry';

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

export type Reading =
  | { readonly kind: 'final'; readonly result: FinalInquiryResult }
  | {
      readonly kind: 'unsettled';
      readonly resultCode: string;
      readonly backoff: boolean;
      readonly attention?: Attention;
      /**
       * How much the answer is worth: `verified` (a signed answer that fits the protocol), `doubt`
       * (an answer we do not believe, with the exception reason it would open), or `none` (no answer
       * at all: a transport error leaves the previous answer's worth as it was).
       */
      readonly answer:
        { readonly kind: 'verified' | 'none' } | { readonly kind: 'doubt'; readonly doubt: AnswerDoubt };
      /** The partner refused the inquiry for a reason a retry cannot fix (a non-retryable F). */
      readonly refused?: boolean;
    };

const code64 = (code: string) => code.slice(0, 64);
const VERIFIED = { kind: 'verified' } as const;
const doubt = (d: AnswerDoubt) => ({ kind: 'doubt', doubt: d }) as const;

/** An answer that does not fit the protocol: never final, never a reason to cancel (issue 11 row 11). */
const invalidAnswer = (reason: string): Reading => ({
  kind: 'unsettled',
  resultCode: 'INVALID_RESPONSE',
  backoff: false,
  answer: doubt('INVALID_ANSWERS'),
  attention: { code: 'INVALID_RESPONSE', detail: reason.slice(0, 200) },
});

/**
 * Reads one inquiry call. Only a verified answer (the client checks every signature, protocol.md
 * §1.6) can be final; everything else leaves the payment unsettled:
 * - no answer (timeout, network, non-2xx) → retry the same inquiry (§0, §3.1 "(no response)");
 * - a badly signed answer, or an S answer without a signature → not believed (design.md §7), and
 *   never the reason for a cancel (issue 11 row 2);
 * - an answer that does not fit the protocol (unreadable, naming another order, an Antom answer
 *   without a readable paymentStatus) → invalid, never the reason for a cancel (row 11);
 * - result U → retry, after a backoff for REQUEST_TRAFFIC_EXCEED_LIMIT (§6);
 * - ORDER_NOT_EXIST → re-checked within the expiry, then cancelled; never read as paid (§3.1);
 * - other F (bad request, configuration, contract) → a person must act; polling goes on until the
 *   expiry and ends in a cancel, whose own refusal becomes an anomaly (§3.1, §6).
 */
export function readInquiry(paymentRequestId: string, dialect: Dialect, call: InquiryCallResult): Reading {
  switch (call.kind) {
    case 'transport-error': {
      const d = decideOnTransportError(call.reason);
      return { kind: 'unsettled', resultCode: d.resultCode, backoff: d.backoff, answer: { kind: 'none' } };
    }
    case 'untrusted':
      return {
        kind: 'unsettled',
        resultCode: 'UNTRUSTED_RESPONSE',
        backoff: false,
        answer: doubt('UNVERIFIED_ANSWERS'),
        attention: {
          code: 'UNTRUSTED_RESPONSE',
          detail: `${call.reason}${call.detail ? ` (${call.detail})` : ''}`,
        },
      };
    case 'invalid-response':
      return invalidAnswer(call.reason);
    case 'response':
      break;
  }
  const decision = decideInquiry(dialect, call.body);
  switch (decision.kind) {
    case 'final':
      // §2.1 handling rules: check the echoed id against our record before acting on the answer.
      if (decision.paymentRequestId !== undefined && decision.paymentRequestId !== paymentRequestId) {
        return {
          kind: 'unsettled',
          resultCode: 'RESULT_FOR_OTHER_ORDER',
          backoff: false,
          answer: doubt('INVALID_ANSWERS'),
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
      return { kind: 'unsettled', resultCode: code64(decision.reason), backoff: false, answer: VERIFIED };
    case 'invalid':
      return invalidAnswer(decision.reason);
    case 'not-found':
      return { kind: 'unsettled', resultCode: ORDER_NOT_EXIST, backoff: false, answer: VERIFIED };
    case 'retry':
      return {
        kind: 'unsettled',
        resultCode: decision.resultCode,
        backoff: decision.backoff,
        answer: VERIFIED,
      };
    case 'human':
      return {
        kind: 'unsettled',
        resultCode: decision.resultCode,
        backoff: false,
        answer: VERIFIED,
        refused: true,
        attention: {
          code: 'INQUIRY_REFUSED',
          detail: `${decision.resultCode}${decision.resultMessage ? `: ${decision.resultMessage.slice(0, 200)}` : ''}`,
        },
      };
  }
}
