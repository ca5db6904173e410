/**
 * bench:e2e's baseline and its subscriber: when each key first arrives on a topic, and the floor of
 * one Kafka hop (produce with acks=all, then consume) at a given rate.
 */
import { randomBytes } from 'crypto';
import { Kafka } from 'kafkajs';
import { caughtUp } from '@app/testing/kafka-probes';
import { percentile } from './open-loop';

export interface Arrivals {
  /** First arrival time (performance.now() ms) per key the filter named. */
  seen: Map<string, number>;
  stop(): Promise<void>;
}

/** A consumer in a fresh group that records when each wanted event first arrives; joined on return. */
export async function arrivals(
  kafka: Kafka,
  topic: string,
  keyOf: (value: string) => string | undefined,
): Promise<Arrivals> {
  const seen = new Map<string, number>();
  const consumer = kafka.consumer({
    groupId: `bench-e2e-${randomBytes(4).toString('hex')}`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    // A throwaway group reads from the end and never resumes, so it commits nothing. kafkajs's default
    // (a commit after every batch) made the two subscribers ~730 of the broker's ~1,240 requests/s
    // at 1,000/s offered: the instrument loaded the broker more than the pipeline did.
    autoCommit: false,
    partitionsConsumedConcurrently: 8,
    eachBatch: async ({ batch }) => {
      const now = performance.now();
      for (const m of batch.messages) {
        const key = m.value ? keyOf(m.value.toString()) : undefined;
        if (key !== undefined && !seen.has(key)) seen.set(key, now);
      }
    },
  });
  await joined;
  return { seen, stop: () => consumer.disconnect() };
}

/** One hop at `rate`/s: each message produced on its own (acks=all), timed until consumed. */
export async function kafkaFloor(kafka: Kafka, rate: number, n: number) {
  const topic = `bench-e2e-floor-${randomBytes(3).toString('hex')}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  const sub = await arrivals(kafka, topic, (value) => value.slice(0, value.indexOf('|')));
  // Not idempotent: kafkajs then keeps one request in flight per broker, and the floor would measure that queue.
  const producer = kafka.producer();
  await producer.connect();
  const padding = 'x'.repeat(330);
  const scheduled = new Map<string, number>();
  const start = performance.now() + 20;
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const at = start + (i * 1000) / rate;
    const wait = at - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const key = String(i);
    scheduled.set(key, at);
    sends.push(producer.send({ topic, acks: -1, messages: [{ key, value: `${key}|${padding}` }] }));
  }
  await Promise.all(sends);
  const deadline = performance.now() + 60_000;
  while (sub.seen.size < n && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await producer.disconnect();
  await sub.stop();
  const lat = [...scheduled].filter(([k]) => sub.seen.has(k)).map(([k, at]) => sub.seen.get(k)! - at);
  lat.sort((a, b) => a - b);
  return { p50Ms: percentile(lat, 50), p99Ms: percentile(lat, 99), received: lat.length };
}

/**
 * Resolves once the pipeline's consumer groups (all but the bench's own) have read everything on
 * their topics and nothing new arrived for `settleMs`: the work a pass's registrations started (the
 * relay's events and the consumers' handling of them) is done before the pass is timed.
 */
export async function pipelineQuiet(kafka: Kafka, settleMs = 500, timeoutMs = 120_000): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = performance.now() + timeoutMs;
    let lastEnd = -1;
    let quietSince = performance.now();
    for (;;) {
      const { groups } = await admin.listGroups();
      const committed = (
        await Promise.all(
          groups
            .filter((g) => !g.groupId.startsWith('bench-e2e'))
            .map(({ groupId }) => admin.fetchOffsets({ groupId })),
        )
      ).flat();
      const topics = [...new Set(committed.map((c) => c.topic))];
      const ends = new Map(
        await Promise.all(topics.map(async (t) => [t, await admin.fetchTopicOffsets(t)] as const)),
      );
      const behind = committed.some(({ topic, partitions }) => !caughtUp(ends.get(topic)!, partitions));
      const end = [...ends.values()].flat().reduce((sum, p) => sum + Number(p.high), 0);
      const now = performance.now();
      if (behind || end !== lastEnd) quietSince = now;
      lastEnd = end;
      if (!behind && now - quietSince >= settleMs) return;
      if (now > deadline) throw new Error(`the pipeline's consumers were still behind after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.disconnect();
  }
}
