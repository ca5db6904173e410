export * from './topics';
export * from './primitives';
export * from './events';
export * from './registry';
export * from './event-ids';
export * from './asyncapi';
export * from './observation-fields';
