import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('lets a burst of `rate` requests through, then refuses until tokens refill', () => {
    const bucket = new TokenBucket(3, 0);
    expect([bucket.tryTake(0), bucket.tryTake(0), bucket.tryTake(0)]).toEqual([true, true, true]);
    expect(bucket.tryTake(0)).toBe(false);
    expect(bucket.tryTake(300)).toBe(false); // 0.9 token
    expect(bucket.tryTake(334)).toBe(true); // 1.002 tokens
    expect(bucket.tryTake(334)).toBe(false);
  });

  it('never accumulates more than one second of tokens', () => {
    const bucket = new TokenBucket(2, 0);
    const taken = [0, 0, 0, 0].map(() => bucket.tryTake(60_000));
    expect(taken).toEqual([true, true, false, false]);
  });

  it('never limits at rate 0', () => {
    const bucket = new TokenBucket(0, 0);
    expect(Array.from({ length: 1000 }, () => bucket.tryTake(0)).every(Boolean)).toBe(true);
  });

  it('allows one request per second below a rate of 1', () => {
    const bucket = new TokenBucket(0.5, 0);
    expect(bucket.tryTake(0)).toBe(true);
    expect(bucket.tryTake(1000)).toBe(false);
    expect(bucket.tryTake(2000)).toBe(true);
  });

  it('starts full after the rate changes', () => {
    const bucket = new TokenBucket(1, 0);
    expect(bucket.tryTake(0)).toBe(true);
    expect(bucket.tryTake(0)).toBe(false);
    bucket.setRate(2, 0);
    expect([bucket.tryTake(0), bucket.tryTake(0), bucket.tryTake(0)]).toEqual([true, true, false]);
  });
});
