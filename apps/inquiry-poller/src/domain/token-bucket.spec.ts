import { TokenBucket } from './token-bucket';

const T0 = 1_000_000;

describe('TokenBucket (per-partner rate limit, design.md §5)', () => {
  it('starts full and hands out at most its capacity at once', () => {
    const sut = new TokenBucket(100, 25, T0);
    expect(sut.take(1000, T0)).toBe(25);
    expect(sut.take(1, T0)).toBe(0);
  });

  it('refills at its rate', () => {
    const sut = new TokenBucket(100, 25, T0);
    sut.take(25, T0);
    expect(sut.available(T0 + 50)).toBe(5);
    expect(sut.take(10, T0 + 100)).toBe(10);
    expect(sut.available(T0 + 100)).toBe(0);
  });

  it('never holds more than its capacity, however long it idles', () => {
    const sut = new TokenBucket(100, 25, T0);
    expect(sut.available(T0 + 3_600_000)).toBe(25);
  });

  it('over a long run grants no more than the rate (plus one burst)', () => {
    const sut = new TokenBucket(2000, 500, T0);
    let granted = 0;
    for (let t = T0; t <= T0 + 10_000; t += 7) granted += sut.take(10_000, t);
    expect(granted).toBeGreaterThanOrEqual(20_000);
    expect(granted).toBeLessThanOrEqual(20_000 + 500);
  });

  it('takes back unused tokens, up to its capacity', () => {
    const sut = new TokenBucket(10, 5, T0);
    expect(sut.take(5, T0)).toBe(5);
    sut.refund(3, T0);
    expect(sut.available(T0)).toBe(3);
    sut.refund(100, T0);
    expect(sut.available(T0)).toBe(5);
  });

  it('when paused (REQUEST_TRAFFIC_EXCEED_LIMIT) grants nothing until the pause ends, then starts empty', () => {
    const sut = new TokenBucket(100, 50, T0);
    sut.pause(5000, T0);
    expect(sut.isPaused(T0 + 4999)).toBe(true);
    expect(sut.take(10, T0 + 4999)).toBe(0);
    expect(sut.isPaused(T0 + 5000)).toBe(false);
    // No burst right after the pause: only what flowed in since it ended.
    expect(sut.available(T0 + 5000)).toBe(0);
    expect(sut.available(T0 + 5100)).toBe(10);
  });

  it('a shorter pause does not cut a longer one short', () => {
    const sut = new TokenBucket(100, 50, T0);
    sut.pause(5000, T0);
    sut.pause(1000, T0 + 100);
    expect(sut.available(T0 + 3000)).toBe(0);
  });

  it('rejects a rate or capacity that could never grant anything', () => {
    expect(() => new TokenBucket(0, 1, T0)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0, T0)).toThrow(RangeError);
  });
});
