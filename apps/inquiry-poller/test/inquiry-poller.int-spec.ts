import { ConsumerHealth } from '@app/kafka';
import { encodeEvent, Topics } from '@app/contracts';
import { inquiryHintEvent } from '@app/testing/factories';
import { waitFor } from '@app/testing';
import { groupCaughtUp } from '@app/testing/kafka-probes';
import { RunningInquiryPoller } from '../src/bootstrap';
import { PollerTestBed, TestPartner } from './poller-test-bed';

/**
 * Issue 4 acceptance, one replica: the poller, fed by order-state's status-changed events over the
 * real Kafka broker, settles payments whose notification never comes, cancels the ones that never
 * settle, stops polling final orders, and answers its operator triggers — against a simulator that
 * signs and verifies every message.
 */
describe('inquiry-poller with order-state and the signed simulator (real Kafka and PostgreSQL)', () => {
  const alipay: TestPartner = { clientId: 'T_POLL_APS', dialect: 'alipayplus' };
  const antom: TestPartner = { clientId: 'T_POLL_AMS', dialect: 'antom' };
  /** Never polled on its own within a test: only triggers make it inquire. */
  const manual: TestPartner = {
    clientId: 'T_POLL_MANUAL',
    dialect: 'alipayplus',
    policy: { firstInquiryDelayMs: 3_600_000 },
  };
  /** Configured with a public key that is not the simulator's. */
  const impostor: TestPartner = { clientId: 'T_POLL_WRONG_KEY', dialect: 'alipayplus', wrongPeerKey: true };
  const bed = new PollerTestBed([alipay, antom, manual, impostor]);
  let poller: RunningInquiryPoller;

  beforeAll(async () => {
    await bed.start();
    poller = await bed.startPoller('solo');
  });

  afterAll(async () => {
    await bed.stop();
  });

  it.each([
    ['Alipay+', alipay],
    ['Antom', antom],
  ])(
    '%s: a payment whose notification never comes reaches success through inquiry',
    async (_dialect, partner) => {
      const id = await bed.createOrder(partner, 'silent', {
        timeline: [
          { atMs: 0, status: 'PROCESSING' },
          { atMs: 1500, status: 'SUCCESS' },
        ],
        notify: false,
      });

      const order = await bed.waitForOrderStatus(id, 'success');
      const applied = order.timeline.filter((t) => t.effect === 'applied');
      expect(applied).toEqual([
        expect.objectContaining({
          source: 'inquiry',
          outcome: 'SUCCESS',
          eventId: `inquiry:${id}:SUCCESS:SUCCESS`,
        }),
      ]);
      expect(bed.sim.truth(id)!.inquiries).toBeGreaterThanOrEqual(1);
      expect(bed.sim.truth(id)!.notificationAttempts).toBe(0);
    },
  );

  it('a payment that stays PROCESSING until expiry is cancelled, the cancel retried through U answers', async () => {
    bed.sim.setChaos({ cancelUnknownRate: 1 });
    try {
      const id = await bed.createOrder(alipay, 'expiring', {
        timeline: [{ atMs: 0, status: 'PROCESSING' }],
        expiresInMs: 6000,
      });

      // At the expiry: CANCEL_REQUESTED moves the order to cancelling; the cancel is answered U, again and again.
      await bed.waitForOrderStatus(id, 'cancelling', 60_000);
      await waitFor(async () => bed.sim.truth(id)!.cancels >= 2, {
        description: `two cancel attempts for ${id}`,
        timeoutMs: 30_000,
      });
      expect(bed.sim.truth(id)!.status).toBe('PROCESSING');
      // While the cancel is under way an operator cannot force an inquiry.
      const busy = await fetch(`${poller.url}/inquiries/${id}`, { method: 'POST' });
      expect(busy.status).toBe(409);
      expect(await busy.json()).toMatchObject({ code: 'ORDER_CANCELLING' });

      bed.sim.setChaos({ cancelUnknownRate: 0 });
      const order = await bed.waitForOrderStatus(id, 'cancelled');

      expect(bed.sim.truth(id)).toMatchObject({ status: 'CANCELLED', expectedOrderStatus: 'cancelled' });
      expect(bed.sim.truth(id)!.cancels).toBeGreaterThanOrEqual(3);
      const cancelSteps = order.timeline.filter((t) => t.source === 'cancel').map((t) => t.eventId);
      expect(cancelSteps).toEqual([`cancel:${id}:CANCEL_REQUESTED`, `cancel:${id}:CANCELLED`]);
      const row = await waitFor(
        async () => {
          const r = await bed.scheduleRow(id);
          return r?.phase === 'done' ? r : undefined;
        },
        { description: `schedule row of ${id} done` },
      );
      // Done by our own completion (CANCELLED) or, when order-state's `cancelled` overtook it, by the
      // final status (ORDER_FINAL, which fences the completion out): either way nothing is left to do.
      expect(row.lease_owner).toBeNull();
      expect(['CANCELLED', 'ORDER_FINAL']).toContain(row.done_reason);
    } finally {
      bed.sim.setChaos({ cancelUnknownRate: 0 });
    }
  });

  it('polling stops once the order is final: no inquiry after the row is done, over many claim cycles', async () => {
    const id = await bed.createOrder(alipay, 'stops', {
      timeline: [
        { atMs: 0, status: 'PROCESSING' },
        { atMs: 1200, status: 'SUCCESS' },
      ],
      notify: false,
    });
    await bed.waitForOrderStatus(id, 'success');
    // The explicit signal: the schedule row is done (our inquiry saw SUCCESS; order-state's final
    // status-changed confirms it).
    await waitFor(
      async () => {
        const row = await bed.scheduleRow(id);
        return row?.phase === 'done' && row.order_status === 'success';
      },
      { description: `schedule row of ${id} done after the final status` },
    );
    const inquiries = bed.sim.truth(id)!.inquiries;
    expect(inquiries).toBeGreaterThanOrEqual(1);

    const cycles = poller.metrics.cycles;
    await waitFor(async () => poller.metrics.cycles >= cycles + 20, {
      description: '20 more claim cycles',
      timeoutMs: 60_000,
    });
    expect(bed.sim.truth(id)!.inquiries).toBe(inquiries);
  });

  it('a payment that fails is observed as FAIL; ORDER_IS_CLOSED as CLOSED (→ cancelled)', async () => {
    const failing = await bed.createOrder(antom, 'fails', {
      timeline: [
        { atMs: 0, status: 'PROCESSING' },
        { atMs: 800, status: 'FAIL', resultCode: 'USER_BALANCE_NOT_ENOUGH' },
      ],
    });
    const closing = await bed.createOrder(alipay, 'closed', {
      timeline: [
        { atMs: 0, status: 'PROCESSING' },
        { atMs: 800, status: 'FAIL', resultCode: 'ORDER_IS_CLOSED' },
      ],
    });
    const failed = await bed.waitForOrderStatus(failing, 'fail');
    expect(failed.timeline).toContainEqual(
      expect.objectContaining({
        eventId: `inquiry:${failing}:FAIL:USER_BALANCE_NOT_ENOUGH`,
        effect: 'applied',
      }),
    );
    const closed = await bed.waitForOrderStatus(closing, 'cancelled');
    expect(closed.timeline).toContainEqual(
      expect.objectContaining({ eventId: `inquiry:${closing}:CLOSED:ORDER_IS_CLOSED`, effect: 'applied' }),
    );
    // Closed by the MPP: no cancel was needed.
    expect(bed.sim.truth(closing)!.cancels).toBe(0);
  });

  it('an answer that fails signature verification is never believed: the paid order stays init', async () => {
    const id = await bed.createOrder(impostor, 'forged', {
      timeline: [{ atMs: 0, status: 'SUCCESS' }],
      expiresInMs: 600_000,
    });
    await waitFor(async () => bed.sim.truth(id)!.inquiries >= 3, {
      description: `three inquiries about ${id}`,
      timeoutMs: 60_000,
    });
    await waitFor(async () => (await bed.scheduleRow(id))?.attention_code === 'UNTRUSTED_RESPONSE', {
      description: `the untrusted answer recorded on ${id}`,
    });
    expect(await bed.scheduleRow(id)).toMatchObject({
      phase: 'inquiry',
      last_result_code: 'UNTRUSTED_RESPONSE',
    });
    const order = await bed.order(id);
    expect(order.status).toBe('init');
    expect(order.timeline).toEqual([]);
  });

  describe('triggers', () => {
    async function scheduled(id: string) {
      await waitFor(async () => (await bed.scheduleRow(id))?.phase === 'inquiry', {
        description: `${id} in the schedule`,
      });
    }

    it('POST /inquiries/:id makes a scheduled order due now (202), and answers 404 / 409 otherwise', async () => {
      const id = await bed.createOrder(manual, 'forced', {
        timeline: [
          { atMs: 0, status: 'PROCESSING' },
          { atMs: 500, status: 'SUCCESS' },
        ],
      });
      await scheduled(id);
      expect(bed.sim.truth(id)!.inquiries).toBe(0);
      expect(await bed.scheduleRow(id)).toMatchObject({ inquiry_attempts: 0 });

      const res = await fetch(`${poller.url}/inquiries/${id}`, { method: 'POST' });
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ code: 'INQUIRY_SCHEDULED', paymentRequestId: id });
      // Without the trigger the first inquiry would be an hour away, and there is no notification.
      await bed.waitForOrderStatus(id, 'success');
      expect(bed.sim.truth(id)!.inquiries).toBeGreaterThanOrEqual(1);

      await waitFor(async () => (await bed.scheduleRow(id))?.phase === 'done', { description: `${id} done` });
      const again = await fetch(`${poller.url}/inquiries/${id}`, { method: 'POST' });
      expect(again.status).toBe(409);
      expect(await again.json()).toMatchObject({ code: 'ORDER_FINAL' });

      const unknown = await fetch(`${poller.url}/inquiries/no-such-order`, { method: 'POST' });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ code: 'ORDER_NOT_EXIST' });

      const tooLong = await fetch(`${poller.url}/inquiries/${'x'.repeat(65)}`, { method: 'POST' });
      expect(tooLong.status).toBe(400);
      expect(await tooLong.json()).toMatchObject({ code: 'PARAM_ILLEGAL' });
    });

    it('an inquiry hint makes a scheduled order due now; a hint for an unknown order is ignored', async () => {
      const id = await bed.createOrder(manual, 'hinted', {
        timeline: [
          { atMs: 0, status: 'PROCESSING' },
          { atMs: 500, status: 'SUCCESS' },
        ],
      });
      await scheduled(id);
      expect(bed.sim.truth(id)!.inquiries).toBe(0);
      const unknown = `unknown-${bed.suffix}`;
      const producer = bed.kafka.producer();
      await producer.connect();
      try {
        const hint = (paymentRequestId: string) =>
          inquiryHintEvent({
            occurredAt: new Date().toISOString(),
            clientId: manual.clientId,
            paymentRequestId,
            reason: 'INVALID_SIGNATURE',
          });
        await producer.send({
          topic: Topics.inquiryHint,
          messages: [id, unknown].map((k) => ({ key: k, value: encodeEvent(Topics.inquiryHint, hint(k)) })),
        });
      } finally {
        await producer.disconnect();
      }

      await bed.waitForOrderStatus(id, 'success');
      expect(bed.sim.truth(id)!.inquiries).toBeGreaterThanOrEqual(1);
      await waitFor(() => groupCaughtUp(bed.kafka, bed.pollerGroup, Topics.inquiryHint), {
        description: 'the poller consumed the hints',
      });
      expect(await bed.scheduleRow(unknown)).toBeUndefined();
    });
  });

  it("operator endpoints take a bearer token: 401 without one, 403 for a viewer's trigger", async () => {
    const viewer = `viewer-${'v'.repeat(24)}`;
    const operator = `operator-${'o'.repeat(24)}`;
    const guarded = await bed.startPoller('guarded', {
      OPERATOR_AUTH: 'enabled',
      OPERATOR_TOKENS_JSON: JSON.stringify([
        { name: 'vera', token: viewer, role: 'viewer' },
        { name: 'otto', token: operator, role: 'operator' },
      ]),
    });
    try {
      const call = async (method: 'GET' | 'POST', token?: string) => {
        const res = await fetch(`${guarded.url}/inquiries/auth-probe-1`, {
          method,
          headers: token ? { authorization: `Bearer ${token}` } : {},
        });
        return { status: res.status, body: (await res.json()) as { code: string } };
      };
      for (const method of ['GET', 'POST'] as const) {
        expect(await call(method)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
      }
      expect(await call('POST', viewer)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
      // Past the guard: the order is simply not in the schedule.
      expect(await call('GET', viewer)).toMatchObject({ status: 404 });
      expect(await call('POST', operator)).toMatchObject({ status: 404, body: { code: 'ORDER_NOT_EXIST' } });
    } finally {
      await bed.stopPoller(guarded);
    }
  });

  it('GET /metrics counts the inquiries and cancels made, their lateness and the due backlog', async () => {
    const text = await (await fetch(`${poller.url}/metrics`)).text();
    const total = (name: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
        .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    // The scenarios above made real calls to the simulator.
    expect(total('inquiries_total')).toBeGreaterThan(0);
    expect(total('inquiry_lateness_seconds_count')).toBeGreaterThan(0);
    expect(text).toMatch(/^inquiry_due_backlog\{service="inquiry-poller"\} \d+$/m);
    expect(text).toContain('kafka_consumer_messages_total{');
  });

  it('probes: /health/live and /health/ready report the loop and the database; a consumer stopped for good fails liveness', async () => {
    const res = await fetch(`${poller.url}/health/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'ok',
      partners: expect.arrayContaining(['alipayplus:T_POLL_APS']),
    });
    expect((await fetch(`${poller.url}/health`)).status).toBe(200);
    expect((await fetch(`${poller.url}/health/live`)).status).toBe(200);
    // Last in this file: the replica is unhealthy from here on.
    poller.app.get(ConsumerHealth).markStopped('spec: kafkajs gave up');
    const stopped = await fetch(`${poller.url}/health/live`);
    expect(stopped.status).toBe(503);
    expect(await stopped.json()).toMatchObject({ status: 'unavailable', code: 'CONSUMER_STOPPED' });
  });
});
