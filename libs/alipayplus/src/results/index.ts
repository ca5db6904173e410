export {
  BACKOFF_RESULT_CODES,
  HUMAN_RESULT_CODES,
  ORDER_IS_CLOSED,
  ORDER_NOT_EXIST,
  ORDER_STATE_RESULT_CODES,
  PAYMENT_FAILURE_CODES,
  PAYMENT_IN_PROCESS,
  REQUEST_TRAFFIC_EXCEED_LIMIT,
  RETRYABLE_RESULT_CODES,
  SUCCESS,
  UNKNOWN_EXCEPTION,
} from './result-codes';
export { classifyResult } from './classify-result';
export type { ResultClass } from './classify-result';
export { decideAlipayPlusInquiry, decideAntomInquiry, decideInquiry } from './decide-inquiry';
export type { FinalPaymentOutcome, InquiryDecision } from './decide-inquiry';
export {
  ANTOM_CANCEL_MAX_UNKNOWN_RETRIES,
  decideCancel,
  decideOnTransportError,
  NO_RESPONSE,
} from './decide-cancel';
export type { CancelDecision } from './decide-cancel';
