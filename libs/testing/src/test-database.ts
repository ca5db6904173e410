import { randomBytes } from 'crypto';
import { Client } from 'pg';

/**
 * A fresh database on the test PostgreSQL for one test file, so that files never see each other's
 * rows. Returns its URL and a function that drops it.
 */
export async function createTestDatabase(
  baseUrl = process.env.DATABASE_URL!,
): Promise<{ url: string; drop(): Promise<void> }> {
  if (!baseUrl)
    throw new Error('DATABASE_URL is not set: run the tests through jest (global setup starts PostgreSQL)');
  const name = `t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: baseUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Runs one query against a database URL (tests read rows directly to wait for explicit signals). */
export async function queryRows<T = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}
