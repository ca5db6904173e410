import type { ExceptionEventV1 } from '@app/contracts';

/** What an exception event asks of the poller (payments.exceptions.v1). */
export type ExceptionCommand =
  /**
   * Send a cancel for the order whatever its status: a reversal of money that moved. `reversalKey`
   * names it (once per key): the exception id for PAID_AFTER_CLOSE, with `-reverse` for a person's
   * decision, so that a person can still reverse after an automatic reversal was refused.
   */
  | { readonly kind: 'reverse'; readonly paymentRequestId: string; readonly reversalKey: string }
  /** Inquire now, once, even for an order the poller is done with. */
  | { readonly kind: 'reinquire'; readonly paymentRequestId: string };

/**
 * The exception events the poller acts on (issue 11, agreed with order-state):
 * - `opened` with reason PAID_AFTER_CLOSE (a SUCCESS for an order closed as not confirmed by the
 *   partner, row 6), or `resolved` with resolution `reverse` (a person's decision) → a reversal;
 * - `updated` or `resolved` with resolution `reinquire` → one inquiry now.
 * Every other event (opened for another reason, accept, mark_failed, auto) needs nothing from us.
 */
export function exceptionCommand(event: ExceptionEventV1): ExceptionCommand | null {
  const { paymentRequestId, exceptionId } = event;
  if (event.type === 'opened' && event.reason === 'PAID_AFTER_CLOSE') {
    return { kind: 'reverse', paymentRequestId, reversalKey: exceptionId };
  }
  if (event.type === 'resolved' && event.resolution === 'reverse') {
    return { kind: 'reverse', paymentRequestId, reversalKey: `${exceptionId}-reverse` };
  }
  if ((event.type === 'updated' || event.type === 'resolved') && event.resolution === 'reinquire') {
    return { kind: 'reinquire', paymentRequestId };
  }
  return null;
}
