import type { OutgoingMessage, PublishOptions } from '@app/kafka';

/**
 * Where the gateway's events go (result-observed, inquiry hints). Resolves only once Kafka has them
 * (acks=all, design.md §6); rejects on timeout, error or a full queue, and the partner is then told U.
 * The adapter is libs/kafka's DurableProducer, timed for the metrics (infrastructure/messaging).
 */
export abstract class EventPublisher {
  abstract publish(messages: OutgoingMessage[], timeoutMs: number, options?: PublishOptions): Promise<void>;
}
