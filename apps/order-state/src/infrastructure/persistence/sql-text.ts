// Helpers shared by order-state's SQL adapters.

/**
 * Long text values (raw bodies, outbox payloads) go one bind parameter each, gathered with
 * `ARRAY[$n, …]`: node-postgres then writes each string as is, and PostgreSQL takes each as a datum,
 * where a `text[]` literal costs an escaping pass in JavaScript and a parsing pass in the server.
 * The protocol allows 65,535 parameters per statement, so larger batches are split.
 */
export const MAX_ROWS_PER_STATEMENT = 20_000;

export const textParams = (first: number, n: number) =>
  Array.from({ length: n }, (_, i) => `$${first + i}`).join(',');

/** Runs `write` over slices of at most MAX_ROWS_PER_STATEMENT rows, in order. */
export async function inSlices<T>(rows: readonly T[], write: (slice: readonly T[]) => Promise<void>) {
  for (let i = 0; i < rows.length; i += MAX_ROWS_PER_STATEMENT) {
    await write(rows.slice(i, i + MAX_ROWS_PER_STATEMENT));
  }
}

/** The contract's text limits (ExceptionEventV1): longer values are cut, never refused. */
export const cut = (s: string | null | undefined, max: number): string | null =>
  s == null ? null : s.length > max ? s.slice(0, max - 1) + '…' : s;
