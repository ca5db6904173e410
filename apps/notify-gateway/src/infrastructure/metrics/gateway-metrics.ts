import type { Counter, Histogram } from 'prom-client';
import { ServiceMetrics } from '@app/observability';

/** The gateway's Prometheus series (GET /metrics), declared in one place. */
export class GatewayMetrics {
  /** Notifications answered, by dialect and the result code of the answer (S, or the refusal's code). */
  readonly received: Counter<'dialect' | 'result_code'>;
  /** From the request reaching the controller to the signed ack being handed to the socket. */
  readonly ackDuration: Histogram<'dialect'>;
  /** One durable Kafka write (acks=all), by topic. */
  readonly publishDuration: Histogram<'topic'>;

  constructor(readonly metrics: ServiceMetrics) {
    this.received = metrics.counter('notify_received_total', 'Notifications answered, by result code.', [
      'dialect',
      'result_code',
    ]);
    this.ackDuration = metrics.histogram(
      'notify_ack_duration_seconds',
      'Time from receiving a notification to answering it (the ack waits for Kafka).',
      ['dialect'],
    );
    this.publishDuration = metrics.histogram(
      'kafka_publish_duration_seconds',
      'Time for Kafka to acknowledge a publish (acks=all).',
      ['topic'],
    );
  }

  /** Produce requests the producer has sent: with the publish count, how well publishes share them. */
  watchProducers(producers: readonly { readonly requestsSent: number }[]): void {
    this.metrics.gauge(
      'kafka_produce_requests_sent',
      'Kafka produce requests sent since start (publishes per request = publish count / this).',
      [],
      (gauge) => gauge.set(producers.reduce((sum, p) => sum + p.requestsSent, 0)),
    );
  }
}
