import { randomBytes } from 'crypto';
import { Consumer, Kafka, logLevel } from 'kafkajs';

export function testKafka(brokers = process.env.KAFKA_BROKERS!): Kafka {
  if (!brokers)
    throw new Error('KAFKA_BROKERS is not set: run the tests through jest (global setup starts Kafka)');
  return new Kafka({
    clientId: `test-${process.pid}`,
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
}

export interface CollectedMessage<T = unknown> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: T;
}

/**
 * A test subscriber: collects every message of the topics from the beginning, in a consumer group of
 * its own, so tests can wait for an event or count events by id.
 */
export class KafkaCollector<T = Record<string, unknown>> {
  readonly messages: CollectedMessage<T>[] = [];
  private consumer?: Consumer;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: string[],
  ) {}

  async start(): Promise<this> {
    this.consumer = this.kafka.consumer({ groupId: `collector-${randomBytes(4).toString('hex')}` });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: true });
    const joined = new Promise<void>((resolve) => {
      const off = this.consumer!.on(this.consumer!.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const raw = message.value?.toString('utf8') ?? 'null';
        let value: T;
        try {
          value = JSON.parse(raw) as T;
        } catch {
          value = raw as unknown as T;
        }
        this.messages.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value,
        });
      },
    });
    await joined;
    return this;
  }

  where(pred: (m: CollectedMessage<T>) => boolean): CollectedMessage<T>[] {
    return this.messages.filter(pred);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** Sum of the high watermarks of a topic: a change means something was published to it. */
export async function topicEndOffsetSum(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** True once the group has committed every message of the topic (it has consumed all there is). */
export async function groupCaughtUp(kafka: Kafka, groupId: string, topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [ends, [committed]] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    return caughtUp(ends, committed.partitions);
  } finally {
    await admin.disconnect();
  }
}

/** True when the committed offsets reach every partition's end (a partition never written needs none). */
export function caughtUp(
  ends: readonly { partition: number; high: string }[],
  committed: readonly { partition: number; offset: string }[],
): boolean {
  const byPartition = new Map(committed.map((p) => [p.partition, Number(p.offset)]));
  return ends.every((e) => Number(e.high) === 0 || (byPartition.get(e.partition) ?? -1) >= Number(e.high));
}
