import { KeyObject } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { loadPrivateKey, loadPublicKey } from '@app/alipayplus';
import type { AddressInfo } from 'node:net';
import { ApiHandler, apiRoutes, ApiRoute } from './api/api-handler';
import { mergeChaos, NO_CHAOS } from './chaos/chaos-settings';
import { deriveSeed, mulberry32 } from './chaos/prng';
import { parsePaymentScript } from './domain/payment-script';
import { SimulatorError } from './errors';
import { handleAdmin } from './http/admin-handler';
import { sendError } from './http/http-io';
import { serializeNotification, NotifiedFacts } from './notifications/notification-body';
import { NotificationDispatcher } from './notifications/notification-dispatcher';
import { buildPartnerRegistry, KEY_VERSION, PartnerEntry } from './partners';
import { PaymentBook, PaymentRecord } from './payments/payment-book';
import { TimerRegistry } from './timers';
import type { ChaosSettings, PaymentScript, SimulatorOptions, SimulatorStats, TruthView } from './types';

export type {
  ChaosSettings,
  ExpectedOrderStatus,
  PaymentScript,
  SimulatorDialect,
  SimulatorOptions,
  SimulatorPartner,
  SimulatorStats,
  TruthStatus,
  TruthStep,
  TruthView,
} from './types';

const DEFAULT_SEED = 1;
const DEFAULT_HOST = '127.0.0.1';

/**
 * Plays Alipay+ (and Antom) toward our services, with real signing both ways:
 * - answers inquiryPayment and cancelPayment/cancel at their real paths (protocol.md §0, §3, §4),
 *   verifying each request's signature and signing each answer (§1);
 * - sends signed notifyPayment when a payment's scripted truth turns final, retrying until a valid ack
 *   (§2, seed 004);
 * - injects seeded, reproducible chaos on both channels;
 * - keeps the truth of every payment, so tests can check what our order-state must end with.
 *
 * Used in-process by integration tests, and as a standalone process (main.ts) with an admin API under /sim/.
 */
export class AlipayPlusSimulator {
  private readonly partners: Map<string, PartnerEntry>;
  private readonly timers = new TimerRegistry();
  private readonly stopController = new AbortController();
  private readonly book: PaymentBook;
  private readonly dispatcher: NotificationDispatcher;
  private readonly api: ApiHandler;
  private readonly routes: Map<string, ApiRoute> = apiRoutes();
  private readonly timeScale: number;
  private readonly seed: number;
  private readonly port: number;
  private readonly host: string;
  private readonly logger?: (line: string) => void;
  private chaosSettings: ChaosSettings;
  private readonly counters: SimulatorStats = {
    inquiries: 0,
    cancels: 0,
    notificationsSent: 0,
    notificationsAcked: 0,
    concurrentInquiryViolations: 0,
    rejectedSignatures: 0,
    rateLimited: 0,
  };
  /** Payments whose notification is due, scheduled or under way (idle() waits for none to remain). */
  private readonly outstanding = new Set<string>();
  private idleWaiters: Array<() => void> = [];
  private server?: Server;
  private stopped = false;

  constructor(opts: SimulatorOptions) {
    const timeScale = opts.timeScale ?? 1;
    if (!Number.isFinite(timeScale) || timeScale <= 0) {
      throw new SimulatorError('INVALID_OPTIONS', 'timeScale must be a positive number');
    }
    const port = opts.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new SimulatorError('INVALID_OPTIONS', 'port must be an integer 0-65535');
    }
    if (opts.seed !== undefined && !Number.isInteger(opts.seed)) {
      throw new SimulatorError('INVALID_OPTIONS', 'seed must be an integer');
    }
    this.timeScale = timeScale;
    this.seed = opts.seed ?? DEFAULT_SEED;
    this.port = port;
    this.host = opts.host ?? DEFAULT_HOST;
    this.logger = opts.logger;
    this.chaosSettings = mergeChaos({ ...NO_CHAOS }, opts.chaos ?? {});
    const now = () => Date.now();
    this.partners = buildPartnerRegistry(opts.partners, now(), this.chaosSettings.rateLimitPerSecond);

