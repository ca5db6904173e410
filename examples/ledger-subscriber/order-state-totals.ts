// For the demo only: the same totals computed from order-state's own tables, to show the ledger a
// subscriber keeps from the events matches the source of truth. A real subscriber never reads
// another service's database; this is the auditor's view.
import { Client } from 'pg';
import { toTotals, type LedgerTotals } from './ledger';
import type { LedgerSubscriber } from './ledger-subscriber';

/** order-state's view: paid = orders in `success`; reversals = `cancelled` orders that were `success` once. */
export async function orderStateTotals(
  databaseUrl: string,
  paymentRequestIds?: string[],
): Promise<LedgerTotals> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ reversed: boolean; currency: string; n: string; amount: string }>(
      `SELECT o.status = 'cancelled' AS reversed, o.amount_currency AS currency, count(*) AS n,
              sum(o.amount_value)::text AS amount
         FROM payment_orders o
        WHERE ($1::text[] IS NULL OR o.payment_request_id = ANY($1::text[]))
          AND (o.status = 'success'
               OR (o.status = 'cancelled' AND EXISTS (
                     SELECT 1 FROM payment_observations p
                      WHERE p.payment_request_id = o.payment_request_id AND p.status_after = 'success')))
        GROUP BY 1, 2`,
      [paymentRequestIds ?? null],
    );
    return toTotals(rows);
  } finally {
    await db.end();
  }
}

export interface LedgerComparison {
  ledger: LedgerTotals;
  orderState: LedgerTotals;
  equal: boolean;
}

/**
 * Compares the ledger with order-state, waiting up to `timeoutMs` for the ledger to catch up (the
 * last status events may still be on their way through the outbox and Kafka).
 */
export async function compareLedgerWithOrderState(
  ledger: LedgerSubscriber,
  databaseUrl: string,
  paymentRequestIds?: string[],
  timeoutMs = 60_000,
): Promise<LedgerComparison> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [l, o] = await Promise.all([
      ledger.totals(paymentRequestIds),
      orderStateTotals(databaseUrl, paymentRequestIds),
    ]);
    const equal = JSON.stringify(l) === JSON.stringify(o);
    if (equal || Date.now() > deadline) return { ledger: l, orderState: o, equal };
    await new Promise((r) => setTimeout(r, 500));
  }
}
