/*
 * Result codes of protocol.md §6 (common list), §3 and §4 (per-API codes) and the payment failure codes
 * carried in paymentResult. Codes not listed here are handled by their resultStatus (§6, last line).
 */

export const SUCCESS = 'SUCCESS';
export const UNKNOWN_EXCEPTION = 'UNKNOWN_EXCEPTION';
export const REQUEST_TRAFFIC_EXCEED_LIMIT = 'REQUEST_TRAFFIC_EXCEED_LIMIT';
export const PAYMENT_IN_PROCESS = 'PAYMENT_IN_PROCESS';
export const ORDER_NOT_EXIST = 'ORDER_NOT_EXIST';
export const ORDER_IS_CLOSED = 'ORDER_IS_CLOSED';

/** Re-send the same request with the same IDs (§6). */
export const RETRYABLE_RESULT_CODES = [UNKNOWN_EXCEPTION, REQUEST_TRAFFIC_EXCEED_LIMIT] as const;

/** Retry only after backing off: the peer is rate-limiting us (§6). */
export const BACKOFF_RESULT_CODES = [REQUEST_TRAFFIC_EXCEED_LIMIT] as const;

/**
 * F codes that mean our request, configuration or contract is wrong: re-sending cannot help, a person
 * has to act (§6, §4.1). INVALID_SIGNATURE is the documented name, not "SIGNATURE_INVALID" (§6).
 * NO_INTERFACE_DEF, INVALID_CLIENT_STATUS, MSG_PARSE_ERROR, FUNCTION_NOT_MATCH and CANCEL_WINDOW_EXCEED
 * come from third-party A+-style docs ([3P] in §4.1, §6).
 */
export const HUMAN_RESULT_CODES = [
  'PROCESS_FAIL',
  'PARAM_ILLEGAL',
  'METHOD_NOT_SUPPORTED',
  'MEDIA_TYPE_NOT_ACCEPTABLE',
  'INVALID_API',
  'NO_INTERFACE_DEF',
  'INVALID_CLIENT',
  'INVALID_CLIENT_STATUS',
  'KEY_NOT_FOUND',
  'ACCESS_DENIED',
  'INVALID_SIGNATURE',
  'REPEAT_REQ_INCONSISTENT',
  'MSG_PARSE_ERROR',
  'FUNCTION_NOT_MATCH',
  'CANCEL_WINDOW_EXCEED',
] as const;

/**
 * F codes that are a definitive answer about the order rather than an error in the call:
 * ORDER_NOT_EXIST (for inquiry: not found yet, §3.1) and ORDER_IS_CLOSED (terminal, §6).
 */
export const ORDER_STATE_RESULT_CODES = [ORDER_NOT_EXIST, ORDER_IS_CLOSED] as const;

/** Why a payment failed, carried in paymentResult.resultCode with status F (§6). */
export const PAYMENT_FAILURE_CODES = [
  'USER_BALANCE_NOT_ENOUGH',
  'RISK_REJECT',
  'USER_NOT_EXIST',
  'USER_STATUS_ABNORMAL',
  'UNAVAILABLE_PAYMENT_METHOD',
  'USER_PAYMENT_VERIFICATION_FAILED',
  'USER_KYC_NOT_QUALIFIED',
  'MERCHANT_NOT_REGISTERED',
  'MERCHANT_KYB_NOT_QUALIFIED',
  ORDER_IS_CLOSED,
  'USER_AMOUNT_EXCEED_LIMIT',
  'PAYMENT_AMOUNT_EXCEED_LIMIT',
  'PAYMENT_COUNT_EXCEED_LIMIT',
  'CURRENCY_NOT_SUPPORT',
] as const;

export function isOneOf(code: string, codes: readonly string[]): boolean {
  return codes.includes(code);
}

/**
 * U, or a code that means "send the same request again" whatever the status (§6): the retry row that
 * the inquiry and cancel tables share, with a backoff when the peer is rate-limiting us.
 */
export function retryOf(result: {
  readonly resultStatus: string;
  readonly resultCode: string;
}): { readonly kind: 'retry'; readonly backoff: boolean; readonly resultCode: string } | undefined {
  if (result.resultStatus !== 'U' && !isOneOf(result.resultCode, RETRYABLE_RESULT_CODES)) return undefined;
  return {
    kind: 'retry',
    backoff: isOneOf(result.resultCode, BACKOFF_RESULT_CODES),
    resultCode: result.resultCode,
  };
}
