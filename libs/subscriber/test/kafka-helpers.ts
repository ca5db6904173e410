// What the subscriber's integration tests need of the real broker and database.
import { randomBytes } from 'crypto';
import { Kafka, RecordMetadata } from 'kafkajs';
import { Pool } from 'pg';
import { Topics } from '@app/contracts';
import { ensureTopics } from '@app/kafka';

export const uniqueId = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

export const ensureSubscriberTopics = (kafka: Kafka) =>
  ensureTopics(kafka, [Topics.statusChanged, Topics.exceptions, Topics.dlq]);

/** Produces raw values (each keyed, as our producers key by paymentRequestId) and returns where they went. */
export async function produce(
  kafka: Kafka,
  topic: string,
  messages: { key: string; value: string }[],
): Promise<RecordMetadata[]> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const out: RecordMetadata[] = [];
    // One send per message: the test's order is the partition's order.
    for (const m of messages) out.push(...(await producer.send({ topic, acks: -1, messages: [m] })));
    return out;
  } finally {
    await producer.disconnect();
  }
}

/** The group's committed offset of one partition (-1 when none). */
export async function committedOffset(kafka: Kafka, groupId: string, topic: string, partition: number) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Number(t.partitions.find((p) => p.partition === partition)?.offset ?? -1);
  } finally {
    await admin.disconnect();
  }
}

/** The handler's own table in the tests: no unique key, so work applied twice shows as two rows. */
export async function createWorkTable(pool: Pool): Promise<void> {
  await pool.query(`CREATE TABLE IF NOT EXISTS handler_work (
    event_id varchar(200) NOT NULL, payment_request_id varchar(64) NOT NULL, version integer NOT NULL,
    group_id varchar(255) NOT NULL, at timestamptz NOT NULL DEFAULT now())`);
}

export async function workRows(pool: Pool, groupId: string, eventId: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM handler_work WHERE group_id = $1 AND event_id = $2',
    [groupId, eventId],
  );
  return Number(rows[0].n);
}
