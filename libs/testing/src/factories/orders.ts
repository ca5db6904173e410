/**
 * Test orders (issue #15 part 6): what order-state's POST /orders takes, and unique payment ids for
 * tests that share a broker or a database.
 */
import { randomBytes } from 'crypto';
import type { Amount } from '@app/contracts';
import { APS_PARTNER } from './partners';

/** The amount every factory uses unless told otherwise. */
export const DEFAULT_AMOUNT: Amount = { value: '1000', currency: 'JPY' };

/** A payment request id no other test run uses: `<label>-<10 hex digits>`. */
export const uniquePaymentRequestId = (label: string): string => `${label}-${randomBytes(5).toString('hex')}`;

/** The body of order-state's POST /orders (its RegisterOrderBody). */
export interface OrderRegistration {
  paymentRequestId: string;
  clientId: string;
  orderNo: string;
  dialect: 'alipayplus' | 'antom';
  amount: Amount;
  /** Absent: the payment expires 1 minute after registration (protocol.md §5). */
  paymentExpiryTime?: string | null;
}

/** An order of the default partner; `orderNo` follows the payment request id unless given. */
export function orderRegistration(over: Partial<OrderRegistration> = {}): OrderRegistration {
  const paymentRequestId = over.paymentRequestId ?? 'pr-1';
  return {
    paymentRequestId,
    clientId: APS_PARTNER.clientId,
    orderNo: `order-${paymentRequestId}`,
    dialect: APS_PARTNER.dialect,
    amount: DEFAULT_AMOUNT,
    ...over,
  };
}

/** POST /orders on an order-state at `baseUrl`; the response is the test's to check. */
export function postOrder(
  baseUrl: string,
  over: Partial<OrderRegistration> = {},
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${baseUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(orderRegistration(over)),
  });
}
