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
export { decideInquiry } from './decide-inquiry';
export type { FinalPaymentOutcome, InquiryDecision } from './inquiry-decision';
export { decideCancel } from './decide-cancel';
export { cancelResultTable, decideOnTransportError, NO_RESPONSE } from './cancel-decision';
export type { CancelDecision } from './cancel-decision';
