// Over 250 lines: the class comment keeps the durability rules (why each guard exists) next to the code.
import { Kafka, Producer, Message, CompressionTypes } from 'kafkajs';
import { LoggerService } from '@nestjs/common';
import { KeyPartitioner } from './key-partitioner';

export class PublishTimeoutError extends Error {
  readonly code = 'KAFKA_PUBLISH_TIMEOUT';
  constructor(timeoutMs: number) {
    super(`Kafka did not acknowledge the write within ${timeoutMs} ms`);
  }
}

/** Too much is waiting for Kafka already: the caller answers "try again later" at once. */
export class PublishQueueFullError extends Error {
  readonly code = 'KAFKA_PUBLISH_QUEUE_FULL';
  constructor(limit: number) {
    super(`more than ${limit} message(s) already wait for Kafka`);
  }
}

export interface PublishOptions {
  /**
   * Best effort (the gateway's inquiry hints): refused once the queue is a quarter full, so that
   * traffic nobody has verified can never crowd out results waiting to be made durable.
   */
  readonly lowPriority?: boolean;
}

export interface OutgoingMessage {
  topic: string;
  key: string;
  value: string;
  headers?: Record<string, string>;
}

/** One `publish` call: its messages are written in order, or the ones after a failed request not at all. */
interface PublishCall {
  failed?: Error;
}

interface Pending {
  message: OutgoingMessage;
  resolve: () => void;
  reject: (err: Error) => void;
  call: PublishCall;
}

export interface DurableProducerOptions {
  /** How long one send may take before the caller gets an error (the gateway answers non-S then). */
  sendTimeoutMs: number;
  /** Upper bound on messages in one produce request. */
  maxBatch?: number;
  /**
   * How long a publish into an idle producer waits for others to join its request (see
   * `scheduleFlush`): 0 = until the event loop has run the I/O callbacks already due, so everything
   * published in one turn goes in one request (the gateway); > 0 = that many ms. Unset: sent at once.
   */
  lingerMs?: number;
  /**
   * Upper bound on the key and value bytes in one produce request (default 512 KiB), so that many
   * messages for one partition never make a record batch over the broker's message size limit. A
   * single larger message goes alone.
   */
  maxBatchBytes?: number;
  /**
   * Upper bound on messages waiting for a request (default 10,000). While Kafka is slow or away, a
   * publish beyond it is refused at once (PublishQueueFullError) instead of growing memory.
   */
  maxQueued?: number;
  logger: LoggerService;
}

/**
 * A producer whose `publish` resolves only once Kafka has durably accepted the message (acks=all,
 * idempotent producer: design.md §6).
 *
 * The idempotent producer keeps one request in flight per broker, so sending each message on its own
 * would cap throughput at one round trip per message. Instead messages that arrive while a request is
 * in flight are queued and go together in the next request ("group commit"): latency stays one round
 * trip, throughput grows with concurrency.
 *
 * A publish that times out may still be written later (kafkajs keeps retrying within its bounded
 * retry budget). Callers must therefore use deterministic event ids, so that such a late write and the
 * sender's retry are recognised downstream as one event. Its messages not yet handed to kafkajs are
 * taken out of the queue: the caller was told they are not durable and will send them again, and
 * stale messages must not delay fresh ones once Kafka is back. The queue is bounded (`maxQueued`).
 *
 * A send that fails is never followed by another send on the same idempotent producer: kafkajs rolls
 * the partition's sequence number back when a request fails, but the broker may have written that
 * request (its reply was lost). The next batch would then reuse the sequence number, and the broker
 * would acknowledge it as a duplicate without writing it — a silent loss — or refuse every later batch
 * with OUT_OF_ORDER_SEQUENCE_NUMBER. So after a failure the producer is replaced: a new producer id,
 * sequences from zero. The failed batch's callers get the error and retry with the same event ids.
 *
 * A publish larger than one request (or queued behind others) may span two requests. If one fails,
 * the rest of that publish is not sent: the next request would go out on the new producer and could
 * be written, putting a later event of an order (a newer status version) ahead of the earlier one
 * that the caller is about to send again.
 */
