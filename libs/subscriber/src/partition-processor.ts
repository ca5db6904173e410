import type { EachBatchPayload } from 'kafkajs';
import type { DeadLetterV1 } from './contracts';
import { deadLetterFor } from './dead-letter';
import { mayRetry, retryDelayMs, RetryPolicy } from './retry';

/** Where a message was read, and which attempt at it this is (1 for the first). */
export interface Delivery {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  attempt: number;
}

export interface SubscriberLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** What the processor needs to know about one kind of event. */
export interface EventKind<E> {
  decode(value: Buffer | null): { ok: true; value: E } | { ok: false; reason: string };
  /** Applies the event through the store; resolves false when the store says it was seen. */
  apply(event: E, delivery: Delivery): Promise<boolean>;
  describe(event: E): string;
}

export interface PartitionProcessorOptions<E> {
  groupId: string;
  kind: EventKind<E>;
  /** Resolves once Kafka has durably accepted the letters. */
  deadLetter(letters: DeadLetterV1[]): Promise<void>;
  retry?: RetryPolicy;
  logger: SubscriberLogger;
  /** Told of every event skipped because the store had seen it (metrics, tests). */
  onSkipped?(event: E, delivery: Delivery): void;
  sleep?: (ms: number) => Promise<void>;
}

/** The part of a kafkajs `eachBatch` payload the processor uses. */
export type BatchPayload = Pick<
  EachBatchPayload,
  'resolveOffset' | 'commitOffsetsIfNecessary' | 'heartbeat' | 'isRunning' | 'isStale'
> & { batch: Pick<EachBatchPayload['batch'], 'topic' | 'partition' | 'messages'> };

type Message = BatchPayload['batch']['messages'][number];

/**
 * One partition's batch, in offset order (so each payment's events are applied in order: they share a
 * partition). Each message is either applied through the store, skipped as seen, or dead-lettered;
 * only then is its offset resolved, and the batch's progress is committed after the last one. A crash
 * anywhere before that commit replays the messages, and the store skips what it has already applied.
 */
export class PartitionProcessor<E> {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: PartitionProcessorOptions<E>) {
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async process(payload: BatchPayload): Promise<void> {
    const { topic, partition, messages } = payload.batch;
    let done: string | null = null;
    let failed = false;
    try {
      for (const message of messages) {
        if (!payload.isRunning() || payload.isStale()) break;
        if (!(await this.handle(payload, message))) break;
        payload.resolveOffset(message.offset);
        done = message.offset;
        await payload.heartbeat();
      }
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      if (done !== null) {
        // With autoCommit off, kafkajs commits only the offsets given: the next offset to read.
        const next = (BigInt(done) + 1n).toString();
        const commit = payload.commitOffsetsIfNecessary({
          topics: [{ topic, partitions: [{ partition, offset: next }] }],
        });
        // After an error the progress is worth keeping, but the error is what the caller must see.
        if (failed) await commit.catch(() => undefined);
        else await commit;
      }
    }
  }

  /** Resolves true once the message is dealt with for good, false when the consumer is stopping. */
  private async handle(payload: BatchPayload, message: Message): Promise<boolean> {
    const { topic, partition } = payload.batch;
    const decoded = this.options.kind.decode(message.value);
    if (!decoded.ok) {
      await this.deadLetter(payload, message, decoded.reason);
      return true;
    }
    const event = decoded.value;
    for (let attempt = 1; ; attempt++) {
      const delivery: Delivery = {
        topic,
        partition,
        offset: message.offset,
        key: message.key?.toString('utf8') ?? null,
        attempt,
      };
      try {
        if (!(await this.options.kind.apply(event, delivery))) this.options.onSkipped?.(event, delivery);
        return true;
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        const what = `${this.options.kind.describe(event)} (${topic}[${partition}]@${message.offset})`;
        if (!mayRetry(attempt, this.options.retry)) {
          await this.deadLetter(
            payload,
            message,
            `the handler failed ${attempt} time(s); last error: ${why}`,
          );
          return true;
        }
        const delay = retryDelayMs(attempt, this.options.retry);
        this.options.logger.warn(
          `handler failed on ${what}, attempt ${attempt}; retrying in ${delay} ms: ${why}`,
        );
        if (!(await this.pause(payload, delay))) return false;
      }
    }
  }

  /** Waits, heartbeating; false when the consumer stops or loses the partition meanwhile. */
  private async pause(payload: BatchPayload, ms: number): Promise<boolean> {
    for (let left = ms; left > 0; left -= 1000) {
      await this.sleep(Math.min(left, 1000));
      if (!payload.isRunning() || payload.isStale()) return false;
      await payload.heartbeat();
    }
    return payload.isRunning() && !payload.isStale();
  }

  private async deadLetter(payload: BatchPayload, message: Message, reason: string): Promise<void> {
    const { topic, partition } = payload.batch;
    const letter = deadLetterFor(
      { topic, partition, offset: message.offset, key: message.key, value: message.value },
      reason,
      this.options.groupId,
    );
    this.options.logger.warn(
      `dead-lettering ${topic}[${partition}]@${message.offset}: ${reason.split('\n')[0]}`,
    );
    await this.options.deadLetter([letter]);
  }
}
