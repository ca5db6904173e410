export * from './dead-letter-archive';
export * from './dead-letter-replayer';
export * from './dead-letters.controller';
export * from './dead-letters.consumers';
export * from './dead-letters.migration';
