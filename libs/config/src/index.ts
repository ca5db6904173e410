export * from './load-config';
export * from './common-settings';
export * from './partners';
export * from './reload';
