export * from './logger';
export * from './run-service';
