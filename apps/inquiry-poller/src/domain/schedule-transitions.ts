import type { Amount, Dialect, OrderStatus } from '@app/contracts';
import { firstInquiryAt, Random } from './cadence';
import { PollingPolicy } from './polling-policy';
import { ScheduleEntry } from './schedule-entry';

/** What the poller takes from one payments.status-changed.v1 event (design.md §3). */
export interface StatusChange {
  readonly paymentRequestId: string;
  readonly clientId: string;
  readonly dialect: Dialect;
  readonly amount: Amount;
  readonly expiresAt: number;
  readonly to: OrderStatus;
  /** Monotonic per order: the only reliable order of events (they may arrive late, twice, reordered). */
  readonly version: number;
  readonly occurredAt: number;
}

export interface TransitionContext {
  readonly now: number;
  readonly policyFor: (dialect: Dialect, clientId: string) => PollingPolicy;
  readonly random: Random;
}

export type IgnoredReason =
  /** A version at or below the one already applied: a duplicate or an overtaken event. */
  'STALE_VERSION';

export type TransitionResult =
  | {
      readonly kind: 'write';
      readonly entry: ScheduleEntry;
      /** The row is new (insert) rather than changed (update). */
      readonly isNew: boolean;
      /**
       * Take the row away from the replica working on it: its pending completion must not overwrite
       * this change (the lease token is its fence).
       */
      readonly revokeLease: boolean;
    }
  | { readonly kind: 'ignore'; readonly reason: IgnoredReason };

/**
 * Applies one status change to an order's schedule row (design.md §5; issue 4 point 1):
 * - `init` schedules the first inquiry;
 * - `cancelling` means a cancel was requested: the poller drives it to its end;
 * - `success`/`fail` end polling — unless a cancel has been requested, which then must finish
 *   (protocol.md §4.1: after requesting cancel the order may only end CANCELLED; order-state
 *   reverses a paid order on CANCELLED, design.md §4);
 * - `cancelled` ends everything;
 * - a cancel that is a reversal (asked for by an exception), and a person's re-inquiry, are carried
 *   through whatever is reported.
 * A final status for an unknown order leaves a tombstone, so its late `init` cannot resurrect it.
 *
 * An open order first heard of long after its expiry (events 72 h late, issue 11 row 14) is
 * scheduled like any other: its first inquiry falls due at once, and it is settled by the answer,
 * the usual cancel, or an exception. It may be a replay of an order whose tombstone was pruned: the
 * inquiry then finds the final result again, which order-state ignores as a duplicate.
 */
export function applyStatusChange(
  current: ScheduleEntry | undefined,
  change: StatusChange,
  ctx: TransitionContext,
): TransitionResult {
  if (current && change.version <= current.lastVersion) return { kind: 'ignore', reason: 'STALE_VERSION' };

  const seen = (entry: ScheduleEntry, revokeLease = false): TransitionResult => ({
    kind: 'write',
    entry: { ...entry, orderStatus: change.to, lastVersion: change.version },
    isNew: current === undefined,
    revokeLease,
  });
  const done = (entry: ScheduleEntry): TransitionResult =>
    seen({ ...entry, phase: 'done', nextDueAt: null, doneReason: 'ORDER_FINAL', verifyReason: null }, true);

  if (!current) {
    const fresh = newEntry(change);
    if (change.to === 'success' || change.to === 'fail' || change.to === 'cancelled') return done(fresh);
    if (change.to === 'cancelling') {
      return seen({ ...fresh, phase: 'cancel', nextDueAt: ctx.now, cancelRequestedAt: ctx.now });
    }
    const policy = ctx.policyFor(change.dialect, change.clientId);
    return seen({
      ...fresh,
      nextDueAt: firstInquiryAt(change.occurredAt, change.expiresAt, policy, ctx.random),
    });
  }

  // A reversal is sent whatever the order's status; only its own answer ends it.
  if (current.phase === 'cancel' && current.reversalOf !== null && change.to !== 'init') return seen(current);
  // So is a person's re-inquiry (an exception's `reinquire`): one inquiry, ended by its own answer
  // (next-step, REINQUIRE). A final status that arrives after the request, such as the one the
  // poller's own last inquiry led to, must not drop it silently.
  if (current.phase === 'verify' && current.verifyReason === 'REINQUIRE' && change.to !== 'init') {
    return seen(current);
  }

  switch (change.to) {
    case 'init':
      // Only version 1 is `init`; an existing row already reflects it.
      return seen(current);
    case 'cancelling':
      if (current.phase === 'inquiry') {
        // Someone else requested the cancel (an operator tool): drive it, and stop the inquiry in flight.
        return seen({ ...current, phase: 'cancel', nextDueAt: ctx.now, cancelRequestedAt: ctx.now }, true);
      }
      if (current.phase === 'cancel') {
        // Order-state accepted our CANCEL_REQUESTED: the cancel may go out now.
        return seen({
          ...current,
          nextDueAt: ctx.now,
          cancelRequestedAt: current.cancelRequestedAt ?? ctx.now,
        });
      }
      return seen(current);
    case 'success':
    case 'fail':
      if (current.phase === 'done') return seen(current);
      // Once order-state has the order `cancelling`, a cancel may be on its way to the partner: it is
      // carried through (cancel reverses a late payment). Before that no cancel has been sent, and
      // order-state's final word ends the row.
      if (current.phase === 'cancel' && current.orderStatus === 'cancelling') return seen(current);
      return done(current);
    case 'cancelled':
      return current.phase === 'done' ? seen(current) : done(current);
  }
}

/**
 * Folds a batch of changes (possibly several per order, in any order of versions) over the rows
 * that exist, and returns one write per order that changed.
 */
export function planStatusChanges(
  existing: ReadonlyMap<string, ScheduleEntry>,
  changes: readonly StatusChange[],
  ctx: TransitionContext,
): { writes: Map<string, Extract<TransitionResult, { kind: 'write' }>>; ignored: number } {
  const writes = new Map<string, Extract<TransitionResult, { kind: 'write' }>>();
  let ignored = 0;
  // Lower versions first, so that a batch holding v1 and v3 of an order applies both.
  const ordered = [...changes].sort((a, b) => a.version - b.version);
  for (const change of ordered) {
    const id = change.paymentRequestId;
    const before = writes.get(id);
    const current = before?.entry ?? existing.get(id);
    const result = applyStatusChange(current, change, ctx);
    if (result.kind === 'ignore') {
      ignored++;
      continue;
    }
    writes.set(id, {
      ...result,
      isNew: !existing.has(id),
      revokeLease: result.revokeLease || (before?.revokeLease ?? false),
    });
  }
  return { writes, ignored };
}

function newEntry(change: StatusChange): ScheduleEntry {
  return {
    paymentRequestId: change.paymentRequestId,
    clientId: change.clientId,
    dialect: change.dialect,
    amount: change.amount,
    expiresAt: change.expiresAt,
    registeredAt: change.occurredAt,
    phase: 'inquiry',
    orderStatus: change.to,
    lastVersion: 0,
    nextDueAt: null,
    cancelRequestedAt: null,
    doneReason: null,
    reversalOf: null,
    verifyReason: null,
  };
}
