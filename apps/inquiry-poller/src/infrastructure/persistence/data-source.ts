import { DataSourceOptions } from 'typeorm';
import { postgresDataSourceOptions } from '@app/persistence';
import { InquiryScheduleEntity } from './inquiry-schedule.entity';
import { InquirySchedule1763800000000 } from './migrations/1763800000000-inquiry-schedule';
import { ScheduleHintedAt1795300000001 } from './migrations/1795300000001-schedule-hinted-at';
import { ScheduleExceptions1797000000000 } from './migrations/1797000000000-schedule-exceptions';

export const INQUIRY_POLLER_ENTITIES = [InquiryScheduleEntity];
export const INQUIRY_POLLER_MIGRATIONS = [
  InquirySchedule1763800000000,
  ScheduleHintedAt1795300000001,
  ScheduleExceptions1797000000000,
];

/**
 * One definition for the app and the migration CLI (style.md). Schema changes go through migrations
 * only; the poller's own migrations table keeps it independent of order-state when both share a
 * database.
 */
export function inquiryPollerDataSourceOptions(databaseUrl: string, poolSize = 10): DataSourceOptions {
  return postgresDataSourceOptions({
    databaseUrl,
    poolSize,
    entities: INQUIRY_POLLER_ENTITIES,
    migrations: INQUIRY_POLLER_MIGRATIONS,
    migrationsTableName: 'inquiry_poller_migrations',
  });
}

export { runMigrations } from '@app/persistence';

/** Distinct from order-state's keys (0x0a51_000x), in case both apps share one database. */
export const INQUIRY_POLLER_MIGRATION_LOCK = 0x0a51_0101;
