import { DataSource, DataSourceOptions, EntitySchema, MigrationInterface } from 'typeorm';

export interface PostgresDataSourceSpec {
  databaseUrl: string;
  poolSize: number;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: (Function | EntitySchema)[];
  migrations: (new () => MigrationInterface)[];
  /** Each app has its own, so apps sharing a database migrate independently. */
  migrationsTableName: string;
}

/**
 * The data-source options every app uses, for the app and its migration CLI alike (style.md).
 * Schema changes go through migrations only: `synchronize` is always off.
 */
export function postgresDataSourceOptions(spec: PostgresDataSourceSpec): DataSourceOptions {
  return {
    type: 'postgres',
    url: spec.databaseUrl,
    entities: spec.entities,
    migrations: spec.migrations,
    migrationsTableName: spec.migrationsTableName,
    migrationsTransactionMode: 'all',
    synchronize: false,
    extra: { max: spec.poolSize, ...PG_CONNECTION_SETTINGS },
  };
}

/**
 * For every PostgreSQL connection the apps open: give up connecting after 10 s, and keep idle
 * connections probed so that one to a server that vanished (a node lost without a reset) is noticed
 * by the kernel's keepalive instead of waiting on it indefinitely.
 */
export const PG_CONNECTION_SETTINGS = {
  connectionTimeoutMillis: 10_000,
  keepAlive: true,
  keepAliveInitialDelayMillis: 10_000,
} as const;

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

/**
 * True when PostgreSQL refused a statement because of a value in it, which no retry can fix: SQLSTATE
 * class 22 (data exception: a date out of range, a NUL character in text, a number too large…) and
 * 54000 (program limit exceeded: a value too large for an index row). TypeORM wraps the driver error.
 */
export function isPostgresDataError(err: unknown): boolean {
  const code = pgErrorCode(err) ?? pgErrorCode((err as { driverError?: unknown } | null)?.driverError);
  return code !== undefined && (code.startsWith('22') || code === '54000');
}

function pgErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
