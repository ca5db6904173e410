export * from './logger';
export * from './run-service';
export * from './metrics';
export * from './probes';
export * from './observability.module';
