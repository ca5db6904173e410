import { Logger } from '@nestjs/common';
import { randomBytes } from 'crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Kafka } from 'kafkajs';
import { DurableProducer } from '@app/kafka';
import { waitFor } from '@app/testing';
import { createTestDatabase, queryRows } from '@app/testing/test-database';
import { KafkaCollector, testKafka, topicEndOffsetSum } from '@app/testing/kafka-probes';
import {
  ORDER_STATE_MIGRATION_LOCK,
  orderStateDataSourceOptions,
  runMigrations,
} from '../src/infrastructure/persistence/data-source';
import { OutboxRelay } from '../src/infrastructure/messaging/outbox-relay';

/**
 * The relay's own paths against the real PostgreSQL and Kafka: a full batch's rows are deleted
 * together with the next read (one round trip), and that read, which still sees them (a CTE's
 * DELETE is not visible to its SELECT), skips them, so none is published twice. A row committed late
 * with a lower id is still published. Every row reaches Kafka exactly once and the table ends empty.
 */
describe('outbox relay (real Kafka and PostgreSQL)', () => {
  let db: { url: string; drop(): Promise<void> };
  let kafka: Kafka;
  let producer: DurableProducer;
  let relay: OutboxRelay | undefined;
  let collector: KafkaCollector<string> | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    const ds = await new DataSource(orderStateDataSourceOptions(db.url, 2)).initialize();
    try {
      await runMigrations(ds, ORDER_STATE_MIGRATION_LOCK);
    } finally {
      await ds.destroy();
    }
    kafka = testKafka();
    producer = new DurableProducer(kafka, { sendTimeoutMs: 30_000, logger: new Logger('relay-test') });
    await producer.connect();
  });

  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
    await collector?.stop();
    collector = undefined;
    await queryRows(db.url, 'DELETE FROM outbox');
  });

  afterAll(async () => {
    await producer?.disconnect();
    await db?.drop();
  });

  async function freshTopic(): Promise<string> {
    const topic = `relay-it-${randomBytes(4).toString('hex')}`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    collector = await new KafkaCollector<string>(kafka, [topic]).start();
    return topic;
  }

  const insertRow = (c: Client, topic: string, key: string, payload: string) =>
    c.query(
      `INSERT INTO outbox (event_id, topic, message_key, payload, created_at)
       VALUES ($1, $2, $3, $4, now()) RETURNING id`,
      [`ev-${payload}`, topic, key, payload],
    );

  async function withClient<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }

  const outboxCount = async () =>
    Number((await queryRows<{ n: string }>(db.url, 'SELECT count(*) AS n FROM outbox'))[0].n);

  it('deletes full batches with the next read and publishes every row once, in id order per key', async () => {
    const topic = await freshTopic();
    // Two keys, interleaved: each key's rows must come out in id order.
    const payloads = Array.from({ length: 10 }, (_, i) => `p${i}`);
    await withClient(async (c) => {
      for (const [i, p] of payloads.entries()) await insertRow(c, topic, `k${i % 2}`, p);
    });
    relay = new OutboxRelay({ databaseUrl: db.url, producer, pollMs: 50, batchSize: 3 });
    const separateDeletes = jest.spyOn(
      relay as unknown as { deleteRows: (ids: string[]) => Promise<void> },
      'deleteRows',
    );
    relay.start();

    await waitFor(async () => (await outboxCount()) === 0 && collector!.messages.length >= 10, {
      timeoutMs: 30_000,
      description: 'every row published and deleted',
    });
    // Exactly 10 messages reached the topic: nothing was read again after it was published.
    expect(await topicEndOffsetSum(kafka, topic)).toBe(10);
    expect(collector!.messages.map((m) => m.value).sort()).toEqual([...payloads].sort());
    for (const key of ['k0', 'k1']) {
      const got = collector!.where((m) => m.key === key).map((m) => m.value);
      expect(got).toEqual(payloads.filter((_, i) => `k${i % 2}` === key));
    }
    // Batches 1–3 were full: their rows went with the next read. Only the last, partial batch (one
    // row) was deleted on its own.
    expect(separateDeletes).toHaveBeenCalledTimes(1);
    expect(separateDeletes.mock.calls[0][0]).toHaveLength(1);
  });

  it('publishes a row committed after a later id was already published and its delete deferred', async () => {
    const topic = await freshTopic();
    const late = new Client({ connectionString: db.url });
    await late.connect();
    try {
      // The late row takes the lower id, then waits uncommitted while a later id commits.
      await late.query('BEGIN');
      const lowId = (await insertRow(late, topic, 'k', 'late')).rows[0].id as string;
      const highId = await withClient(
        async (c) => (await insertRow(c, topic, 'k', 'early')).rows[0].id as string,
      );
      expect(BigInt(lowId)).toBeLessThan(BigInt(highId));

      // batchSize 1: the published 'early' row is a full batch, so its delete waits for the next read.
      relay = new OutboxRelay({ databaseUrl: db.url, producer, pollMs: 50, batchSize: 1 });
      relay.start();
      await waitFor(async () => collector!.messages.some((m) => m.value === 'early'), {
        timeoutMs: 30_000,
        description: "the 'early' row published",
      });
      await late.query('COMMIT');
    } finally {
      await late.end();
    }

    await waitFor(async () => (await outboxCount()) === 0 && collector!.messages.length >= 2, {
      timeoutMs: 30_000,
      description: 'the late row published and the table empty',
    });
    expect(await topicEndOffsetSum(kafka, topic)).toBe(2);
    expect(collector!.messages.map((m) => m.value).sort()).toEqual(['early', 'late']);
  });
});
