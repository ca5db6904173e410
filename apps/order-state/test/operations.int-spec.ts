import { execFile } from 'child_process';
import { randomBytes } from 'crypto';
import { Producer } from 'kafkajs';
import { encodeEvent, ResultObservedV1, Topics } from '@app/contracts';
import { repoRoot, waitFor } from '@app/testing';
import { createTestDatabase } from '@app/testing/test-database';
import { KafkaCollector, testKafka } from '@app/testing/kafka-probes';
import { bootstrapOrderState, RunningOrderState } from '../src/bootstrap';
import { loadOrderStateConfig } from '../src/config';

/**
 * Issue 12 on order-state, on real Kafka and PostgreSQL: every operator endpoint takes a bearer token
 * (401 without, 403 for a viewer's action), viewers read without raw partner bodies, a dead letter is
 * archived and replayed to its topic with the token's name recorded, and GET /metrics moves with
 * real traffic.
 */
const VIEWER = `viewer-${randomBytes(12).toString('hex')}`;
const OPERATOR = `operator-${randomBytes(12).toString('hex')}`;

describe('order-state operations: operator auth, dead-letter replay, metrics (real Kafka and PostgreSQL)', () => {
  const kafka = testKafka();
  const tag = randomBytes(3).toString('hex');
  let db: { url: string; drop(): Promise<void> };
  let app: RunningOrderState;
  let producer: Producer;
  let resultTopic: KafkaCollector<{ paymentRequestId?: string }>;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await bootstrapOrderState(
      loadOrderStateConfig({
        KAFKA_BROKERS: process.env.KAFKA_BROKERS,
        DATABASE_URL: db.url,
        HTTP_PORT: '0',
        KAFKA_GROUP_ID: `order-state-ops-${tag}`,
        OUTBOX_POLL_MS: '50',
        OPERATOR_TOKENS_JSON: JSON.stringify([
          { name: 'vera-viewer', token: VIEWER, role: 'viewer' },
          { name: 'otto-operator', token: OPERATOR, role: 'operator' },
        ]),
      }),
    );
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    resultTopic = await new KafkaCollector<{ paymentRequestId?: string }>(kafka, [
      Topics.resultObserved,
    ]).start();
  });

  afterAll(async () => {
    await resultTopic?.stop();
    await producer?.disconnect();
    await app?.close();
    await db?.drop();
  });

  const call = async (method: 'GET' | 'POST', path: string, token?: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  const id = `ops-${tag}`;
  const register = (token?: string) =>
    call('POST', '/orders', token, {
      paymentRequestId: id,
      clientId: 'T_OPS',
      orderNo: `order-${id}`,
      dialect: 'alipayplus',
      amount: { value: '500', currency: 'USD' },
      paymentExpiryTime: new Date(Date.now() + 3_600_000).toISOString(),
    });

  // [method, path, needs] for every operator endpoint of order-state.
  const ENDPOINTS: ['GET' | 'POST', string, 'viewer' | 'operator'][] = [
    ['GET', '/orders', 'viewer'],
    ['GET', '/orders/summary', 'viewer'],
    ['GET', `/orders/${id}`, 'viewer'],
    ['GET', '/anomalies', 'viewer'],
    ['GET', '/exceptions', 'viewer'],
    ['GET', '/exceptions/1', 'viewer'],
    ['GET', '/dead-letters', 'viewer'],
    ['GET', '/dead-letters/none', 'viewer'],
    ['GET', '/operators/me', 'viewer'],
    ['POST', '/orders', 'operator'],
    ['POST', `/orders/${id}/cancel`, 'operator'],
    ['POST', `/orders/${id}/reinquire`, 'operator'],
    ['POST', '/exceptions/1/resolve', 'operator'],
    ['POST', '/dead-letters/none/replay', 'operator'],
    ['POST', '/dead-letters/replay', 'operator'],
  ];

  it.each(ENDPOINTS)('%s %s: 401 without a token or with an unknown one', async (method, path) => {
    for (const token of [undefined, 'x'.repeat(40)]) {
      const res = await call(method, path, token, method === 'POST' ? {} : undefined);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
  });

  it.each(ENDPOINTS)('%s %s: a viewer may read, not act (403 FORBIDDEN)', async (method, path, needs) => {
    const res = await call(method, path, VIEWER, method === 'POST' ? {} : undefined);
    if (needs === 'operator') {
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'FORBIDDEN' });
    } else {
      expect([401, 403]).not.toContain(res.status);
    }
  });

  it('an operator acts; viewers read the timeline without raw bodies; each action names the token', async () => {
    expect((await register(OPERATOR)).status).toBe(201);
    expect((await call('GET', '/operators/me', VIEWER)).body).toEqual({
      name: 'vera-viewer',
      role: 'viewer',
    });
    const event: ResultObservedV1 = {
      eventId: `notify:${id}:processing`,
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      clientId: 'T_OPS',
      paymentRequestId: id,
      dialect: 'alipayplus',
      source: 'notify',
      outcome: 'PROCESSING',
      resultCode: 'PAYMENT_IN_PROCESS',
      rawBody: '{"secret":"partner body"}',
    };
    await producer.send({
      topic: Topics.resultObserved,
      acks: -1,
      messages: [{ key: id, value: encodeEvent(Topics.resultObserved, event) }],
    });
    const asOperator = await waitFor(
      async () => {
        const res = await call('GET', `/orders/${id}`, OPERATOR);
        return res.body?.timeline?.length > 0 && res.body;
      },
      { description: 'the observation in the timeline' },
    );
    expect(asOperator.timeline[0].rawBody).toBe('{"secret":"partner body"}');
    const asViewer = await call('GET', `/orders/${id}`, VIEWER);
    expect(asViewer.body.timeline[0]).not.toHaveProperty('rawBody');
    expect(asViewer.body.timeline[0].resultCode).toBe('PAYMENT_IN_PROCESS');

    const cancel = await call('POST', `/orders/${id}/cancel`, OPERATOR);
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('cancelling');
  });

  it('archives a dead letter, lists it (value for operators only), and replays it to its topic once per request, recording who', async () => {
    const poisonKey = `poison-${tag}`;
    await producer.send({
      topic: Topics.resultObserved,
      acks: -1,
      messages: [{ key: poisonKey, value: '{"not":"a result"}' }],
    });
    const letter = await waitFor(
      async () => {
        const res = await call(
          'GET',
          `/dead-letters?originalTopic=${Topics.resultObserved}&limit=500`,
          OPERATOR,
        );
        return (res.body.items as { id: string; key: string }[]).find((l) => l.key === poisonKey);
      },
      { description: 'the refused message in the dead-letter archive', timeoutMs: 60_000 },
    );
    expect(letter).toMatchObject({ value: '{"not":"a result"}', replayCount: 0, valueTruncated: false });
    const seenByViewer = await call('GET', `/dead-letters/${encodeURIComponent(letter.id)}`, VIEWER);
    expect(seenByViewer.body).not.toHaveProperty('value');
    expect(seenByViewer.body.reason).toMatch(/schema payments\.result-observed\.v1/);

    const before = resultTopic.where((m) => m.key === poisonKey).length;
    const replay = await call('POST', `/dead-letters/${encodeURIComponent(letter.id)}/replay`, OPERATOR, {
      note: 'producer fixed',
    });
    expect(replay).toMatchObject({ status: 200, body: { id: letter.id, replayed: true } });
    await waitFor(async () => resultTopic.where((m) => m.key === poisonKey).length === before + 1, {
      description: 'the replayed message back on its topic',
    });
    const after = await call('GET', `/dead-letters/${encodeURIComponent(letter.id)}`, OPERATOR);
    expect(after.body).toMatchObject({ replayCount: 1, lastReplayedBy: 'otto-operator' });
    expect(after.body.replays).toEqual([
      expect.objectContaining({ replayedBy: 'otto-operator', note: 'producer fixed' }),
    ]);

    // A filtered replay takes only letters never replayed: this one is not sent again.
    const many = await call('POST', '/dead-letters/replay', OPERATOR, { reasonContains: poisonKey });
    expect(many.body).toEqual({ replayed: 0, outcomes: [] });
    const unknown = await call('POST', '/dead-letters/none/replay', OPERATOR, {});
    expect(unknown).toMatchObject({ status: 404, body: { code: 'DEAD_LETTER_NOT_FOUND' } });

    // The CLI (npm run dlq) over the same API: a viewer lists, only an operator replays.
    // Asynchronously: the API it calls runs in this very process.
    const cli = (token: string, ...args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['-r', './scripts/register-paths.js', 'dist/scripts/dlq.js', ...args],
          {
            cwd: repoRoot(),
            env: { ...process.env, ORDER_STATE_URL: app.url, OPERATOR_TOKEN: token },
            timeout: 30_000,
          },
          (err, stdout, stderr) =>
            resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    const listed = await cli(VIEWER, 'list', '--topic', Topics.resultObserved, '--limit', '500');
    expect(listed.status).toBe(0);
    const lines = listed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string });
    expect(lines.map((l) => l.id)).toContain(letter.id);
    const refused = await cli(VIEWER, 'replay', letter.id);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/HTTP 403 FORBIDDEN/);
    const replayed = await cli(OPERATOR, 'replay', letter.id, '--note', 'again from the CLI');
    expect(replayed.status).toBe(0);
    expect(JSON.parse(replayed.stdout)).toEqual({ id: letter.id, replayed: true });
    const shown = JSON.parse((await cli(OPERATOR, 'show', letter.id)).stdout) as { replayCount: number };
    expect(shown.replayCount).toBe(2);
    expect((await cli(OPERATOR, 'bogus')).status).toBe(2);
  });

  it('GET /metrics shows the traffic: observations by effect, transitions, dead letters, outbox and exceptions gauges', async () => {
    const text: string = await (await fetch(`${app.url}/metrics`)).text();
    const value = (name: string, ...labels: string[]) =>
      text
        .split('\n')
        .filter(
          (l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && labels.every((x) => l.includes(x)),
        )
        .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    expect(
      value('observations_applied_total', 'source="notify"', 'effect="informational"'),
    ).toBeGreaterThanOrEqual(1);
    expect(value('order_transitions_total', 'from="init"', 'to="cancelling"')).toBeGreaterThanOrEqual(1);
    expect(value('dlq_writes_total', `topic="${Topics.resultObserved}"`)).toBeGreaterThanOrEqual(1);
    expect(value('kafka_consumer_messages_total')).toBeGreaterThan(0);
    expect(text).toMatch(/^outbox_pending\{service="order-state"\} \d+$/m);
    expect(text).toMatch(/^outbox_publish_lag_seconds\{service="order-state"\} [\d.e+-]+$/m);
    expect(text).toMatch(/^parked_results\{service="order-state"\} \d+$/m);
    expect(text).toContain('# TYPE exceptions_open gauge');
    for (const probe of ['/health/live', '/health/ready']) {
      expect((await fetch(`${app.url}${probe}`)).status).toBe(200);
    }
  });
});
