/**
 * A seeded pseudo-random source, so that a chaos run can be replayed with the same `seed`.
 * mulberry32: 32-bit state, fast, good enough for picking which messages to lose (not for anything secret).
 */
export type Random = () => number;

export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over `<seed>:<key>`: derives an independent stream per key (e.g. per paymentRequestId). */
export function deriveSeed(seed: number, key: string): number {
  let hash = 0x811c9dc5;
  for (const char of `${seed >>> 0}:${key}`) {
    hash ^= char.codePointAt(0) as number;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * A stream for one key. Chaos that concerns one payment (drop, duplicate, delay, lost attempts) draws from
 * its own stream, so the fate of a payment depends on the seed and its ID, not on what else happened first.
 */
export function streamFor(seed: number, key: string): Random {
  return mulberry32(deriveSeed(seed, key));
}

/** True with probability `rate` (0 never draws true, 1 always does). Always consumes one draw. */
export function chance(random: Random, rate: number): boolean {
  return random() < rate;
}

/** A uniform integer in [min, max] (inclusive). Always consumes one draw. */
export function intBetween(random: Random, min: number, max: number): number {
  const low = Math.ceil(Math.min(min, max));
  const high = Math.floor(Math.max(min, max));
  return low + Math.floor(random() * (high - low + 1));
}

/** `length` decimal digits. */
export function digits(random: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(random() * 10).toString();
  return out;
}
