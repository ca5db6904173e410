import { chance, deriveSeed, digits, intBetween, mulberry32, streamFor } from './prng';

const draws = (seed: number, n: number) => {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => random());
};

describe('mulberry32', () => {
  it('replays the same sequence for the same seed', () => {
    expect(draws(42, 20)).toEqual(draws(42, 20));
  });

  it('gives a different sequence for another seed', () => {
    expect(draws(42, 20)).not.toEqual(draws(43, 20));
  });

  it('stays in [0, 1) and is roughly uniform', () => {
    const values = draws(7, 20_000);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    const lowQuarter = values.filter((v) => v < 0.25).length / values.length;
    expect(lowQuarter).toBeGreaterThan(0.23);
    expect(lowQuarter).toBeLessThan(0.27);
  });
});

describe('streamFor / deriveSeed', () => {
  it('is deterministic per (seed, key) and independent across keys and seeds', () => {
    expect(deriveSeed(1, 'pay-1')).toBe(deriveSeed(1, 'pay-1'));
    expect(deriveSeed(1, 'pay-1')).not.toBe(deriveSeed(1, 'pay-2'));
    expect(deriveSeed(1, 'pay-1')).not.toBe(deriveSeed(2, 'pay-1'));
    const a = streamFor(9, 'x');
    const b = streamFor(9, 'x');
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});

describe('chance', () => {
  it('never fires at rate 0 and always fires at rate 1', () => {
    const random = mulberry32(3);
    const atZero = Array.from({ length: 1000 }, () => chance(random, 0));
    const atOne = Array.from({ length: 1000 }, () => chance(random, 1));
    expect(atZero.some(Boolean)).toBe(false);
    expect(atOne.every(Boolean)).toBe(true);
  });

  it('fires about `rate` of the time', () => {
    const random = mulberry32(5);
    const hits = Array.from({ length: 10_000 }, () => chance(random, 0.3)).filter(Boolean).length;
    expect(hits).toBeGreaterThan(2800);
    expect(hits).toBeLessThan(3200);
  });
});

describe('intBetween', () => {
  it('covers both bounds and nothing outside them', () => {
    const random = mulberry32(11);
    const seen = new Set(Array.from({ length: 2000 }, () => intBetween(random, 3, 6)));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it('returns the value for a degenerate range', () => {
    expect(intBetween(mulberry32(1), 250, 250)).toBe(250);
  });
});

describe('digits', () => {
  it('returns exactly `length` decimal digits', () => {
    expect(digits(mulberry32(1), 12)).toMatch(/^\d{12}$/);
  });
});
