import { AlipayPlusSimulator } from '../src';
import {
  alipayKeys,
  APS_CLIENT,
  partner,
  script,
  PENDING,
  runCleanups,
  startSimulator,
} from './signed-simulator';

describe('AlipayPlusSimulator — admin API', () => {
  let sim: AlipayPlusSimulator;
  let url: string;
  beforeAll(async () => {
    ({ sim, url } = await startSimulator({ partners: [partner(APS_CLIENT, 'alipayplus')] }));
  });
  afterAll(runCleanups);

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, text, json: JSON.parse(text) as Record<string, unknown> };
  };

  it('creates a payment and shows its truth, without any key material', async () => {
    const input = script(APS_CLIENT, 'alipayplus', PENDING);
    const created = await call('POST', '/sim/payments', input);
    expect(created.status).toBe(201);
    expect(Object.keys(created.json).sort()).toEqual(
      [
        'cancels',
        'clientId',
        'dialect',
        'expectedOrderStatus',
        'inquiries',
        'notificationAcked',
        'notificationAttempts',
        'paidBeforeCancel',
        'paymentId',
        'paymentRequestId',
        'resultCode',
        'status',
      ].sort(),
    );
    expect(created.json).toMatchObject({
      status: 'PROCESSING',
      resultCode: 'PAYMENT_IN_PROCESS',
      expectedOrderStatus: null,
    });
    const fetched = await call('GET', `/sim/payments/${encodeURIComponent(input.paymentRequestId)}`);
    expect(fetched).toMatchObject({ status: 200, json: created.json });
    const truths = await call('GET', '/sim/truths');
    expect(truths.json).toEqual(expect.arrayContaining([created.json]));
    const pem = alipayKeys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64').slice(0, 40);
    expect(truths.text).not.toContain(pem);
    expect(truths.text).not.toMatch(/key/i);
  });

  it('reports errors with stable codes', async () => {
    const input = script(APS_CLIENT, 'alipayplus', PENDING);
    await call('POST', '/sim/payments', input);
    expect(await call('POST', '/sim/payments', input)).toMatchObject({
      status: 409,
      json: { error: { code: 'DUPLICATE_PAYMENT' } },
    });
    expect(
      await call('POST', '/sim/payments', { ...input, paymentRequestId: 'y', amount: { value: '1.5' } }),
    ).toMatchObject({
      status: 400,
      json: { error: { code: 'INVALID_SCRIPT' } },
    });
    expect(await call('POST', '/sim/payments', { ...script('NOBODY', 'antom', PENDING) })).toMatchObject({
      status: 422,
      json: { error: { code: 'UNKNOWN_PARTNER' } },
    });
    expect(await call('POST', '/sim/payments', '{not json')).toMatchObject({
      status: 400,
      json: { error: { code: 'INVALID_JSON' } },
    });
    expect(await call('GET', '/sim/payments/nope')).toMatchObject({
      status: 404,
      json: { error: { code: 'PAYMENT_NOT_FOUND' } },
    });
    expect(await call('POST', '/sim/chaos', { http5xxRate: 3 })).toMatchObject({
      status: 400,
      json: { error: { code: 'INVALID_CHAOS' } },
    });
  });

  it('changes chaos, reports stats and idles', async () => {
    const changed = await call('POST', '/sim/chaos', { latencyMs: [1, 2] });
    expect(changed).toMatchObject({ status: 200, json: { latencyMs: [1, 2], http5xxRate: 0 } });
    expect((await call('GET', '/sim/chaos')).json).toMatchObject({ latencyMs: [1, 2] });
    const stats = await call('GET', '/sim/stats');
    expect(stats.json).toEqual(sim.stats());
    expect(await call('GET', '/sim/idle?timeoutMs=1000')).toMatchObject({
      status: 200,
      json: { idle: true },
    });
  });
});
