import { decideInquiry } from '@app/alipayplus';
import { waitFor } from '@app/testing/wait-for';
import {
  APS_CLIENT,
  ANTOM_CLIENT,
  SANDBOX_CLIENT,
  partner,
  clientFor,
  script,
  PAID,
  PENDING,
  startSimulator,
  useApiSimulator,
  verifiedBody,
} from './signed-simulator';

describe('AlipayPlusSimulator — inquiryPayment over signed HTTP', () => {
  const api = useApiSimulator();

  describe.each([
    ['alipayplus', APS_CLIENT],
    ['antom', ANTOM_CLIENT],
  ] as const)('inquiry (%s)', (dialect, clientId) => {
    const inquire = async (paymentRequestId: string) => {
      const response = await clientFor(api.url, dialect, clientId).inquiryPayment({ paymentRequestId });
      return decideInquiry(dialect, verifiedBody(response));
    };

    it('answers a processing payment with a verified "pending"', async () => {
      const truth = api.sim.createPayment(script(clientId, dialect, PENDING));
      await expect(inquire(truth.paymentRequestId)).resolves.toMatchObject({ kind: 'pending' });
      expect(api.sim.truth(truth.paymentRequestId)).toMatchObject({ status: 'PROCESSING', inquiries: 1 });
    });

    it('answers a paid payment with SUCCESS, its paymentId and amount', async () => {
      const truth = api.sim.createPayment(script(clientId, dialect, PAID));
      await expect(inquire(truth.paymentRequestId)).resolves.toMatchObject({
        kind: 'final',
        outcome: 'SUCCESS',
        resultCode: 'SUCCESS',
        paymentRequestId: truth.paymentRequestId,
        paymentId: truth.paymentId,
        amount: { value: '1250', currency: 'USD' },
      });
    });

    it('answers a failed payment with FAIL and its code, and a closed one with CLOSED', async () => {
      const failed = api.sim.createPayment(
        script(clientId, dialect, [{ atMs: 0, status: 'FAIL', resultCode: 'RISK_REJECT' }]),
      );
      await expect(inquire(failed.paymentRequestId)).resolves.toMatchObject({
        kind: 'final',
        outcome: 'FAIL',
        resultCode: 'RISK_REJECT',
      });
      const closed = api.sim.createPayment(
        script(clientId, dialect, [{ atMs: 0, status: 'FAIL', resultCode: 'ORDER_IS_CLOSED' }]),
      );
      await expect(inquire(closed.paymentRequestId)).resolves.toMatchObject({
        kind: 'final',
        outcome: 'CLOSED',
      });
      expect(api.sim.truth(closed.paymentRequestId)?.expectedOrderStatus).toBe('cancelled');
    });

    it('answers an unknown payment with F ORDER_NOT_EXIST', async () => {
      await expect(inquire(`unknown-${dialect}`)).resolves.toEqual({
        kind: 'not-found',
        resultCode: 'ORDER_NOT_EXIST',
      });
    });

    it('finds a payment by its paymentId too', async () => {
      const truth = api.sim.createPayment(script(clientId, dialect, PAID));
      const response = await clientFor(api.url, dialect, clientId).inquiryPayment({
        paymentId: truth.paymentId,
      });
      expect(response.kind === 'response' && decideInquiry(dialect, response.body)).toMatchObject({
        kind: 'final',
        paymentRequestId: truth.paymentRequestId,
      });
    });

    it("does not show another client's payment", async () => {
      const other = dialect === 'antom' ? SANDBOX_CLIENT : ANTOM_CLIENT;
      const truth = api.sim.createPayment(script(other, 'antom', PAID));
      await expect(inquire(truth.paymentRequestId)).resolves.toMatchObject({ kind: 'not-found' });
    });
  });

  it('serves the Antom sandbox path for SANDBOX_ client IDs', async () => {
    const truth = api.sim.createPayment(script(SANDBOX_CLIENT, 'antom', PAID));
    const client = clientFor(api.url, 'antom', SANDBOX_CLIENT);
    const response = await client.inquiryPayment({ paymentRequestId: truth.paymentRequestId });
    expect(response).toMatchObject({ kind: 'response', verified: true, body: { paymentStatus: 'SUCCESS' } });
  });

  it('lets a scripted success happen over time (timeScale)', async () => {
    const { sim: fast, url: fastUrl } = await startSimulator({
      partners: [partner(APS_CLIENT, 'alipayplus')],
      timeScale: 600,
    });
    const truth = fast.createPayment(
      script(APS_CLIENT, 'alipayplus', [
        { atMs: 0, status: 'PROCESSING' },
        { atMs: 60_000, status: 'SUCCESS' },
      ]),
    );
    const client = clientFor(fastUrl, 'alipayplus', APS_CLIENT);
    const first = await client.inquiryPayment({ paymentRequestId: truth.paymentRequestId });
    expect(first.kind === 'response' && decideInquiry('alipayplus', first.body)).toMatchObject({
      kind: 'pending',
    });
    await waitFor(
      async () => {
        const response = await client.inquiryPayment({ paymentRequestId: truth.paymentRequestId });
        return response.kind === 'response' && decideInquiry('alipayplus', response.body).kind === 'final';
      },
      { description: 'the scripted success one simulated minute later', timeoutMs: 10_000, intervalMs: 20 },
    );
    expect(fast.truth(truth.paymentRequestId)).toMatchObject({
      status: 'SUCCESS',
      expectedOrderStatus: 'success',
    });
  });
});
