// Wires the ledger to the subscriber library: a pool, the PostgreSQL version store, the handler.
import { Pool } from 'pg';
import { PostgresVersionStore, subscribeToPaymentStatus, type Subscription } from '@app/subscriber';
import { bookStatusChange, LEDGER_DDL, ledgerTotals, type LedgerTotals } from './ledger';

export interface LedgerSubscriberOptions {
  brokers: string[];
  databaseUrl: string;
  /** Default `ledger-example`: the consumer group, and the key of the versions the store keeps. */
  groupId?: string;
  logger?: { info(m: string): void; warn(m: string): void; error(m: string): void };
}

export interface LedgerSubscriber {
  subscription: Subscription;
  /** The ledger's totals (all payments, or the given ones). */
  totals(paymentRequestIds?: string[]): Promise<LedgerTotals>;
  stop(): Promise<void>;
}

export async function startLedgerSubscriber(options: LedgerSubscriberOptions): Promise<LedgerSubscriber> {
  const pool = new Pool({ connectionString: options.databaseUrl, max: 4 });
  try {
    // 1. The tables: our ledger, and the store's record of the versions applied.
    const store = new PostgresVersionStore({ pool, versionsTable: 'ledger_subscriber_versions' });
    await store.ensureSchema();
    await pool.query(LEDGER_DDL);

    // 2. Subscribe. The handler books the change with `tx`, the store's transaction.
    const subscription = await subscribeToPaymentStatus({
      brokers: options.brokers,
      groupId: options.groupId ?? 'ledger-example',
      store,
      logger: options.logger,
      handler: (event, { tx }) => bookStatusChange(tx, event),
    });
    await subscription.joined;

    return {
      subscription,
      totals: (ids) => ledgerTotals(pool, ids),
      async stop() {
        await subscription.stop();
        await pool.end();
      },
    };
  } catch (err) {
    await pool.end();
    throw err;
  }
}
