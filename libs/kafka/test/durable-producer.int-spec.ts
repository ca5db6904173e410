// DurableProducer against the real broker: a failed send retires the idempotent producer.
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { isLocalInfraManaged, startKafka, stopKafka, waitFor } from '@app/testing';
import { KafkaCollector } from '@app/testing/kafka-probes';
import { DurableProducer, PublishQueueFullError, PublishTimeoutError } from '../src/durable-producer';

jest.setTimeout(180_000);

const itWhenManaged = isLocalInfraManaged() ? it : it.skip;

describe('DurableProducer (real Kafka)', () => {
  const topic = `durable-producer-spec-${randomUUID()}`;
  const kafka = () =>
    new Kafka({
      clientId: 'durable-producer-spec',
      brokers: process.env.KAFKA_BROKERS!.split(','),
      connectionTimeout: 1000,
      logLevel: logLevel.NOTHING,
    });
  let producer: DurableProducer;

  beforeAll(async () => {
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    producer = new DurableProducer(kafka(), { sendTimeoutMs: 5000, logger: new Logger('spec') });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
  });

  // The failure that matters is a request the broker wrote but whose reply was lost: kafkajs rolls
  // the sequence number back, and a next batch of the same size on the same producer would be
  // acknowledged as a duplicate and never written. That reply loss cannot be staged on one local
  // broker, so this pins the guard itself: after any failed send the next one goes out on a new
  // producer (new producer id, sequences from zero) and is written.
  itWhenManaged('sends on a fresh producer after a failed send, and the message is written', async () => {
    await producer.publish([{ topic, key: 'k', value: 'before' }]);
    expect(producer.generation).toBe(1);

    await stopKafka();
    try {
      // A long caller timeout: the rejection comes from the send itself failing, once kafkajs's
      // bounded retries are spent, so the failed send has finished when it arrives.
      await expect(producer.publish([{ topic, key: 'k', value: 'lost-broker' }], 120_000)).rejects.toThrow();
    } finally {
      await startKafka();
    }

    await waitFor(
      async () =>
        producer.publish([{ topic, key: 'k', value: 'after' }]).then(
          () => true,
          () => false,
        ),
      { description: 'a publish succeeds once the broker is back', timeoutMs: 90_000 },
    );
    expect(producer.generation).toBeGreaterThan(1);

    const collector = await new KafkaCollector<string>(kafka(), [topic]).start();
    try {
      await waitFor(async () => collector.messages.some((m) => m.value === 'after'), {
        description: 'the message sent after the failure is in the topic',
        timeoutMs: 30_000,
      });
    } finally {
      await collector.stop();
    }
  });

  describe('a bounded queue', () => {
    let small: DurableProducer;
    const message = (value: string) => ({ topic, key: 'q', value });

    beforeEach(async () => {
      small = new DurableProducer(kafka(), {
        sendTimeoutMs: 5000,
        maxBatch: 1,
        maxQueued: 8,
        logger: new Logger('spec'),
      });
      await small.connect();
    });
    afterEach(async () => {
      await small?.disconnect();
    });

    it('refuses a publish beyond maxQueued at once, and a low-priority one beyond a quarter of it', async () => {
      const first = small.publish(['q1', 'q2', 'q3', 'q4'].map(message));
      // One message is in the request (maxBatch 1); three wait.
      expect(small.queued).toBe(3);
      await expect(small.publish([message('hint')], 5000, { lowPriority: true })).rejects.toBeInstanceOf(
        PublishQueueFullError,
      );
      await expect(small.publish(['a', 'b', 'c', 'd', 'e', 'f'].map(message))).rejects.toBeInstanceOf(
        PublishQueueFullError,
      );
      expect(small.queued).toBe(3); // the refused ones never entered
      await first;
      await small.publish([message('hint-later')], 5000, { lowPriority: true });
    });

    it('a request holds at most maxBatchBytes of keys and values, but always one message', async () => {
      const bytesBound = new DurableProducer(kafka(), {
        sendTimeoutMs: 5000,
        maxBatchBytes: 100,
        logger: new Logger('spec'),
      });
      await bytesBound.connect();
      try {
        const sixty = (n: number) => message(`${n}`.padEnd(59, '.'));
        const sent = bytesBound.publish([sixty(1), sixty(2), sixty(3)]);
        expect(bytesBound.queued).toBe(2); // 1 + 59 + 60 bytes would pass 100: the first goes alone
        await sent;
        await bytesBound.publish([message('x'.repeat(500))]); // larger than the bound: alone, still sent
      } finally {
        await bytesBound.disconnect();
      }
    });

    it('when one request of a publish fails, the rest of that publish is not sent', async () => {
      // maxBatch 1: three requests. The first names a topic that does not exist and fails; the two
      // after it would be written by the replacement producer, ahead of the caller's retry.
      const spanning = small.publish(
        [{ topic: `missing-${randomUUID()}`, key: 'q', value: 'x' }, message('after-1'), message('after-2')],
        120_000,
      );
      await expect(spanning).rejects.toThrow();
      expect(small.queued).toBe(0);
      await small.publish([message('next')]);

      const collector = await new KafkaCollector<string>(kafka(), [topic]).start();
      try {
        await waitFor(async () => collector.messages.some((m) => m.value === 'next'), {
          description: 'the next publish is in the topic',
          timeoutMs: 30_000,
        });
        const values = collector.messages.map((m) => m.value);
        expect(values).not.toContain('after-1');
        expect(values).not.toContain('after-2');
      } finally {
        await collector.stop();
      }
    });

    it('a publish that timed out is taken out of the queue and never written later', async () => {
      // A topic that does not exist (auto-creation is off) holds the request in kafkajs's retries.
      const stuck = small.publish([{ topic: `missing-${randomUUID()}`, key: 'q', value: 'x' }], 120_000);
      const stale = small.publish([message('stale')], 200);
      await expect(stale).rejects.toBeInstanceOf(PublishTimeoutError);
      expect(small.queued).toBe(0);
      await expect(stuck).rejects.toThrow();
      await small.publish([message('fresh')]);

      const collector = await new KafkaCollector<string>(kafka(), [topic]).start();
      try {
        await waitFor(async () => collector.messages.some((m) => m.value === 'fresh'), {
          description: 'the fresh message is in the topic',
          timeoutMs: 30_000,
        });
        expect(collector.messages.map((m) => m.value)).not.toContain('stale');
      } finally {
        await collector.stop();
      }
    });
  });

  describe('coalescing publishes into one request (lingerMs, issue 14)', () => {
    const message = (value: string) => ({ topic, key: 'c', value });

    it.each([
      // Sent at once: the first publish goes alone, the two made meanwhile share the next request.
      ['unset (sent at once)', undefined, 2],
      // The end of the event-loop turn: all three made in this turn share one request.
      ['0 (the end of the turn)', 0, 1],
      ['5 ms', 5, 1],
    ])(
      'lingerMs %s: three publishes made in one turn go in %i request(s)',
      async (_label, lingerMs, requests) => {
        const coalescing = new DurableProducer(kafka(), {
          sendTimeoutMs: 5000,
          lingerMs,
          logger: new Logger('spec'),
        });
        await coalescing.connect();
        try {
          const before = coalescing.requestsSent;
          await Promise.all(['c1', 'c2', 'c3'].map((v) => coalescing.publish([message(v)])));
          expect(coalescing.requestsSent - before).toBe(requests);
        } finally {
          await coalescing.disconnect();
        }
      },
    );
  });
});
