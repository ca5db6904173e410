export * from './kafka-client';
export * from './durable-producer';
export * from './batch-consumer';
export * from './kafka-batch.transport';
export * from './kafka-reachability';
export * from './key-partitioner';
