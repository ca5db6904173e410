import { decideCancel, decideInquiry } from '@app/alipayplus';
import {
  APS_CLIENT,
  ANTOM_CLIENT,
  clientFor,
  script,
  PAID,
  useApiSimulator,
  verifiedBody,
} from './signed-simulator';

describe('AlipayPlusSimulator — cancel over signed HTTP', () => {
  const api = useApiSimulator();

  describe.each([
    ['alipayplus', APS_CLIENT],
    ['antom', ANTOM_CLIENT],
  ] as const)('cancel (%s)', (dialect, clientId) => {
    const cancel = async (paymentRequestId: string) => {
      const body = verifiedBody(
        await clientFor(api.url, dialect, clientId).cancelPayment({ paymentRequestId }),
      );
      return { decision: decideCancel(dialect, body), body };
    };

    it('reverses a paid payment: CANCELLED with paidBeforeCancel, and later inquiries say closed', async () => {
      const truth = api.sim.createPayment(script(clientId, dialect, PAID));
      const { decision } = await cancel(truth.paymentRequestId);
      expect(decision).toMatchObject({ kind: 'cancelled', resultCode: 'SUCCESS' });
      if (dialect === 'antom') expect(decision).toHaveProperty('cancelTime');
      expect(api.sim.truth(truth.paymentRequestId)).toMatchObject({
        status: 'CANCELLED',
        resultCode: 'CANCELLED',
        paidBeforeCancel: true,
        expectedOrderStatus: 'cancelled',
        cancels: 1,
      });
      const inquiry = await clientFor(api.url, dialect, clientId).inquiryPayment({
        paymentRequestId: truth.paymentRequestId,
      });
      expect(inquiry.kind === 'response' && decideInquiry(dialect, inquiry.body)).toMatchObject({
        kind: 'final',
        outcome: 'CLOSED',
      });
    });

    it('is idempotent: a repeat answers S again and changes nothing', async () => {
      const truth = api.sim.createPayment(script(clientId, dialect, PAID));
      const first = await cancel(truth.paymentRequestId);
      const second = await cancel(truth.paymentRequestId);
      expect(first.decision.kind).toBe('cancelled');
      expect(second.decision).toEqual(first.decision);
      expect(api.sim.truth(truth.paymentRequestId)).toMatchObject({
        status: 'CANCELLED',
        paidBeforeCancel: true,
        cancels: 2,
      });
    });

    it('closes a failed payment (S) without marking it paid', async () => {
      const truth = api.sim.createPayment(script(clientId, dialect, [{ atMs: 0, status: 'FAIL' }]));
      expect((await cancel(truth.paymentRequestId)).decision.kind).toBe('cancelled');
      expect(api.sim.truth(truth.paymentRequestId)).toMatchObject({
        status: 'CANCELLED',
        paidBeforeCancel: false,
      });
    });

    it('answers an unknown payment with F ORDER_NOT_EXIST', async () => {
      expect((await cancel(`unknown-cancel-${dialect}`)).decision).toMatchObject({
        kind: 'failed',
        resultCode: 'ORDER_NOT_EXIST',
      });
    });
  });
});