export class DurableProducer {
  private producer: Producer;
  /** The failed producer must be replaced before anything else is sent. */
  private replaceBeforeNextSend = false;
  private generationCount = 1;
  private queue: Pending[] = [];
  private flushing = false;
  private flushScheduled = false;
  private connected = false;
  private readonly maxBatch: number;
  private readonly maxQueued: number;
  private readonly maxBatchBytes: number;
  private readonly lingerMs: number | undefined;
  private requestCount = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: DurableProducerOptions,
  ) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.maxQueued = options.maxQueued ?? 10_000;
    this.maxBatchBytes = options.maxBatchBytes ?? 512 * 1024;
    this.lingerMs = options.lingerMs;
    this.producer = this.createProducer();
  }

  /** How many kafkajs producers this one has used: 1, plus one per send that failed. */
  get generation(): number {
    return this.generationCount;
  }

  private createProducer(): Producer {
    return this.kafka.producer({
      // kafkajs' default partitioning, cheaper to compute (key-partitioner.ts).
      createPartitioner: KeyPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Bounded, so that a dead broker turns into an error for the queued callers instead of an
      // ever-growing queue. Duplicates this may cause are removed by event id downstream.
      retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 5 },
    });
  }

  /** Drops the producer whose sequence numbers can no longer be trusted and connects a fresh one. */
  private async replaceProducer(): Promise<void> {
    const old = this.producer;
    this.producer = this.createProducer();
    this.generationCount++;
    await old.disconnect().catch(() => undefined);
    await this.producer.connect();
    this.replaceBeforeNextSend = false;
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    // Let queued messages go out (or fail) before closing.
    while (this.flushing || this.queue.length > 0) await new Promise((r) => setTimeout(r, 10));
    await this.producer.disconnect();
  }

  /** Produce requests sent so far (with `publish` calls counted by the caller: messages per request). */
  get requestsSent(): number {
    return this.requestCount;
  }

  /** Messages waiting for a produce request. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Resolves once every message is acknowledged by all in-sync replicas; rejects on timeout or error,
   * or at once when the queue is full (a publish into an empty queue is always taken).
   */
  publish(
    messages: OutgoingMessage[],
    timeoutMs = this.options.sendTimeoutMs,
    options: PublishOptions = {},
  ): Promise<void> {
    if (!this.connected) return Promise.reject(new Error('producer is not connected'));
    const limit = options.lowPriority ? Math.floor(this.maxQueued / 4) : this.maxQueued;
    if (this.queue.length > 0 && this.queue.length + messages.length > limit) {
      return Promise.reject(new PublishQueueFullError(limit));
    }
    const call: PublishCall = {};
    const all = messages.map(
      (message) =>
        new Promise<void>((resolve, reject) => {
          this.queue.push({ message, resolve, reject, call });
        }),
    );
    this.scheduleFlush();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        call.failed = new PublishTimeoutError(timeoutMs);
        this.dropFailedCalls();
        reject(call.failed);
      }, timeoutMs);
    });
    return Promise.race([Promise.all(all).then(() => undefined), timeout]).finally(() => clearTimeout(timer));
  }

  /** How many queued messages go in the next request: at most maxBatch, and maxBatchBytes (but one). */
  private batchLength(): number {
    let bytes = 0;
    const limit = Math.min(this.maxBatch, this.queue.length);
    for (let i = 0; i < limit; i++) {
      const { key, value } = this.queue[i].message;
      bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
      if (bytes > this.maxBatchBytes) return Math.max(i, 1);
    }
    return limit;
  }

  /**
   * Takes the messages of failed or timed-out publishes out of the queue (those already in a request
   * go on): see the class comment.
   */
  private dropFailedCalls(): void {
    this.queue = this.queue.filter((p) => {
      if (p.call.failed) p.reject(p.call.failed);
      return !p.call.failed;
    });
  }

  /**
   * With lingerMs set, a request starts only after the current event-loop turn (or lingerMs), so the
   * publishes of requests that arrived together share it. Sent at once, the first went alone and the
   * rest waited a round trip for the next request: a one-message request in every cycle, which costs
   * about as much CPU as a full one. While a request is in flight, `flush` takes what queued meanwhile.
   */
  private scheduleFlush(): void {
    if (this.lingerMs === undefined) return void this.flush();
    if (this.flushing || this.flushScheduled) return;
    this.flushScheduled = true;
    const start = () => {
      this.flushScheduled = false;
      void this.flush();
    };
    if (this.lingerMs > 0) setTimeout(start, this.lingerMs);
    else setImmediate(start);
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.batchLength());
        const byTopic = new Map<string, Message[]>();
        for (const { message } of batch) {
          const list = byTopic.get(message.topic) ?? [];
          list.push({ key: message.key, value: message.value, headers: message.headers });
          byTopic.set(message.topic, list);
        }
        try {
          if (this.replaceBeforeNextSend) await this.replaceProducer();
          this.requestCount++;
          await this.producer.sendBatch({
            acks: -1,
            compression: CompressionTypes.None,
            topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })),
          });
          for (const p of batch) p.resolve();
        } catch (err) {
          this.options.logger.warn(`publish of ${batch.length} message(s) failed: ${(err as Error).message}`);
          // Also when the replacement itself could not connect: try again before the next send.
          this.replaceBeforeNextSend = true;
          for (const p of batch) {
            p.call.failed = err as Error;
            p.reject(err as Error);
          }
          this.dropFailedCalls();
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
