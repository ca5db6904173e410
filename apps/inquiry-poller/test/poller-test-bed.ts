import { randomBytes } from 'crypto';
import { Kafka } from 'kafkajs';
import { loadPrivateKey, loadPublicKey } from '@app/alipayplus';
import { createTestDatabase, queryRows } from '@app/testing/test-database';
import { testKafka } from '@app/testing/kafka-probes';
import { generateTestKeyPair } from '@app/testing/keys';
import { waitFor } from '@app/testing';
import { partnerSetting, partnersJson, postOrder, uniquePaymentRequestId } from '@app/testing/factories';
import { AlipayPlusSimulator, ChaosSettings, TruthStep } from '@test/simulator';
import { bootstrapOrderState, RunningOrderState } from '@test/order-state/bootstrap';
import { loadOrderStateConfig } from '@test/order-state/config';
import { bootstrapInquiryPoller, RunningInquiryPoller } from '../src/bootstrap';
import { loadInquiryPollerConfig } from '../src/config';

export interface TestPartner {
  clientId: string;
  dialect: 'alipayplus' | 'antom';
  /** PARTNER_POLICIES_JSON entry for it. */
  policy?: Record<string, unknown>;
  /** The poller is given a public key that is not the simulator's: every answer fails verification. */
  wrongPeerKey?: boolean;
  /** Where the poller calls this partner, instead of the simulator (e.g. a ScriptedPartner). */
  apiBaseUrl?: () => string;
}

export interface OrderView {
  status: string;
  version: number;
  timeline: { eventId: string; source: string; outcome: string; effect: string }[];
}

export interface ScheduleRow {
  phase: string;
  order_status: string;
  inquiry_attempts: number;
  cancel_attempts: number;
  done_reason: string | null;
  lease_owner: string | null;
  last_result_code: string | null;
  attention_code: string | null;
  answer_doubt: string | null;
  reported_attention: string | null;
  verify_reason: string | null;
}

/**
 * The poller's integration surroundings, all real and in-process: a fresh PostgreSQL database,
 * order-state (whose status-changed events feed the poller and which applies what the poller
 * observes), the signed Alipay+ simulator, and as many poller replicas as a test starts.
 */
export class PollerTestBed {
  readonly kafka: Kafka = testKafka();
  readonly suffix = randomBytes(3).toString('hex');
  readonly pollerGroup = `inquiry-poller-it-${this.suffix}`;
  private readonly ours = generateTestKeyPair();
  private readonly alipay = generateTestKeyPair();
  /** The partners' signing key (the simulator's; a ScriptedPartner signs with it too). */
  readonly partnerPrivateKeyBase64 = this.alipay.privateKeyBase64;
  private readonly stranger = generateTestKeyPair();
  private readonly keyEnv = `IT_POLLER_KEY_${this.suffix}`;
  private readonly pollers = new Set<RunningInquiryPoller>();
  db!: { url: string; drop(): Promise<void> };
  orderState!: RunningOrderState;
  sim!: AlipayPlusSimulator;
  simUrl!: string;

  constructor(
    readonly partners: TestPartner[],
    private readonly chaos: Partial<ChaosSettings> = {},
  ) {}

  async start(): Promise<this> {
    this.db = await createTestDatabase();
    process.env[this.keyEnv] = this.ours.privateKeyBase64;
    this.sim = new AlipayPlusSimulator({
      partners: this.partners.map((p) => ({
        clientId: p.clientId,
        dialect: p.dialect,
        privateKey: loadPrivateKey(this.alipay.privateKeyBase64),
        acquirerPublicKey: loadPublicKey(this.ours.publicKeyBase64),
      })),
      chaos: this.chaos,
      seed: 7,
    });
    this.simUrl = (await this.sim.start()).url;
    this.orderState = await bootstrapOrderState(
      loadOrderStateConfig({
        KAFKA_BROKERS: process.env.KAFKA_BROKERS,
        DATABASE_URL: this.db.url,
        HTTP_PORT: '0',
        OPERATOR_AUTH: 'disabled',
        KAFKA_GROUP_ID: `order-state-it-${this.suffix}`,
        OUTBOX_POLL_MS: '50',
      }),
    );
    return this;
  }

