import { digits, mulberry32, deriveSeed, Random, streamFor } from '../chaos/prng';
import type { PaymentFacts } from '../api/answers';
import type { NormalizedScript } from '../domain/payment-script';
import {
  advanceTruth,
  cancelTruth,
  expectedOrderStatus,
  initialTruth,
  nextStepDueAt,
  TruthState,
  willBecomeFinal,
} from '../domain/payment-truth';
import { SimulatorError } from '../errors';
import type { PartnerEntry } from '../partners';
import type { TimerHandle, TimerRegistry } from '../timers';
import type { TruthView } from '../types';

/** One payment as Alipay+ holds it. Mutable, owned by the PaymentBook and the simulator. */
export interface PaymentRecord {
  readonly script: NormalizedScript;
  readonly entry: PartnerEntry;
  readonly paymentId: string;
  readonly customerId: string;
  /** Real epoch ms of createPayment(); simulated time runs from here at `timeScale`. */
  readonly createdAt: number;
  /** This payment's own random stream (its notification chaos). */
  readonly random: Random;
  truth: TruthState;
  inquiries: number;
  cancels: number;
  notificationAttempts: number;
  notificationAcked: boolean;
  notification: 'none' | 'active' | 'done';
  /** Inquiries for this payment being answered right now (latency included). */
  inFlightInquiries: number;
  stepTimer?: TimerHandle;
}

export interface PaymentBookDeps {
  readonly partners: ReadonlyMap<string, PartnerEntry>;
  readonly timers: TimerRegistry;
  readonly timeScale: number;
  readonly seed: number;
  readonly now: () => number;
  /** The truth just became SUCCESS or FAIL by its script (not by a cancel): notify (protocol.md §2.1). */
  readonly onBecameFinal: (record: PaymentRecord) => void;
  /** A cancel changed the truth: a notification that was still to come will not come (protocol.md §4.2). */
  readonly onCancelled: (record: PaymentRecord) => void;
}

/** Shown as walletBrandName in successful Alipay+ answers and notifications (§2.1, §3.1). */
export const WALLET_BRAND_NAME = 'SIMWALLET';

/**
 * The payments Alipay+ knows, keyed by paymentRequestId (and paymentId for lookups). The truth of each
 * is advanced lazily on every read and by a timer at each scripted step, so an inquiry and a
 * notification never disagree about what was true at a given moment.
 */
export class PaymentBook {
  private readonly byRequestId = new Map<string, PaymentRecord>();
  private readonly byPaymentId = new Map<string, PaymentRecord>();
  private readonly ids: Random;
  private created = 0;

  constructor(private readonly deps: PaymentBookDeps) {
    this.ids = mulberry32(deriveSeed(deps.seed, 'payment-ids'));
  }

  create(script: NormalizedScript): PaymentRecord {
    const entry = this.deps.partners.get(script.clientId);
    if (!entry) {
      throw new SimulatorError('UNKNOWN_PARTNER', `no partner has clientId ${script.clientId}`);
    }
    if (entry.partner.dialect !== script.dialect) {
      throw new SimulatorError(
        'UNKNOWN_PARTNER',
        `partner ${script.clientId} speaks ${entry.partner.dialect}, not ${script.dialect}`,
      );
    }
    if (this.byRequestId.has(script.paymentRequestId)) {
      throw new SimulatorError('DUPLICATE_PAYMENT', `payment ${script.paymentRequestId} already exists`);
    }
    const createdAt = this.deps.now();
    this.created += 1;
    const day = new Date(createdAt).toISOString().slice(0, 10).replace(/-/g, '');
    const record: PaymentRecord = {
      script,
      entry,
      // Shaped like Alipay+ IDs (a date, then digits); unique within this simulator by the counter.
      paymentId: `${day}${String(this.created).padStart(8, '0')}${digits(this.ids, 8)}`,
      customerId: `2188${digits(this.ids, 12)}`,
      createdAt,
      random: streamFor(this.deps.seed, `notify:${script.paymentRequestId}`),
      truth: initialTruth(),
      inquiries: 0,
      cancels: 0,
      notificationAttempts: 0,
      notificationAcked: false,
      notification: 'none',
      inFlightInquiries: 0,
    };
    this.byRequestId.set(script.paymentRequestId, record);
    this.byPaymentId.set(record.paymentId, record);
    // Not refreshed yet: the caller applies the steps due at creation (atMs 0) with refresh().
    return record;
  }

