import { decideInquiry, signMessage, verifySignedMessage } from '@app/alipayplus';
import {
  alipayKeys,
  acquirerKeys,
  strangerKeys,
  APS_CLIENT,
  ANTOM_CLIENT,
  clientFor,
  script,
  PAID,
  useApiSimulator,
} from './signed-simulator';

describe('AlipayPlusSimulator — requests it refuses (signature, API, method, client, schema)', () => {
  const api = useApiSimulator();

  it('answers a request signed with the wrong key with a signed F INVALID_SIGNATURE and counts it', async () => {
    const truth = api.sim.createPayment(script(APS_CLIENT, 'alipayplus', PAID));
    const before = api.sim.stats().rejectedSignatures;
    const impostor = clientFor(api.url, 'alipayplus', APS_CLIENT, strangerKeys.privateKey);
    const response = await impostor.inquiryPayment({ paymentRequestId: truth.paymentRequestId });
    expect(response).toMatchObject({ kind: 'response', verified: true });
    expect(response.kind === 'response' && decideInquiry('alipayplus', response.body)).toEqual({
      kind: 'human',
      resultCode: 'INVALID_SIGNATURE',
      resultMessage: expect.any(String),
    });
    expect(api.sim.stats().rejectedSignatures).toBe(before + 1);
    expect(api.sim.truth(truth.paymentRequestId)?.inquiries).toBe(0);
  });

  it("answers a client calling the other dialect's API with F INVALID_API", async () => {
    const response = await clientFor(api.url, 'alipayplus', ANTOM_CLIENT).inquiryPayment({
      paymentRequestId: 'x',
    });
    expect(response).toMatchObject({ kind: 'response', verified: true });
    expect(response.kind === 'response' && decideInquiry('alipayplus', response.body)).toMatchObject({
      kind: 'human',
      resultCode: 'INVALID_API',
    });
  });

  it('answers anything but POST on an API path with 405', async () => {
    const response = await fetch(`${api.url}/aps/api/v1/payments/inquiryPayment`);
    expect(response.status).toBe(405);
    expect(await response.json()).toMatchObject({ result: { resultCode: 'METHOD_NOT_SUPPORTED' } });
  });

  it('answers an unknown client with F INVALID_CLIENT (unsigned: there is no partner key)', async () => {
    const response = await clientFor(api.url, 'antom', 'NOBODY').inquiryPayment({ paymentRequestId: 'x' });
    expect(response).toMatchObject({
      kind: 'response',
      verified: false,
      body: { result: { resultStatus: 'F', resultCode: 'INVALID_CLIENT' } },
    });
  });

  it('refuses a body that fails the request schema with F PARAM_ILLEGAL', async () => {
    // The client validates its own requests, so this one is signed by hand like a buggy acquirer would.
    const body = '{"paymentRequestId":""}';
    const path = '/aps/api/v1/payments/inquiryPayment';
    const requestTime = new Date().toISOString();
    const { signatureHeader } = signMessage({
      path,
      clientId: APS_CLIENT,
      time: requestTime,
      body,
      privateKey: acquirerKeys.privateKey,
    });
    const response = await fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'Client-Id': APS_CLIENT, 'Request-Time': requestTime, Signature: signatureHeader },
      body,
    });
    const answer = (await response.json()) as { result: { resultCode: string; resultStatus: string } };
    expect(answer.result).toMatchObject({ resultStatus: 'F', resultCode: 'PARAM_ILLEGAL' });
    const verification = verifySignedMessage({
      path,
      clientId: response.headers.get('client-id') ?? undefined,
      time: response.headers.get('response-time') ?? undefined,
      rawBody: JSON.stringify(answer),
      signatureHeader: response.headers.get('signature') ?? undefined,
      publicKey: alipayKeys.publicKey,
    });
    expect(verification.ok).toBe(true);
  });
});
