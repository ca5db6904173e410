import { Dialect } from '../dialect';

/** Outgoing operations and their paths per dialect (protocol.md §0). Both are POST. */
export type ApiOperation = 'inquiryPayment' | 'cancelPayment';

export const ALIPAYPLUS_INQUIRY_PAYMENT_PATH = '/aps/api/v1/payments/inquiryPayment';
export const ALIPAYPLUS_CANCEL_PAYMENT_PATH = '/aps/api/v1/payments/cancelPayment';
export const ANTOM_INQUIRY_PAYMENT_PATH = '/ams/api/v1/payments/inquiryPayment';
/** Antom names the operation `cancel`, not `cancelPayment` (§0, §4.2). */
export const ANTOM_CANCEL_PATH = '/ams/api/v1/payments/cancel';

export const API_PATHS: Readonly<Record<Dialect, Readonly<Record<ApiOperation, string>>>> = {
  alipayplus: {
    inquiryPayment: ALIPAYPLUS_INQUIRY_PAYMENT_PATH,
    cancelPayment: ALIPAYPLUS_CANCEL_PAYMENT_PATH,
  },
  antom: { inquiryPayment: ANTOM_INQUIRY_PAYMENT_PATH, cancelPayment: ANTOM_CANCEL_PATH },
};

/** Antom sandbox client IDs start with this prefix (§0). */
export const ANTOM_SANDBOX_CLIENT_ID_PREFIX = 'SANDBOX_';

/**
 * The path to call. For Antom sandbox client IDs, `/ams/api` becomes `/ams/sandbox/api`, as every
 * official SDK does (protocol.md §0, `adjustSandboxUrl`). Alipay+ paths are never rewritten.
 */
export function resolveApiPath(dialect: Dialect, operation: ApiOperation, clientId?: string): string {
  const path = API_PATHS[dialect][operation];
  if (dialect === 'antom' && clientId?.startsWith(ANTOM_SANDBOX_CLIENT_ID_PREFIX)) {
    return path.replace(/^\/ams\/api\//, '/ams/sandbox/api/');
  }
  return path;
}