    this.book = new PaymentBook({
      partners: this.partners,
      timers: this.timers,
      timeScale: this.timeScale,
      seed: this.seed,
      now,
      onBecameFinal: (record) => this.onBecameFinal(record),
      onCancelled: (record) => this.trackNotification(record),
    });
    this.dispatcher = new NotificationDispatcher({
      timers: this.timers,
      chaos: () => this.chaosSettings,
      timeScale: this.timeScale,
      stopSignal: this.stopController.signal,
      onSent: () => {
        this.counters.notificationsSent += 1;
      },
      log: (event, fields) => this.log(event, fields),
    });
    this.api = new ApiHandler({
      partners: this.partners,
      book: this.book,
      chaos: () => this.chaosSettings,
      random: mulberry32(deriveSeed(this.seed, 'requests')),
      timers: this.timers,
      stats: this.counters,
      now,
      log: (event, fields) => this.log(event, fields),
    });
  }

  /** Serves the inquiry/cancel API paths of both dialects and the admin API under /sim/. */
  async start(): Promise<{ url: string }> {
    if (this.stopped) throw new SimulatorError('STOPPED', 'the simulator was stopped');
    if (this.server) throw new SimulatorError('ALREADY_STARTED', 'start() was already called');
    const server = createServer((req, res) => this.route(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const host = this.host === '0.0.0.0' || this.host === '::' ? '127.0.0.1' : this.host;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.log('simulator.started', {
      url,
      timeScale: this.timeScale,
      seed: this.seed,
      partners: [...this.partners.values()].map((e) => ({
        clientId: e.partner.clientId,
        dialect: e.partner.dialect,
        notifyUrl: e.notifyUrl?.toString() ?? null,
      })),
    });
    return { url };
  }

  /** Closes the server and cancels every pending timer and notification; nothing keeps running. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopController.abort();
    this.timers.close();
    this.releaseIdleWaiters();
    const server = this.server;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    this.log('simulator.stopped', {});
  }

  createPayment(script: PaymentScript): TruthView {
    if (this.stopped) throw new SimulatorError('STOPPED', 'the simulator was stopped');
    const record = this.book.create(parsePaymentScript(script));
    this.log('payment.created', {
      paymentRequestId: record.script.paymentRequestId,
      paymentId: record.paymentId,
      clientId: record.script.clientId,
      timeline: record.script.timeline,
      notify: record.script.notify,
    });
    this.book.refresh(record);
    this.trackNotification(record);
    return this.book.view(record);
  }

  truth(paymentRequestId: string): TruthView | undefined {
    const record = this.book.get(paymentRequestId);
    if (!record) return undefined;
    this.trackNotification(record);
    return this.book.view(record);
  }

  allTruths(): TruthView[] {
    return this.book.all().map((record) => {
      this.trackNotification(record);
      return this.book.view(record);
    });
  }

  stats(): SimulatorStats {
    return { ...this.counters };
  }

  setChaos(chaos: Partial<ChaosSettings>): void {
    this.chaosSettings = mergeChaos(this.chaosSettings, chaos);
    const now = Date.now();
    for (const entry of this.partners.values())
      entry.bucket.setRate(this.chaosSettings.rateLimitPerSecond, now);
    this.log('chaos.changed', { chaos: this.chaosSettings });
  }

  /**
   * Alipay+ rotates its key (issue 11 rows 1, 2): from now on this partner's answers and notification
   * attempts (retries of notifications already under way included) are signed with `privateKey`, and
   * their Signature header names `keyVersion`. The acquirer verifies them only once it holds the key.
   */
  rotateSigningKey(clientId: string, privateKey: KeyObject, keyVersion: string): void {
    const entry = this.partners.get(clientId);
    if (!entry) throw new SimulatorError('UNKNOWN_PARTNER', `no partner ${clientId}`);
    if (!(privateKey instanceof KeyObject) || privateKey.type !== 'private') {
      throw new SimulatorError('INVALID_OPTIONS', 'privateKey must be a private KeyObject');
    }
    if (typeof keyVersion !== 'string' || !KEY_VERSION.test(keyVersion)) {
      throw new SimulatorError('INVALID_OPTIONS', 'keyVersion must be 1-8 letters, digits, . _ -');
    }
    entry.signing = { privateKey, keyVersion };
    // Never the key itself.
    this.log('partner.key-rotated', { clientId, keyVersion });
  }

  /**
   * The acquirer switches its own key (issue 11 row 3): its requests and acks signed with `publicKey`'s
   * private half and naming `keyVersion` verify from now on; the configured key keeps verifying the rest.
   */
  addAcquirerKey(clientId: string, publicKey: KeyObject, keyVersion: string): void {
    const entry = this.partners.get(clientId);
    if (!entry) throw new SimulatorError('UNKNOWN_PARTNER', `no partner ${clientId}`);
    if (!(publicKey instanceof KeyObject) || publicKey.type !== 'public') {
      throw new SimulatorError('INVALID_OPTIONS', 'publicKey must be a public KeyObject');
    }
    if (typeof keyVersion !== 'string' || !KEY_VERSION.test(keyVersion)) {
      throw new SimulatorError('INVALID_OPTIONS', 'keyVersion must be 1-8 letters, digits, . _ -');
    }
    const others = entry.acquirerKeys.filter((k) => k.keyVersion !== keyVersion);
    entry.acquirerKeys.splice(0, entry.acquirerKeys.length, ...others, { keyVersion, publicKey });
    this.log('partner.acquirer-key-added', { clientId, keyVersion });
  }

  /**
   * Resolves when no notification is in flight or still to come: every payment whose script turns it
   * final (now or later) has had its notification acked, given up, dropped by chaos, or skipped
   * (notify: false, no notifyUrl, cancelled before it became final). Also resolves on stop().
   */
  idle(): Promise<void> {
    if (this.stopped || this.outstanding.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private onBecameFinal(record: PaymentRecord): void {
    this.log('payment.final', {
      paymentRequestId: record.script.paymentRequestId,
      status: record.truth.status,
      resultCode: record.truth.resultCode,
    });
    const notifyUrl = record.entry.notifyUrl;
    if (!record.script.notify || !notifyUrl || this.stopped) return;
    record.notification = 'active';
    this.outstanding.add(record.script.paymentRequestId);
    const { partner } = record.entry;
    this.dispatcher.start({
      paymentRequestId: record.script.paymentRequestId,
      dialect: partner.dialect,
      clientId: partner.clientId,
      notifyUrl,
      signingKey: () => record.entry.signing,
      acquirerPublicKeys: () => record.entry.acquirerKeys,
      body: serializeNotification(partner.dialect, this.book.facts(record) as NotifiedFacts),
      random: record.random,
      onAttempt: () => {
        record.notificationAttempts += 1;
      },
      onAcked: () => {
        if (record.notificationAcked) return;
        record.notificationAcked = true;
        this.counters.notificationsAcked += 1;
      },
      onFinished: () => {
        record.notification = 'done';
        this.trackNotification(record);
      },
    });
  }

  /** Keeps `outstanding` in step with a payment's notification state and wakes idle() waiters. */
  private trackNotification(record: PaymentRecord): void {
    const id = record.script.paymentRequestId;
    const wanted = record.script.notify && record.entry.notifyUrl !== undefined;
    const pending =
      wanted &&
      (record.notification === 'active' ||
        (record.notification === 'none' && this.book.willBecomeFinal(record)));
    if (pending) this.outstanding.add(id);
    else this.outstanding.delete(id);
    if (this.outstanding.size === 0) this.releaseIdleWaiters();
  }

  private releaseIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    waiters.forEach((resolve) => resolve());
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const api = this.routes.get(url.pathname);
    if (!api && !url.pathname.startsWith('/sim/')) {
      sendError(res, 404, 'NOT_FOUND', `no route ${req.method} ${url.pathname}`);
      return;
    }
    const work = api
      ? this.api.handle(req, res, api, url.pathname)
      : handleAdmin(this.adminTarget, req, res, url, this.timers);
    work.catch((error: unknown) => {
      this.log('http.error', {
        path: url.pathname,
        error: error instanceof Error ? error.message : String(error),
      });
      if (!res.headersSent) sendError(res, 500, 'INTERNAL_ERROR', 'the simulator failed to answer');
      else res.destroy();
    });
  }

  private readonly adminTarget = {
    createPayment: (script: PaymentScript) => this.createPayment(script),
    truth: (id: string) => this.truth(id),
    allTruths: () => this.allTruths(),
    stats: () => this.stats(),
    chaos: () => ({
      ...this.chaosSettings,
      latencyMs: [...this.chaosSettings.latencyMs] as [number, number],
    }),
    setChaos: (chaos: Partial<ChaosSettings>) => this.setChaos(chaos),
    rotateSigningKey: (clientId: string, request: unknown) => {
      const { privateKey, keyVersion } = (request ?? {}) as { privateKey?: unknown; keyVersion?: unknown };
      let key: KeyObject;
      try {
        key = loadPrivateKey(String(privateKey));
      } catch {
        throw new SimulatorError('INVALID_OPTIONS', 'privateKey is not a PKCS#8/PKCS#1 RSA private key');
      }
      this.rotateSigningKey(clientId, key, keyVersion as string);
      return { clientId, keyVersion: keyVersion as string };
    },
    addAcquirerKey: (clientId: string, request: unknown) => {
      const { publicKey, keyVersion } = (request ?? {}) as { publicKey?: unknown; keyVersion?: unknown };
      let key: KeyObject;
      try {
        key = loadPublicKey(String(publicKey));
      } catch {
        throw new SimulatorError('INVALID_OPTIONS', 'publicKey is not an X.509 SPKI/PKCS#1 RSA public key');
      }
      this.addAcquirerKey(clientId, key, keyVersion as string);
      return { clientId, keyVersion: keyVersion as string };
    },
    idle: () => this.idle(),
  };

  private log(event: string, fields: Record<string, unknown>): void {
    if (!this.logger) return;
    this.logger(
      JSON.stringify({ time: new Date().toISOString(), context: 'alipayplus-simulator', event, ...fields }),
    );
  }
}