  get(paymentRequestId: string): PaymentRecord | undefined {
    const record = this.byRequestId.get(paymentRequestId);
    if (record) this.refresh(record);
    return record;
  }

  getByPaymentId(paymentId: string): PaymentRecord | undefined {
    const record = this.byPaymentId.get(paymentId);
    if (record) this.refresh(record);
    return record;
  }

  all(): PaymentRecord[] {
    const records = [...this.byRequestId.values()];
    records.forEach((record) => this.refresh(record));
    return records;
  }

  /** Simulated ms since the payment was created. */
  elapsed(record: PaymentRecord): number {
    return (this.deps.now() - record.createdAt) * this.deps.timeScale;
  }

  /** Applies the scripted steps due by now and arms the timer of the next one. */
  refresh(record: PaymentRecord): void {
    const { state, becameFinal } = advanceTruth(record.truth, record.script.timeline, this.elapsed(record));
    record.truth = state;
    this.armNextStep(record);
    if (becameFinal) this.deps.onBecameFinal(record);
  }

  /** A successful cancel (protocol.md §4); the truth is advanced to now first so a due success counts as paid. */
  cancel(record: PaymentRecord): void {
    this.refresh(record);
    const before = record.truth;
    record.truth = cancelTruth(before, this.elapsed(record));
    this.armNextStep(record);
    if (record.truth !== before) this.deps.onCancelled(record);
  }

  /** A notification is still to come from the script (the truth will turn final later). */
  willBecomeFinal(record: PaymentRecord): boolean {
    return willBecomeFinal(record.truth, record.script.timeline);
  }

  facts(record: PaymentRecord): PaymentFacts {
    const { truth } = record;
    return {
      paymentRequestId: record.script.paymentRequestId,
      paymentId: record.paymentId,
      // Quirk: the partner reports another amount than the one paid for (a mismatch to detect).
      amount: record.script.quirks.reportedAmount ?? record.script.amount,
      ...(record.script.quirks.reportedAmount === null ? { amountOmittedFromNotification: true } : {}),
      status: truth.status,
      resultCode: truth.resultCode,
      paymentCreateTime: new Date(record.createdAt).toISOString(),
      ...(truth.finalAtSimMs !== undefined ? { paymentTime: this.isoAt(record, truth.finalAtSimMs) } : {}),
      ...(truth.cancelledAtSimMs !== undefined
        ? { cancelTime: this.isoAt(record, truth.cancelledAtSimMs) }
        : {}),
      acquirerId: record.entry.acquirerId,
      pspId: record.entry.pspId,
      customerId: record.customerId,
      walletBrandName: WALLET_BRAND_NAME,
    };
  }

  view(record: PaymentRecord): TruthView {
    const { truth, script } = record;
    return {
      paymentRequestId: script.paymentRequestId,
      clientId: script.clientId,
      dialect: script.dialect,
      status: truth.status,
      resultCode: truth.resultCode,
      paymentId: record.paymentId,
      paidBeforeCancel: truth.paidBeforeCancel,
      expectedOrderStatus: expectedOrderStatus(truth.status, truth.resultCode),
      notificationAttempts: record.notificationAttempts,
      notificationAcked: record.notificationAcked,
      inquiries: record.inquiries,
      cancels: record.cancels,
    };
  }

  private isoAt(record: PaymentRecord, simulatedMs: number): string {
    return new Date(record.createdAt + simulatedMs / this.deps.timeScale).toISOString();
  }

  private armNextStep(record: PaymentRecord): void {
    record.stepTimer?.cancel();
    record.stepTimer = undefined;
    const dueAt = nextStepDueAt(record.truth, record.script.timeline);
    if (dueAt === undefined) return;
    const realDelay = record.createdAt + dueAt / this.deps.timeScale - this.deps.now();
    record.stepTimer = this.deps.timers.after(Math.max(0, realDelay), () => this.refresh(record));
  }
}
