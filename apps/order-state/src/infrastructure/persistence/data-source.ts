import { DataSourceOptions } from 'typeorm';
import { DeadLetters1796100000000 } from '@app/dead-letters';
import { postgresDataSourceOptions } from '@app/persistence';
import { PaymentOrderEntity } from './payment-order.entity';
import { PaymentObservationEntity } from './payment-observation.entity';
import { AnomalyEntity } from './anomaly.entity';
import { OutboxMessageEntity } from './outbox-message.entity';
import { ExceptionEntity } from './exception.entity';
import { InitialSchema1763700000000 } from './migrations/1763700000000-initial-schema';
import { ObservationPartner1795300000000 } from './migrations/1795300000000-observation-partner';
import { Exceptions1796000000000 } from './migrations/1796000000000-exceptions';

export const ORDER_STATE_ENTITIES = [
  PaymentOrderEntity,
  PaymentObservationEntity,
  AnomalyEntity,
  OutboxMessageEntity,
  ExceptionEntity,
];
export const ORDER_STATE_MIGRATIONS = [
  InitialSchema1763700000000,
  ObservationPartner1795300000000,
  Exceptions1796000000000,
  DeadLetters1796100000000,
];

/** One definition for the app and the migration CLI (style.md). Schema changes go through migrations only. */
export function orderStateDataSourceOptions(databaseUrl: string, poolSize = 10): DataSourceOptions {
  return postgresDataSourceOptions({
    databaseUrl,
    poolSize,
    entities: ORDER_STATE_ENTITIES,
    migrations: ORDER_STATE_MIGRATIONS,
    migrationsTableName: 'order_state_migrations',
  });
}

export { runMigrations } from '@app/persistence';

export const ORDER_STATE_MIGRATION_LOCK = 0x0a51_0001;
