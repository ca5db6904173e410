import { DataSource, DataSourceOptions } from 'typeorm';
import { runMigrations } from '@app/persistence';
import { createTestDatabase, queryRows } from './test-database';

/** A `dialect` column of a migrated database, with the values its CHECK constraints allow. */
export interface DialectColumnCheck {
  readonly table: string;
  /** Sorted; null when no CHECK constraint names the column. */
  readonly allowed: readonly string[] | null;
}

/**
 * Every column named `dialect` in the database's schema, and the string literals of the CHECK
 * constraints on it (`CHECK (dialect IN ('alipayplus', 'antom'))` reads back from pg_constraint as
 * `… = ANY (ARRAY['alipayplus'::character varying, …])`).
 */
export async function dialectColumnChecks(databaseUrl: string): Promise<DialectColumnCheck[]> {
  const rows = await queryRows<{ table: string; defs: string | null }>(
    databaseUrl,
    `SELECT c.table_name AS table,
            (SELECT string_agg(pg_get_constraintdef(k.oid), ' ')
               FROM pg_constraint k
               JOIN pg_class t ON t.oid = k.conrelid
               JOIN pg_namespace n ON n.oid = t.relnamespace
               JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
              WHERE k.contype = 'c' AND n.nspname = c.table_schema
                AND t.relname = c.table_name AND a.attname = c.column_name) AS defs
       FROM information_schema.columns c
      WHERE c.table_schema = current_schema() AND c.column_name = 'dialect'
      ORDER BY c.table_name`,
  );
  return rows.map((r) => ({
    table: r.table,
    allowed:
      r.defs === null ? null : [...new Set([...r.defs.matchAll(/'([^']*)'/g)].map((m) => m[1]))].sort(),
  }));
}

/**
 * What differs between the database and the dialects the code knows, one line per column, each
 * telling the fix. Old migrations already ran in users' databases: a new dialect needs a new migration.
 */
export function dialectCheckProblems(
  checks: readonly DialectColumnCheck[],
  dialects: readonly string[],
): string[] {
  const expected = [...dialects].sort();
  return checks
    .filter((c) => c.allowed === null || c.allowed.join(',') !== expected.join(','))
    .map((c) =>
      c.allowed === null
        ? `${c.table}.dialect has no CHECK constraint: add a migration that adds one for [${expected.join(', ')}]`
        : `${c.table}.dialect allows [${c.allowed.join(', ')}] but DIALECTS is [${expected.join(', ')}]: ` +
          'add a migration that replaces the CHECK constraint (do not edit the migrations that already ran)',
    );
}

/**
 * Migrates a fresh database as production does (`runMigrations` with the app's lock) and reads its
 * dialect columns' CHECK constraints; the database is dropped afterwards.
 */
export async function dialectChecksAfterMigrations(
  dataSourceOptions: (databaseUrl: string) => DataSourceOptions,
  migrationLock: number,
): Promise<DialectColumnCheck[]> {
  const db = await createTestDatabase();
  try {
    const ds = await new DataSource(dataSourceOptions(db.url)).initialize();
    try {
      await runMigrations(ds, migrationLock);
    } finally {
      await ds.destroy();
    }
    return await dialectColumnChecks(db.url);
  } finally {
    await db.drop();
  }
}
