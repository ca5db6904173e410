// BatchConsumer against the real broker and PostgreSQL: a message whose data the database refuses is
// found inside its batch and dead-lettered; the messages around it are applied, in order. Once with
// the consumer alone, once through the Nest transport the services use (whose exception handling
// must hand the database's error on unchanged).
import { randomBytes } from 'node:crypto';
import { INestApplication, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { encodeEvent, Topics } from '@app/contracts';
import { resultObservedEvent } from '@app/testing/factories';
import { ServiceMetrics } from '@app/observability';
import { isPostgresDataError } from '@app/persistence';
import { waitFor } from '@app/testing';
import { KafkaCollector, testKafka } from '@app/testing/kafka-probes';
import { KafkaJSNonRetriableError } from 'kafkajs';
import {
  BatchConsumer,
  ConsumerHealth,
  DEAD_LETTER_VALUE_MAX_BYTES,
  DecodedMessage,
} from '../src/batch-consumer';
import { DurableProducer } from '../src/durable-producer';
import { ensureTopics } from '../src/kafka-client';
import { BatchConsumers, KafkaBatchTransport } from '../src/kafka-batch.transport';

jest.setTimeout(120_000);

const kafka = testKafka();
const logger = new Logger('spec');
let pg: Client;

/** One run of the scenario: its own id prefix, what it applied, how often the handler ran. */
class Scenario {
  readonly tag = `poison-${randomBytes(4).toString('hex')}`;
  readonly applied: string[] = [];
  handlerCalls = 0;
  /** The partitions of each handler call's messages (of this scenario). */
  readonly callPartitions: number[][] = [];
  readonly partitionOf = new Map<string, number>();

  /**
   * Stands in for a real apply: one statement over the whole batch, which PostgreSQL refuses
   * (SQLSTATE 22008) when any value is not a date it has.
   */
  async apply(messages: DecodedMessage<typeof Topics.resultObserved>[]): Promise<void> {
    const ours = messages.filter((m) => m.event.paymentRequestId.startsWith(this.tag));
    if (ours.length === 0) return;
    this.handlerCalls++;
    this.callPartitions.push([...new Set(ours.map((m) => m.partition))]);
    for (const m of ours) this.partitionOf.set(m.event.paymentRequestId, m.partition);
    await pg.query(`SELECT x::timestamptz FROM unnest($1::text[]) AS x`, [
      ours.map((m) => m.event.resultCode),
    ]);
    this.applied.push(...ours.map((m) => m.event.paymentRequestId));
  }
}

let current: Scenario;

@BatchConsumers()
class ScenarioHandlers {
  @EventPattern(Topics.resultObserved)
  async onResults(@Payload() messages: DecodedMessage<typeof Topics.resultObserved>[]): Promise<void> {
    await current.apply(messages);
  }
}

@Module({ controllers: [ScenarioHandlers] })
class ScenarioModule {}

/**
 * Commits the group's offsets at the topic's current end before its consumer starts. With no
 * committed offset, kafkajs resolves "latest" only at its first fetch, some time after the group
 * join: a message sent in between would be skipped, and a loaded machine makes that gap long.
 */
async function startGroupAtTheEnd(groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(Topics.resultObserved);
    await admin.setOffsets({
      groupId,
      topic: Topics.resultObserved,
      partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
    });
  } finally {
    await admin.disconnect();
  }
}

