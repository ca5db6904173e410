// The ledger subscriber as a process:
//   npm run build
//   KAFKA_BROKERS=localhost:9092 DATABASE_URL=postgres://… \
//     node -r ./scripts/register-paths.js dist/examples/ledger-subscriber/main.js
// It prints its totals every LEDGER_TOTALS_EVERY_MS (default 10 s) and once more on SIGTERM/SIGINT.
import { startLedgerSubscriber } from './ledger-subscriber';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

async function main(): Promise<void> {
  const ledger = await startLedgerSubscriber({
    brokers: env('KAFKA_BROKERS').split(','),
    databaseUrl: env('DATABASE_URL'),
    groupId: process.env.LEDGER_GROUP_ID,
  });
  const print = async () => console.log(JSON.stringify({ ledgerTotals: await ledger.totals() }));
  const timer = setInterval(
    () => void print().catch((e) => console.error(e)),
    Number(process.env.LEDGER_TOTALS_EVERY_MS ?? 10_000),
  );

  const shutdown = async () => {
    clearInterval(timer);
    await print();
    await ledger.stop(); // the event in hand finishes and commits
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
  // Announced only once the handlers are in place: a SIGTERM sent on seeing this line must reach
  // shutdown(), not the default action (killed without its totals).
  console.log(`ledger subscriber: consuming as ${ledger.subscription.groupId}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
