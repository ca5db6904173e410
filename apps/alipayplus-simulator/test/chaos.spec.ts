import { decideCancel, decideInquiry } from '@app/alipayplus';
import {
  APS_CLIENT,
  ANTOM_CLIENT,
  partner,
  clientFor,
  script,
  PAID,
  runCleanups,
  startSimulator,
} from './signed-simulator';

describe('AlipayPlusSimulator — chaos on inquiry and cancel', () => {
  afterEach(runCleanups);

  it('U chaos rate 1.0 makes every inquiry and cancel a retry decision, and the cancel is not applied', async () => {
    const { sim, url } = await startSimulator({
      partners: [partner(APS_CLIENT, 'alipayplus'), partner(ANTOM_CLIENT, 'antom')],
      chaos: { inquiryUnknownRate: 1, cancelUnknownRate: 1 },
    });
    for (const [dialect, clientId] of [
      ['alipayplus', APS_CLIENT],
      ['antom', ANTOM_CLIENT],
    ] as const) {
      const truth = sim.createPayment(script(clientId, dialect, PAID));
      const client = clientFor(url, dialect, clientId);
      const inquiry = await client.inquiryPayment({ paymentRequestId: truth.paymentRequestId });
      expect(inquiry).toMatchObject({ kind: 'response', verified: true });
      expect(inquiry.kind === 'response' && decideInquiry(dialect, inquiry.body)).toEqual({
        kind: 'retry',
        backoff: false,
        resultCode: 'UNKNOWN_EXCEPTION',
      });
      const cancel = await client.cancelPayment({ paymentRequestId: truth.paymentRequestId });
      expect(cancel.kind === 'response' && decideCancel(dialect, cancel.body)).toEqual({
        kind: 'retry',
        backoff: false,
        resultCode: 'UNKNOWN_EXCEPTION',
      });
      expect(sim.truth(truth.paymentRequestId)?.status).toBe('SUCCESS');
    }
    sim.setChaos({ cancelUnknownRate: 0 });
    const truth = sim.createPayment(script(APS_CLIENT, 'alipayplus', PAID));
    const cancel = await clientFor(url, 'alipayplus', APS_CLIENT).cancelPayment({
      paymentRequestId: truth.paymentRequestId,
    });
    expect(cancel.kind === 'response' && decideCancel('alipayplus', cancel.body).kind).toBe('cancelled');
  });

  it('answers HTTP 503 without a signed body at 5xx rate 1.0', async () => {
    const { sim, url } = await startSimulator({
      partners: [partner(APS_CLIENT, 'alipayplus')],
      chaos: { http5xxRate: 1 },
    });
    const truth = sim.createPayment(script(APS_CLIENT, 'alipayplus', PAID));
    const response = await clientFor(url, 'alipayplus', APS_CLIENT).inquiryPayment({
      paymentRequestId: truth.paymentRequestId,
    });
    expect(response).toEqual({ kind: 'transport-error', reason: 'HTTP_503' });
    expect(sim.stats().inquiries).toBe(1);
  });

  it('rate-limits per client with U REQUEST_TRAFFIC_EXCEED_LIMIT (a backoff retry)', async () => {
    const { sim, url } = await startSimulator({
      partners: [partner(APS_CLIENT, 'alipayplus'), partner(ANTOM_CLIENT, 'antom')],
      chaos: { rateLimitPerSecond: 1 },
    });
    const truth = sim.createPayment(script(APS_CLIENT, 'alipayplus', PAID));
    const client = clientFor(url, 'alipayplus', APS_CLIENT);
    const first = await client.inquiryPayment({ paymentRequestId: truth.paymentRequestId });
    const second = await client.inquiryPayment({ paymentRequestId: truth.paymentRequestId });
    expect(first.kind === 'response' && decideInquiry('alipayplus', first.body).kind).toBe('final');
    expect(second.kind === 'response' && decideInquiry('alipayplus', second.body)).toEqual({
      kind: 'retry',
      backoff: true,
      resultCode: 'REQUEST_TRAFFIC_EXCEED_LIMIT',
    });
    // Another client has its own bucket.
    const antom = await clientFor(url, 'antom', ANTOM_CLIENT).inquiryPayment({ paymentRequestId: 'x' });
    expect(antom.kind === 'response' && decideInquiry('antom', antom.body).kind).toBe('not-found');
    expect(sim.stats().rateLimited).toBe(1);
  });

  it('counts an inquiry that starts while another for the same payment is still being answered', async () => {
    const { sim, url } = await startSimulator({
      partners: [partner(APS_CLIENT, 'alipayplus')],
      chaos: { latencyMs: [150, 150] },
    });
    const one = sim.createPayment(script(APS_CLIENT, 'alipayplus', PAID));
    const two = sim.createPayment(script(APS_CLIENT, 'alipayplus', PAID));
    const client = clientFor(url, 'alipayplus', APS_CLIENT);
    const ask = (paymentRequestId: string) => client.inquiryPayment({ paymentRequestId });

    await ask(one.paymentRequestId);
    await ask(one.paymentRequestId);
    expect(sim.stats().concurrentInquiryViolations).toBe(0);

    await Promise.all([ask(one.paymentRequestId), ask(two.paymentRequestId)]);
    expect(sim.stats().concurrentInquiryViolations).toBe(0);

    const answers = await Promise.all([
      ask(one.paymentRequestId),
      ask(one.paymentRequestId),
      ask(one.paymentRequestId),
    ]);
    expect(answers.every((a) => a.kind === 'response')).toBe(true);
    expect(sim.stats().concurrentInquiryViolations).toBe(2);
    expect(sim.truth(one.paymentRequestId)?.inquiries).toBe(6);
  });
});
