/**
 * Where a subscriber remembers what it has applied (issue 16). The subscriber asks the store to run
 * the handler's work only when the event is new, and the store records it in the same unit of work:
 * for the PostgreSQL store that is one transaction, so the handler's writes and the record commit
 * together or not at all.
 */
export interface SubscriberStore<Tx> {
  /**
   * Runs `work` when `version` is newer than the last version applied for this payment in this
   * consumer group, and records `version` with it. Resolves true when applied, false when skipped
   * (a duplicate, or an older version arriving after a newer one). If `work` throws, nothing is
   * recorded and the error is passed on.
   */
  applyVersion(
    groupId: string,
    paymentRequestId: string,
    version: number,
    work: (tx: Tx, previousVersion: number | null) => Promise<void>,
  ): Promise<boolean>;

  /** Runs `work` once per event id in this consumer group (exception events); same terms. */
  applyOnce(groupId: string, eventId: string, work: (tx: Tx) => Promise<void>): Promise<boolean>;
}

/**
 * For tests and for handlers whose work is not in a database: remembers in memory, so a restart
 * forgets everything (events are then applied again). `tx` is null.
 */
export class InMemoryVersionStore implements SubscriberStore<null> {
  private readonly versions = new Map<string, number>();
  private readonly events = new Set<string>();
  /** One unit of work at a time per key, so that two calls for one payment never interleave. */
  private readonly locks = new Map<string, Promise<unknown>>();

  async applyVersion(
    groupId: string,
    paymentRequestId: string,
    version: number,
    work: (tx: null, previousVersion: number | null) => Promise<void>,
  ): Promise<boolean> {
    const key = `${groupId}\u0000${paymentRequestId}`;
    return this.serialised(key, async () => {
      const previous = this.versions.get(key) ?? null;
      if (previous !== null && previous >= version) return false;
      await work(null, previous);
      this.versions.set(key, version);
      return true;
    });
  }

  async applyOnce(groupId: string, eventId: string, work: (tx: null) => Promise<void>): Promise<boolean> {
    const key = `${groupId}\u0000${eventId}`;
    return this.serialised(`event\u0000${key}`, async () => {
      if (this.events.has(key)) return false;
      await work(null);
      this.events.add(key);
      return true;
    });
  }

  /** The last version applied for a payment, or null. */
  lastVersion(groupId: string, paymentRequestId: string): number | null {
    return this.versions.get(`${groupId}\u0000${paymentRequestId}`) ?? null;
  }

  private serialised<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.locks.get(key) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const settled = run.catch(() => undefined);
    this.locks.set(key, settled);
    void settled.then(() => {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    });
    return run;
  }
}
