import type { OrderStatus } from '@app/contracts';
import { PollingPolicy } from './polling-policy';
import { ScheduleEntry } from './schedule-entry';
import {
  applyStatusChange,
  planStatusChanges,
  StatusChange,
  TransitionContext,
} from './schedule-transitions';

const T0 = 1_700_000_000_000;
const policy: PollingPolicy = {
  firstInquiryDelayMs: 3000,
  inquiryIntervalsMs: [2000],
  jitterRatio: 0,
  maxInquiries: null,
  maxInquiriesAction: 'cancel',
  cancelRetryIntervalsMs: [2000],
  cancelNotExistGraceMs: 60_000,
  cancelRefusedInquiryMs: 60_000,
};
const ctx: TransitionContext = {
  now: T0 + 500,
  policyFor: () => policy,
  random: () => 0.5,
};
const RETENTION_MS = 72 * 3_600_000;
const change = (to: OrderStatus, version: number, over: Partial<StatusChange> = {}): StatusChange => ({
  paymentRequestId: 'pr-1',
  clientId: 'C1',
  dialect: 'alipayplus',
  amount: { value: '1000', currency: 'JPY' },
  expiresAt: T0 + 60_000,
  to,
  version,
  occurredAt: T0,
  ...over,
});
const row = (over: Partial<ScheduleEntry> = {}): ScheduleEntry => ({
  paymentRequestId: 'pr-1',
  clientId: 'C1',
  dialect: 'alipayplus',
  amount: { value: '1000', currency: 'JPY' },
  expiresAt: T0 + 60_000,
  registeredAt: T0,
  phase: 'inquiry',
  orderStatus: 'init',
  lastVersion: 1,
  nextDueAt: T0 + 3000,
  cancelRequestedAt: null,
  doneReason: null,
  reversalOf: null,
  verifyReason: null,
  ...over,
});
const written = (r: ReturnType<typeof applyStatusChange>) => {
  if (r.kind !== 'write') throw new Error(`expected a write, got ${r.reason}`);
  return r;
};

