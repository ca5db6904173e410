import { Injectable, Optional } from '@nestjs/common';
import type { Dialect, OrderStatus, ResultObservedV1 } from '@app/contracts';
import { isFinal } from '../domain/order-status';
import { foldObservations, ObservationResult } from '../domain/order-ledger';
import { writeFoldOutcome } from './ledger-writes';
import {
  AppliedOutcome,
  NoOutcomeRecorder,
  OrderRepository,
  OrderTransaction,
  OutcomeRecorder,
  StoredObservation,
} from './ports';

export interface ApplySummary {
  received: number;
  duplicates: number;
  parked: number;
  transitions: number;
  anomalies: number;
}

const NOTHING_APPLIED: AppliedOutcome = { observations: [], transitions: [], anomalies: [] };

/** What a fold applied, as the metrics count it. */
function appliedOutcome(
  observations: readonly StoredObservation[],
  outcome: ReturnType<typeof foldObservations>,
): AppliedOutcome {
  const effects = new Map(outcome.results.map((r) => [r.eventId, r.effect]));
  return {
    observations: observations.map((o) => ({
      source: o.source,
      effect: effects.get(o.eventId) ?? 'unknown',
    })),
    transitions: outcome.transitions.map((t) => ({ from: t.from, to: t.to, source: t.cause.source })),
    anomalies: outcome.anomalies.map((a) => a.kind),
  };
}

const toStored = (e: ResultObservedV1): StoredObservation => ({
  eventId: e.eventId,
  paymentRequestId: e.paymentRequestId,
  clientId: e.clientId,
  dialect: e.dialect,
  source: e.source,
  outcome: e.outcome,
  resultCode: e.resultCode,
  resultMessage: e.resultMessage ?? null,
  paymentId: e.paymentId ?? null,
  amount: e.amount ?? null,
  paymentTime: e.paymentTime ?? null,
  rawBody: e.rawBody ?? null,
  attention: e.attention ?? null,
  occurredAt: e.occurredAt,
});

/**
 * Applies a batch of result observations in one transaction (design.md §4, §6): timeline rows,
 * order transitions, anomalies and outbox rows commit together or not at all. Observations already
 * in the timeline (same eventId) are skipped, which makes a replayed batch change nothing.
 */
@Injectable()
export class ApplyObservationsUseCase {
  constructor(
    private readonly orders: OrderRepository,
    @Optional() private readonly recorder: OutcomeRecorder = new NoOutcomeRecorder(),
  ) {}

  async execute(events: ResultObservedV1[]): Promise<ApplySummary> {
    let applied = NOTHING_APPLIED;
    const summary = await this.orders.transaction(async (tx) => {
      const { summary, outcome } = await this.applyIn(tx, events);
      applied = outcome;
      return summary;
    });
    this.recorder.recordApplied(applied);
    return summary;
  }

  /**
   * `POST /orders/:id/cancel` (issue 11, seed 002: "close the order in advance"): a CANCEL_REQUESTED
   * observation of source `cancel`, made by order-state, moves an `init` order to `cancelling`; the
   * poller, seeing that status, sends the cancel at once. Its event id is one per order, so asking
   * again is a duplicate. A final order is refused: nothing is left to cancel, and a paid one is
   * reversed only through an exception's `reverse`.
   */
  async requestCancel(
    paymentRequestId: string,
  ): Promise<{ kind: 'not-found' } | { kind: 'final'; status: OrderStatus } | { kind: 'cancelling' }> {
    type Outcome = { kind: 'not-found' } | { kind: 'final'; status: OrderStatus } | { kind: 'cancelling' };
    let applied = NOTHING_APPLIED;
    const result = await this.orders.transaction(async (tx): Promise<Outcome> => {
      const order = (await tx.loadOrders([paymentRequestId], true)).get(paymentRequestId);
      if (!order) return { kind: 'not-found' };
      if (isFinal(order.status)) return { kind: 'final', status: order.status };
      const now = new Date().toISOString();
      ({ outcome: applied } = await this.applyIn(tx, [
        {
          eventId: `cancel-request:${paymentRequestId}`,
          schemaVersion: 1,
          occurredAt: now,
          clientId: order.clientId,
          paymentRequestId,
          dialect: order.dialect,
          source: 'cancel',
          outcome: 'CANCEL_REQUESTED',
          resultCode: 'CANCEL_REQUESTED',
          resultMessage: 'cancel requested through order-state (POST /orders/:id/cancel)',
        },
      ]));
      return { kind: 'cancelling' as const };
    });
    this.recorder.recordApplied(applied);
    return result;
  }

