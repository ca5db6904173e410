import { DataSource, DataSourceOptions } from 'typeorm';
import { PaymentOrderEntity } from './payment-order.entity';
import { PaymentObservationEntity } from './payment-observation.entity';
import { AnomalyEntity } from './anomaly.entity';
import { OutboxMessageEntity } from './outbox-message.entity';
import { InitialSchema1763700000000 } from './migrations/1763700000000-initial-schema';

export const ORDER_STATE_ENTITIES = [
  PaymentOrderEntity,
  PaymentObservationEntity,
  AnomalyEntity,
  OutboxMessageEntity,
];
export const ORDER_STATE_MIGRATIONS = [InitialSchema1763700000000];

/** One definition for the app and the migration CLI (style.md). Schema changes go through migrations only. */
export function orderStateDataSourceOptions(databaseUrl: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ORDER_STATE_ENTITIES,
    migrations: ORDER_STATE_MIGRATIONS,
    migrationsTableName: 'order_state_migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    extra: { max: poolSize },
  };
}

/** Runs pending migrations under an advisory lock, so replicas booting together do not race. */
export async function runMigrations(dataSource: DataSource, lockKey: number): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [lockKey]);
    await dataSource.runMigrations({ transaction: 'all' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [lockKey]).catch(() => undefined);
    await runner.release();
  }
}

export const ORDER_STATE_MIGRATION_LOCK = 0x0a51_0001;
