import type { PaymentRecord } from '../payments/payment-book';

/**
 * Payments whose notification is due, scheduled or under way, and the callers of idle() waiting for
 * none to remain.
 */
export class OutstandingNotifications {
  private readonly ids = new Set<string>();
  private waiters: Array<() => void> = [];

  constructor(private readonly willBecomeFinal: (record: PaymentRecord) => boolean) {}

  /** The payment's notification has started. */
  add(record: PaymentRecord): void {
    this.ids.add(record.script.paymentRequestId);
  }

  /** Keeps the set in step with a payment's notification state and wakes idle() waiters. */
  track(record: PaymentRecord): void {
    const id = record.script.paymentRequestId;
    const wanted = record.script.notify && record.entry.notifyUrl !== undefined;
    const pending =
      wanted &&
      (record.notification === 'active' || (record.notification === 'none' && this.willBecomeFinal(record)));
    if (pending) this.ids.add(id);
    else this.ids.delete(id);
    if (this.ids.size === 0) this.release();
  }

  /** Resolves once none is outstanding, or at once when `stopped`. */
  idle(stopped: boolean): Promise<void> {
    if (stopped || this.ids.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Wakes every waiter (none outstanding, or the simulator stopped). */
  release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((resolve) => resolve());
  }
}
