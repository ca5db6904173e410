export * from './operator-tokens';
export * from './operator-auth.guard';
export * from './operator-params';
export * from './operator-api-errors.filter';