  /**
   * `payments.order-commands.v1` `cancel` (checkout's way to close in advance): the same CANCEL_REQUESTED
   * as POST /orders/:id/cancel, with the same event id, so either path and any replay is applied once.
   * An order not registered yet keeps it parked until its registration (and past the grace, it shows as
   * UNREGISTERED_RESULT); a final order records it without a change (a paid one as a conflict anomaly).
   */
  async applyCancelCommands(
    commands: readonly {
      paymentRequestId: string;
      clientId: string;
      dialect: Dialect;
      reason?: string | null;
    }[],
  ): Promise<ApplySummary> {
    const now = new Date().toISOString();
    return this.execute(
      commands.map((c) => ({
        eventId: `cancel-request:${c.paymentRequestId}`,
        schemaVersion: 1 as const,
        occurredAt: now,
        clientId: c.clientId,
        paymentRequestId: c.paymentRequestId,
        dialect: c.dialect,
        source: 'cancel' as const,
        outcome: 'CANCEL_REQUESTED' as const,
        resultCode: 'CANCEL_REQUESTED',
        resultMessage:
          `cancel requested by checkout (payments.order-commands.v1)${c.reason ? `: ${c.reason}` : ''}`.slice(
            0,
            256,
          ),
      })),
    );
  }

  private async applyIn(
    store: OrderTransaction,
    events: ResultObservedV1[],
  ): Promise<{ summary: ApplySummary; outcome: AppliedOutcome }> {
    const unique = new Map<string, StoredObservation>();
    for (const e of events) if (!unique.has(e.eventId)) unique.set(e.eventId, toStored(e));
    const ids = [...new Set([...unique.values()].map((o) => o.paymentRequestId))];
    // Locks first: a replay of this batch by another consumer (after a rebalance) waits here and
    // then finds every observation already stored.
    const orders = await store.loadOrders(ids, true);
    const seen = await store.existingObservationIds([...unique.keys()]);
    const fresh = [...unique.values()].filter((o) => !seen.has(o.eventId));
    if (fresh.length === 0) {
      return {
        summary: {
          received: events.length,
          duplicates: events.length,
          parked: 0,
          transitions: 0,
          anomalies: 0,
        },
        outcome: NOTHING_APPLIED,
      };
    }

    // Results parked for an order that has since registered go first: they arrived first.
    const stranded = orders.size > 0 ? await store.loadParked([...orders.keys()]) : [];
    const outcome = foldObservations(orders, [...stranded, ...fresh]);
    const results = new Map<string, ObservationResult>(outcome.results.map((r) => [r.eventId, r]));

    await store.updateObservationResults(stranded.map((o) => results.get(o.eventId)!));
    await store.insertObservations(fresh, results);
    await writeFoldOutcome(store, outcome);

    return {
      summary: {
        received: events.length,
        duplicates: events.length - fresh.length,
        parked: fresh.filter((o) => results.get(o.eventId)!.effect === 'parked').length,
        transitions: outcome.transitions.length,
        anomalies: outcome.anomalies.length,
      },
      outcome: appliedOutcome([...stranded, ...fresh], outcome),
    };
  }

  /**
   * Applies parked results whose order has registered meanwhile (see `ordersWithStrandedParked`).
   * Returns how many orders it looked at.
   */
  async applyStrandedParked(limit = 500): Promise<number> {
    let applied = NOTHING_APPLIED;
    const count = await this.orders.transaction(async (store) => {
      const ids = await store.ordersWithStrandedParked(limit);
      if (ids.length === 0) return 0;
      const orders = await store.loadOrders(ids, true);
      const parked = await store.loadParked([...orders.keys()]);
      const outcome = foldObservations(orders, parked);
      await store.updateObservationResults(outcome.results);
      await writeFoldOutcome(store, outcome);
      applied = appliedOutcome(parked, outcome);
      return ids.length;
    });
    this.recorder.recordApplied(applied);
    return count;
  }
}