describe('BatchConsumer (real Kafka and PostgreSQL)', () => {
  let deadLetters: DurableProducer;
  let consumer: BatchConsumer | undefined;
  let app: INestApplication | undefined;
  let dlq: KafkaCollector<{
    offset: string;
    reason: string;
    value: string;
    key: string;
    valueEncoding: string;
    valueTruncated?: boolean;
    valueBytes?: number;
  }>;

  beforeAll(async () => {
    await ensureTopics(kafka, [Topics.resultObserved, Topics.dlq]);
    pg = new Client({ connectionString: process.env.DATABASE_URL });
    await pg.connect();
    deadLetters = new DurableProducer(kafka, { sendTimeoutMs: 10_000, logger });
    await deadLetters.connect();
    dlq = await new KafkaCollector<(typeof dlq.messages)[number]['value']>(kafka, [Topics.dlq]).start();
  });

  afterEach(async () => {
    await consumer?.stop();
    consumer = undefined;
    await app?.close();
    app = undefined;
  });

  afterAll(async () => {
    await dlq?.stop();
    await deadLetters?.disconnect();
    await pg?.end();
  });

  /**
   * FAIL results, one per id with its key and result code (the code is what the scenario stores as a
   * date: a code PostgreSQL has no date for is the poison), in one acks=all send.
   */
  async function sendResults(results: { id: string; key: string; resultCode: string }[]): Promise<void> {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic: Topics.resultObserved,
      acks: -1,
      messages: results.map(({ id, key, resultCode }) => ({
        key,
        value: encodeEvent(
          Topics.resultObserved,
          resultObservedEvent({
            eventId: `notify:${id}`,
            occurredAt: new Date().toISOString(),
            clientId: 'T_SPEC',
            paymentRequestId: id,
            outcome: 'FAIL',
            resultCode,
          }),
        ),
      })),
    });
    await producer.disconnect();
  }

  /** Nine results on one partition, the sixth a value PostgreSQL refuses; then what became of them. */
  async function sendNineAndExpectOneDeadLettered(scenario: Scenario): Promise<void> {
    const ids = Array.from({ length: 9 }, (_, i) => `${scenario.tag}-${i}`);
    // One key, so one partition and (very likely) one batch. Valid for the contract (any code of
    // ≤ 64 chars); message 5 is not a date PostgreSQL has.
    await sendResults(
      ids.map((id, i) => ({
        id,
        key: scenario.tag,
        resultCode: i === 5 ? '0000-01-01T00:00:00Z' : `2026-11-2${i}T00:00:00Z`,
      })),
    );

    await waitFor(async () => scenario.applied.length === 8 || undefined, {
      description: 'the eight good messages applied',
      timeoutMs: 60_000,
    });
    expect(scenario.applied).toEqual(ids.filter((_, i) => i !== 5));
    const letters = await waitFor(
      async () => {
        const found = dlq.where((m) => m.value.value?.includes(`${scenario.tag}-5`));
        return found.length > 0 && found;
      },
      { description: 'the refused message in the DLQ' },
    );
    expect(letters).toHaveLength(1);
    expect(letters[0].value.reason).toMatch(/refused this message.*out of range/s);
    // Split, not retried message by message from the start: a handful of calls, not one per message.
    expect(scenario.handlerCalls).toBeGreaterThan(1);
  }

  it('dead-letters the one message the database refuses and applies the rest of its batch in order', async () => {
    const scenario = new Scenario();
    await startConsumer(scenario);
    await sendNineAndExpectOneDeadLettered(scenario);
  });

  it('does the same through the Nest transport the services use: the database error reaches the consumer', async () => {
    current = new Scenario();
    app = await NestFactory.create(ScenarioModule, new FastifyAdapter(), { logger: false });
    app.connectMicroservice({
      strategy: new KafkaBatchTransport({
        kafka,
        groupId: `batch-transport-spec-${current.tag}`,
        deadLetters,
        fromBeginning: false,
        isPoisonError: isPostgresDataError,
      }),
    });
    await app.startAllMicroservices(); // resolves once the consumer has joined its group
    await sendNineAndExpectOneDeadLettered(current);
  });

  it('counts messages, dead letters, batch durations and the lag per partition (GET /metrics)', async () => {
    const scenario = new Scenario();
    const metrics = new ServiceMetrics('spec');
    await startConsumer(scenario, { metrics });
    await sendNineAndExpectOneDeadLettered(scenario);
    const group = `batch-consumer-spec-${scenario.tag}`;
    const value = async (name: string) =>
      (await metrics.registry.getSingleMetric(name)!.get()).values.filter((v) => v.labels.group === group);
    await waitFor(async () => (await value('kafka_consumer_messages_total')).length > 0, {
      description: 'the batch counted',
    });
    expect((await value('kafka_consumer_messages_total'))[0]).toMatchObject({
      labels: { topic: Topics.resultObserved },
    });
    expect(
      (await value('kafka_consumer_messages_total')).reduce((a, v) => a + v.value, 0),
    ).toBeGreaterThanOrEqual(9);
    expect((await value('dlq_writes_total')).reduce((a, v) => a + v.value, 0)).toBe(1);
    const lags = await value('kafka_consumer_lag_messages');
    expect(lags.length).toBeGreaterThan(0);
    expect(lags.every((v) => v.value >= 0)).toBe(true);
    const durations = await value('kafka_consumer_batch_duration_seconds');
    expect(
      durations.find(
        (v) => (v as { metricName?: string }).metricName === 'kafka_consumer_batch_duration_seconds_count',
      )!.value,
    ).toBeGreaterThan(0);
    expect((await metrics.render()).body).toContain('dlq_writes_total{group=');
  });

  /** `beforeStart` runs once the group is positioned at the end, before the consumer's first fetch. */
  async function startConsumer(
    scenario: Scenario,
    options: {
      health?: ConsumerHealth;
      metrics?: ServiceMetrics;
      mergePartitions?: boolean;
      partitionsConsumedConcurrently?: number;
    } = {},
    beforeStart?: () => Promise<void>,
  ) {
    const groupId = `batch-consumer-spec-${scenario.tag}`;
    await startGroupAtTheEnd(groupId);
    await beforeStart?.();
    consumer = new BatchConsumer(kafka, {
      groupId,
      deadLetters,
      logger,
      fromBeginning: false,
      isPoisonError: isPostgresDataError,
      handlers: { [Topics.resultObserved]: (messages) => scenario.apply(messages) },
      ...options,
    });
    const joined = consumer.whenJoined();
    await consumer.start();
    await joined;
  }

  it('merged (mergePartitions): one call for the partitions of a fetch, each partition in order, the refused message dead-lettered with its own partition, every partition committed', async () => {
    const scenario = new Scenario();
    const keys = Array.from({ length: 8 }, (_, k) => `${scenario.tag}-k${k}`);
    const ids = keys.flatMap((key) => [0, 1, 2].map((i) => `${key}-${i}`));
    const poisonId = `${keys[3]}-1`;
    // Sent before the consumer starts, so that its first fetch finds several partitions with data.
    await startConsumer(scenario, { mergePartitions: true, partitionsConsumedConcurrently: 6 }, () =>
      sendResults(
        ids.map((id, i) => ({
          id,
          key: id.slice(0, id.lastIndexOf('-')),
          resultCode: id === poisonId ? '0000-01-01T00:00:00Z' : `2026-11-${10 + (i % 18)}T00:00:00Z`,
        })),
      ),
    );

    await waitFor(async () => scenario.applied.length === ids.length - 1 || undefined, {
      description: 'every good message applied',
      timeoutMs: 60_000,
    });
    for (const key of keys) {
      const mine = (list: string[]) => list.filter((id) => id.startsWith(`${key}-`));
      expect(mine(scenario.applied)).toEqual(mine(ids).filter((id) => id !== poisonId));
    }
    expect(Math.max(...scenario.callPartitions.map((p) => p.length))).toBeGreaterThan(1);
    const [letter] = await waitFor(
      async () => {
        const found = dlq.where((m) => m.value.value?.includes(poisonId));
        return found.length > 0 && found;
      },
      { description: 'the refused message in the DLQ' },
    );
    expect(letter.value).toMatchObject({
      reason: expect.stringMatching(/refused this message.*out of range/s),
      partition: scenario.partitionOf.get(`${keys[3]}-0`),
    });
    // Committed up to the end of every partition that had messages: nothing is read again.
    const admin = kafka.admin();
    await admin.connect();
    try {
      const ends = new Map(
        (await admin.fetchTopicOffsets(Topics.resultObserved)).map((p) => [p.partition, p.high]),
      );
      const used = new Set(scenario.partitionOf.values());
      await waitFor(
        async () => {
          const [committed] = await admin.fetchOffsets({
            groupId: `batch-consumer-spec-${scenario.tag}`,
            topics: [Topics.resultObserved],
          });
          return committed.partitions
            .filter((p) => used.has(p.partition))
            .every((p) => p.offset === ends.get(p.partition));
        },
        { description: 'every partition committed to its end' },
      );
    } finally {
      await admin.disconnect();
    }
  });

  it('a dead letter carries at most the first bytes of a large refused value, and says so', async () => {
    const scenario = new Scenario();
    await startConsumer(scenario);
    const value = Buffer.alloc(300 * 1024, 0xff); // not UTF-8, not JSON: refused, sent as base64
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: Topics.resultObserved, acks: -1, messages: [{ key: scenario.tag, value }] });
    await producer.disconnect();
    const [letter] = await waitFor(
      async () => {
        const found = dlq.where((m) => m.value.key === scenario.tag);
        return found.length > 0 && found;
      },
      { description: 'the large refused value in the DLQ' },
    );
    expect(letter.value).toMatchObject({
      valueEncoding: 'base64',
      valueTruncated: true,
      valueBytes: value.length,
    });
    expect(Buffer.from(letter.value.value, 'base64')).toEqual(value.subarray(0, DEAD_LETTER_VALUE_MAX_BYTES));
  });

  it('reports through ConsumerHealth when kafkajs stops the consumer for good', async () => {
    const scenario = new Scenario();
    const health = new ConsumerHealth();
    consumer = new BatchConsumer(kafka, {
      groupId: `batch-consumer-spec-${scenario.tag}`,
      deadLetters,
      logger,
      fromBeginning: false,
      health,
      handlers: {
        [Topics.resultObserved]: async (messages) => {
          // What a DLQ write the broker refuses (MESSAGE_TOO_LARGE, no permission) looks like.
          if (messages.some((m) => m.event.paymentRequestId.startsWith(scenario.tag)))
            throw new KafkaJSNonRetriableError('the broker refused the request for good');
        },
      },
    });
    const joined = consumer.whenJoined();
    await consumer.start();
    await joined;
    expect(health.failure).toBeNull();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: Topics.resultObserved,
      acks: -1,
      messages: [
        {
          key: scenario.tag,
          value: encodeEvent(
            Topics.resultObserved,
            resultObservedEvent({
              eventId: `notify:${scenario.tag}`,
              occurredAt: new Date().toISOString(),
              clientId: 'T_SPEC',
              paymentRequestId: `${scenario.tag}-0`,
              outcome: 'FAIL',
              resultCode: 'X',
            }),
          ),
        },
      ],
    });
    await producer.disconnect();
    const failure = await waitFor(async () => health.failure ?? undefined, {
      description: 'the consumer reported as stopped',
    });
    expect(failure).toMatch(/stopped for good.*refused the request/);
  });
});
