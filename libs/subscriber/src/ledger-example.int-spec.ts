// examples/ledger-subscriber against the real Kafka broker and PostgreSQL: its totals, the comparison
// with order-state's tables the demo prints, and main.js as a process (from dist: `npm run build`).
import { spawn } from 'child_process';
import * as path from 'path';
import { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { StatusChangedV1, Topics } from '@app/contracts';
import { repoRoot, waitFor } from '@app/testing';
import { testKafka } from '@app/testing/kafka-probes';
import { createTestDatabase } from '@app/testing/test-database';
import { startLedgerSubscriber } from '../../../examples/ledger-subscriber/ledger-subscriber';
import { compareLedgerWithOrderState } from '../../../examples/ledger-subscriber/order-state-totals';
import { encodeStatus, statusEvent } from '../test/fixtures';
import { ensureSubscriberTopics, produce, uniqueId } from '../test/kafka-helpers';

jest.setTimeout(120_000);

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
let kafka: Kafka;
let db: { url: string; drop(): Promise<void> };
let pool: Pool;

beforeAll(async () => {
  kafka = testKafka();
  await ensureSubscriberTopics(kafka);
  db = await createTestDatabase();
  pool = new Pool({ connectionString: db.url, max: 2 });
  // The columns of order-state's tables that the comparison reads.
  await pool.query(`CREATE TABLE payment_orders (payment_request_id varchar(64) PRIMARY KEY,
    amount_value numeric(20,0) NOT NULL, amount_currency char(3) NOT NULL, status varchar(16) NOT NULL)`);
  await pool.query(
    `CREATE TABLE payment_observations (payment_request_id varchar(64), status_after varchar(16))`,
  );
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const publish = (events: StatusChangedV1[]) =>
  produce(
    kafka,
    Topics.statusChanged,
    events.map((e) => ({ key: e.paymentRequestId, value: encodeStatus(e) })),
  );

it('the ledger books paid amounts, payment times and reversals once each, and its totals equal order-state’s', async () => {
  const [paid, reversed, failed, euro] = ['paid', 'reversed', 'failed', 'euro'].map((p) => uniqueId(p));
  const ids = [paid, reversed, failed, euro];
  const eur = { value: '990', currency: 'EUR' };
  const events = [
    ...[1, 2, 2].map((v) => statusEvent(paid, v)), // v2 delivered twice
    ...[1, 2, 3, 3].map((v) => statusEvent(reversed, v)), // paid, then reversed by a cancel
    statusEvent(failed, 1),
    statusEvent(failed, 2, { to: 'fail', paymentId: null, paymentTime: null }),
    ...[1, 2].map((v) => statusEvent(euro, v, { amount: eur })),
  ];
  await publish(events);
  // order-state's rows for the same payments.
  await pool.query(
    `INSERT INTO payment_orders VALUES ($1, 1250, 'USD', 'success'), ($2, 1250, 'USD', 'cancelled'),
       ($3, 1250, 'USD', 'fail'), ($4, 990, 'EUR', 'success')`,
    ids,
  );
  await pool.query(
    `INSERT INTO payment_observations VALUES ($1, 'success'), ($2, 'success'), ($2, 'cancelled')`,
    [paid, reversed],
  );

  const ledger = await startLedgerSubscriber({
    brokers: process.env.KAFKA_BROKERS!.split(','),
    databaseUrl: db.url,
    groupId: uniqueId('ledger'),
    logger: quiet,
  });
  try {
    const comparison = await compareLedgerWithOrderState(ledger, db.url, ids, 60_000);
    expect(comparison.ledger).toEqual({
      paid: { EUR: { count: 1, amount: '990' }, USD: { count: 1, amount: '1250' } },
      reversals: { USD: { count: 1, amount: '1250' } },
    });
    expect(comparison).toMatchObject({ equal: true, orderState: comparison.ledger });
    const { rows } = await pool.query(
      `SELECT payment_id, payment_time, paid_at_version, reversed_at_version FROM ledger_payments
        WHERE payment_request_id = $1`,
      [reversed],
    );
    expect(rows).toEqual([
      {
        payment_id: `pay-${reversed}`,
        payment_time: new Date('2026-01-01T00:00:30Z'),
        paid_at_version: 2,
        reversed_at_version: 3,
      },
    ]);
  } finally {
    await ledger.stop();
  }
});

it('runs as a process from dist, printing its totals when stopped', async () => {
  const root = repoRoot();
  const child = spawn(
    process.execPath,
    ['-r', path.join(root, 'scripts', 'register-paths.js'), 'dist/examples/ledger-subscriber/main.js'],
    {
      cwd: root,
      env: { ...process.env, DATABASE_URL: db.url, LEDGER_GROUP_ID: uniqueId('ledger-main') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((r) =>
    child.on('exit', (code, signal) => r(code ?? signal ?? '?')),
  );
  try {
    await waitFor(async () => out.includes('consuming as'), {
      description: `main.js up:\n${out}`,
      timeoutMs: 60_000,
    });
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  expect(out).toMatch(/\{"ledgerTotals":\{"paid":\{.*"USD":\{"count":\d+,"amount":"\d+"\}/);
});
