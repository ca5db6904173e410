import { Result } from '../models/common.schema';
import { present } from '../models/reported-payment';
import { ORDER_IS_CLOSED, ORDER_NOT_EXIST, retryOf } from './result-codes';

export type CancelDecision =
  /** Cancelled; the order ends CANCELLED even if a success notification arrives later (§4.1, §4.2). */
  | { readonly kind: 'cancelled'; readonly resultCode: string; readonly cancelTime?: string }
  /** Unknown: re-send the same request with the same paymentRequestId, which is idempotent (§4.1, §4.2). */
  | { readonly kind: 'retry'; readonly backoff: boolean; readonly resultCode: string }
  /**
   * Refused: not retryable (§4.1 "act per code"). The call did not cancel anything; what it means
   * for the payment depends on the code (issue 11):
   * - `order: 'closed'` (F ORDER_IS_CLOSED): the order is already closed at the partner, which is
   *   what the cancel was for (§6: terminal, closed/cancelled); the order ends cancelled (row 4);
   * - `order: 'not-found'` (F ORDER_NOT_EXIST): the partner does not know the order; not yet a final
   *   answer, the caller re-inquires over a short grace window (row 5);
   * - no `order` (PROCESS_FAIL, CANCEL_WINDOW_EXCEED, ACCESS_DENIED, …): the payment's truth is
   *   unknown; the caller inquires to learn it (row 7).
   * The kind stays `failed` for all three, so callers that only tell refusals from successes are
   * unaffected.
   */
  | {
      readonly kind: 'failed';
      readonly resultCode: string;
      readonly resultMessage?: string;
      readonly order?: 'closed' | 'not-found';
    };

/** Code used in a retry decision when there was no usable response at all. */
export const NO_RESPONSE = 'NO_RESPONSE';

/**
 * The cancel result table of Alipay+ and Antom alike (protocol.md §4.1, §4.2): S → cancelled;
 * U, or UNKNOWN_EXCEPTION / REQUEST_TRAFFIC_EXCEED_LIMIT whatever the status → retry (backoff for the
 * latter); any other F → failed, marked `order: 'closed'` for ORDER_IS_CLOSED and `order: 'not-found'`
 * for ORDER_NOT_EXIST (§6: codes about the order, not about the call).
 */
export function cancelResultTable(response: { readonly result: Result }): CancelDecision {
  const result = response.result;
  if (result.resultStatus === 'S') {
    // Only Antom returns cancelTime (§4.2); read it without assuming the dialect.
    const rawCancelTime: unknown = (response as { cancelTime?: unknown }).cancelTime;
    const cancelTime = typeof rawCancelTime === 'string' ? present(rawCancelTime) : undefined;
    return {
      kind: 'cancelled',
      resultCode: result.resultCode,
      ...(cancelTime !== undefined ? { cancelTime } : {}),
    };
  }
  const retry = retryOf(result);
  if (retry) return retry;
  const resultMessage = present(result.resultMessage);
  const message = resultMessage !== undefined ? { resultMessage } : {};
  const order =
    result.resultCode === ORDER_IS_CLOSED
      ? { order: 'closed' as const }
      : result.resultCode === ORDER_NOT_EXIST
        ? { order: 'not-found' as const }
        : {};
  return { kind: 'failed', resultCode: result.resultCode, ...message, ...order };
}

/**
 * No response (timeout, connection error, non-2xx, unreadable or untrusted reply) leaves the outcome
 * unknown: re-send the same inquiry or cancel with the same IDs (protocol.md §0 timeouts, §3.1
 * "(no response) → retry inquiry", §4.1 "U/UNKNOWN_EXCEPTION or timeout → re-send"). HTTP 429 and 503
 * mean the peer is overloaded, so those back off.
 */
export function decideOnTransportError(reason?: string): {
  readonly kind: 'retry';
  readonly backoff: boolean;
  readonly resultCode: typeof NO_RESPONSE;
} {
  return { kind: 'retry', backoff: reason === 'HTTP_429' || reason === 'HTTP_503', resultCode: NO_RESPONSE };
}
