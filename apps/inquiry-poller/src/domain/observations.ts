import { auditCopy, fitResultMessage, reportedResultFields } from '@app/contracts';
import type { Amount, Dialect, ObservationOutcome, ResultObservedV1 } from '@app/contracts';

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

export type CancelOutcome = Extract<ObservationOutcome, 'CANCEL_REQUESTED' | 'CANCELLED' | 'CANCEL_FAILED'>;

/**
 * Event ids are deterministic (design.md §3): the same answer observed again — a retry after a
 * failed publish, another replica after a lost lease — carries the same id, and order-state's
 * timeline, deduplicated by eventId, records it once.
 */
export const inquiryEventId = (paymentRequestId: string, outcome: string, resultCode: string): string =>
  `inquiry:${paymentRequestId}:${outcome}:${resultCode}`;

/** One cancel has one request, one success and at most one refusal: the outcome is the identity. */
export const cancelEventId = (paymentRequestId: string, outcome: CancelOutcome): string =>
  `cancel:${paymentRequestId}:${outcome}`;

/** The result-observed event for a final inquiry answer (source `inquiry`). */
export function inquiryObservation(
  order: ObservedOrder,
  result: FinalInquiryResult,
  occurredAt: Date,
): ResultObservedV1 {
  return {
    eventId: inquiryEventId(order.paymentRequestId, result.outcome, result.resultCode),
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
): ResultObservedV1 {
  return {
    eventId: cancelEventId(order.paymentRequestId, outcome),
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
