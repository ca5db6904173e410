import type { Pool, PoolClient } from 'pg';
import type { SubscriberStore } from './store';

export interface PostgresVersionStoreOptions {
  /** The pool the handler's work runs on: the store's transaction is the handler's transaction. */
  pool: Pool;
  /** Table of the last version applied per payment (default `subscriber_versions`). */
  versionsTable?: string;
  /** Table of the event ids applied (exception events; default `subscriber_events`). */
  eventsTable?: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The DDL of the store's two tables. `ensureSchema()` runs it; a service that owns its schema through
 * migrations can put these statements in a migration instead.
 */
export function postgresStoreDdl(versionsTable = 'subscriber_versions', eventsTable = 'subscriber_events') {
  for (const t of [versionsTable, eventsTable]) {
    if (!IDENTIFIER.test(t)) throw new Error(`not a plain table name: ${t}`);
  }
  return [
    `CREATE TABLE IF NOT EXISTS ${versionsTable} (
       consumer_group     varchar(255) NOT NULL,
       payment_request_id varchar(64)  NOT NULL,
       version            integer      NOT NULL CHECK (version > 0),
       applied_at         timestamptz  NOT NULL DEFAULT now(),
       PRIMARY KEY (consumer_group, payment_request_id)
     )`,
    `CREATE TABLE IF NOT EXISTS ${eventsTable} (
       consumer_group varchar(255) NOT NULL,
       event_id       varchar(200) NOT NULL,
       applied_at     timestamptz  NOT NULL DEFAULT now(),
       PRIMARY KEY (consumer_group, event_id)
     )`,
  ];
}

/** Another consumer applied the same version first (a rebalance overlap): this transaction must not commit. */
export class ConcurrentApplyError extends Error {}

/**
 * The PostgreSQL store: the handler gets the transaction's client (`tx`), writes with it, and the
 * store records the version in the same transaction. Either both commit or neither does, so a
 * redelivered event (a retry, a restart before the offset commit) finds its version recorded and is
 * skipped: exactly-once in effect.
 */
export class PostgresVersionStore implements SubscriberStore<PoolClient> {
  private readonly versions: string;
  private readonly events: string;

  constructor(private readonly options: PostgresVersionStoreOptions) {
    [this.versions, this.events] = [
      options.versionsTable ?? 'subscriber_versions',
      options.eventsTable ?? 'subscriber_events',
    ];
    postgresStoreDdl(this.versions, this.events); // validates the names
  }

  /** Creates the store's tables if they do not exist. */
  async ensureSchema(): Promise<void> {
    for (const sql of postgresStoreDdl(this.versions, this.events)) await this.options.pool.query(sql);
  }

  applyVersion(
    groupId: string,
    paymentRequestId: string,
    version: number,
    work: (tx: PoolClient, previousVersion: number | null) => Promise<void>,
  ): Promise<boolean> {
    return this.inTransaction(async (tx) => {
      // Locks the row when there is one, so that a second consumer of this group waits here.
      const { rows } = await tx.query<{ version: number }>(
        `SELECT version FROM ${this.versions} WHERE consumer_group = $1 AND payment_request_id = $2 FOR UPDATE`,
        [groupId, paymentRequestId],
      );
      const previous = rows[0]?.version ?? null;
      if (previous !== null && previous >= version) return false;
      await work(tx, previous);
      // When there was no row, a concurrent first apply may have inserted one since: the upsert waits
      // for it and then refuses to go back, and this transaction rolls back.
      const recorded = await tx.query(
        `INSERT INTO ${this.versions} AS v (consumer_group, payment_request_id, version) VALUES ($1, $2, $3)
         ON CONFLICT (consumer_group, payment_request_id)
         DO UPDATE SET version = EXCLUDED.version, applied_at = now() WHERE v.version < EXCLUDED.version`,
        [groupId, paymentRequestId, version],
      );
      if (recorded.rowCount !== 1) {
        throw new ConcurrentApplyError(`${paymentRequestId} v${version} was applied concurrently`);
      }
      return true;
    });
  }

  applyOnce(groupId: string, eventId: string, work: (tx: PoolClient) => Promise<void>): Promise<boolean> {
    return this.inTransaction(async (tx) => {
      // Claims the id first: a concurrent claim of the same id waits on it, then finds it taken.
      const claimed = await tx.query(
        `INSERT INTO ${this.events} (consumer_group, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [groupId, eventId],
      );
      if (claimed.rowCount !== 1) return false;
      await work(tx);
      return true;
    });
  }

  /** The last version applied for a payment, or null. */
  async lastVersion(groupId: string, paymentRequestId: string): Promise<number | null> {
    const { rows } = await this.options.pool.query<{ version: number }>(
      `SELECT version FROM ${this.versions} WHERE consumer_group = $1 AND payment_request_id = $2`,
      [groupId, paymentRequestId],
    );
    return rows[0]?.version ?? null;
  }

  private async inTransaction(fn: (tx: PoolClient) => Promise<boolean>): Promise<boolean> {
    const tx = await this.options.pool.connect();
    let broken = false;
    try {
      await tx.query('BEGIN');
      const applied = await fn(tx);
      // Nothing to keep when skipped; a rollback also undoes anything the handler did not do.
      await tx.query(applied ? 'COMMIT' : 'ROLLBACK');
      return applied;
    } catch (err) {
      await tx.query('ROLLBACK').catch(() => (broken = true));
      throw err;
    } finally {
      // A connection whose state is unknown is not handed back to the pool.
      tx.release(broken);
    }
  }
}