describe('schedule transitions (issue 4 point 1)', () => {
  it('init schedules the first inquiry the configured delay after registration', () => {
    const r = written(applyStatusChange(undefined, change('init', 1), ctx));
    expect(r.isNew).toBe(true);
    expect(r.entry).toMatchObject({
      phase: 'inquiry',
      orderStatus: 'init',
      lastVersion: 1,
      nextDueAt: T0 + 3000,
    });
  });

  it('init with an expiry before the first delay is due at the expiry', () => {
    const r = written(applyStatusChange(undefined, change('init', 1, { expiresAt: T0 + 1000 }), ctx));
    expect(r.entry.nextDueAt).toBe(T0 + 1000);
  });

  it.each<OrderStatus>(['success', 'fail', 'cancelled'])(
    '%s ends polling and fences the call in flight',
    (to) => {
      const r = written(applyStatusChange(row(), change(to, 2), ctx));
      expect(r.entry).toMatchObject({
        phase: 'done',
        nextDueAt: null,
        doneReason: 'ORDER_FINAL',
        lastVersion: 2,
      });
      expect(r.revokeLease).toBe(true);
    },
  );

  it('a duplicate or overtaken event changes nothing', () => {
    expect(applyStatusChange(row({ lastVersion: 2 }), change('init', 1), ctx)).toEqual({
      kind: 'ignore',
      reason: 'STALE_VERSION',
    });
    expect(applyStatusChange(row({ lastVersion: 2 }), change('success', 2), ctx)).toEqual({
      kind: 'ignore',
      reason: 'STALE_VERSION',
    });
  });

  it('a final status for an unknown order leaves a tombstone, and its late init never resurrects it', () => {
    const tomb = written(applyStatusChange(undefined, change('success', 2), ctx));
    expect(tomb.entry).toMatchObject({ phase: 'done', lastVersion: 2 });
    expect(applyStatusChange(tomb.entry, change('init', 1), ctx)).toEqual({
      kind: 'ignore',
      reason: 'STALE_VERSION',
    });
  });

  it('init and success in one batch, in either order, leave the order done', () => {
    for (const batch of [
      [change('init', 1), change('success', 2)],
      [change('success', 2), change('init', 1)],
    ]) {
      const { writes } = planStatusChanges(new Map(), batch, ctx);
      expect(writes.get('pr-1')?.entry).toMatchObject({ phase: 'done', lastVersion: 2 });
      expect(writes.get('pr-1')?.isNew).toBe(true);
    }
  });

  it('counts what it ignored and writes one row per order', () => {
    const existing = new Map([['pr-1', row({ lastVersion: 1 })]]);
    const { writes, ignored } = planStatusChanges(
      existing,
      [
        change('init', 1),
        change('init', 1, { paymentRequestId: 'pr-2' }),
        change('init', 1, { paymentRequestId: 'pr-2' }),
      ],
      ctx,
    );
    expect(ignored).toBe(2);
    expect([...writes.keys()]).toEqual(['pr-2']);
  });

  describe('cancel phase (protocol.md §4.1)', () => {
    it('cancelling for an order being inquired: drive the cancel, already requested, and stop the inquiry', () => {
      const r = written(applyStatusChange(row(), change('cancelling', 2), ctx));
      expect(r.entry).toMatchObject({ phase: 'cancel', nextDueAt: ctx.now, cancelRequestedAt: ctx.now });
      expect(r.revokeLease).toBe(true);
    });

    it('cancelling for an unknown order schedules the cancel', () => {
      const r = written(applyStatusChange(undefined, change('cancelling', 2), ctx));
      expect(r.entry).toMatchObject({ phase: 'cancel', nextDueAt: ctx.now, cancelRequestedAt: ctx.now });
    });

    it('order-state accepting our CANCEL_REQUESTED (cancelling) makes the cancel due now, keeping its lease', () => {
      const cancelling = row({ phase: 'cancel', cancelRequestedAt: T0, nextDueAt: T0 + 2000 });
      const r = written(applyStatusChange(cancelling, change('cancelling', 2), ctx));
      expect(r.entry).toMatchObject({
        phase: 'cancel',
        orderStatus: 'cancelling',
        cancelRequestedAt: T0,
        nextDueAt: ctx.now,
        lastVersion: 2,
      });
      expect(r.revokeLease).toBe(false);
    });

    it('once order-state has it cancelling, a success does not stop the cancel: it must end CANCELLED', () => {
      const requested = row({
        phase: 'cancel',
        cancelRequestedAt: T0,
        orderStatus: 'cancelling',
        lastVersion: 2,
      });
      const r = written(applyStatusChange(requested, change('success', 3), ctx));
      expect(r.entry).toMatchObject({ phase: 'cancel', orderStatus: 'success', lastVersion: 3 });
      expect(r.revokeLease).toBe(false);
    });

    it('requested but order-state answered success (a notification won the race): it ends, nothing is cancelled', () => {
      // CANCEL_REQUESTED was published, but order-state had the order paid already and refused it;
      // no cancel is sent before `cancelling`, so the paid payment is not reversed.
      const requested = row({ phase: 'cancel', cancelRequestedAt: T0 });
      const r = written(applyStatusChange(requested, change('success', 2), ctx));
      expect(r.entry).toMatchObject({ phase: 'done', doneReason: 'ORDER_FINAL', orderStatus: 'success' });
      expect(r.revokeLease).toBe(true);
    });

    it('decided but not yet requested: a success ends it, nothing is cancelled', () => {
      const decided = row({ phase: 'cancel', cancelRequestedAt: null });
      expect(written(applyStatusChange(decided, change('success', 2), ctx)).entry.phase).toBe('done');
    });

    it('cancelled ends the cancel', () => {
      const requested = row({ phase: 'cancel', cancelRequestedAt: T0 });
      expect(written(applyStatusChange(requested, change('cancelled', 3), ctx)).entry).toMatchObject({
        phase: 'done',
        doneReason: 'ORDER_FINAL',
      });
    });
  });

  it('a done row stays done, recording the newer version', () => {
    const done = row({ phase: 'done', nextDueAt: null, doneReason: 'RESULT_OBSERVED' });
    const r = written(applyStatusChange(done, change('success', 2), ctx));
    expect(r.entry).toMatchObject({ phase: 'done', doneReason: 'RESULT_OBSERVED', lastVersion: 2 });
  });

  // Issue 11 row 14 (this pinned EXPIRED_LONG_AGO before): inquired at least once, then settled.
  it('an open order heard of more than 72 h after its expiry is scheduled, its first inquiry due at once', () => {
    const old = change('init', 1, {
      expiresAt: ctx.now - RETENTION_MS - 1,
      occurredAt: ctx.now - RETENTION_MS - 60_000,
    });
    const r = written(applyStatusChange(undefined, old, ctx));
    expect(r.entry).toMatchObject({ phase: 'inquiry', orderStatus: 'init' });
    expect(r.entry.nextDueAt!).toBeLessThanOrEqual(ctx.now);
  });

  it('a `cancelling` heard of more than 72 h late is driven to its end: cancel phase, due now', () => {
    const old = change('cancelling', 2, { expiresAt: ctx.now - RETENTION_MS - 1 });
    expect(written(applyStatusChange(undefined, old, ctx)).entry).toMatchObject({
      phase: 'cancel',
      nextDueAt: ctx.now,
    });
  });

  it('close in advance: `cancelling` for a row still inquiring moves it to the cancel phase, due now, and fences the inquiry in flight', () => {
    const r = written(applyStatusChange(row(), change('cancelling', 2), ctx));
    expect(r.entry).toMatchObject({ phase: 'cancel', nextDueAt: ctx.now, cancelRequestedAt: ctx.now });
    expect(r.revokeLease).toBe(true);
  });

  it.each<OrderStatus>(['success', 'fail', 'cancelled'])(
    'a reversal (cancel asked for by an exception) is not stopped by %s',
    (to) => {
      const reversal = row({
        phase: 'cancel',
        orderStatus: 'cancelled',
        reversalOf: '17',
        cancelRequestedAt: T0,
      });
      expect(written(applyStatusChange(reversal, change(to, 5), ctx)).entry).toMatchObject({
        phase: 'cancel',
        reversalOf: '17',
        lastVersion: 5,
        orderStatus: to,
      });
    },
  );

  it.each<OrderStatus>(['success', 'fail', 'cancelled'])(
    '%s ends a verify phase (order-state settled it)',
    (to) => {
      const verifying = row({ phase: 'verify', orderStatus: 'cancelling', verifyReason: 'CANCEL_NOT_EXIST' });
      expect(written(applyStatusChange(verifying, change(to, 3), ctx)).entry).toMatchObject({
        phase: 'done',
        doneReason: 'ORDER_FINAL',
      });
    },
  );

  it.each<OrderStatus>(['success', 'fail', 'cancelled', 'cancelling'])(
    "%s arriving after a person's re-inquiry keeps it: the inquiry still goes out, once",
    (to) => {
      // The row was done by the poller's own inquiry; order-state's status event for that result came
      // after the exception's `reinquire` (money-path.int-spec saw it happen under load).
      const reinquiring = row({
        phase: 'verify',
        orderStatus: 'init',
        verifyReason: 'REINQUIRE',
        nextDueAt: T0,
      });
      const r = written(applyStatusChange(reinquiring, change(to, 2), ctx));
      expect(r.entry).toMatchObject({
        phase: 'verify',
        verifyReason: 'REINQUIRE',
        nextDueAt: T0,
        orderStatus: to,
        lastVersion: 2,
      });
      expect(r.revokeLease).toBe(false);
    },
  );

  it('an expired but recent open order is scheduled, due at once (a poller that was down still settles it)', () => {
    const late = change('init', 1, { expiresAt: ctx.now - 60_000, occurredAt: ctx.now - 120_000 });
    const r = written(applyStatusChange(undefined, late, ctx));
    expect(r.entry).toMatchObject({ phase: 'inquiry', nextDueAt: ctx.now - 117_000 });
    expect(r.entry.nextDueAt!).toBeLessThan(ctx.now);
  });
});
