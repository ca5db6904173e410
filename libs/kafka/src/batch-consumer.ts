import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { decodeEvent, TopicName } from '@app/contracts';
import { MERGE_MAX_MESSAGES } from './batch-consumer-options';
import type { BatchConsumerOptions, BatchHandler, DecodedMessage } from './batch-consumer-options';
import { consumerMetrics } from './consumer-metrics';
import { deadLettersFor, RefusedMessage } from './dead-letters';
import { PartitionMerger } from './partition-merger';

// Split by concern: the health flag (consumer-health.ts), the Prometheus series (consumer-metrics.ts),
// the dead letters' shape (dead-letters.ts) and the options (batch-consumer-options.ts) are
// re-exported, so `@app/kafka` exports what it did.
export { ConsumerHealth } from './consumer-health';
export { consumerMetrics } from './consumer-metrics';
export { DEAD_LETTER_VALUE_MAX_BYTES } from './dead-letters';
export type { BatchConsumerOptions, BatchHandler, DecodedMessage } from './batch-consumer-options';

/** One partition's batch, validated, waiting for a merged handler call. */
interface Share {
  partition: number;
  lastOffset: string;
  valid: DecodedMessage<TopicName>[];
  /** The batch as kafkajs gave it: a refused message's raw bytes are looked up here, only then. */
  messages: KafkaMessage[];
  resolveOffset: () => void;
  commit: EachBatchPayload['commitOffsetsIfNecessary'];
}

/** The raw message behind a decoded one, for its dead letter: searched only when one is refused. */
type RawOf = (message: DecodedMessage<TopicName>) => KafkaMessage;
const rawIn =
  (batches: ReadonlyMap<number, readonly KafkaMessage[]>): RawOf =>
  ({ partition, offset }) =>
    batches.get(partition)!.find((m) => m.offset === offset)!;
const nextOffset = (lastOffset: string) => (BigInt(lastOffset) + 1n).toString();

/**
 * At-least-once batch consumption (design.md §6; issue: order-state batch path).
 *
 * Each kafkajs batch (one partition) is decoded and validated against its topic's schema; messages
 * that fail go to `payments.dlq.v1` with the reason, so the partition keeps moving. The valid ones go
 * to the handler in one call — the handler applies them in one DB transaction — and only after it
 * returns are the offsets resolved and committed. A crash between the DB commit and the offset commit
 * replays the batch; handlers are idempotent by event id, so the replay changes nothing.
 *
 * A handler error (a database outage, say) is not a property of the message: the batch is not
 * committed and kafkajs retries it after a backoff. An error that `isPoisonError` pins on the data
 * is: the batch is halved, and halved again, until the one message behind it is found and
 * dead-lettered. The halves are applied in offset order, so the partition's order is kept.
 */
export class BatchConsumer {
  private readonly consumer: Consumer;
  private running = false;
  private readonly metrics?: ReturnType<typeof consumerMetrics>;
  private readonly mergers = new Map<TopicName, PartitionMerger<Share>>();

