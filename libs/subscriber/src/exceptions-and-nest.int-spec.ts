// Exception events on the same terms (once per eventId, with the PostgreSQL store), and the Nest module
// running the same subscriptions, against the real Kafka broker and PostgreSQL.
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { ExceptionEventV1, StatusChangedV1, Topics } from '@app/contracts';
import { waitFor } from '@app/testing';
import { groupCaughtUp, testKafka } from '@app/testing/kafka-probes';
import { createTestDatabase } from '@app/testing/test-database';
import { encodeException, encodeStatus, exceptionEvent, statusEvent } from '../test/fixtures';
import { createWorkTable, ensureSubscriberTopics, produce, uniqueId, workRows } from '../test/kafka-helpers';
import { InMemoryVersionStore, PostgresVersionStore, subscribeToPaymentExceptions } from './index';
import { PaymentEventsModule, PaymentEventsSubscriptions } from './nest';

jest.setTimeout(120_000);

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const brokers = () => process.env.KAFKA_BROKERS!.split(',');
let kafka: Kafka;
let db: { url: string; drop(): Promise<void> };
let pool: Pool;

beforeAll(async () => {
  kafka = testKafka();
  await ensureSubscriberTopics(kafka);
  db = await createTestDatabase();
  pool = new Pool({ connectionString: db.url, max: 4 });
  await new PostgresVersionStore({ pool }).ensureSchema();
  await createWorkTable(pool);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const caughtUp = (groupId: string, topic: string) =>
  waitFor(() => groupCaughtUp(kafka, groupId, topic), {
    description: `${groupId} caught up on ${topic}`,
    timeoutMs: 60_000,
    intervalMs: 250,
  });

it('exception events are applied once per eventId with the PostgreSQL store', async () => {
  const groupId = uniqueId('sub-exc');
  const id = uniqueId('pay');
  const [e1, e2] = [1, 2].map((n) => exceptionEvent(id, n));
  await produce(
    kafka,
    Topics.exceptions,
    [e1, e1, e2, e1].map((e) => ({ key: id, value: encodeException(e) })),
  );
  const calls: string[] = [];
  const subscription = await subscribeToPaymentExceptions({
    brokers: brokers(),
    groupId,
    logger: quiet,
    store: new PostgresVersionStore({ pool }),
    handler: async (e: ExceptionEventV1, { tx }) => {
      if (e.paymentRequestId !== id) return;
      calls.push(e.eventId);
      await tx.query(
        'INSERT INTO handler_work (event_id, payment_request_id, version, group_id) VALUES ($1, $2, 0, $3)',
        [e.eventId, id, groupId],
      );
    },
  });
  try {
    await caughtUp(groupId, Topics.exceptions);
  } finally {
    await subscription.stop();
  }
  expect(calls).toEqual([e1.eventId, e2.eventId]);
  expect(await workRows(pool, groupId, e1.eventId)).toBe(1);
});

@Injectable()
class SeenEvents {
  readonly status: StatusChangedV1[] = [];
}

@Module({ providers: [SeenEvents], exports: [SeenEvents] })
class SeenModule {}

it('the Nest module starts the subscription when the application boots and stops it when it closes', async () => {
  const groupId = uniqueId('sub-nest');
  const id = uniqueId('pay');
  const app = await Test.createTestingModule({
    imports: [
      PaymentEventsModule.forRootAsync({
        imports: [SeenModule],
        inject: [SeenEvents],
        useFactory: (seen: SeenEvents) => ({
          status: {
            brokers: brokers(),
            groupId,
            logger: quiet,
            store: new InMemoryVersionStore(),
            handler: async (e: StatusChangedV1) => void (e.paymentRequestId === id && seen.status.push(e)),
          },
        }),
      }),
    ],
  }).compile();
  await app.init();
  try {
    const subscriptions = app.get(PaymentEventsSubscriptions);
    expect(subscriptions.subscriptions.map((s) => s.topic)).toEqual([Topics.statusChanged]);
    expect(subscriptions.failure).toBeNull();
    const event = statusEvent(id, 1);
    await produce(kafka, Topics.statusChanged, [{ key: id, value: encodeStatus(event) }]);
    await produce(kafka, Topics.statusChanged, [{ key: id, value: encodeStatus(event) }]);
    await caughtUp(groupId, Topics.statusChanged);
    expect(app.get(SeenEvents).status.map((e) => e.eventId)).toEqual([event.eventId]);
  } finally {
    await app.close();
  }
  expect(app.get(PaymentEventsSubscriptions).subscriptions).toEqual([]);
});
