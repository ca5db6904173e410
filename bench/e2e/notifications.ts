/**
 * bench:e2e's input: orders registered with order-state's API and one signed Alipay+ notifyPayment
 * per order (protocol.md §1.3, §2.1).
 */
import { loadPrivateKey, signMessage } from '@app/alipayplus';
import { DEMO_PARTNERS, Pipeline } from '@app/testing/pipeline';
import { PreparedRequest } from './open-loop';

export const partner = DEMO_PARTNERS.find((p) => p.dialect === 'alipayplus')!;

/** Registers the orders with order-state's API, a few at a time (registration is idempotent). */
export async function registerAll(pipeline: Pipeline, ids: string[]) {
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      await pipeline.registerOrder({
        paymentRequestId: id,
        partner,
        amount: { value: '1000', currency: 'USD' },
        paymentExpiryTime: new Date(Date.now() + 3_600_000).toISOString(),
        timeline: [],
      });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** An Alipay+ notifyPayment for the order, signed with the partner's key. */
export function signedNotification(
  id: string,
  privateKey: ReturnType<typeof loadPrivateKey>,
): PreparedRequest {
  const signedPath = `/${partner.dialect}/notify`;
  const body = JSON.stringify({
    paymentResult: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' },
    paymentRequestId: id,
    paymentId: `P${id}`.slice(0, 64),
    acquirerId: 'ACQ-BENCH',
    pspId: 'PSP-BENCH',
    customerId: 'CUST-BENCH',
    paymentAmount: { value: '1000', currency: 'USD' },
    paymentTime: new Date().toISOString(),
    walletBrandName: 'BENCH',
  });
  const time = new Date().toISOString();
  const { signatureHeader } = signMessage({
    path: signedPath,
    clientId: partner.clientId,
    time,
    body,
    privateKey,
    keyVersion: '1',
  });
  return {
    id,
    path: signedPath,
    headers: {
      'content-type': 'application/json; charset=UTF-8',
      'client-id': partner.clientId,
      'request-time': time,
      signature: signatureHeader,
    },
    body,
  };
}
