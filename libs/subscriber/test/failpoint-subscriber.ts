// A subscriber run as its own process by kill-restart.int-spec.ts (from dist: `npm run build` first).
// It applies status events with the PostgreSQL store, writing one row per handler call. With
// FAILPOINT=after-db-commit it stops right after the store's transaction for FAILPOINT_EVENT_ID has
// committed, before the subscriber commits the offset, says so on stdout and waits for the test to
// SIGKILL it. The failpoint wraps the store here, in the test's bootstrap; the library knows nothing of it.
import { Pool, PoolClient } from 'pg';
import { PostgresVersionStore, subscribeToPaymentStatus, SubscriberStore } from '@app/subscriber';
import { createWorkTable } from './kafka-helpers';

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

async function main() {
  const groupId = env('GROUP_ID');
  const pool = new Pool({ connectionString: env('DATABASE_URL'), max: 4 });
  const postgres = new PostgresVersionStore({ pool });
  await postgres.ensureSchema();
  await createWorkTable(pool);

  const store: SubscriberStore<PoolClient> = {
    async applyVersion(group, paymentRequestId, version, work) {
      const applied = await postgres.applyVersion(group, paymentRequestId, version, work);
      const eventId = `status:${paymentRequestId}:${version}`;
      if (
        applied &&
        process.env.FAILPOINT === 'after-db-commit' &&
        eventId === process.env.FAILPOINT_EVENT_ID
      ) {
        say({ failpoint: 'after-db-commit', eventId });
        await new Promise(() => undefined); // the offset commit never comes: the test kills us here
      }
      return applied;
    },
    applyOnce: (group, eventId, work) => postgres.applyOnce(group, eventId, work),
  };

  const subscription = await subscribeToPaymentStatus({
    brokers: env('KAFKA_BROKERS').split(','),
    groupId,
    store,
    sessionTimeoutMs: 6000,
    retry: { initialDelayMs: 100, maxDelayMs: 1000 },
    logger: { info: () => undefined, warn: (m) => console.error(m), error: (m) => console.error(m) },
    onSkipped: (event) => say({ skipped: event.eventId }),
    handler: async (event, { tx }) => {
      await tx.query(
        'INSERT INTO handler_work (event_id, payment_request_id, version, group_id) VALUES ($1, $2, $3, $4)',
        [event.eventId, event.paymentRequestId, event.version, groupId],
      );
      say({ applied: event.eventId });
    },
  });
  await subscription.joined;
  say({ joined: groupId });
  process.once('SIGTERM', () => {
    void subscription
      .stop()
      .then(() => pool.end())
      .then(() => process.exit(0));
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
