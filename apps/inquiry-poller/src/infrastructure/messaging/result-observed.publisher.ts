import { encodeEvent, ResultObservedV1, Topics } from '@app/contracts';
import { DurableProducer } from '@app/kafka';
import { ResultPublisher } from '../../application/ports';

/**
 * Publishes to payments.result-observed.v1, keyed by paymentRequestId (design.md §3), through the
 * durable producer: the promise resolves only once every in-sync replica has the events (acks=all).
 */
export class KafkaResultPublisher extends ResultPublisher {
  constructor(
    private readonly producer: DurableProducer,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  async publish(events: readonly ResultObservedV1[]): Promise<void> {
    if (events.length === 0) return;
    await this.producer.publish(
      events.map((e) => ({
        topic: Topics.resultObserved,
        key: e.paymentRequestId,
        value: encodeEvent(Topics.resultObserved, e),
      })),
      this.timeoutMs,
    );
  }
}
