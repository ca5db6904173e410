import {
  AlipayPlusNotifyPaymentSchema,
  AntomNotifyPaymentSchema,
  decideCancel,
  decideInquiry,
} from '@app/alipayplus';
import { waitFor } from '@app/testing/wait-for';
import { ChaosSettings } from '../src';
import {
  APS_CLIENT,
  ANTOM_CLIENT,
  partner,
  clientFor,
  script,
  PAID,
  runCleanups,
  startSimulator,
  AckBehaviour,
  startReceiver,
} from './signed-simulator';

const activeTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('AlipayPlusSimulator — notifyPayment', () => {
  afterEach(runCleanups);

  /** 600: the 1 s / 3 s quick retries take 2 ms / 5 ms, the 30 s one 50 ms. */
  async function scenario(
    dialect: 'alipayplus' | 'antom',
    behaviour?: (n: number) => AckBehaviour,
    options: { chaos?: Partial<ChaosSettings>; timeScale?: number; logger?: (line: string) => void } = {},
  ) {
    const receiver = await startReceiver(dialect, behaviour);
    const clientId = dialect === 'antom' ? ANTOM_CLIENT : APS_CLIENT;
    const { sim, url } = await startSimulator({
      partners: [partner(clientId, dialect, receiver.url)],
      timeScale: options.timeScale ?? 600,
      chaos: options.chaos,
      seed: 7,
      logger: options.logger,
    });
    return { ...receiver, sim, url, clientId };
  }

  it('Alipay+: delivers one signed SUCCESS notification when it is acknowledged', async () => {
    const { sim, received, clientId } = await scenario('alipayplus');
    const truth = sim.createPayment(script(clientId, 'alipayplus', PAID));
    await sim.idle();

    expect(received).toHaveLength(1);
    const [notification] = received;
    expect(notification.verified).toBe(true);
    expect(notification.path).toBe('/alipayplus/notify');
    expect(notification.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(notification.headers['request-time']).toMatch(/^\d{4}-\d\d-\d\dT/);
    const body = AlipayPlusNotifyPaymentSchema.parse(JSON.parse(notification.rawBody.toString('utf8')));
    expect(body).toMatchObject({
      paymentResult: { resultStatus: 'S', resultCode: 'SUCCESS' },
      paymentRequestId: truth.paymentRequestId,
      paymentId: truth.paymentId,
      paymentAmount: { value: '1250', currency: 'USD' },
    });
    expect(sim.truth(truth.paymentRequestId)).toMatchObject({
      notificationAttempts: 1,
      notificationAcked: true,
    });
    expect(sim.stats()).toMatchObject({ notificationsSent: 1, notificationsAcked: 1 });
  });

  it('Antom: delivers a FAIL PAYMENT_RESULT with its code, and an unsigned ack is enough', async () => {
    const { sim, received, clientId } = await scenario('antom');
    const truth = sim.createPayment(
      script(clientId, 'antom', [
        { atMs: 0, status: 'PROCESSING' },
        { atMs: 5_000, status: 'FAIL', resultCode: 'USER_BALANCE_NOT_ENOUGH' },
      ]),
    );
    await sim.idle();
    expect(received).toHaveLength(1);
    expect(received[0].verified).toBe(true);
    const body = AntomNotifyPaymentSchema.parse(JSON.parse(received[0].rawBody.toString('utf8')));
    expect(body).toMatchObject({
      notifyType: 'PAYMENT_RESULT',
      result: { resultStatus: 'F', resultCode: 'USER_BALANCE_NOT_ENOUGH' },
      paymentRequestId: truth.paymentRequestId,
    });
    expect(sim.truth(truth.paymentRequestId)).toMatchObject({
      notificationAcked: true,
      expectedOrderStatus: 'fail',
    });
  });

  it('idle() also waits for a notification the script makes due later', async () => {
    const { sim, received, clientId } = await scenario('alipayplus');
    sim.createPayment(
      script(clientId, 'alipayplus', [
        { atMs: 0, status: 'PROCESSING' },
        { atMs: 60_000, status: 'SUCCESS' },
      ]),
    );
    expect(received).toHaveLength(0);
    await sim.idle();
    expect(received).toHaveLength(1);
  });

  it('retries after U acks, re-sending the same bytes, and stops once acknowledged', async () => {
    const { sim, received, clientId } = await scenario('alipayplus', (n) => (n <= 2 ? 'unknown' : 'ack'));
    const truth = sim.createPayment(script(clientId, 'alipayplus', PAID));
    await sim.idle();
    expect(received).toHaveLength(3);
    expect(received.every((r) => r.verified)).toBe(true);
    expect(new Set(received.map((r) => r.rawBody.toString('utf8'))).size).toBe(1);
    expect(sim.truth(truth.paymentRequestId)).toMatchObject({
      notificationAttempts: 3,
      notificationAcked: true,
    });
  });

  it('keeps retrying while the ack signature is bad, until the 15 attempts are spent', async () => {
    // 100000: the whole schedule (about 34 simulated hours) takes about a real second.
    const { sim, received, clientId } = await scenario('alipayplus', () => 'badly-signed', {
      timeScale: 100_000,
    });
    const truth = sim.createPayment(script(clientId, 'alipayplus', PAID));
    await sim.idle();
    expect(received).toHaveLength(15);
    expect(sim.truth(truth.paymentRequestId)).toMatchObject({
      notificationAttempts: 15,
      notificationAcked: false,
    });
    expect(sim.stats()).toMatchObject({ notificationsSent: 15, notificationsAcked: 0 });
  });

  it('drop rate 1: nothing arrives, while inquiries still tell the truth', async () => {
    const { sim, url, received, clientId } = await scenario('alipayplus', undefined, {
      chaos: { notifyDropRate: 1 },
    });
    const truth = sim.createPayment(script(clientId, 'alipayplus', PAID));
    await sim.idle();
    expect(received).toHaveLength(0);
    expect(sim.truth(truth.paymentRequestId)).toMatchObject({
      notificationAttempts: 0,
      notificationAcked: false,
    });
    const inquiry = await clientFor(url, 'alipayplus', clientId).inquiryPayment({
      paymentRequestId: truth.paymentRequestId,
    });
    expect(inquiry.kind === 'response' && decideInquiry('alipayplus', inquiry.body)).toMatchObject({
      outcome: 'SUCCESS',
    });
  });

  it('attempt loss: lost attempts never arrive, the sender retries until one is acknowledged', async () => {
    const { sim, received, clientId } = await scenario('alipayplus', undefined, {
      chaos: { notifyAttemptLossRate: 0.5 },
      timeScale: 100_000,
    });
    // Fixed IDs: each payment's chaos stream derives from (seed, paymentRequestId), so this run is reproducible.
    const payments = Array.from({ length: 10 }, (_, i) =>
      sim.createPayment(script(clientId, 'alipayplus', PAID, { paymentRequestId: `loss-${i}` })),
    );
    await sim.idle();
    const truths = payments.map((p) => sim.truth(p.paymentRequestId));
    const attempts = truths.reduce((sum, t) => sum + (t?.notificationAttempts ?? 0), 0);
    expect(truths.every((t) => t?.notificationAcked)).toBe(true);
    // Each payment arrived exactly once (its first attempt that was not lost was acknowledged)...
    expect(received).toHaveLength(10);
    // ...and with seed 7 at rate 0.5 some attempts were lost on the way.
    expect(attempts).toBeGreaterThan(10);
    expect(sim.stats().notificationsSent).toBe(10);
  });

  it('duplicate rate 1: the same request arrives twice, byte for byte', async () => {
    const { sim, received, clientId } = await scenario('antom', undefined, {
      chaos: { notifyDuplicateRate: 1 },
    });
    const truth = sim.createPayment(script(clientId, 'antom', PAID));
    await sim.idle();
    expect(received).toHaveLength(2);
    expect(received[1].rawBody.equals(received[0].rawBody)).toBe(true);
    expect(received[1].headers.signature).toBe(received[0].headers.signature);
    expect(received.every((r) => r.verified)).toBe(true);
    expect(sim.truth(truth.paymentRequestId)).toMatchObject({
      notificationAttempts: 1,
      notificationAcked: true,
    });
  });

  it('sends nothing for notify: false, nor for a payment cancelled before it became final', async () => {
    const { sim, url, received, clientId } = await scenario('alipayplus');
    sim.createPayment(script(clientId, 'alipayplus', PAID, { notify: false }));
    const later = sim.createPayment(
      script(clientId, 'alipayplus', [
        { atMs: 0, status: 'PROCESSING' },
        { atMs: 3_600_000, status: 'SUCCESS' },
      ]),
    );
    const cancel = await clientFor(url, 'alipayplus', clientId).cancelPayment({
      paymentRequestId: later.paymentRequestId,
    });
    expect(cancel.kind === 'response' && decideCancel('alipayplus', cancel.body).kind).toBe('cancelled');
    // The cancel voided the scripted success, so no notification is left to wait for.
    await sim.idle();
    expect(received).toHaveLength(0);
    expect(sim.truth(later.paymentRequestId)).toMatchObject({ status: 'CANCELLED', paidBeforeCancel: false });
  });

  it('stop() ends retries in progress and releases idle()', async () => {
    const events: Array<{ event: string }> = [];
    const { sim, clientId } = await scenario('alipayplus', () => 'unknown', {
      timeScale: 1,
      logger: (line) => events.push(JSON.parse(line) as { event: string }),
    });
    sim.createPayment(script(clientId, 'alipayplus', PAID));
    // Logged once the first attempt has its (U) answer; the retry timer is armed right after.
    await waitFor(async () => events.some((e) => e.event === 'notify.attempt'), {
      description: 'the first attempt to be answered',
      timeoutMs: 10_000,
      intervalMs: 10,
    });
    const idle = sim.idle();
    const timersBefore = activeTimers();
    await sim.stop();
    await expect(idle).resolves.toBeUndefined();
    // The retry timer (1 simulated s away) is gone: nothing of the simulator keeps running.
    expect(activeTimers()).toBeLessThan(timersBefore);
    expect(() => sim.createPayment(script(clientId, 'alipayplus', PAID))).toThrow(
      expect.objectContaining({ code: 'STOPPED' }),
    );
  });
});
