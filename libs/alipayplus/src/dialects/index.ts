export { API_OPERATIONS } from './dialect-spec';
export type { ApiCall, ApiOperation, CallResponse, DialectSpec } from './dialect-spec';
export { DIALECT_SPECS, dialectSpec } from './registry';
export type {
  CancelPaymentRequestByDialect,
  CancelPaymentResponseByDialect,
  InquiryPaymentRequestByDialect,
  InquiryPaymentResponseByDialect,
  NotifyPaymentByDialect,
} from './registry';
export {
  ALIPAYPLUS_CANCEL_PAYMENT_PATH,
  ALIPAYPLUS_DIALECT,
  ALIPAYPLUS_INQUIRY_PAYMENT_PATH,
  decideAlipayPlusInquiry,
} from './alipayplus';
export {
  ANTOM_CANCEL_MAX_UNKNOWN_RETRIES,
  ANTOM_CANCEL_PATH,
  ANTOM_DIALECT,
  ANTOM_INQUIRY_PAYMENT_PATH,
  ANTOM_SANDBOX_CLIENT_ID_PREFIX,
  decideAntomInquiry,
} from './antom';
