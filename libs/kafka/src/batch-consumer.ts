import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { LoggerService } from '@nestjs/common';
import { decodeEvent, DeadLetterV1, EventOf, Topics, TopicName, encodeEvent } from '@app/contracts';
import type { ServiceMetrics } from '@app/observability';
import { DurableProducer } from './durable-producer';

export interface DecodedMessage<T extends TopicName> {
  topic: T;
  partition: number;
  offset: string;
  key: string | null;
  event: EventOf<T>;
}

export type BatchHandler<T extends TopicName> = (messages: DecodedMessage<T>[]) => Promise<void>;

/**
 * The most of a refused value a dead letter carries (base64 makes it 256 KiB at most): letters must
 * stay well under Kafka's 1 MB message limit, or the DLQ write fails and the consumer with it.
 */
export const DEAD_LETTER_VALUE_MAX_BYTES = 192 * 1024;

/**
 * Whether the batch consumer still consumes. kafkajs gives up for good on some errors (a request the
 * broker refuses as non-retriable, a missing permission): the consumer leaves its group while the
 * process runs on. Health endpoints read this, so that Kubernetes restarts the pod.
 */
export class ConsumerHealth {
  private reason: string | null = null;

  /** Why the consumer stopped for good; null while it consumes. */
  get failure(): string | null {
    return this.reason;
  }

  markStopped(reason: string): void {
    this.reason = reason;
  }
}

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

/** The consumer's Prometheus series, declared once per registry. */
export function consumerMetrics(metrics: ServiceMetrics) {
  return {
    lag: metrics.gauge(
      'kafka_consumer_lag_messages',
      'Messages behind the partition end after the last batch handled, per group, topic and partition.',
      ['group', 'topic', 'partition'],
    ),
    batchDuration: metrics.histogram(
      'kafka_consumer_batch_duration_seconds',
      'Time to decode, apply and commit one partition batch.',
      ['group', 'topic'],
    ),
    messages: metrics.counter('kafka_consumer_messages_total', 'Messages consumed.', ['group', 'topic']),
    deadLetters: metrics.counter(
      'dlq_writes_total',
      'Messages sent to payments.dlq.v1, by the topic they came from.',
      ['group', 'topic'],
    ),
  };
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
    const poison: { message: KafkaMessage; reason: string }[] = [];
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

  private async deadLetter(
    topic: TopicName,
    partition: number,
    poison: { message: KafkaMessage; reason: string }[],
  ) {
    const now = new Date().toISOString();
    const letters = poison.map(({ message, reason }) => {
      const whole = message.value;
      const truncated = whole !== null && whole.length > DEAD_LETTER_VALUE_MAX_BYTES;
      const raw = truncated ? whole.subarray(0, DEAD_LETTER_VALUE_MAX_BYTES) : whole;
      const utf8 = raw ? raw.toString('utf8') : null;
      const isUtf8 = raw ? Buffer.from(utf8 ?? '', 'utf8').equals(raw) : true;
      const letter: DeadLetterV1 = {
        // Deterministic: a replay of the same offset dead-letters it with the same id.
        eventId: `dlq:${this.options.groupId}:${topic}:${partition}:${message.offset}`,
        schemaVersion: 1,
        occurredAt: now,
        originalTopic: topic,
        partition,
        offset: message.offset,
        key: message.key?.toString('utf8').slice(0, 1024) ?? null,
        value: raw ? (isUtf8 ? utf8 : raw.toString('base64')) : null,
        valueEncoding: isUtf8 ? 'utf8' : 'base64',
        ...(truncated ? { valueTruncated: true as const, valueBytes: whole.length } : {}),
        reason: reason.slice(0, 4000),
        consumerGroup: this.options.groupId,
      };
      this.options.logger.warn(
        `dead-lettering ${topic}[${partition}]@${message.offset}: ${reason.split('\n')[0]}`,
      );
      return {
        topic: Topics.dlq,
        key: letter.key ?? `${topic}:${partition}`,
        value: encodeEvent(Topics.dlq, letter),
      };
    });
    await this.options.deadLetters.publish(letters);
    this.metrics?.deadLetters.inc({ group: this.options.groupId, topic }, letters.length);
  }
}
