// The real path: signed RSA inquiries through the whole poller (bootstrapInquiryPoller: Kafka,
// PostgreSQL, the signed HTTP client) against the Alipay+ simulator in a process of its own, so that
// the CPU figure is the poller process's alone. Against the floor measured in the same run: one
// signature with our key plus one verification with the simulator's, on this process.
import { fork, ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { loadPrivateKey, loadPublicKey, signContent, verifyContent } from '@app/alipayplus';
import { waitFor } from '@app/testing';
import { createTestDatabase } from '@app/testing/test-database';
import { bootstrapInquiryPoller } from '../../apps/inquiry-poller/src/bootstrap';
import { loadInquiryPollerConfig } from '../../apps/inquiry-poller/src/config';
import { round } from './lateness';
import type { BenchSettings } from './settings';
import type { SimulatorReply, SimulatorRequest, SimulatorWorkerData } from './simulator-process';

const CLIENT_ID = 'BENCH_POLLER';
const DIALECT = 'alipayplus' as const;
const AMOUNT = { value: '1000', currency: 'JPY' };
const LEAD_MS = 3000;
const FLOOR_ITERATIONS = 1000;

export interface SignedResult {
  orders: number;
  offeredPerSec: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU of the poller process (all its threads) per inquiry, from the first due to the last write-back. */
  cpuMsPerInquiry: number;
  /** One RSA sign (ours) plus one verify (the simulator's key), CPU ms, measured in this run. */
  floorMs: number;
  /** (cpuMsPerInquiry − floorMs) / floorMs; target ≤ 0.5. */
  overheadRatio: number;
  keyBits: number;
  simKeyBits: number;
  load: number;
}

function keyPair(bits: number) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    privateKeyBase64: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    publicKeyBase64: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}

type Keys = ReturnType<typeof keyPair>;

/** CPU ms of one sign with `ours` plus one verify with `theirs`, over content the size of an inquiry. */
export function measureFloor(ours: Keys, theirs: Keys): number {
  const content = Buffer.from(
    `POST /aps/api/v1/payments/inquiryPayment\n${CLIENT_ID}.${new Date().toISOString()}.${'x'.repeat(160)}`,
  );
  const priv = loadPrivateKey(ours.privateKeyBase64);
  const peerPriv = loadPrivateKey(theirs.privateKeyBase64);
  const peerPub = loadPublicKey(theirs.publicKeyBase64);
  const peerSignature = signContent(content, peerPriv);
  for (let i = 0; i < 50; i++)
    verifyContent(content, signContent(content, priv), loadPublicKey(ours.publicKeyBase64));
  const before = process.cpuUsage();
  for (let i = 0; i < FLOOR_ITERATIONS; i++) {
    signContent(content, priv);
    if (!verifyContent(content, peerSignature, peerPub)) throw new Error('floor: verification failed');
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / FLOOR_ITERATIONS;
}

class SimulatorProcess {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<number, (msg: SimulatorReply) => void>();
  private nextId = 1;
  readonly url: Promise<string>;

  constructor(data: SimulatorWorkerData) {
    this.child = fork(path.join(__dirname, 'simulator-process.js'), [], { stdio: 'inherit' });
    this.url = new Promise((resolve, reject) => {
      this.child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
      this.child.on('message', (msg: SimulatorReply) => {
        if (msg.type === 'ready') return resolve(msg.url);
        this.waiting.get(msg.id)?.(msg);
        this.waiting.delete(msg.id);
      });
    });
    this.child.send(data);
  }

  call<T>(
    req: Omit<Extract<SimulatorRequest, { op: 'create' }>, 'id'> | { op: 'stats' | 'stop' },
  ): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, (msg) =>
        msg.type === 'reply'
          ? resolve(msg.result as T)
          : reject(new Error(msg.type === 'error' ? msg.message : 'unexpected')),
      );
      this.child.send({ ...req, id });
    });
  }

  async stop(): Promise<void> {
    await this.call({ op: 'stop' }).catch(() => undefined);
    this.child.kill();
  }
}

