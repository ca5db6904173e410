import type { OutgoingMessage, PublishOptions } from '@app/kafka';
import { EventPublisher } from '../../application/ports';

/** What a lane needs of a producer: libs/kafka's DurableProducer, timed (TimedPublisher). */
export interface Lane {
  publish(messages: OutgoingMessage[], timeoutMs: number, options?: PublishOptions): Promise<void>;
}

/**
 * Several producers side by side ("lanes"), each with its own idempotent producer and so its own
 * produce request in flight (issue 14). One DurableProducer keeps one request in flight: a
 * notification that arrives while it is out waits for it to come back before its own request can
 * leave, which is most of the gateway's tail latency under load. With two lanes the next request
 * leaves as soon as either lane is free.
 *
 * A publish goes to the lane of its first message's key, so every event of one payment
 * (paymentRequestId is the key) goes through the same producer, in the order it was published,
 * exactly as with one producer. Events of different payments have no order to keep.
 */
export class ProducerLanes extends EventPublisher {
  constructor(private readonly lanes: readonly Lane[]) {
    super();
    if (lanes.length === 0) throw new Error('ProducerLanes needs at least one lane');
  }

  publish(messages: OutgoingMessage[], timeoutMs: number, options?: PublishOptions): Promise<void> {
    const key = messages[0]?.key ?? '';
    return this.lanes[laneOf(key, this.lanes.length)].publish(messages, timeoutMs, options);
  }
}

/** FNV-1a over the key's UTF-16 code units: stable across restarts and cheap (no allocation). */
export function laneOf(key: string, laneCount: number): number {
  if (laneCount <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % laneCount;
}
