import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { generateTestKeyPair, TestKeyPair } from './keys';
import { addPeerKey, reloadSettings, rotateSimulatorKey } from './k-key-rotation';
import { freePort, ServiceName, ServiceProcess, startServiceProcess } from './service-process';

export interface PipelineOptions {
  kafkaBrokers: string;
  /** One database for order-state and the poller (each has its own tables and migrations). */
  databaseUrl: string;
  simTimeScale?: number;
  simSeed?: number;
  simChaos?: Record<string, unknown>;
  /** Extra settings per service (e.g. the poller's cadence). */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Partners besides DEMO_PARTNERS (e.g. one whose key a test rotates without disturbing the others). */
  extraPartners?: DemoPartner[];
  /** An operator token for order-state's API, when the test turns operator auth on. */
  operatorToken?: string;
  /** The partner's (Alipay+'s) signing key, when the caller signs notifications itself (bench:e2e). */
  partnerKey?: TestKeyPair;
}

export interface DemoPartner {
  clientId: string;
  dialect: 'alipayplus' | 'antom';
}

export const DEMO_PARTNERS: DemoPartner[] = [
  { clientId: 'T_DEMO_ACQP', dialect: 'alipayplus' },
  { clientId: 'T_DEMO_AMS', dialect: 'antom' },
];

export interface PaymentSpec {
  paymentRequestId: string;
  partner: DemoPartner;
  amount: { value: string; currency: string };
  paymentExpiryTime: string;
  /** The simulator's truth over time (simulated ms). */
  timeline: { atMs: number; status: 'PROCESSING' | 'SUCCESS' | 'FAIL'; resultCode?: string }[];
  /** Send the notification when the truth becomes final (the simulator's default: true). */
  notify?: boolean;
  /** How the partner misbehaves for this payment (the simulator's payment-script quirks). */
  quirks?: Record<string, unknown>;
  /** false: the simulator knows the payment but the order is never registered with order-state. */
  register?: boolean;
}

export interface TruthView {
  paymentRequestId: string;
  status: string;
  expectedOrderStatus: 'success' | 'fail' | 'cancelled' | null;
  paidBeforeCancel: boolean;
}

/**
 * The whole system as real processes on this machine: order-state, inquiry-poller, notify-gateway and
 * the Alipay+ simulator, wired with freshly generated keys. Used by the demo and the chaos suite;
 * any service can be killed (-9) and started again on the same port with the same settings.
 */
export class Pipeline {
  readonly services = new Map<ServiceName, ServiceProcess>();
  private readonly ports = new Map<ServiceName, number>();
  private readonly envs = new Map<ServiceName, Record<string, string>>();
  /** Our PARTNERS_FILE (notify-gateway and inquiry-poller), which a key rotation edits. */
  partnersFile = '';

  private constructor(
    private readonly opts: PipelineOptions,
    private readonly workDir: string,
  ) {}

  static async start(opts: PipelineOptions): Promise<Pipeline> {
    const workDir = mkdtempSync(path.join(tmpdir(), 'pipeline-'));
    const p = new Pipeline(opts, workDir);
    try {
      await p.boot();
    } catch (err) {
      await p.stop();
      throw err;
    }
    return p;
  }

  url(name: ServiceName): string {
    return `http://127.0.0.1:${this.ports.get(name)}`;
  }

