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

/**
 * A `text[]` parameter of short values (ids, codes) as PostgreSQL's array literal, written by
 * JSON.stringify (native, one pass) instead of node-postgres's per-element escaping, which the
 * bench:order-state profile showed. Not for the long values above: their quotes make JSON escape them
 * and this check scan them, which costs more than passing each as is. JSON
 * quotes every string and escapes `"` and `\` exactly as an array literal does; any other escape
 * (a control character, a lone surrogate) would read differently in an array literal, so then this
 * answers undefined and the caller lets node-postgres escape the array. A null element is JSON's
 * `null`, which an array literal reads as NULL (a quoted "null" stays text).
 */
export function textArrayLiteral(values: readonly (string | null | undefined)[]): string | undefined {
  const json = JSON.stringify(values);
  // An escape other than \" or \\: an odd run of backslashes followed by another character.
  if (json.includes('\\') && /(?:^|[^\\])(?:\\\\)*\\[^"\\]/.test(json)) return undefined;
  return `{${json.slice(1, -1)}}`;
}

/** The array as a literal when it can be (textArrayLiteral), else as is for node-postgres. */
export const textArray = (
  values: readonly (string | null | undefined)[],
): string | readonly (string | null | undefined)[] => textArrayLiteral(values) ?? values;

/** An `int[]` or `boolean[]` parameter as its literal (integers and booleans need no quoting). */
export function scalarArray(values: readonly (number | boolean)[]): string {
  for (const v of values) {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new Error(`not an integer: ${v}`);
  }
  return `{${values.join(',')}}`;
}

/** Runs `write` over slices of at most MAX_ROWS_PER_STATEMENT rows, in order. */
export async function inSlices<T>(rows: readonly T[], write: (slice: readonly T[]) => Promise<void>) {
  for (let i = 0; i < rows.length; i += MAX_ROWS_PER_STATEMENT) {
    await write(rows.slice(i, i + MAX_ROWS_PER_STATEMENT));
  }
}

/** The contract's text limits (ExceptionEventV1): longer values are cut, never refused. */
export const cut = (s: string | null | undefined, max: number): string | null =>
  s == null ? null : s.length > max ? s.slice(0, max - 1) + '…' : s;
