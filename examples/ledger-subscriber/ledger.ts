// The ledger: one row per payment that was ever paid, kept from payments.status-changed.v1.
// Everything here runs inside the subscriber's transaction (`tx`), so a row and the version the
// subscriber records for it commit together: an event is never booked twice, even after a crash.
import type { PoolClient } from 'pg';
import type { StatusChangedV1 } from '@app/subscriber';

export const LEDGER_DDL = `
  CREATE TABLE IF NOT EXISTS ledger_payments (
    payment_request_id varchar(64)   PRIMARY KEY,
    currency           char(3)       NOT NULL,
    paid_amount        numeric(20,0) NOT NULL,  -- minor units, as the partner reported it
    payment_id         varchar(64),             -- the partner's id of the payment
    payment_time       timestamptz,             -- when the partner says it was paid (starts the refund window)
    paid_at_version    integer       NOT NULL,
    reversed_at        timestamptz,             -- set when the paid payment was cancelled: money went back
    reversed_at_version integer
  )`;

/** What a status change means for the ledger: money in, money back, or nothing. */
export type LedgerChange =
  | { kind: 'paid'; currency: string; amount: string; paymentId: string | null; paymentTime: string | null }
  | { kind: 'reversed'; currency: string; amount: string; at: string }
  | { kind: 'none' };

export function ledgerChange(event: StatusChangedV1): LedgerChange {
  // The amount the partner reported with the result, else the order's amount (they match unless a
  // person accepted a mismatch).
  const paid = event.reportedAmount ?? event.amount;
  if (event.to === 'success') {
    return {
      kind: 'paid',
      currency: paid.currency,
      amount: paid.value,
      paymentId: event.paymentId ?? null,
      paymentTime: event.paymentTime ?? null,
    };
  }
  // A cancel that reached a paid payment reverses it (the partner refunds the payer).
  if (event.from === 'success' && event.to === 'cancelled') {
    return { kind: 'reversed', currency: paid.currency, amount: paid.value, at: event.occurredAt };
  }
  return { kind: 'none' }; // init, cancelling, fail, cancelled without payment: no money moved
}

/** The subscriber's handler: books one status change, with the subscriber's transaction. */
export async function bookStatusChange(tx: PoolClient, event: StatusChangedV1): Promise<void> {
  const change = ledgerChange(event);
  if (change.kind === 'paid') {
    await tx.query(
      `INSERT INTO ledger_payments
         (payment_request_id, currency, paid_amount, payment_id, payment_time, paid_at_version)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (payment_request_id) DO UPDATE
         SET currency = EXCLUDED.currency, paid_amount = EXCLUDED.paid_amount, payment_id = EXCLUDED.payment_id,
             payment_time = EXCLUDED.payment_time, paid_at_version = EXCLUDED.paid_at_version`,
      [
        event.paymentRequestId,
        change.currency,
        change.amount,
        change.paymentId,
        change.paymentTime,
        event.version,
      ],
    );
  } else if (change.kind === 'reversed') {
    // Normally the row exists (we booked the success); if this group started after it, book both.
    await tx.query(
      `INSERT INTO ledger_payments
         (payment_request_id, currency, paid_amount, paid_at_version, reversed_at, reversed_at_version)
       VALUES ($1, $2, $3, $4, $5, $4)
       ON CONFLICT (payment_request_id) DO UPDATE
         SET reversed_at = EXCLUDED.reversed_at, reversed_at_version = EXCLUDED.reversed_at_version`,
      [event.paymentRequestId, change.currency, change.amount, event.version, change.at],
    );
  }
}

/** Per currency: how many payments, and the sum of their amounts in minor units (a decimal string). */
export type CurrencyTotals = Record<string, { count: number; amount: string }>;

export interface LedgerTotals {
  /** Payments paid and not reversed. */
  paid: CurrencyTotals;
  /** Payments paid, then reversed by a cancel. */
  reversals: CurrencyTotals;
}

interface Queryable {
  query<R extends object>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** The ledger's totals, over every payment or over the given ones. */
export async function ledgerTotals(db: Queryable, paymentRequestIds?: string[]): Promise<LedgerTotals> {
  const { rows } = await db.query<{ reversed: boolean; currency: string; n: string; amount: string }>(
    `SELECT reversed_at IS NOT NULL AS reversed, currency, count(*) AS n, sum(paid_amount)::text AS amount
       FROM ledger_payments
      WHERE $1::text[] IS NULL OR payment_request_id = ANY($1::text[])
      GROUP BY 1, 2`,
    [paymentRequestIds ?? null],
  );
  return toTotals(rows);
}

/** Rows of (reversed, currency, n, amount) as LedgerTotals, currencies in alphabetical order. */
export function toTotals(
  rows: { reversed: boolean; currency: string; n: string; amount: string }[],
): LedgerTotals {
  const totals: LedgerTotals = { paid: {}, reversals: {} };
  for (const r of [...rows].sort((a, b) => a.currency.localeCompare(b.currency))) {
    totals[r.reversed ? 'reversals' : 'paid'][r.currency.trim()] = { count: Number(r.n), amount: r.amount };
  }
  return totals;
}
