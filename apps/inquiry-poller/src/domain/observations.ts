import { auditCopy, fitResultMessage, reportedResultFields } from '@app/contracts';
import type {
  Amount,
  Dialect,
  ExceptionReason,
  ObservationOutcome,
  ObservationSource,
  ResultObservedV1,
} from '@app/contracts';

// Re-exported: the field rules live with the contract they serve.
export { RAW_BODY_MAX_CHARS, normalizeInstant } from '@app/contracts';

/** The order an observation is about. */
export interface ObservedOrder {
  readonly paymentRequestId: string;
  readonly clientId: string;
  readonly dialect: Dialect;
}

/** A final payment result read from a signed inquiry answer (protocol.md §3). */
export interface FinalInquiryResult {
  readonly outcome: 'SUCCESS' | 'FAIL' | 'CLOSED';
  readonly resultCode: string;
  readonly resultMessage?: string;
  readonly paymentId?: string;
  readonly amount?: Amount;
  readonly paymentTime?: string;
  readonly rawBody: string;
}

export type CancelOutcome = Extract<
  ObservationOutcome,
  'CANCEL_REQUESTED' | 'CANCELLED' | 'CANCEL_FAILED' | 'CLOSED'
>;

/** Message of the CLOSED published when the partner never knew a cancelled order (issue 11 row 5). */
export const CLOSED_UNCONFIRMED_MESSAGE = 'closed, not confirmed by the partner';

/**
 * Event ids are deterministic (design.md §3): the same answer observed again — a retry after a
 * failed publish, another replica after a lost lease — carries the same id, and order-state's
 * timeline, deduplicated by eventId, records it once.
 */
export const inquiryEventId = (
  paymentRequestId: string,
  outcome: string,
  resultCode: string,
  reinquiry?: number,
): string =>
  // A person's re-inquiry must reach order-state even when it repeats an answer already told: its
  // events carry the time it was asked for.
  `inquiry:${paymentRequestId}:${outcome}:${resultCode}${reinquiry !== undefined ? `:re${reinquiry}` : ''}`;

/**
 * One cancel has one request, one success and at most one refusal: the outcome is the identity. A
 * reversal (asked for by an exception) is a cancel of its own, named by the exception.
 */
export const cancelEventId = (
  paymentRequestId: string,
  outcome: CancelOutcome,
  reversalOf?: string,
): string =>
  reversalOf !== undefined
    ? `reversal:${paymentRequestId}:${reversalOf}:${outcome}`
    : `cancel:${paymentRequestId}:${outcome}`;

/** An exception's cause is told once per order and reason: a repeat is a duplicate. */
export const attentionEventId = (paymentRequestId: string, reason: ExceptionReason): string =>
  `attention:${paymentRequestId}:${reason}`;

/** The result-observed event for a final inquiry answer (source `inquiry`). */
export function inquiryObservation(
  order: ObservedOrder,
  result: FinalInquiryResult,
  occurredAt: Date,
  reinquiry?: number,
): ResultObservedV1 {
  return {
    eventId: inquiryEventId(order.paymentRequestId, result.outcome, result.resultCode, reinquiry),
    schemaVersion: 1,
    occurredAt: occurredAt.toISOString(),
    clientId: order.clientId,
    paymentRequestId: order.paymentRequestId,
    dialect: order.dialect,
    source: 'inquiry',
    outcome: result.outcome,
    resultCode: result.resultCode,
    ...reportedResultFields(result),
    // An audit copy that does not fit the contract is left out whole: a cut copy would mislead.
    rawBody: auditCopy(result.rawBody),
  };
}

/** The result-observed event of a cancel step (source `cancel`). */
export function cancelObservation(
  order: ObservedOrder,
  outcome: CancelOutcome,
  detail: { resultCode: string; resultMessage?: string; rawBody?: string },
  occurredAt: Date,
  reversalOf?: string,
): ResultObservedV1 {
  return {
    eventId: cancelEventId(order.paymentRequestId, outcome, reversalOf),
    schemaVersion: 1,
    occurredAt: occurredAt.toISOString(),
    clientId: order.clientId,
    paymentRequestId: order.paymentRequestId,
    dialect: order.dialect,
    source: 'cancel',
    outcome,
    resultCode: detail.resultCode,
    resultMessage: fitResultMessage(detail.resultMessage),
    rawBody: auditCopy(detail.rawBody),
  };
}

/**
 * A PROCESSING observation that asks order-state to open (or update) the order's exception: the
 * payment could not be settled and a person must know why (issue 11; contracts `attention`).
 */
export function attentionObservation(
  order: ObservedOrder,
  source: Extract<ObservationSource, 'inquiry' | 'cancel'>,
  attention: { reason: ExceptionReason; detail: string; resultCode: string },
  occurredAt: Date,
): ResultObservedV1 {
  return {
    eventId: attentionEventId(order.paymentRequestId, attention.reason),
    schemaVersion: 1,
    occurredAt: occurredAt.toISOString(),
    clientId: order.clientId,
    paymentRequestId: order.paymentRequestId,
    dialect: order.dialect,
    source,
    outcome: 'PROCESSING',
    resultCode: attention.resultCode.slice(0, 64),
    attention: { reason: attention.reason, detail: attention.detail.slice(0, 500) },
  };
}
