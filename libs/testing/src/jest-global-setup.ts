// Jest global setup of the `integration` project: gives the tests a real Kafka broker and PostgreSQL.
// With KAFKA_BROKERS and DATABASE_URL both set (docker-compose, a shared cluster) it starts nothing;
// otherwise it starts a private instance in <repo>/.infra/jest-<pid> and exports its addresses, which
// the test workers inherit. INFRA_DIR tells tests which instance to stop/restart (stopKafka() etc.).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { purgeInfra, repoRoot, startInfra } from './local-infra';

/** Set (to the instance dir) when this setup started the instance, so the teardown purges it. */
export const STARTED_MARKER = 'TEST_INFRA_STARTED';

export default async function globalSetup(): Promise<void> {
  if (process.env.KAFKA_BROKERS && process.env.DATABASE_URL) {
    console.log(`\n[infra] using KAFKA_BROKERS=${process.env.KAFKA_BROKERS} and the given DATABASE_URL`);
    return;
  }
  await purgeInstancesOfDeadRunners();
  const instanceDir = path.join(repoRoot(), '.infra', `jest-${process.pid}`);
  const started = Date.now();
  // ownerPid: if this runner is killed before its teardown, a watchdog stops Kafka and PostgreSQL.
  const { kafkaBrokers, databaseUrl } = await startInfra({ instanceDir, ownerPid: process.pid });
  process.env.KAFKA_BROKERS = kafkaBrokers;
  process.env.DATABASE_URL = databaseUrl;
  process.env.INFRA_DIR = instanceDir;
  process.env[STARTED_MARKER] = instanceDir;
  console.log(
    `\n[infra] Kafka ${kafkaBrokers} and PostgreSQL ready in ${Date.now() - started} ms (${instanceDir})`,
  );
}

/** A runner that was killed leaves a stopped instance behind (its watchdog stopped it); delete those. */
async function purgeInstancesOfDeadRunners(): Promise<void> {
  const infraRoot = path.join(repoRoot(), '.infra');
  const entries = fs.existsSync(infraRoot) ? fs.readdirSync(infraRoot) : [];
  for (const name of entries) {
    const pid = /^jest-(\d+)$/.exec(name)?.[1];
    if (pid && !isAlive(Number(pid))) await purgeInfra(path.join(infraRoot, name));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
