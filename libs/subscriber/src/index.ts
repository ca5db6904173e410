export {
  subscribeToPaymentStatus,
  subscribeToPaymentExceptions,
  type SubscriberOptions,
  type StatusSubscriptionOptions,
  type StatusHandlerContext,
  type ExceptionSubscriptionOptions,
  type ExceptionHandlerContext,
  type Subscription,
} from './subscribe';
export { InMemoryVersionStore, type SubscriberStore } from './store';
export {
  PostgresVersionStore,
  postgresStoreDdl,
  ConcurrentApplyError,
  type PostgresVersionStoreOptions,
} from './postgres-store';
export { type RetryPolicy } from './retry';
export { type Delivery, type SubscriberLogger } from './partition-processor';
export { deadLetterFor, DEAD_LETTER_VALUE_MAX_BYTES } from './dead-letter';
export type { StatusChangedV1, ExceptionEventV1, DeadLetterV1 } from './contracts';