  private async boot(): Promise<void> {
    for (const name of [
      'order-state',
      'inquiry-poller',
      'notify-gateway',
      'alipayplus-simulator',
    ] as ServiceName[]) {
      this.ports.set(name, await freePort());
    }
    // Keys never leave this run's private folder.
    const ours = generateTestKeyPair();
    const alipay = this.opts.partnerKey ?? generateTestKeyPair();
    const file = (name: string, content: string) => {
      const f = path.join(this.workDir, name);
      writeFileSync(f, content, { mode: 0o600 });
      return f;
    };
    const ourKeyFile = file('acquirer-private.key', ours.privateKeyBase64);
    const simKeyFile = file('alipay-private.key', alipay.privateKeyBase64);
    const partners = [...DEMO_PARTNERS, ...(this.opts.extraPartners ?? [])];
    const partnersFile = file(
      'partners.json',
      JSON.stringify(
        partners.map((p) => ({
          ...p,
          privateKeyFile: ourKeyFile,
          peerPublicKey: alipay.publicKeyBase64,
          // Versioned from the start: a notification signed with a version we do not hold yet is
          // answered U (the partner re-sends it), not F (issue 11 row 2).
          peerKeyVersion: '1',
          apiBaseUrl: this.url('alipayplus-simulator'),
        })),
      ),
    );
    this.partnersFile = partnersFile;
    const simPartnersFile = file(
      'sim-partners.json',
      JSON.stringify(
        partners.map((p) => ({
          ...p,
          privateKeyFile: simKeyFile,
          acquirerPublicKey: ours.publicKeyBase64,
          notifyUrl: `${this.url('notify-gateway')}/${p.dialect}/notify`,
        })),
      ),
    );
    const common = {
      KAFKA_BROKERS: this.opts.kafkaBrokers,
      LOG_LEVEL: 'warn',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
    };
    this.envs.set('order-state', {
      ...common,
      DATABASE_URL: this.opts.databaseUrl,
      OUTBOX_POLL_MS: '50',
      // The demo and the suites run the API open; the console test passes tokens instead.
      OPERATOR_AUTH: 'disabled',
      ...this.opts.env?.['order-state'],
    });
    this.envs.set('inquiry-poller', {
      ...common,
      DATABASE_URL: this.opts.databaseUrl,
      PARTNERS_FILE: partnersFile,
      OPERATOR_AUTH: 'disabled',
      ...this.opts.env?.['inquiry-poller'],
    });
    this.envs.set('notify-gateway', {
      ...common,
      PARTNERS_FILE: partnersFile,
      ...this.opts.env?.['notify-gateway'],
    });
    this.envs.set('alipayplus-simulator', {
      SIM_PARTNERS_FILE: simPartnersFile,
      SIM_TIME_SCALE: String(this.opts.simTimeScale ?? 1),
      SIM_SEED: String(this.opts.simSeed ?? 1),
      SIM_CHAOS_JSON: JSON.stringify(this.opts.simChaos ?? {}),
      LOG_LEVEL: 'warn',
      ...this.opts.env?.['alipayplus-simulator'],
    });
    // order-state first: it runs its migrations and creates the topics the others use.
    for (const name of [
      'order-state',
      'inquiry-poller',
      'notify-gateway',
      'alipayplus-simulator',
    ] as ServiceName[]) {
      await this.startService(name);
    }
  }

  async startService(name: ServiceName): Promise<ServiceProcess> {
    const port = String(this.ports.get(name));
    const env = {
      ...this.envs.get(name)!,
      ...(name === 'alipayplus-simulator' ? { SIM_PORT: port } : { HTTP_PORT: port }),
    };
    const readyPath = name === 'alipayplus-simulator' ? '/sim/stats' : '/health';
    const proc = await startServiceProcess(name, env, `${this.url(name)}${readyPath}`);
    this.services.set(name, proc);
    return proc;
  }

  /**
   * The partner rotates its signing key to `keyVersion` (the simulator signs with a new key from now
   * on). Until {@link addPartnerKey}, we hold no key for that version.
   */
  async rotatePartnerKey(clientId: string, keyVersion: string): Promise<TestKeyPair> {
    return rotateSimulatorKey(this.url('alipayplus-simulator'), clientId, keyVersion);
  }

  /** The operator adds the partner's new public key to PARTNERS_FILE and reloads settings (SIGHUP). */
  addPartnerKey(clientId: string, keyVersion: string, key: TestKeyPair): void {
    addPeerKey(this.partnersFile, clientId, keyVersion, key.publicKeyBase64);
    reloadSettings(
      ...(['notify-gateway', 'inquiry-poller'] as const).map((name) => this.services.get(name)!.child),
    );
  }

  /**
   * We rotate our own key (issue 11 row 3): the partner learns our new public key first, then our
   * PARTNERS_FILE names the new key and version for this partner and the services reload (SIGHUP).
   */
  async rotateOurKey(clientId: string, keyVersion: string): Promise<void> {
    const pair = generateTestKeyPair();
    const res = await fetch(
      `${this.url('alipayplus-simulator')}/sim/partners/${encodeURIComponent(clientId)}/acquirer-keys`,
      { method: 'POST', body: JSON.stringify({ publicKey: pair.publicKeyBase64, keyVersion }) },
    );
    if (res.status !== 200) throw new Error(`acquirer key refused: ${res.status} ${await res.text()}`);
    const keyFile = path.join(this.workDir, `acquirer-private-${clientId}-${keyVersion}.key`);
    writeFileSync(keyFile, pair.privateKeyBase64, { mode: 0o600 });
    const partners = JSON.parse(readFileSync(this.partnersFile, 'utf8')) as Record<string, unknown>[];
    writeFileSync(
      this.partnersFile,
      JSON.stringify(
        partners.map((p) => (p.clientId === clientId ? { ...p, keyVersion, privateKeyFile: keyFile } : p)),
      ),
      { mode: 0o600 },
    );
    reloadSettings(
      ...(['notify-gateway', 'inquiry-poller'] as const).map((name) => this.services.get(name)!.child),
    );
  }

