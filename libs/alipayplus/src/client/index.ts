export { AlipayPlusClient, CANCEL_PAYMENT_TIMEOUT_MS, INQUIRY_PAYMENT_TIMEOUT_MS } from './alipayplus.client';
export type {
  AlipayPlusClientOptions,
  CallOptions,
  ClientResult,
  TransportErrorReason,
} from './alipayplus.client';
