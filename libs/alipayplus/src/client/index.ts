export { AlipayPlusClient, CANCEL_PAYMENT_TIMEOUT_MS, INQUIRY_PAYMENT_TIMEOUT_MS } from './alipayplus.client';
export type {
  AlipayPlusClientOptions,
  CallOptions,
  ClientResult,
  ContentSigner,
  SignDeadline,
  TransportErrorReason,
} from './alipayplus.client';
export { CallNotSentError } from './call-not-sent';
export type { CallNotSentCode } from './call-not-sent';
