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

/**
 * Planner settings for every order-state session (the pool and the outbox relay's connection), sent
 * at connection start (no extra round trip; the server's own default stays as it is).
 *
 * random_page_cost 1.1 instead of 4.0, PostgreSQL's value for spinning disks and the one its docs
 * suggest lowering to 1.1 for SSDs or a mostly cached database, which is what order-state's is: every
 * hot statement looks rows up by primary key for a batch of ids. With 4.0 a batch of a few thousand ids
 * was planned as a sequential scan of the whole table (payment_orders: hash join; observations:
 * parallel scan), so its cost grew with the table: bench:order-state (batches of ~5,000, 200,000 rows)
 * spent 40 µs of PostgreSQL CPU per observation on the lock, duplicate check and update; with 1.1 they
 * are index lookups, 14 µs (issue 14 §3).
 */
export const ORDER_STATE_PG_SESSION_OPTIONS = '-c random_page_cost=1.1';

/** One definition for the app and the migration CLI (style.md). Schema changes go through migrations only. */
export function orderStateDataSourceOptions(databaseUrl: string, poolSize = 10): DataSourceOptions {
  const options = postgresDataSourceOptions({
    databaseUrl,
    poolSize,
    entities: ORDER_STATE_ENTITIES,
    migrations: ORDER_STATE_MIGRATIONS,
    migrationsTableName: 'order_state_migrations',
  });
  return { ...options, extra: { ...options.extra, options: ORDER_STATE_PG_SESSION_OPTIONS } };
}

export { runMigrations } from '@app/persistence';

export const ORDER_STATE_MIGRATION_LOCK = 0x0a51_0001;