  /** Starts a poller replica on the shared schedule table (same database, same consumer group). */
  async startPoller(name: string, env: Record<string, string> = {}): Promise<RunningInquiryPoller> {
    const overrides = Object.fromEntries(
      this.partners.filter((p) => p.policy).map((p) => [p.clientId, p.policy]),
    );
    const poller = await bootstrapInquiryPoller(
      loadInquiryPollerConfig({
        KAFKA_BROKERS: process.env.KAFKA_BROKERS,
        DATABASE_URL: this.db.url,
        HTTP_PORT: '0',
        OPERATOR_AUTH: 'disabled',
        KAFKA_GROUP_ID: this.pollerGroup,
        POLLER_INSTANCE_ID: `${name}-${this.suffix}`,
        PARTNERS_JSON: partnersJson(
          ...this.partners.map((p) =>
            partnerSetting({
              clientId: p.clientId,
              dialect: p.dialect,
              privateKeyEnv: this.keyEnv,
              peerPublicKey: (p.wrongPeerKey ? this.stranger : this.alipay).publicKeyBase64,
              apiBaseUrl: p.apiBaseUrl?.() ?? this.simUrl,
            }),
          ),
        ),
        PARTNER_POLICIES_JSON: JSON.stringify(overrides),
        FIRST_INQUIRY_DELAY_MS: '500',
        INQUIRY_INTERVALS_MS: '400,800',
        CANCEL_RETRY_INTERVALS_MS: '300,600',
        CLAIM_INTERVAL_MS: '50',
        RATE_LIMIT_PER_SECOND: '500',
        ...env,
      }),
    );
    this.pollers.add(poller);
    return poller;
  }

  async stopPoller(poller: RunningInquiryPoller): Promise<void> {
    this.pollers.delete(poller);
    await poller.close();
  }

  /** A payment on the simulator's side, then the order registered with order-state (which emits `init`). */
  async createOrder(
    partner: TestPartner,
    label: string,
    opts: { timeline: TruthStep[]; expiresInMs?: number; notify?: boolean; amount?: string },
  ): Promise<string> {
    const paymentRequestId = uniquePaymentRequestId(label);
    const amount = { value: opts.amount ?? '1000', currency: 'JPY' };
    this.sim.createPayment({
      paymentRequestId,
      clientId: partner.clientId,
      dialect: partner.dialect,
      amount,
      timeline: opts.timeline,
      notify: opts.notify ?? false,
    });
    const res = await postOrder(this.orderState.url, {
      paymentRequestId,
      clientId: partner.clientId,
      dialect: partner.dialect,
      amount,
      ...(opts.expiresInMs !== undefined
        ? { paymentExpiryTime: new Date(Date.now() + opts.expiresInMs).toISOString() }
        : {}),
    });
    if (res.status !== 201)
      throw new Error(`registering ${paymentRequestId}: HTTP ${res.status} ${await res.text()}`);
    return paymentRequestId;
  }

  async order(paymentRequestId: string): Promise<OrderView> {
    const res = await fetch(`${this.orderState.url}/orders/${paymentRequestId}`);
    if (res.status !== 200) throw new Error(`order ${paymentRequestId}: HTTP ${res.status}`);
    return (await res.json()) as OrderView;
  }

  async waitForOrderStatus(paymentRequestId: string, status: string, timeoutMs = 60_000): Promise<OrderView> {
    return waitFor(
      async () => {
        const o = await this.order(paymentRequestId);
        return o.status === status ? o : undefined;
      },
      { description: `order ${paymentRequestId} reaches ${status}`, timeoutMs, intervalMs: 200 },
    );
  }

  async scheduleRow(paymentRequestId: string): Promise<ScheduleRow | undefined> {
    const [row] = await queryRows<ScheduleRow>(
      this.db.url,
      `SELECT phase, order_status, inquiry_attempts, cancel_attempts, done_reason, lease_owner, last_result_code,
              attention_code, answer_doubt, reported_attention, verify_reason
         FROM inquiry_schedule WHERE payment_request_id = $1`,
      [paymentRequestId],
    );
    return row;
  }

  async stop(): Promise<void> {
    for (const poller of [...this.pollers]) await this.stopPoller(poller).catch(() => undefined);
    await this.orderState?.close();
    await this.sim?.stop();
    await this.db?.drop();
    delete process.env[this.keyEnv];
  }
}
