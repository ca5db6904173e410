// The poller benchmark's knobs (env), the three seedings, and the figures of the run before this one.
// Every contender gets the same orders, due times, pool size, concurrency and handler.

export const intEnv = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
  return value;
};

const listEnv = (name: string, fallback: number[]): number[] => {
  const raw = process.env[name];
  if (!raw) return fallback;
  const values = raw.split(',').map((v) => Number(v.trim()));
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v <= 0))
    throw new Error(`${name} must be a comma-separated list of positive integers`);
  return values;
};

export const SEEDINGS = ['spread', 'burst', 'future'] as const;
export type Seeding = (typeof SEEDINGS)[number];
export const CONTENDERS = ['ours', 'pgBoss', 'graphileWorker'] as const;
export type ContenderName = (typeof CONTENDERS)[number];

const pick = <T extends string>(name: string, all: readonly T[]): T[] => {
  const raw = process.env[name];
  if (!raw) return [...all];
  if (raw === 'none') return [];
  const chosen = raw.split(',').map((v) => v.trim()) as T[];
  for (const c of chosen) if (!all.includes(c)) throw new Error(`${name}: unknown ${c} (${all.join(', ')})`);
  return chosen;
};

/** What one contender run needs; passed to the child process as JSON. */
export interface RunSpec {
  contender: ContenderName;
  seeding: Seeding;
  databaseUrl: string;
  orders: number;
  /** Each order is inquired this many times, then left alone: the bounded run. */
  inquiries: number;
  /** The growing waits between one inquiry's end and the next one's due time; the last repeats. */
  intervalsMs: number[];
  handlerMs: number;
  poolSize: number;
  concurrency: number;
  /** The claim / poll interval each contender is given (pg-boss: at least its minimum, 500 ms). */
  pollMs: number;
  /** Our poller's CLAIM_BATCH (rows per claim query); production default 200. */
  claimBatch: number;
  spreadMs: number;
  futureNow: number;
  futureDelayMs: number;
  /** Rows start falling due this long after seeding began. */
  leadMs: number;
  /** After the last expected due time plus the intervals, give up waiting this long. */
  graceMs: number;
}

export function benchSettings() {
  const orders = intEnv('BENCH_ORDERS', 100_000);
  return {
    orders,
    inquiries: Math.max(1, intEnv('BENCH_INQUIRIES', 3)),
    intervalsMs: listEnv('BENCH_INTERVALS_MS', [1000, 2000, 4000]),
    handlerMs: intEnv('BENCH_HANDLER_MS', 20),
    poolSize: Math.max(2, intEnv('BENCH_POOL', 10)),
    concurrency: Math.max(1, intEnv('BENCH_CONCURRENCY', 500)),
    pollMs: Math.max(10, intEnv('BENCH_POLL_MS', 100)),
    claimBatch: Math.max(1, intEnv('BENCH_CLAIM_BATCH', 200)),
    spreadMs: intEnv('BENCH_SPREAD_MS', 60_000),
    futureNow: Math.min(orders, intEnv('BENCH_FUTURE_NOW', Math.ceil(orders / 100))),
    futureDelayMs: 24 * 3_600_000,
    leadMs: intEnv('BENCH_LEAD_MS', 5000 + Math.ceil(orders * 0.1)),
    graceMs: intEnv('BENCH_GRACE_S', 60) * 1000,
    seedings: pick('BENCH_SEEDINGS', SEEDINGS),
    contenders: pick('BENCH_CONTENDERS', CONTENDERS),
    /** The real path (signed RSA inquiries through the whole poller); 0 skips it. */
    signedOrders: intEnv('BENCH_SIGNED_ORDERS', 20_000),
    signedRate: intEnv('BENCH_RATE', 2000),
    keyBits: intEnv('BENCH_KEY_BITS', 2048),
    simKeyBits: intEnv('BENCH_SIM_KEY_BITS', 1024),
  };
}
export type BenchSettings = ReturnType<typeof benchSettings>;

/**
 * The first due time of every order (ms since the epoch), from `t0`:
 * - spread: evenly over `spreadMs`;
 * - burst: all at `t0`;
 * - future: `futureNow` orders at `t0`, the rest a day later (what rows due later cost the queue).
 */
export function firstDueTimes(spec: RunSpec, t0: number): Float64Array {
  const due = new Float64Array(spec.orders);
  for (let i = 0; i < spec.orders; i++) {
    if (spec.seeding === 'spread') due[i] = t0 + Math.floor((i * spec.spreadMs) / spec.orders);
    else if (spec.seeding === 'burst') due[i] = t0;
    else due[i] = i < spec.futureNow ? t0 : t0 + spec.futureDelayMs;
  }
  return due;
}

/** Orders whose inquiries are expected within the run (the day-later rows of `future` are not). */
export const expectedOrders = (spec: RunSpec): number =>
  spec.seeding === 'future' ? spec.futureNow : spec.orders;

/** The wait after the n-th inquiry (1-based) of an order: growing, the last entry repeats. */
export const intervalAfter = (intervalsMs: readonly number[], n: number): number =>
  intervalsMs[Math.min(Math.max(n - 1, 0), intervalsMs.length - 1)];

/** The run is over by then, whatever is left: the last first due, the re-inquiries, and the grace. */
export function deadline(spec: RunSpec, t0: number): number {
  const lastFirstDue = spec.seeding === 'spread' ? t0 + spec.spreadMs : t0;
  let waits = 0;
  for (let n = 1; n < spec.inquiries; n++) waits += intervalAfter(spec.intervalsMs, n) + spec.handlerMs;
  return lastFirstDue + waits + spec.graceMs;
}

/** The figures of the previous benchmark (issue #14), kept as the "before" row. */
export const BEFORE = {
  what: 'signed RSA-2048 inquiries through the whole poller, 100,000 orders, 2,000/s offered (issue #14)',
  perSec: 900,
  p99Ms: 60_000,
};
