export * from './events';
export * from './orders';
export * from './partners';
