import { Kafka, Producer, Message, CompressionTypes } from 'kafkajs';
import { LoggerService } from '@nestjs/common';

export class PublishTimeoutError extends Error {
  readonly code = 'KAFKA_PUBLISH_TIMEOUT';
  constructor(timeoutMs: number) {
    super(`Kafka did not acknowledge the write within ${timeoutMs} ms`);
  }
}

export interface OutgoingMessage {
  topic: string;
  key: string;
  value: string;
  headers?: Record<string, string>;
}

interface Pending {
  message: OutgoingMessage;
  resolve: () => void;
  reject: (err: Error) => void;
}

export interface DurableProducerOptions {
  /** How long one send may take before the caller gets an error (the gateway answers non-S then). */
  sendTimeoutMs: number;
  /** Upper bound on messages in one produce request. */
  maxBatch?: number;
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
 * sender's retry are recognised downstream as one event.
 */
export class DurableProducer {
  private readonly producer: Producer;
  private queue: Pending[] = [];
  private flushing = false;
  private connected = false;
  private readonly maxBatch: number;

  constructor(
    kafka: Kafka,
    private readonly options: DurableProducerOptions,
  ) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Bounded, so that a dead broker turns into an error for the queued callers instead of an
      // ever-growing queue. Duplicates this may cause are removed by event id downstream.
      retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 5 },
    });
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

  /** Resolves once every message is acknowledged by all in-sync replicas; rejects on timeout or error. */
  publish(messages: OutgoingMessage[], timeoutMs = this.options.sendTimeoutMs): Promise<void> {
    if (!this.connected) return Promise.reject(new Error('producer is not connected'));
    const all = messages.map(
      (message) =>
        new Promise<void>((resolve, reject) => {
          this.queue.push({ message, resolve, reject });
        }),
    );
    void this.flush();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PublishTimeoutError(timeoutMs)), timeoutMs);
    });
    return Promise.race([Promise.all(all).then(() => undefined), timeout]).finally(() => clearTimeout(timer));
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        const byTopic = new Map<string, Message[]>();
        for (const { message } of batch) {
          const list = byTopic.get(message.topic) ?? [];
          list.push({ key: message.key, value: message.value, headers: message.headers });
          byTopic.set(message.topic, list);
        }
        try {
          await this.producer.sendBatch({
            acks: -1,
            compression: CompressionTypes.None,
            topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })),
          });
          for (const p of batch) p.resolve();
        } catch (err) {
          this.options.logger.warn(`publish of ${batch.length} message(s) failed: ${(err as Error).message}`);
          for (const p of batch) p.reject(err as Error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
