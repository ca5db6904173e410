import { KeyObject } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { ApiHandler, apiRoutes, ApiRoute } from './api/api-handler';
import { mergeChaos, NO_CHAOS } from './chaos/chaos-settings';
import { deriveSeed, mulberry32 } from './chaos/prng';
import { parsePaymentScript } from './domain/payment-script';
import { SimulatorError } from './errors';
import { adminTarget } from './http/admin-target';
import { listen } from './http/http-io';
import { route } from './http/router';
import { emptyStats, resolveOptions } from './options';
import type { NotifiedFacts } from './notifications/notification-body';
import { serializeNotification } from './peer-dialects';
import { NotificationDispatcher } from './notifications/notification-dispatcher';
import { OutstandingNotifications } from './notifications/outstanding-notifications';
import { addAcquirerKey, buildPartnerRegistry, PartnerEntry, rotateSigningKey } from './partners';
import { PaymentBook, PaymentRecord } from './payments/payment-book';
import { TimerRegistry } from './timers';
import type { ChaosSettings, PaymentScript, SimulatorOptions, SimulatorStats, TruthView } from './types';

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
  private readonly counters: SimulatorStats = emptyStats();
  private readonly outstanding: OutstandingNotifications;
  private server?: Server;
  private stopped = false;

  constructor(opts: SimulatorOptions) {
    ({ timeScale: this.timeScale, seed: this.seed, port: this.port, host: this.host } = resolveOptions(opts));
    this.logger = opts.logger;
    this.chaosSettings = mergeChaos({ ...NO_CHAOS }, opts.chaos ?? {});
    const now = () => Date.now();
    this.partners = buildPartnerRegistry(opts.partners, now(), this.chaosSettings.rateLimitPerSecond);

    this.outstanding = new OutstandingNotifications((record) => this.book.willBecomeFinal(record));
    this.book = new PaymentBook({
      partners: this.partners,
      timers: this.timers,
      timeScale: this.timeScale,
      seed: this.seed,
      now,
      onBecameFinal: (record) => this.onBecameFinal(record),
      onCancelled: (record) => this.outstanding.track(record),
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

  /** Serves the inquiry/cancel API paths of every dialect and the admin API under /sim/. */
  async start(): Promise<{ url: string }> {
    if (this.stopped) throw new SimulatorError('STOPPED', 'the simulator was stopped');
    if (this.server) throw new SimulatorError('ALREADY_STARTED', 'start() was already called');
    const { routes, api, timers } = this;
    const admin = adminTarget(this, () => this.chaosSettings);
    const router = { routes, api, admin, timers, log: this.log.bind(this) };
    const server = createServer((req, res) => route(router, req, res));
    this.server = server;
    const url = await listen(server, this.port, this.host);
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
    this.outstanding.release();
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
    this.outstanding.track(record);
    return this.book.view(record);
  }

  truth(paymentRequestId: string): TruthView | undefined {
    const record = this.book.get(paymentRequestId);
    if (!record) return undefined;
    this.outstanding.track(record);
    return this.book.view(record);
  }

  allTruths(): TruthView[] {
    return this.book.all().map((record) => {
      this.outstanding.track(record);
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
    rotateSigningKey(this.partner(clientId), privateKey, keyVersion);
    // Never the key itself.
    this.log('partner.key-rotated', { clientId, keyVersion });
  }

  /**
   * The acquirer switches its own key (issue 11 row 3): its requests and acks signed with `publicKey`'s
   * private half and naming `keyVersion` verify from now on; the configured key keeps verifying the rest.
   */
  addAcquirerKey(clientId: string, publicKey: KeyObject, keyVersion: string): void {
    addAcquirerKey(this.partner(clientId), publicKey, keyVersion);
    this.log('partner.acquirer-key-added', { clientId, keyVersion });
  }

  private partner(clientId: string): PartnerEntry {
    const entry = this.partners.get(clientId);
    if (!entry) throw new SimulatorError('UNKNOWN_PARTNER', `no partner ${clientId}`);
    return entry;
  }

  /**
   * Resolves when no notification is in flight or still to come: every payment whose script turns it
   * final (now or later) has had its notification acked, given up, dropped by chaos, or skipped
   * (notify: false, no notifyUrl, cancelled before it became final). Also resolves on stop().
   */
  idle(): Promise<void> {
    return this.outstanding.idle(this.stopped);
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
    this.outstanding.add(record);
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
        this.outstanding.track(record);
      },
    });
  }

  private log(event: string, fields: Record<string, unknown>): void {
    if (!this.logger) return;
    this.logger(
      JSON.stringify({ time: new Date().toISOString(), context: 'alipayplus-simulator', event, ...fields }),
    );
  }
}
