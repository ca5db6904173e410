import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { DurableProducer } from '@app/kafka';
import { PG_CONNECTION_SETTINGS } from '@app/persistence';

export interface OutboxRelayOptions {
  databaseUrl: string;
  producer: DurableProducer;
  pollMs: number;
  batchSize: number;
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
    await this.disconnect();
  }

  private async publishOnce(): Promise<number> {
    const { rows } = await this.client!.query<{
      id: string;
      topic: string;
      message_key: string;
      payload: string;
    }>(`SELECT id, topic, message_key, payload FROM outbox ORDER BY id LIMIT $1`, [this.options.batchSize]);
    if (rows.length === 0) return 0;
    await this.options.producer.publish(
      rows.map((r) => ({ topic: r.topic, key: r.message_key, value: r.payload })),
      30_000,
    );
    await this.client!.query(`DELETE FROM outbox WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
    return rows.length;
  }

  private async connect(): Promise<void> {
    if (this.client) return;
    const client = new Client({ connectionString: this.options.databaseUrl, ...PG_CONNECTION_SETTINGS });
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
