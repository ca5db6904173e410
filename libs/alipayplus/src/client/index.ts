export { AlipayPlusClient, CANCEL_PAYMENT_TIMEOUT_MS, INQUIRY_PAYMENT_TIMEOUT_MS } from './alipayplus.client';
export type {
  AlipayPlusClientOptions,
  CallOptions,
  ClientResult,
  ContentSigner,
  TransportErrorReason,
} from './alipayplus.client';