  constructor(
    kafka: Kafka,
    private readonly options: BatchConsumerOptions,
  ) {
    if (options.metrics) this.metrics = consumerMetrics(options.metrics);
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 4 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
      ...(options.fetch
        ? { minBytes: options.fetch.minBytes, maxWaitTimeInMs: options.fetch.maxWaitMs }
        : {}),
      sessionTimeout: options.sessionTimeoutMs ?? 30000,
      heartbeatInterval: Math.min(3000, Math.floor((options.sessionTimeoutMs ?? 30000) / 3)),
      retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: Number.MAX_SAFE_INTEGER },
    });
  }

  get topics(): TopicName[] {
    return Object.keys(this.options.handlers) as TopicName[];
  }

  async start(): Promise<void> {
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) return; // kafkajs restarts the consumer itself
      const reason = `consumer ${this.options.groupId} stopped for good: ${payload.error.message}`;
      this.options.logger.error(reason);
      this.options.health?.markStopped(reason);
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: this.options.fromBeginning ?? true });
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** Graceful stop: stop fetching, let the batch in flight finish and commit, then leave the group. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.consumer.disconnect();
  }

  /** Resolves once the consumer has joined its group and received an assignment. */
  whenJoined(timeoutMs = 60000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`consumer ${this.options.groupId} did not join in time`)),
        timeoutMs,
      );
      const off = this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  private async onBatch({
    batch,
    resolveOffset,
    commitOffsetsIfNecessary,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload) {
    const topic = batch.topic as TopicName;
    const handler = this.options.handlers[topic] as BatchHandler<TopicName> | undefined;
    if (!handler || batch.messages.length === 0) return;
    if (!isRunning() || isStale()) return;
    const endTimer = this.metrics?.batchDuration.startTimer({ group: this.options.groupId, topic });

    const valid: DecodedMessage<TopicName>[] = [];
    const poison: RefusedMessage[] = [];
    for (const message of batch.messages) {
      const decoded = decodeEvent(topic, message.value);
      if (decoded.ok) {
        valid.push({
          topic,
          partition: batch.partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          event: decoded.value,
        });
      } else {
        poison.push({ message, reason: decoded.reason });
      }
    }

    if (poison.length > 0) {
      await this.deadLetter(topic, batch.partition, poison);
    }
    if (this.options.mergePartitions && batch.messages.length <= MERGE_MAX_MESSAGES) {
      await this.mergerFor(topic, handler).add({
        partition: batch.partition,
        lastOffset: batch.lastOffset(),
        valid,
        messages: batch.messages,
        resolveOffset: () => resolveOffset(batch.lastOffset()),
        commit: commitOffsetsIfNecessary,
      });
    } else {
      const rawOf = rawIn(new Map([[batch.partition, batch.messages]]));
      if (valid.length > 0) await this.applyIsolatingPoison(handler, valid, rawOf, topic);
      resolveOffset(batch.lastOffset());
      // With autoCommit off, kafkajs commits only offsets given explicitly: the next offset to read.
      await commitOffsetsIfNecessary({
        topics: [
          { topic, partitions: [{ partition: batch.partition, offset: nextOffset(batch.lastOffset()) }] },
        ],
      });
    }
    await heartbeat();
    endTimer?.();
    if (this.metrics) {
      const labels = { group: this.options.groupId, topic };
      this.metrics.messages.inc(labels, batch.messages.length);
      // offsetLag() counts from the batch's last offset, which is now committed.
      this.metrics.lag.set({ ...labels, partition: String(batch.partition) }, Number(batch.offsetLag()));
    }
  }

  /** The merged path: the shares' messages in one handler call, then one commit of all their offsets. */
  private mergerFor(topic: TopicName, handler: BatchHandler<TopicName>): PartitionMerger<Share> {
    let merger = this.mergers.get(topic);
    if (!merger) {
      merger = new PartitionMerger<Share>(async (shares) => {
        const valid = shares.flatMap((s) => s.valid);
        const rawOf = rawIn(new Map(shares.map((s) => [s.partition, s.messages])));
        if (valid.length > 0) await this.applyIsolatingPoison(handler, valid, rawOf, topic);
        for (const s of shares) s.resolveOffset();
        await shares[0].commit({
          topics: [
            {
              topic,
              partitions: shares.map((s) => ({ partition: s.partition, offset: nextOffset(s.lastOffset) })),
            },
          ],
        });
      });
      this.mergers.set(topic, merger);
    }
    return merger;
  }

  private async applyIsolatingPoison(
    handler: BatchHandler<TopicName>,
    messages: DecodedMessage<TopicName>[],
    rawOf: RawOf,
    topic: TopicName,
  ): Promise<void> {
    try {
      await handler(messages);
    } catch (err) {
      if (!this.options.isPoisonError?.(err)) throw err;
      if (messages.length === 1) {
        const [refused] = messages;
        const reason = `the handler refused this message: ${(err as Error).message}`;
        await this.deadLetter(topic, refused.partition, [{ message: rawOf(refused), reason }]);
        return;
      }
      const half = Math.ceil(messages.length / 2);
      await this.applyIsolatingPoison(handler, messages.slice(0, half), rawOf, topic);
      await this.applyIsolatingPoison(handler, messages.slice(half), rawOf, topic);
    }
  }

  private async deadLetter(topic: TopicName, partition: number, poison: RefusedMessage[]) {
    for (const { message, reason } of poison) {
      this.options.logger.warn(
        `dead-lettering ${topic}[${partition}]@${message.offset}: ${reason.split('\n')[0]}`,
      );
    }
    const letters = deadLettersFor(this.options.groupId, topic, partition, poison);
    await this.options.deadLetters.publish(letters);
    this.metrics?.deadLetters.inc({ group: this.options.groupId, topic }, letters.length);
  }
}
