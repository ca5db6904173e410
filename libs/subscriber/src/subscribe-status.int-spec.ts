// The subscriber against the real Kafka broker and PostgreSQL (issue 16, acceptance).
import { Kafka } from 'kafkajs';
import { Pool, PoolClient } from 'pg';
import { DeadLetterV1, StatusChangedV1, Topics } from '@app/contracts';
import { waitFor } from '@app/testing';
import { groupCaughtUp, KafkaCollector, testKafka } from '@app/testing/kafka-probes';
import { createTestDatabase } from '@app/testing/test-database';
import { encodeStatus, statusEvent } from '../test/fixtures';
import { createWorkTable, ensureSubscriberTopics, produce, uniqueId, workRows } from '../test/kafka-helpers';
import { InMemoryVersionStore, PostgresVersionStore, Subscription, subscribeToPaymentStatus } from './index';

jest.setTimeout(120_000);

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
let kafka: Kafka;
let db: { url: string; drop(): Promise<void> };
let pool: Pool;
const running: Subscription[] = [];

beforeAll(async () => {
  kafka = testKafka();
  await ensureSubscriberTopics(kafka);
  db = await createTestDatabase();
  pool = new Pool({ connectionString: db.url, max: 4 });
  await new PostgresVersionStore({ pool }).ensureSchema();
  await createWorkTable(pool);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const publish = (events: StatusChangedV1[]) =>
  produce(
    kafka,
    Topics.statusChanged,
    events.map((e) => ({ key: e.paymentRequestId, value: encodeStatus(e) })),
  );

async function caughtUp(groupId: string) {
  await waitFor(() => groupCaughtUp(kafka, groupId, Topics.statusChanged), {
    description: `${groupId} has committed every status event`,
    timeoutMs: 60_000,
    intervalMs: 250,
  });
}

describe.each(['in-memory', 'PostgreSQL'])('subscribeToPaymentStatus with the %s store', (kind) => {
  it('the same status event delivered 3 times, and an older version delivered after a newer one, make one handler call each', async () => {
    const groupId = uniqueId('sub-dedupe');
    const id = uniqueId('pay');
    const calls: string[] = [];
    const skipped: string[] = [];
    const common = {
      brokers: process.env.KAFKA_BROKERS!.split(','),
      groupId,
      logger: quiet,
      onSkipped: (e: StatusChangedV1) => e.paymentRequestId === id && skipped.push(e.eventId),
    };
    const record = async (e: StatusChangedV1, tx: PoolClient | null) => {
      if (e.paymentRequestId !== id) return;
      calls.push(`${e.eventId} after ${e.version === 1 ? 'nothing' : 'v' + (e.version - 1)}`);
      await tx?.query(
        'INSERT INTO handler_work (event_id, payment_request_id, version, group_id) VALUES ($1, $2, $3, $4)',
        [e.eventId, e.paymentRequestId, e.version, groupId],
      );
    };
    const [v1, v2, v3] = [1, 2, 3].map((v) => statusEvent(id, v));
    await publish([v1, v1, v1, v2, v3]); // v3 is the newer one…
    const v2again = statusEvent(id, 2, { occurredAt: '2026-01-01T00:00:09Z' });
    running.push(
      kind === 'in-memory'
        ? await subscribeToPaymentStatus({
            ...common,
            store: new InMemoryVersionStore(),
            handler: (e) => record(e, null),
          })
        : await subscribeToPaymentStatus({
            ...common,
            store: new PostgresVersionStore({ pool }),
            handler: (e, ctx) => record(e, ctx.tx),
          }),
    );
    await waitFor(async () => calls.length === 3, {
      description: 'v1, v2 and v3 applied',
      timeoutMs: 60_000,
    });
    await publish([v1, v2again]); // …then older versions arrive after it
    await waitFor(async () => skipped.length === 4, {
      description: 'the late deliveries skipped',
      timeoutMs: 60_000,
    });
    await caughtUp(groupId);

    expect(calls).toEqual([
      `status:${id}:1 after nothing`,
      `status:${id}:2 after v1`,
      `status:${id}:3 after v2`,
    ]);
    expect(skipped).toEqual([`status:${id}:1`, `status:${id}:1`, `status:${id}:1`, `status:${id}:2`]);
    if (kind === 'PostgreSQL') {
      for (const v of [1, 2, 3]) expect(await workRows(pool, groupId, `status:${id}:${v}`)).toBe(1);
      expect(await new PostgresVersionStore({ pool }).lastVersion(groupId, id)).toBe(3);
    }
  });
});

it('a handler that throws is retried, and its work is not committed twice with the PostgreSQL store', async () => {
  const groupId = uniqueId('sub-retry');
  const id = uniqueId('pay');
  const attempts: number[] = [];
  const event = statusEvent(id, 1);
  await publish([event]);
  running.push(
    await subscribeToPaymentStatus({
      brokers: process.env.KAFKA_BROKERS!.split(','),
      groupId,
      logger: quiet,
      retry: { initialDelayMs: 50 },
      store: new PostgresVersionStore({ pool }),
      handler: async (e, { tx, attempt }) => {
        if (e.paymentRequestId !== id) return;
        // The work is done in the transaction first, then the handler fails: it must roll back.
        await tx.query(
          'INSERT INTO handler_work (event_id, payment_request_id, version, group_id) VALUES ($1, $2, $3, $4)',
          [e.eventId, id, e.version, groupId],
        );
        attempts.push(attempt);
        if (attempt < 3) throw new Error(`failing attempt ${attempt} on purpose`);
      },
    }),
  );
  await caughtUp(groupId);
  await publish([event]); // and delivered again later: applied already
  await caughtUp(groupId);

  expect(attempts).toEqual([1, 2, 3]);
  expect(await workRows(pool, groupId, event.eventId)).toBe(1);
});

it('an event it cannot read goes to the DLQ with the reason, and the subscriber goes on', async () => {
  const groupId = uniqueId('sub-dlq');
  const id = uniqueId('pay');
  const dlq = await new KafkaCollector<DeadLetterV1>(kafka, [Topics.dlq]).start();
  try {
    const invalid = JSON.stringify({ ...statusEvent(id, 2), version: 0 });
    const [notJson, badSchema] = await produce(kafka, Topics.statusChanged, [
      { key: id, value: 'this is not json' },
      { key: id, value: invalid },
    ]);
    await publish([statusEvent(id, 1)]);
    const calls: string[] = [];
    running.push(
      await subscribeToPaymentStatus({
        brokers: process.env.KAFKA_BROKERS!.split(','),
        groupId,
        logger: quiet,
        store: new InMemoryVersionStore(),
        handler: async (e) => void (e.paymentRequestId === id && calls.push(e.eventId)),
      }),
    );
    const letters = await waitFor(
      async () => {
        const mine = dlq.where((m) => m.value.consumerGroup === groupId && m.key === id).map((m) => m.value);
        return mine.length >= 2 && mine;
      },
      { description: 'two dead letters from the group', timeoutMs: 60_000 },
    );
    await waitFor(async () => calls.length === 1, { description: 'the valid event applied' });
    await caughtUp(groupId);

    expect(letters.map((l) => l.offset).sort()).toEqual([notJson.baseOffset, badSchema.baseOffset].sort());
    const byOffset = new Map(letters.map((l) => [l.offset, l]));
    expect(byOffset.get(notJson.baseOffset!)).toMatchObject({
      originalTopic: Topics.statusChanged,
      partition: notJson.partition,
      value: 'this is not json',
      reason: expect.stringContaining('value is not JSON'),
    });
    expect(byOffset.get(badSchema.baseOffset!)).toMatchObject({
      value: invalid,
      reason: expect.stringMatching(/schema payments\.status-changed\.v1:[\s\S]*version/),
    });
    expect(calls).toEqual([`status:${id}:1`]);
  } finally {
    await dlq.stop();
  }
});
