import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { LoggerService } from '@nestjs/common';
import { decodeEvent, EventOf, TopicName } from '@app/contracts';
import type { ServiceMetrics } from '@app/observability';
import { ConsumerHealth } from './consumer-health';
import { consumerMetrics } from './consumer-metrics';
import { deadLettersFor, RefusedMessage } from './dead-letters';
import { DurableProducer } from './durable-producer';

// Split by concern: the health flag (consumer-health.ts), the Prometheus series (consumer-metrics.ts)
// and the dead letters' shape (dead-letters.ts) are re-exported, so `@app/kafka` exports what it did.
export { ConsumerHealth } from './consumer-health';
export { consumerMetrics } from './consumer-metrics';
export { DEAD_LETTER_VALUE_MAX_BYTES } from './dead-letters';

export interface DecodedMessage<T extends TopicName> {
  topic: T;
  partition: number;
  offset: string;
  key: string | null;
  event: EventOf<T>;
}

export type BatchHandler<T extends TopicName> = (messages: DecodedMessage<T>[]) => Promise<void>;

export interface BatchConsumerOptions {
  groupId: string;
  /** Told when kafkajs stops the consumer for good. */
  health?: ConsumerHealth;
  handlers: { [T in TopicName]?: BatchHandler<T> };
  /** Where poison messages go (design.md §6). */
  deadLetters: DurableProducer;
  logger: LoggerService;
  fromBeginning?: boolean;
  /** Upper bound of bytes fetched per partition per batch. */
  maxBytesPerPartition?: number;
  /** How long a dead member keeps its partitions before a rebalance hands them over (default 30 s). */
  sessionTimeoutMs?: number;
  /** Partition batches handled at once (default 3). */
  partitionsConsumedConcurrently?: number;
  /**
   * True when a handler error is caused by the data of a message (PostgreSQL refusing a value, say)
   * rather than by the moment (a database outage). Such a batch is split until the message that
   * causes it is found; that message is dead-lettered and the rest applied. Default: never.
   */
  isPoisonError?: (err: unknown) => boolean;
  /** Where consumer lag, batch durations and dead-letter writes are counted (GET /metrics). */
  metrics?: ServiceMetrics;
}

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

  constructor(
    kafka: Kafka,
    private readonly options: BatchConsumerOptions,
  ) {
    if (options.metrics) this.metrics = consumerMetrics(options.metrics);
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 4 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
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
    const raw = new Map<string, KafkaMessage>();
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
        raw.set(message.offset, message);
      } else {
        poison.push({ message, reason: decoded.reason });
      }
    }

    if (poison.length > 0) {
      await this.deadLetter(topic, batch.partition, poison);
    }
    if (valid.length > 0) {
      await this.applyIsolatingPoison(handler, valid, raw, topic, batch.partition);
    }
    resolveOffset(batch.lastOffset());
    // With autoCommit off, kafkajs commits only offsets given explicitly: the next offset to read.
    await commitOffsetsIfNecessary({
      topics: [
        {
          topic,
          partitions: [{ partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() }],
        },
      ],
    });
    await heartbeat();
    endTimer?.();
    if (this.metrics) {
      const labels = { group: this.options.groupId, topic };
      this.metrics.messages.inc(labels, batch.messages.length);
      // offsetLag() counts from the batch's last offset, which is now committed.
      this.metrics.lag.set({ ...labels, partition: String(batch.partition) }, Number(batch.offsetLag()));
    }
  }

  private async applyIsolatingPoison(
    handler: BatchHandler<TopicName>,
    messages: DecodedMessage<TopicName>[],
    raw: Map<string, KafkaMessage>,
    topic: TopicName,
    partition: number,
  ): Promise<void> {
    try {
      await handler(messages);
    } catch (err) {
      if (!this.options.isPoisonError?.(err)) throw err;
      if (messages.length === 1) {
        const reason = `the handler refused this message: ${(err as Error).message}`;
        await this.deadLetter(topic, partition, [{ message: raw.get(messages[0].offset)!, reason }]);
        return;
      }
      const half = Math.ceil(messages.length / 2);
      await this.applyIsolatingPoison(handler, messages.slice(0, half), raw, topic, partition);
      await this.applyIsolatingPoison(handler, messages.slice(half), raw, topic, partition);
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
