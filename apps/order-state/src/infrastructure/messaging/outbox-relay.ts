import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { DurableProducer } from '@app/kafka';
import { PG_CONNECTION_SETTINGS } from '@app/persistence';

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  payload: string;
}

export interface OutboxRelayOptions {
  databaseUrl: string;
  producer: DurableProducer;
  pollMs: number;
  batchSize: number;
  /** PostgreSQL session settings (`-c name=value`), as the app's pool has them. */
  sessionOptions?: string;
}

/** Session-level lock held by the one replica that publishes; the others wait to take over. */
const RELAY_LEADER_LOCK = 0x0a51_0002;

/**
 * Publishes outbox rows to Kafka in id order (design.md §4): ids grow with commit order per order,
 * because every writer of an order holds its lock until commit.
 *
 * Only one replica publishes at a time (a PostgreSQL session lock): with several publishing at once,
 * two versions of one order could overtake each other. If the leader dies its session ends, the lock
 * is released and another replica takes over. A crash between the Kafka ack and deleting the rows
 * re-publishes them with the same event ids; subscribers de-duplicate by eventId.
 */
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private client?: Client;
  private stopped = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** A NOTIFY came while no sleep was under way: the next sleep returns at once. */
  private notified = false;
  private leader = false;
  /** Ids published and acknowledged, deleted with the next read (see publishOnce). */
  private unDeleted: string[] = [];

  constructor(private readonly options: OutboxRelayOptions) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.connect();
        if (!this.leader) {
          const [{ locked }] = (
            await this.client!.query('SELECT pg_try_advisory_lock($1) AS locked', [RELAY_LEADER_LOCK])
          ).rows;
          this.leader = locked;
          if (this.leader) this.logger.log('outbox relay: this replica publishes');
        }
        const published = this.leader ? await this.publishOnce() : 0;
        if (published < this.options.batchSize) await this.sleep(this.leader ? this.options.pollMs : 1000);
      } catch (err) {
        this.logger.error(`outbox relay: ${(err as Error).message}; retrying`);
        await this.disconnect();
        await this.sleep(1000);
      }
    }
    if (this.unDeleted.length > 0) await this.deleteRows(this.unDeleted).catch(() => undefined);
    await this.disconnect();
  }

  /**
   * Reads the next rows in id order, publishes them and deletes them. When more rows are already
   * waiting (a NOTIFY came meanwhile, or the batch was full) the delete goes with the next read, in
   * one round trip instead of two (issue 14 §4); otherwise at once, so no published row stays behind
   * while the relay sleeps. Rows published but not deleted yet are excluded from that next read by id
   * (ids are not in commit order across orders, so a threshold would skip a late committer). Either
   * way a crash before the delete re-publishes them with the same event ids.
   */
  private async publishOnce(): Promise<number> {
    const published = this.unDeleted;
    this.unDeleted = [];
    const { rows } = await this.client!.query<OutboxRow>(
      published.length === 0
        ? `SELECT id, topic, message_key, payload FROM outbox ORDER BY id LIMIT $1`
        : `WITH published AS (DELETE FROM outbox WHERE id = ANY($2::bigint[]))
           SELECT id, topic, message_key, payload FROM outbox
            WHERE id <> ALL($2::bigint[]) ORDER BY id LIMIT $1`,
      published.length === 0 ? [this.options.batchSize] : [this.options.batchSize, published],
    );
    if (rows.length === 0) return 0;
    await this.options.producer.publish(
      rows.map((r) => ({ topic: r.topic, key: r.message_key, value: r.payload })),
      30_000,
    );
    const ids = rows.map((r) => r.id);
    if (this.notified || rows.length === this.options.batchSize) this.unDeleted = ids;
    else await this.deleteRows(ids);
    return rows.length;
  }

  private async deleteRows(ids: string[]): Promise<void> {
    await this.client!.query(`DELETE FROM outbox WHERE id = ANY($1::bigint[])`, [ids]);
  }

  private async connect(): Promise<void> {
    if (this.client) return;
    const client = new Client({
      connectionString: this.options.databaseUrl,
      ...PG_CONNECTION_SETTINGS,
      options: this.options.sessionOptions,
    });
    client.on('error', (err) => this.logger.warn(`outbox relay connection: ${err.message}`));
    client.on('notification', () => {
      if (!this.leader) return; // standbys have nothing to publish; they poll for the lock
      this.notified = true;
      this.wake?.();
    });
    await client.connect();
    await client.query('LISTEN payments_outbox');
    this.client = client;
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.leader = false;
    // Still in the table: whoever publishes next sends them again (same event ids).
    this.unDeleted = [];
    await client?.end().catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    if (this.notified || this.stopped) {
      this.notified = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.notified = false;
        resolve();
      };
      timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
