import type { DurableProducer, OutgoingMessage, PublishOptions } from '@app/kafka';
import { EventPublisher } from '../../application/ports';
import { GatewayMetrics } from '../metrics/gateway-metrics';

/** The EventPublisher port over DurableProducer, timing each durable write for the metrics. */
export class TimedPublisher extends EventPublisher {
  constructor(
    private readonly producer: DurableProducer,
    private readonly metrics: GatewayMetrics,
  ) {
    super();
  }

  async publish(messages: OutgoingMessage[], timeoutMs: number, options?: PublishOptions): Promise<void> {
    const end = this.metrics.publishDuration.startTimer({ topic: messages[0]?.topic ?? 'none' });
    try {
      await this.producer.publish(messages, timeoutMs, options);
    } finally {
      end();
    }
  }
}
