// What every use case that folds observations writes afterwards, in the same transaction.
import type { ExceptionAction, LedgerOutcome } from '../domain/order-ledger';
import type { OrderTransaction } from './ports';
import { exceptionEventFor, transitionToEvent } from './status-events';

/**
 * Writes the ledger's exception changes in their order, each with its event. A raise opens the
 * order's exception or updates the open one (reason, detail, evidence), so a second cause never
 * opens a second exception.
 */
export async function applyExceptionActions(
  tx: OrderTransaction,
  actions: readonly ExceptionAction[],
): Promise<void> {
  const events = [];
  for (const a of actions) {
    const row =
      a.kind === 'raise'
        ? await tx.raiseException(a)
        : await tx.resolveOpenException(a.paymentRequestId, 'auto', 'order-state', a.note, a.evidence);
    if (row) events.push(exceptionEventFor(row, a.orderStatus));
  }
  await tx.enqueueExceptionEvents(events);
}

/**
 * Persists a fold's decisions other than the timeline rows of new observations (the caller inserts
 * those, or updates the results of parked ones): order rows, anomalies, one status event per
 * transition, exception changes.
 */
export async function writeFoldOutcome(tx: OrderTransaction, outcome: LedgerOutcome): Promise<void> {
  await tx.updateOrders([...outcome.changed.values()]);
  await tx.insertAnomalies(outcome.anomalies);
  // One clock reading for the batch: the changes commit together, and reading it per event showed
  // in bench:order-state's profile.
  const now = new Date().toISOString();
  await tx.enqueueStatusEvents(outcome.transitions.map((t) => transitionToEvent(t, now)));
  await applyExceptionActions(tx, outcome.exceptions);
}