  /** `kill -9` a service, then start it again with the same settings and port. */
  async crashAndRestart(name: ServiceName): Promise<void> {
    await this.services.get(name)?.kill();
    await this.startService(name);
  }

  /** Registers the order with order-state and gives the simulator its truth. Idempotent, so it can be retried. */
  async startPayment(spec: PaymentSpec): Promise<void> {
    if (spec.register !== false) await this.registerOrder(spec);
    const sim = await fetch(`${this.url('alipayplus-simulator')}/sim/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        paymentRequestId: spec.paymentRequestId,
        clientId: spec.partner.clientId,
        dialect: spec.partner.dialect,
        amount: spec.amount,
        timeline: spec.timeline,
        ...(spec.notify !== undefined ? { notify: spec.notify } : {}),
        ...(spec.quirks !== undefined ? { quirks: spec.quirks } : {}),
      }),
    });
    const text = await sim.text();
    if (!sim.ok && !text.includes('DUPLICATE_PAYMENT')) {
      throw new Error(`simulator payment ${spec.paymentRequestId}: HTTP ${sim.status} ${text}`);
    }
  }

  /** Registers the order with order-state (idempotent). */
  async registerOrder(spec: PaymentSpec): Promise<void> {
    const order = await fetch(`${this.url('order-state')}/orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.opts.operatorToken ? { authorization: `Bearer ${this.opts.operatorToken}` } : {}),
      },
      body: JSON.stringify({
        paymentRequestId: spec.paymentRequestId,
        clientId: spec.partner.clientId,
        orderNo: `order-${spec.paymentRequestId}`,
        dialect: spec.partner.dialect,
        amount: spec.amount,
        paymentExpiryTime: spec.paymentExpiryTime,
      }),
    });
    // 200: registered already (a retry after a crash) — registration is idempotent for that reason.
    if (order.status !== 201 && order.status !== 200) {
      throw new Error(`registering ${spec.paymentRequestId}: HTTP ${order.status} ${await order.text()}`);
    }
  }

  async truths(): Promise<Map<string, TruthView>> {
    const res = await fetch(`${this.url('alipayplus-simulator')}/sim/truths`);
    const list = (await res.json()) as TruthView[];
    return new Map(list.map((t) => [t.paymentRequestId, t]));
  }

  async simStats(): Promise<Record<string, number>> {
    return (await (await fetch(`${this.url('alipayplus-simulator')}/sim/stats`)).json()) as Record<
      string,
      number
    >;
  }

  async setChaos(chaos: Record<string, unknown>): Promise<void> {
    await fetch(`${this.url('alipayplus-simulator')}/sim/chaos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chaos),
    });
  }

  /** Stops every service gracefully (the simulator last), then removes the keys. */
  async stop(): Promise<void> {
    for (const name of [
      'notify-gateway',
      'inquiry-poller',
      'order-state',
      'alipayplus-simulator',
    ] as ServiceName[]) {
      await this.services.get(name)?.stop();
    }
    rmSync(this.workDir, { recursive: true, force: true });
  }

  output(name: ServiceName): string {
    return this.services.get(name)?.output() ?? '';
  }
}

/** A seeded PRNG (mulberry32), so a run's payment mix is reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A realistic mix: most payments succeed, some fail (a few closed by the wallet), some are never paid
 * and must be cancelled by the poller at expiry. Times are simulated ms after the payment starts.
 */
export function randomPayment(
  rand: () => number,
  index: number,
  runId: string,
  expiryMs: number,
): PaymentSpec {
  const partner = DEMO_PARTNERS[index % DEMO_PARTNERS.length];
  const at = Math.round(500 + rand() * 6000);
  const r = rand();
  const final: PaymentSpec['timeline'][number] | undefined =
    r < 0.65
      ? { atMs: at, status: 'SUCCESS' }
      : r < 0.8
        ? { atMs: at, status: 'FAIL', resultCode: rand() < 0.5 ? 'USER_BALANCE_NOT_ENOUGH' : 'RISK_REJECT' }
        : r < 0.85
          ? { atMs: at, status: 'FAIL', resultCode: 'ORDER_IS_CLOSED' }
          : undefined; // never paid: stays PROCESSING until our cancel
  return {
    paymentRequestId: `${runId}-${index.toString().padStart(6, '0')}`,
    partner,
    amount: {
      value: String(100 + Math.floor(rand() * 100_000)),
      currency: partner.dialect === 'antom' ? 'PHP' : 'JPY',
    },
    paymentExpiryTime: new Date(Date.now() + expiryMs).toISOString(),
    timeline: [{ atMs: 0, status: 'PROCESSING' }, ...(final ? [final] : [])],
  };
}
