// BatchConsumer against the real broker and PostgreSQL: a message whose data the database refuses is
// found inside its batch and dead-lettered; the messages around it are applied, in order.
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { encodeEvent, ResultObservedV1, Topics } from '@app/contracts';
import { isPostgresDataError } from '@app/persistence';
import { waitFor } from '@app/testing';
import { KafkaCollector, testKafka } from '@app/testing/kafka-probes';
import { BatchConsumer } from '../src/batch-consumer';
import { DurableProducer } from '../src/durable-producer';
import { ensureTopics } from '../src/kafka-client';

jest.setTimeout(120_000);

describe('BatchConsumer (real Kafka and PostgreSQL)', () => {
  const tag = `poison-${randomBytes(4).toString('hex')}`;
  const kafka = testKafka();
  const logger = new Logger('spec');
  let pg: Client;
  let deadLetters: DurableProducer;
  let consumer: BatchConsumer;
  let dlq: KafkaCollector<{ offset: string; reason: string; value: string }>;
  const applied: string[] = [];
  let handlerCalls = 0;

  beforeAll(async () => {
    await ensureTopics(kafka, [Topics.resultObserved, Topics.dlq]);
    pg = new Client({ connectionString: process.env.DATABASE_URL });
    await pg.connect();
    deadLetters = new DurableProducer(kafka, { sendTimeoutMs: 10_000, logger });
    await deadLetters.connect();
    dlq = await new KafkaCollector<{ offset: string; reason: string; value: string }>(kafka, [
      Topics.dlq,
    ]).start();
  });

  afterAll(async () => {
    await consumer?.stop();
    await dlq?.stop();
    await deadLetters?.disconnect();
    await pg?.end();
  });

  it('dead-letters the one message the database refuses and applies the rest of its batch in order', async () => {
    consumer = new BatchConsumer(kafka, {
      groupId: `batch-consumer-spec-${tag}`,
      deadLetters,
      logger,
      fromBeginning: false,
      isPoisonError: isPostgresDataError,
      handlers: {
        [Topics.resultObserved]: async (messages) => {
          const ours = messages.filter((m) => m.event.paymentRequestId.startsWith(tag));
          if (ours.length === 0) return;
          handlerCalls++;
          // Stands in for a real apply: one statement over the whole batch, which PostgreSQL refuses
          // (SQLSTATE 22008) when any value is not a date it has.
          await pg.query(`SELECT x::timestamptz FROM unnest($1::text[]) AS x`, [
            ours.map((m) => m.event.resultCode),
          ]);
          applied.push(...ours.map((m) => m.event.paymentRequestId));
        },
      },
    });
    const joined = consumer.whenJoined();
    await consumer.start();
    await joined;

    const ids = Array.from({ length: 9 }, (_, i) => `${tag}-${i}`);
    const event = (id: string, i: number): ResultObservedV1 => ({
      eventId: `notify:${id}`,
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      clientId: 'T_SPEC',
      paymentRequestId: id,
      dialect: 'alipayplus',
      source: 'notify',
      outcome: 'FAIL',
      // Valid for the contract (any code of ≤ 64 chars); message 5 is not a date PostgreSQL has.
      resultCode: i === 5 ? '0000-01-01T00:00:00Z' : `2026-11-2${i}T00:00:00Z`,
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    // One key, so one partition and (very likely) one batch.
    await producer.send({
      topic: Topics.resultObserved,
      acks: -1,
      messages: ids.map((id, i) => ({ key: tag, value: encodeEvent(Topics.resultObserved, event(id, i)) })),
    });
    await producer.disconnect();

    await waitFor(async () => applied.length === 8 || undefined, {
      description: 'the eight good messages applied',
      timeoutMs: 60_000,
    });
    expect(applied).toEqual(ids.filter((_, i) => i !== 5));
    const letters = await waitFor(
      async () => {
        const found = dlq.where((m) => m.value.value?.includes(`${tag}-5`));
        return found.length > 0 && found;
      },
      { description: 'the refused message in the DLQ' },
    );
    expect(letters).toHaveLength(1);
    expect(letters[0].value.reason).toMatch(/refused this message.*out of range/s);
    // Split, not retried message by message from the start: a handful of calls, not one per message.
    expect(handlerCalls).toBeGreaterThan(1);
  });
});