export async function runSigned(
  settings: BenchSettings,
  kafkaBrokers: string,
  databaseUrl: string,
  log: (line: string) => void,
): Promise<SignedResult> {
  const n = settings.signedOrders;
  const rate = settings.signedRate;
  const ours = keyPair(settings.keyBits);
  const theirs = keyPair(settings.simKeyBits);
  const floorMs = measureFloor(ours, theirs);
  log(
    `[signed] floor: ${floorMs.toFixed(3)} ms per RSA-${settings.keyBits} sign + RSA-${settings.simKeyBits} verify`,
  );

  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const db = await createTestDatabase(databaseUrl);
    cleanups.unshift(() => db.drop());
    const sim = new SimulatorProcess({
      clientId: CLIENT_ID,
      dialect: DIALECT,
      privateKeyBase64: theirs.privateKeyBase64,
      acquirerPublicKeyBase64: ours.publicKeyBase64,
      chaos: {},
    });
    cleanups.unshift(() => sim.stop());
    const simUrl = await sim.url;
    const ids = Array.from({ length: n }, (_, i) => `bench-${i + 1}`);
    for (let i = 0; i < ids.length; i += 10_000)
      await sim.call({ op: 'create', ids: ids.slice(i, i + 10_000), amount: AMOUNT });

    const keyEnv = `BENCH_POLLER_KEY_${randomBytes(3).toString('hex')}`;
    process.env[keyEnv] = ours.privateKeyBase64;
    const config = loadInquiryPollerConfig({
      KAFKA_BROKERS: kafkaBrokers,
      DATABASE_URL: db.url,
      DB_POOL_SIZE: String(settings.poolSize),
      HTTP_PORT: '0',
      OPERATOR_AUTH: 'disabled',
      KAFKA_GROUP_ID: `poller-bench-${randomBytes(3).toString('hex')}`,
      PARTNERS_JSON: JSON.stringify([
        {
          clientId: CLIENT_ID,
          dialect: DIALECT,
          privateKeyEnv: keyEnv,
          peerPublicKey: theirs.publicKeyBase64,
          apiBaseUrl: simUrl,
        },
      ]),
      // One inquiry per order within the run: the next one is an hour out.
      PARTNER_POLICIES_JSON: JSON.stringify({ [CLIENT_ID]: { inquiryIntervalsMs: [3_600_000] } }),
      RATE_LIMIT_PER_SECOND: String(rate),
    });
    const poller = await bootstrapInquiryPoller(config);
    cleanups.unshift(() => poller.close());

    const lags = new Float64Array(n);
    let count = 0;
    let firstAt = 0;
    let lastAt = 0;
    poller.metrics.onInquiryStart((lagMs) => {
      const now = Date.now();
      if (count === 0) firstAt = now;
      lastAt = now;
      if (count < n) lags[count] = lagMs;
      count++;
    });
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    const t0 = Date.now() + LEAD_MS;
    try {
      await pg.query(
        `INSERT INTO inquiry_schedule
           (payment_request_id, client_id, dialect, amount_value, amount_currency, payment_expiry_time, registered_at,
            phase, order_status, last_version, next_due_at, created_at, updated_at)
         SELECT 'bench-' || i, $1, $2, $3::numeric, $4, now() + interval '1 day', now(), 'inquiry', 'init', 1,
                $5::timestamptz + make_interval(secs => (i - 1) * $6::double precision), now(), now()
           FROM generate_series(1, $7::int) AS i`,
        [CLIENT_ID, DIALECT, AMOUNT.value, AMOUNT.currency, new Date(t0).toISOString(), 1 / rate, n],
      );
      await pg.query('ANALYZE inquiry_schedule');
    } finally {
      await pg.end();
    }
    await waitFor(async () => Date.now() >= t0, {
      description: 'first due',
      timeoutMs: LEAD_MS + 5000,
      intervalMs: 5,
    });
    const cpuBefore = process.cpuUsage();
    await waitFor(async () => count >= n, {
      description: `${n} signed inquiries started`,
      timeoutMs: (n / rate) * 1000 + 180_000,
      intervalMs: 100,
    });
    await waitFor(async () => poller.metrics.completionsApplied >= n, {
      description: 'every signed inquiry written back',
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    const cpu = process.cpuUsage(cpuBefore);
    const sorted = Float64Array.from(lags).sort();
    const at = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))];
    const cpuMsPerInquiry = (cpu.user + cpu.system) / 1000 / n;
    return {
      orders: n,
      offeredPerSec: rate,
      perSec: round(n / Math.max(0.001, (lastAt - firstAt) / 1000)),
      p50Ms: round(at(0.5)),
      p99Ms: round(at(0.99)),
      maxMs: round(sorted[n - 1]),
      cpuMsPerInquiry: Math.round(cpuMsPerInquiry * 1000) / 1000,
      floorMs: Math.round(floorMs * 1000) / 1000,
      overheadRatio: Math.round(((cpuMsPerInquiry - floorMs) / floorMs) * 100) / 100,
      keyBits: settings.keyBits,
      simKeyBits: settings.simKeyBits,
      load: Math.round(loadavg()[0] * 10) / 10,
    };
  } finally {
    for (const cleanup of cleanups)
      await cleanup().catch((err: Error) => log(`[signed] cleanup: ${err.message}`));
  }
}
