import { ConsumerHealth } from '@app/kafka';
import { randomBytes } from 'crypto';
import { Kafka, Producer } from 'kafkajs';
import { encodeEvent, ObservationOutcome, ObservationSource, ResultObservedV1, Topics } from '@app/contracts';
import { waitFor } from '@app/testing';
import { createTestDatabase, queryRows } from '@app/testing/test-database';
import { groupCaughtUp, KafkaCollector, testKafka } from '@app/testing/kafka-probes';
import { freePort, ServiceProcess, startServiceProcess } from '@app/testing/service-process';
import { bootstrapOrderState, RunningOrderState } from '../src/bootstrap';
import { loadOrderStateConfig } from '../src/config';

type StatusEvent = {
  eventId: string;
  paymentRequestId: string;
  from: string | null;
  to: string;
  version: number;
};
type DeadLetter = {
  originalTopic: string;
  offset: string;
  key: string | null;
  reason: string;
  value: string | null;
};
type Order = {
  status: string;
  version: number;
  timeline: { eventId: string; effect: string; source: string }[];
};

/** Issue 3 acceptance, against the real Kafka broker and PostgreSQL. */
describe('order-state (real Kafka and PostgreSQL)', () => {
  const CLIENT_ID = 'T_ORDER_STATE';
  const groupId = `order-state-it-${randomBytes(3).toString('hex')}`;
  let db: { url: string; drop(): Promise<void> };
  let app: RunningOrderState;
  let kafka: Kafka;
  let producer: Producer;
  let statusEvents: KafkaCollector<StatusEvent>;
  let deadLetters: KafkaCollector<DeadLetter>;

  const config = (over: Record<string, string> = {}) => ({
    KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
    DATABASE_URL: db.url,
    HTTP_PORT: '0',
    // Operator auth has its own suite (operator-auth.int-spec.ts); here the API is open.
    OPERATOR_AUTH: 'disabled',
    KAFKA_GROUP_ID: groupId,
    OUTBOX_POLL_MS: '50',
    ...over,
  });

  beforeAll(async () => {
    kafka = testKafka();
    db = await createTestDatabase();
    app = await bootstrapOrderState(loadOrderStateConfig(config()));
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    statusEvents = await new KafkaCollector<StatusEvent>(kafka, [Topics.statusChanged]).start();
    deadLetters = await new KafkaCollector<DeadLetter>(kafka, [Topics.dlq]).start();
  });

  afterAll(async () => {
    await deadLetters?.stop();
    await statusEvents?.stop();
    await producer?.disconnect();
    await app?.close();
    await db?.drop();
  });

  const newId = (label: string) => `${label}-${randomBytes(6).toString('hex')}`;

  async function register(id: string, over: Record<string, unknown> = {}) {
    const res = await fetch(`${app.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        paymentRequestId: id,
        clientId: CLIENT_ID,
        orderNo: `o-${id}`,
        dialect: 'alipayplus',
        amount: { value: '1000', currency: 'USD' },
        ...over,
      }),
    });
    return res;
  }

  function observation(
    id: string,
    outcome: ObservationOutcome,
    source: ObservationSource = 'notify',
    over: Partial<ResultObservedV1> = {},
  ): ResultObservedV1 {
    return {
      eventId: `${source}:${id}:${outcome}:${randomBytes(3).toString('hex')}`,
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      clientId: CLIENT_ID,
      paymentRequestId: id,
      dialect: 'alipayplus',
      source,
      outcome,
      resultCode: outcome === 'SUCCESS' ? 'SUCCESS' : outcome === 'CLOSED' ? 'ORDER_IS_CLOSED' : outcome,
      amount: outcome === 'SUCCESS' ? { value: '1000', currency: 'USD' } : null,
      rawBody: '{"raw":true}',
      ...over,
    };
  }

  async function publish(events: ResultObservedV1[]) {
    await producer.send({
      topic: Topics.resultObserved,
      acks: -1,
      messages: events.map((e) => ({
        key: e.paymentRequestId,
        value: encodeEvent(Topics.resultObserved, e),
      })),
    });
  }

  async function getOrder(id: string): Promise<Order> {
    return (await (await fetch(`${app.url}/orders/${id}`)).json()) as Order;
  }

  const caughtUp = () =>
    waitFor(() => groupCaughtUp(kafka, groupId, Topics.resultObserved), {
      description: 'order-state consumed every result',
      timeoutMs: 60_000,
    });
  const outboxDrained = () =>
    waitFor(
      async () =>
        Number((await queryRows<{ n: string }>(db.url, `SELECT count(*) AS n FROM outbox`))[0].n) === 0,
      { description: 'the outbox relay published every row' },
    );
  const statusOf = (id: string) =>
    statusEvents.where((m) => m.value.paymentRequestId === id).map((m) => m.value);

  it('the same observation sent 5 times gives one transition and one status event', async () => {
    const id = newId('five');
    expect((await register(id)).status).toBe(201);
    const success = observation(id, 'SUCCESS');
    await publish([success, success, success]);
    await publish([success, success]);
    await caughtUp();
    await outboxDrained();
    await waitFor(async () => statusOf(id).length >= 2, { description: `status events of ${id}` });

    const order = await getOrder(id);
    expect(order).toMatchObject({ status: 'success', version: 2 });
    expect(order.timeline).toEqual([
      expect.objectContaining({ eventId: success.eventId, effect: 'applied' }),
    ]);
    const events = statusOf(id);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(2);
    expect(events.filter((e) => e.to === 'success')).toHaveLength(1);
  });

  it.each([
    ['a late success after the cancel', ['CANCEL_REQUESTED', 'CANCELLED', 'SUCCESS'], 'cancelled', []],
    ['the cancel result before the cancel request', ['CANCELLED', 'CANCEL_REQUESTED'], 'cancelled', []],
    // Issue 11 row 8: the cancel still overrides the success, now recorded as an anomaly (was: none).
    [
      'a success while cancelling, then the cancel',
      ['CANCEL_REQUESTED', 'SUCCESS', 'CANCELLED'],
      'cancelled',
      ['success_while_cancelling'],
    ],
    ['a cancel after a success (the payment is reversed)', ['SUCCESS', 'CANCELLED'], 'cancelled', []],
    ['conflicting finals, fail first', ['FAIL', 'SUCCESS'], 'fail', ['conflict']],
    ['conflicting finals, success first', ['SUCCESS', 'CLOSED'], 'success', ['conflict']],
  ] as [string, ObservationOutcome[], string, string[]][])(
    'out of order: %s ends in the state the table dictates',
    async (_label, outcomes, expected, anomalies) => {
      const id = newId('order');
      expect((await register(id)).status).toBe(201);
      await publish(outcomes.map((o) => observation(id, o, o.startsWith('CANCEL') ? 'cancel' : 'notify')));
      await caughtUp();
      const order = await getOrder(id);
      expect(order.status).toBe(expected);
      expect(order.timeline).toHaveLength(outcomes.length);
      const found = (await (await fetch(`${app.url}/anomalies?paymentRequestId=${id}`)).json()) as {
        kind: string;
      }[];
      expect(found.map((a) => a.kind)).toEqual(anomalies);
    },
  );

  it('a SUCCESS whose amount differs changes nothing and records amount_mismatch', async () => {
    const id = newId('amount');
    await register(id);
    await publish([observation(id, 'SUCCESS', 'notify', { amount: { value: '999', currency: 'USD' } })]);
    await caughtUp();
    expect((await getOrder(id)).status).toBe('init');
    const found = (await (await fetch(`${app.url}/anomalies?paymentRequestId=${id}`)).json()) as {
      kind: string;
    }[];
    expect(found.map((a) => a.kind)).toEqual(['amount_mismatch']);
  });

  it('a result from another partner changes nothing and records partner_mismatch, also when it was parked first', async () => {
    const early = newId('partner-early');
    await publish([observation(early, 'SUCCESS', 'notify', { clientId: 'T_OTHER_PARTNER' })]);
    await caughtUp();
    const late = newId('partner-late');
    await register(late);
    await register(early);
    await publish([observation(late, 'FAIL', 'notify', { dialect: 'antom' })]);
    await caughtUp();
    for (const id of [early, late]) {
      const order = await waitFor(
        async () => {
          const o = await getOrder(id);
          return o.timeline?.[0]?.effect === 'partner_mismatch' ? o : undefined;
        },
        { description: `${id}: the other partner's result recorded as partner_mismatch` },
      );
      expect(order.status).toBe('init');
      const found = (await (await fetch(`${app.url}/anomalies?paymentRequestId=${id}`)).json()) as {
        kind: string;
      }[];
      expect(found.map((a) => a.kind)).toEqual(['partner_mismatch']);
    }
  });

  it('a result that arrives before its order (registered via the order-registered topic) ends in the right final state', async () => {
    const id = newId('first');
    await publish([observation(id, 'SUCCESS', 'inquiry')]);
    await caughtUp();
    const parked = await queryRows<{ effect: string }>(
      db.url,
      `SELECT effect FROM payment_observations WHERE payment_request_id = $1`,
      [id],
    );
    expect(parked).toEqual([{ effect: 'parked' }]);

    await producer.send({
      topic: Topics.orderRegistered,
      acks: -1,
      messages: [
        {
          key: id,
          value: encodeEvent(Topics.orderRegistered, {
            eventId: `reg:${id}`,
            schemaVersion: 1,
            occurredAt: new Date().toISOString(),
            clientId: CLIENT_ID,
            paymentRequestId: id,
            orderNo: `o-${id}`,
            amount: { value: '1000', currency: 'USD' },
            dialect: 'alipayplus',
          }),
        },
      ],
    });
    const order = await waitFor(
      async () => {
        const res = await fetch(`${app.url}/orders/${id}`);
        if (!res.ok) return undefined;
        const o = (await res.json()) as Order;
        return o.status === 'success' ? o : undefined;
      },
      { description: `${id} registered and its parked result applied` },
    );
    expect(order.version).toBe(2);
    expect(order.timeline.map((t) => t.effect)).toEqual(['applied']);
    await waitFor(
      async () =>
        statusOf(id)
          .map((e) => e.to)
          .join() === 'init,success',
      {
        description: `status events init then success for ${id}`,
      },
    );
  });

  it('a poison message lands in the DLQ with its reason, and the messages behind it are still applied', async () => {
    const id = newId('poison');
    await register(id);
    await producer.send({
      topic: Topics.resultObserved,
      acks: -1,
      messages: [
        { key: id, value: 'this is not json' },
        { key: id, value: JSON.stringify({ ...observation(id, 'SUCCESS'), outcome: 'MAYBE' }) },
        { key: id, value: encodeEvent(Topics.resultObserved, observation(id, 'FAIL')) },
      ],
    });
    const letters = await waitFor(
      async () => {
        const found = deadLetters.where((m) => m.value.key === id);
        return found.length === 2 ? found : undefined;
      },
      { description: `2 dead letters for ${id}` },
    );
    expect(letters.map((l) => l.value.reason).join('\n')).toMatch(/not JSON[\s\S]*outcome/);
    expect(letters[0].value).toMatchObject({
      originalTopic: Topics.resultObserved,
      value: 'this is not json',
    });
    await waitFor(async () => (await getOrder(id)).status === 'fail', {
      description: `${id} applied after the poison`,
    });
  });

  it('lists orders by status and age, shows stuck orders, and rejects bad queries with PARAM_ILLEGAL', async () => {
    const stuck = newId('stuck');
    await register(stuck, { paymentExpiryTime: new Date(Date.now() - 60_000).toISOString() });
    const list = async (q: string) =>
      (await (await fetch(`${app.url}/orders?${q}`)).json()) as {
        paymentRequestId: string;
        status: string;
      }[];
    expect((await list('stuck=true&limit=1000')).map((o) => o.paymentRequestId)).toContain(stuck);
    expect((await list('status=success&limit=1000')).every((o) => o.status === 'success')).toBe(true);
    expect(
      (await list('status=init&olderThanSeconds=0&limit=1000')).map((o) => o.paymentRequestId),
    ).toContain(stuck);
    const bad = await fetch(`${app.url}/orders?status=paid`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('PARAM_ILLEGAL');
    const missing = await fetch(`${app.url}/orders/${newId('nobody')}`);
    expect(missing.status).toBe(404);
  });

  it.each([
    ['an age past what PostgreSQL can subtract', 'olderThanSeconds=999999999999'],
    ['an empty age (not 0)', 'olderThanSeconds='],
    ['an empty limit', 'limit='],
    ['a cursor it never gave out', 'after=bm90LWEtY3Vyc29y'],
    ['a repeated parameter', 'status=init&status=fail'],
  ])('GET /orders refuses %s with 400 PARAM_ILLEGAL', async (_label, q) => {
    const res = await fetch(`${app.url}/orders?${q}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('PARAM_ILLEGAL');
  });

  it('POST /orders refuses a NUL in clientId or orderNo with 400, registering nothing', async () => {
    for (const over of [{ clientId: 'T\u0000X' }, { orderNo: 'o\u0000' }]) {
      const id = newId('nul');
      const res = await register(id, over);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe('PARAM_ILLEGAL');
      expect((await fetch(`${app.url}/orders/${id}`)).status).toBe(404);
    }
  });

  it('pages through every order and anomaly with the next-cursor header, each exactly once', async () => {
    const mine = [newId('page'), newId('page'), newId('page')];
    for (const id of mine) await register(id);
    const seen: string[] = [];
    let query = 'limit=2';
    for (let pages = 0; pages < 10_000; pages++) {
      const res = await fetch(`${app.url}/orders?${query}`);
      expect(res.status).toBe(200);
      const rows = (await res.json()) as { paymentRequestId: string }[];
      seen.push(...rows.map((r) => r.paymentRequestId));
      const next = res.headers.get('next-cursor');
      if (!next) break;
      expect(rows).toHaveLength(2);
      query = `limit=2&after=${encodeURIComponent(next)}`;
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of mine) expect(seen).toContain(id);
    const total = await queryRows<{ n: string }>(
      db.url,
      `SELECT count(*)::text AS n FROM payment_orders`,
      [],
    );
    expect(seen).toHaveLength(Number(total[0].n)); // every order, none twice

    const anomalyIds: string[] = [];
    let aq = 'limit=1';
    for (let pages = 0; pages < 10_000; pages++) {
      const res = await fetch(`${app.url}/anomalies?${aq}`);
      const rows = (await res.json()) as { id: string }[];
      anomalyIds.push(...rows.map((r) => r.id));
      const next = res.headers.get('next-cursor');
      if (!next) break;
      aq = `limit=1&before=${next}`;
    }
    const anomalies = await queryRows<{ id: string }>(
      db.url,
      `SELECT id::text AS id FROM anomalies ORDER BY id DESC`,
      [],
    );
    expect(anomalyIds).toEqual(anomalies.map((a) => a.id));
  });

  it('registering the same order twice is a no-op, and a different order under the same id is refused', async () => {
    const id = newId('reg');
    expect((await register(id)).status).toBe(201);
    expect((await register(id)).status).toBe(200);
    const conflict = await register(id, { amount: { value: '5', currency: 'USD' } });
    expect(conflict.status).toBe(409);
    expect((await getOrder(id)).version).toBe(1);
  });

  it('probes: live and ready while the database answers and the consumer consumes; a consumer stopped for good fails liveness (a restart helps), not readiness', async () => {
    for (const probe of ['/health/live', '/health/ready', '/health']) {
      expect([probe, (await fetch(`${app.url}${probe}`)).status]).toEqual([probe, 200]);
    }
    // From here on this in-process app is unhealthy; the tests after this one use processes of their own.
    app.app.get(ConsumerHealth).markStopped('spec: kafkajs gave up');
    const res = await fetch(`${app.url}/health/live`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'unavailable', code: 'CONSUMER_STOPPED' });
    expect((await fetch(`${app.url}/health/ready`)).status).toBe(200);
  });

  describe('crash between the DB commit and the offset commit', () => {
    let crashing: ServiceProcess | undefined;
    let restarted: ServiceProcess | undefined;
    afterAll(async () => {
      await crashing?.kill();
      await restarted?.stop();
    });

    it('the replay after restart makes no second transition and no status event with a new eventId', async () => {
      // A separate deployment (own database and group) run as real processes, so the crash is real.
      const crashDb = await createTestDatabase();
      const crashGroup = `${groupId}-crash`;
      const env = (port: number, extra: Record<string, string> = {}) => ({
        KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
        DATABASE_URL: crashDb.url,
        HTTP_PORT: String(port),
        KAFKA_GROUP_ID: crashGroup,
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        OUTBOX_POLL_MS: '50',
        OPERATOR_AUTH: 'disabled',
        ...extra,
      });
      try {
        const id = newId('crash');
        const port = await freePort();
        // The test bootstrap with the failpoint (test/crash-after-commit.main.ts), built to dist.
        crashing = await startServiceProcess(
          'order-state',
          env(port, { FAILPOINT_CRASH_AFTER_APPLY: id }),
          `http://127.0.0.1:${port}/health`,
          'dist/apps/order-state/test/crash-after-commit.main.js',
        );
        const reg = await fetch(`http://127.0.0.1:${port}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            paymentRequestId: id,
            clientId: CLIENT_ID,
            orderNo: `o-${id}`,
            dialect: 'alipayplus',
            amount: { value: '1000', currency: 'USD' },
          }),
        });
        expect(reg.status).toBe(201);
        await publish([observation(id, 'SUCCESS')]);

        expect(await crashing.exited).toBe('SIGKILL');
        expect(crashing.output()).toMatch(/FAILPOINT/);
        // The DB has the change; Kafka does not have the offset.
        const [row] = await queryRows<{ status: string; version: number }>(
          crashDb.url,
          `SELECT status, version FROM payment_orders WHERE payment_request_id = $1`,
          [id],
        );
        expect(row).toEqual({ status: 'success', version: 2 });
        expect(await groupCaughtUp(kafka, crashGroup, Topics.resultObserved)).toBe(false);

        const port2 = await freePort();
        restarted = await startServiceProcess('order-state', env(port2), `http://127.0.0.1:${port2}/health`);
        await waitFor(() => groupCaughtUp(kafka, crashGroup, Topics.resultObserved), {
          description: 'the restarted consumer replayed and committed',
          timeoutMs: 60_000,
        });
        await waitFor(
          async () =>
            Number((await queryRows<{ n: string }>(crashDb.url, `SELECT count(*) AS n FROM outbox`))[0].n) ===
            0,
          { description: 'outbox drained after the restart' },
        );
        const timeline = await queryRows<{ effect: string }>(
          crashDb.url,
          `SELECT effect FROM payment_observations WHERE payment_request_id = $1`,
          [id],
        );
        expect(timeline).toEqual([{ effect: 'applied' }]);
        const [after] = await queryRows<{ version: number }>(
          crashDb.url,
          `SELECT version FROM payment_orders WHERE payment_request_id = $1`,
          [id],
        );
        expect(after.version).toBe(2);
        await waitFor(async () => statusOf(id).some((e) => e.to === 'success'), {
          description: `status event success for ${id}`,
        });
        const ids = new Set(statusOf(id).map((e) => e.eventId));
        expect([...ids].sort()).toEqual([`status:${id}:1`, `status:${id}:2`]);
      } finally {
        await restarted?.stop();
        restarted = undefined;
        await crashDb.drop();
      }
    });
  });
});
