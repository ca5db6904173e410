/**
 * Topic names (design.md §3). Every event is keyed by `paymentRequestId`, so all events of one
 * payment land in one partition, in order. Names are versioned: a breaking change is a new topic.
 */
export const Topics = {
  orderRegistered: 'payments.order-registered.v1',
  resultObserved: 'payments.result-observed.v1',
  statusChanged: 'payments.status-changed.v1',
  dlq: 'payments.dlq.v1',
  /** A request to inquire about an order now (e.g. the gateway saw a badly signed notification for it). */
  inquiryHint: 'payments.inquiry-hint.v1',
  /** An order's exception opened, updated or resolved (order-state → alerting, poller, subscribers). */
  exceptions: 'payments.exceptions.v1',
  /** Commands for an order from checkout (cancel in advance) (checkout → order-state). */
  orderCommands: 'payments.order-commands.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

/** Partition counts used when our services create topics that do not exist yet (local runs, tests). */
export const DEFAULT_TOPIC_PARTITIONS: Record<TopicName, number> = {
  [Topics.orderRegistered]: 6,
  [Topics.resultObserved]: 6,
  [Topics.statusChanged]: 6,
  [Topics.dlq]: 1,
  [Topics.inquiryHint]: 3,
  [Topics.exceptions]: 3,
  [Topics.orderCommands]: 6,
};
