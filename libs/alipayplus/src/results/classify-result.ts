import { ResultStatus } from '../models/common.schema';
import { ORDER_STATE_RESULT_CODES, PAYMENT_FAILURE_CODES, isOneOf, retryOf } from './result-codes';

/**
 * - FINAL: a definitive answer from the peer; act on it through the operation's decision table
 *   (`decideInquiry`, `decideCancel`). S, and F codes that describe the order or payment.
 * - RETRY: the outcome is unknown; send the same request again (U, §6).
 * - HUMAN: F for a request/configuration/contract error; re-sending cannot help (§6).
 */
export type ResultClass = 'FINAL' | 'RETRY' | 'HUMAN';

/**
 * Classifies a call-level `result` (protocol.md §6). Known codes are classified by code; an unknown
 * code by its status alone (§6: "treat unknown codes by resultStatus"): U → RETRY, F → HUMAN.
 */
export function classifyResult(result: {
  readonly resultStatus: ResultStatus;
  readonly resultCode: string;
}): ResultClass {
  if (result.resultStatus === 'S') return 'FINAL';
  if (retryOf(result)) return 'RETRY';
  if (
    isOneOf(result.resultCode, ORDER_STATE_RESULT_CODES) ||
    isOneOf(result.resultCode, PAYMENT_FAILURE_CODES)
  ) {
    return 'FINAL';
  }
  return 'HUMAN';
}
