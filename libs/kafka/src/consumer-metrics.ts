import type { ServiceMetrics } from '@app/observability';

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
