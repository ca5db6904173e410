import { LoggerService } from '@nestjs/common';
import { EventOf, TopicName } from '@app/contracts';
import type { ServiceMetrics } from '@app/observability';
import type { ConsumerHealth } from './consumer-health';
import type { DurableProducer } from './durable-producer';

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
  /**
   * How long the broker may hold a fetch until it has `minBytes` (kafkajs's defaults: 1 byte, 5 s).
   * With 1 byte every fetch returns at once with the few messages that arrived meanwhile: at a steady
   * rate that is a fetch (a request and its reply on each side) per handful of messages. A consumer
   * that can wait (the poller's) asks for more bytes and accepts up to `maxWaitMs` of delay instead.
   */
  fetch?: { minBytes: number; maxWaitMs: number };
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
  /**
   * One handler call (one transaction) and one offset commit for the batches of several partitions of
   * a topic that one fetch returned, instead of one per partition (see PartitionMerger). Each
   * partition's messages keep their order; the handler must not assume they come from one partition.
   * Only batches of at most MERGE_MAX_MESSAGES are merged: merging is for light load, where a fetch
   * brings a few messages per partition; under load every batch is large already, and merging them
   * cost order-state about 20 µs of CPU per observation (bench:order-state, issue 14).
   */
  mergePartitions?: boolean;
}

/** The largest partition batch that `mergePartitions` merges; larger ones are handled on their own. */
export const MERGE_MAX_MESSAGES = 256;
