import { DataSource, DataSourceOptions } from 'typeorm';
import { InquiryScheduleEntity } from './inquiry-schedule.entity';
import { InquirySchedule1763800000000 } from './migrations/1763800000000-inquiry-schedule';

export const INQUIRY_POLLER_ENTITIES = [InquiryScheduleEntity];
export const INQUIRY_POLLER_MIGRATIONS = [InquirySchedule1763800000000];

/**
 * One definition for the app and the migration CLI (style.md). Schema changes go through migrations
 * only; the poller's own migrations table keeps it independent of order-state when both share a
 * database.
 */
export function inquiryPollerDataSourceOptions(databaseUrl: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: INQUIRY_POLLER_ENTITIES,
    migrations: INQUIRY_POLLER_MIGRATIONS,
    migrationsTableName: 'inquiry_poller_migrations',
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

/** Distinct from order-state's keys (0x0a51_000x), in case both apps share one database. */
export const INQUIRY_POLLER_MIGRATION_LOCK = 0x0a51_0101;
