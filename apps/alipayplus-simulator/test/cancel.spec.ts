import { decideCancel, decideInquiry } from '@app/alipayplus';
import { AlipayPlusSimulator } from '../src';
import {
  APS_CLIENT,
  ANTOM_CLIENT,
  clientFor,
  script,
  PAID,
  runCleanups,
  startSimulator,
  apiPartners,
} from './signed-simulator';

describe('AlipayPlusSimulator — cancel over signed HTTP', () => {
  let sim: AlipayPlusSimulator;
  let url: string;

  beforeAll(async () => {
    ({ sim, url } = await startSimulator({ partners: apiPartners() }));
  });
  afterAll(runCleanups);

  describe.each([
    ['alipayplus', APS_CLIENT],
    ['antom', ANTOM_CLIENT],
  ] as const)('cancel (%s)', (dialect, clientId) => {
    const cancel = async (paymentRequestId: string) => {
      const response = await clientFor(url, dialect, clientId).cancelPayment({ paymentRequestId });
      if (response.kind !== 'response') throw new Error(`no response: ${JSON.stringify(response)}`);
      expect(response.verified).toBe(true);
      return { decision: decideCancel(dialect, response.body), body: response.body };
    };

    it('reverses a paid payment: CANCELLED with paidBeforeCancel, and later inquiries say closed', async () => {
      const truth = sim.createPayment(script(clientId, dialect, PAID));
      const { decision } = await cancel(truth.paymentRequestId);
      expect(decision).toMatchObject({ kind: 'cancelled', resultCode: 'SUCCESS' });
      if (dialect === 'antom') expect(decision).toHaveProperty('cancelTime');
      expect(sim.truth(truth.paymentRequestId)).toMatchObject({
        status: 'CANCELLED',
        resultCode: 'CANCELLED',
        paidBeforeCancel: true,
        expectedOrderStatus: 'cancelled',
        cancels: 1,
      });
      const inquiry = await clientFor(url, dialect, clientId).inquiryPayment({
        paymentRequestId: truth.paymentRequestId,
      });
      expect(inquiry.kind === 'response' && decideInquiry(dialect, inquiry.body)).toMatchObject({
        kind: 'final',
        outcome: 'CLOSED',
      });
    });

    it('is idempotent: a repeat answers S again and changes nothing', async () => {
      const truth = sim.createPayment(script(clientId, dialect, PAID));
      const first = await cancel(truth.paymentRequestId);
      const second = await cancel(truth.paymentRequestId);
      expect(first.decision.kind).toBe('cancelled');
      expect(second.decision).toEqual(first.decision);
      expect(sim.truth(truth.paymentRequestId)).toMatchObject({
        status: 'CANCELLED',
        paidBeforeCancel: true,
        cancels: 2,
      });
    });

    it('closes a failed payment (S) without marking it paid', async () => {
      const truth = sim.createPayment(script(clientId, dialect, [{ atMs: 0, status: 'FAIL' }]));
      expect((await cancel(truth.paymentRequestId)).decision.kind).toBe('cancelled');
      expect(sim.truth(truth.paymentRequestId)).toMatchObject({
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
