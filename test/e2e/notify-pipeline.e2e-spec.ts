import { randomBytes } from 'crypto';
import { Kafka } from 'kafkajs';
import { loadPublicKey, loadPrivateKey, signMessage, verifySignedMessage } from '@app/alipayplus';
import { Topics } from '@app/contracts';
import { waitFor, stopKafka, startKafka } from '@app/testing';
import { createTestDatabase } from '@app/testing/test-database';
import { KafkaCollector, groupCaughtUp, testKafka, topicEndOffsetSum } from '@app/testing/kafka-probes';
import { partnerSetting, partnersJson, postOrder } from '@app/testing/factories';
import { generateTestKeyPair } from '@app/testing/keys';
import { bootstrapOrderState, RunningOrderState } from '@test/order-state/bootstrap';
import { loadOrderStateConfig } from '@test/order-state/config';
import { bootstrapNotifyGateway, RunningNotifyGateway } from '@test/notify-gateway/bootstrap';
import { loadNotifyGatewayConfig } from '@test/notify-gateway/config';

/**
 * Issue 2 acceptance: a signed Alipay+ notification turns a registered `init` order into `success`
 * through the real Kafka broker and PostgreSQL, exactly once, and nothing is acknowledged that Kafka
 * does not have.
 */
describe('notifyPayment → Kafka → order-state (real Kafka and PostgreSQL)', () => {
  const CLIENT_ID = 'T_ACQP_E2E';
  const NOTIFY_PATH = '/alipayplus/notify';
  const alipay = generateTestKeyPair(); // plays Alipay+
  const ours = generateTestKeyPair(); // the acquirer's key, used to sign the ack
  const groupId = `order-state-e2e-${randomBytes(3).toString('hex')}`;
  let db: { url: string; drop(): Promise<void> };
  let orderState: RunningOrderState;
  let gateway: RunningNotifyGateway;
  let kafka: Kafka;
  let hints!: KafkaCollector<{ paymentRequestId: string }>;
  let statusEvents: KafkaCollector<{
    eventId: string;
    paymentRequestId: string;
    to: string;
    version: number;
  }>;

  beforeAll(async () => {
    kafka = testKafka();
    db = await createTestDatabase();
    process.env.E2E_OUR_PRIVATE_KEY = ours.privateKeyBase64;
    orderState = await bootstrapOrderState(
      loadOrderStateConfig({
        KAFKA_BROKERS: process.env.KAFKA_BROKERS,
        DATABASE_URL: db.url,
        HTTP_PORT: '0',
        OPERATOR_AUTH: 'disabled',
        KAFKA_GROUP_ID: groupId,
        OUTBOX_POLL_MS: '50',
      }),
    );
    gateway = await bootstrapNotifyGateway(
      loadNotifyGatewayConfig({
        KAFKA_BROKERS: process.env.KAFKA_BROKERS,
        HTTP_PORT: '0',
        PUBLISH_TIMEOUT_MS: '2000',
        PARTNERS_JSON: partnersJson(
          partnerSetting({
            clientId: CLIENT_ID,
            privateKeyEnv: 'E2E_OUR_PRIVATE_KEY',
            peerPublicKey: alipay.publicKeyBase64,
          }),
        ),
      }),
    );
    statusEvents = await new KafkaCollector<{
      eventId: string;
      paymentRequestId: string;
      to: string;
      version: number;
    }>(kafka, [Topics.statusChanged]).start();
    hints = await new KafkaCollector<{ paymentRequestId: string }>(kafka, [Topics.inquiryHint]).start();
  });

  afterAll(async () => {
    await hints?.stop();
    await statusEvents?.stop();
    await gateway?.close();
    await orderState?.close();
    await db?.drop();
  });

  const newId = (label: string) => `${label}-${randomBytes(6).toString('hex')}`;

  async function registerOrder(paymentRequestId: string, value = '1000') {
    const res = await postOrder(orderState.url, {
      paymentRequestId,
      clientId: CLIENT_ID,
      amount: { value, currency: 'JPY' },
    });
    expect(res.status).toBe(201);
  }

  function signedNotification(paymentRequestId: string, value = '1000') {
    const body = JSON.stringify({
      paymentResult: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' },
      paymentRequestId,
      paymentId: `ALIPAY-${paymentRequestId}`,
      acquirerId: '1022188000000000001',
      pspId: '1022172000000000001',
      customerId: '1234567',
      paymentAmount: { value, currency: 'JPY' },
      paymentTime: '2026-11-21T12:01:01+08:00',
    });
    const requestTime = new Date().toISOString();
    const { signatureHeader } = signMessage({
      path: NOTIFY_PATH,
      clientId: CLIENT_ID,
      time: requestTime,
      body,
      privateKey: loadPrivateKey(alipay.privateKeyBase64),
    });
    return {
      body,
      headers: {
        'content-type': 'application/json; charset=UTF-8',
        'client-id': CLIENT_ID,
        'request-time': requestTime,
        signature: signatureHeader,
      },
    };
  }

  async function send(n: { body: string; headers: Record<string, string> }) {
    const res = await fetch(`${gateway.url}${NOTIFY_PATH}`, {
      method: 'POST',
      headers: n.headers,
      body: n.body,
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      result: (JSON.parse(text) as { result: { resultStatus: string; resultCode: string } }).result,
    };
  }

  async function getOrder(id: string) {
    const res = await fetch(`${orderState.url}/orders/${id}`);
    return (await res.json()) as {
      status: string;
      version: number;
      timeline: { eventId: string; effect: string }[];
    };
  }

  it('a signed notification moves a registered order to success, and the ack is signed with our key', async () => {
    const id = newId('ok');
    await registerOrder(id);
    const ack = await send(signedNotification(id));

    expect(ack.status).toBe(200);
    expect(ack.result).toEqual({ resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' });
    const verified = verifySignedMessage({
      path: NOTIFY_PATH,
      clientId: ack.headers.get('client-id') ?? undefined,
      time: ack.headers.get('response-time') ?? undefined,
      rawBody: ack.text,
      signatureHeader: ack.headers.get('signature') ?? undefined,
      publicKey: loadPublicKey(ours.publicKeyBase64),
    });
    expect(verified.ok).toBe(true);

    const order = await waitFor(
      async () => {
        const o = await getOrder(id);
        return o.status === 'success' ? o : undefined;
      },
      { description: `order ${id} reaches success` },
    );
    expect(order.version).toBe(2);
  });

  it('the same notification sent twice more still gets S and changes nothing', async () => {
    const id = newId('dup');
    await registerOrder(id);
    const notification = signedNotification(id);
    expect((await send(notification)).result.resultStatus).toBe('S');
    await waitFor(async () => (await getOrder(id)).status === 'success', {
      description: `order ${id} reaches success`,
    });

    for (let i = 0; i < 2; i++) expect((await send(notification)).result.resultStatus).toBe('S');
    // Explicit signal that the duplicates were processed: order-state's group has committed everything.
    await waitFor(() => groupCaughtUp(kafka, groupId, Topics.resultObserved), {
      description: 'order-state consumed all results',
    });
    await waitFor(async () => statusEvents.where((m) => m.value.paymentRequestId === id).length >= 2, {
      description: `status events of ${id}`,
    });

    const order = await getOrder(id);
    expect(order.status).toBe('success');
    expect(order.version).toBe(2);
    expect(order.timeline).toHaveLength(1);
    expect(order.timeline[0].effect).toBe('applied');
    const events = statusEvents.where((m) => m.value.paymentRequestId === id).map((m) => m.value);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(2);
    expect(events.map((e) => e.to).sort()).toEqual(['init', 'success']);
  });

  it('a notification altered after signing gets INVALID_SIGNATURE, publishes no result and changes nothing', async () => {
    const id = newId('tampered');
    await registerOrder(id);
    const n = signedNotification(id);
    const tampered = { ...n, body: n.body.replace('"value":"1000"', '"value":"1001"') };
    expect(tampered.body).not.toBe(n.body);

    const before = await topicEndOffsetSum(kafka, Topics.resultObserved);
    const ack = await send(tampered);
    expect(ack.result).toMatchObject({ resultCode: 'INVALID_SIGNATURE', resultStatus: 'F' });
    expect(ack.status).toBe(401);
    // The only thing it may cause is a hint to inquire (design.md §7), never a result.
    await waitFor(async () => hints.where((m) => m.value.paymentRequestId === id).length === 1, {
      description: `inquiry hint for ${id}`,
    });
    expect(await topicEndOffsetSum(kafka, Topics.resultObserved)).toBe(before);
    await waitFor(() => groupCaughtUp(kafka, groupId, Topics.resultObserved), {
      description: 'order-state consumed all results',
    });
    const order = await getOrder(id);
    expect(order.status).toBe('init');
    expect(order.timeline).toHaveLength(0);
  });

  it('with the broker stopped the gateway answers non-S; after it restarts the retried notification is applied', async () => {
    const id = newId('outage');
    await registerOrder(id);
    const notification = signedNotification(id);

    await stopKafka();
    let restarted = false;
    try {
      const started = Date.now();
      const ack = await send(notification);
      expect(Date.now() - started).toBeLessThan(5000); // Alipay+ waits 5 s for the ack (protocol.md §0)
      expect(ack.result.resultStatus).not.toBe('S');
      expect(ack.result).toMatchObject({ resultCode: 'UNKNOWN_EXCEPTION', resultStatus: 'U' });
      expect((await getOrder(id)).status).toBe('init');
      await startKafka();
      restarted = true;
    } finally {
      if (!restarted) await startKafka();
    }

    // Alipay+ re-sends until it gets S; so do we.
    await waitFor(async () => (await send(notification)).result.resultStatus === 'S', {
      description: 'the gateway acknowledges the retried notification',
      timeoutMs: 90_000,
      intervalMs: 1000,
    });
    const order = await waitFor(
      async () => {
        const o = await getOrder(id);
        return o.status === 'success' ? o : undefined;
      },
      { description: `order ${id} reaches success after the restart`, timeoutMs: 90_000 },
    );
    expect(order.timeline.filter((t) => t.effect === 'applied')).toHaveLength(1);
  });
});
