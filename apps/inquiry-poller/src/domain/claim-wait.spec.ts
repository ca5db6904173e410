import { claimWaitMs, MIN_CLAIM_WAIT_MS } from './claim-wait';

describe('claimWaitMs — the wait between claim cycles', () => {
  const t0 = 1_700_000_000_000;

  it('waits only the rest of the interval, counted from the cycle start', () => {
    expect(claimWaitMs({ cycleStartedAt: t0, now: t0 + 30, intervalMs: 100, nextDueAt: null })).toBe(70);
  });

  it('wakes at the earliest due time when it comes before the interval ends', () => {
    expect(claimWaitMs({ cycleStartedAt: t0, now: t0 + 10, intervalMs: 100, nextDueAt: t0 + 45 })).toBe(35);
  });

  it('never waits past the interval, however late the next due time', () => {
    expect(claimWaitMs({ cycleStartedAt: t0, now: t0 + 10, intervalMs: 100, nextDueAt: t0 + 60_000 })).toBe(
      90,
    );
  });

  it('never waits less than the floor: a slow cycle or a due time already here does not spin', () => {
    expect(claimWaitMs({ cycleStartedAt: t0, now: t0 + 250, intervalMs: 100, nextDueAt: null })).toBe(
      MIN_CLAIM_WAIT_MS,
    );
    expect(claimWaitMs({ cycleStartedAt: t0, now: t0 + 10, intervalMs: 100, nextDueAt: t0 + 11 })).toBe(
      MIN_CLAIM_WAIT_MS,
    );
    expect(claimWaitMs({ cycleStartedAt: t0, now: t0 + 10, intervalMs: 100, nextDueAt: t0 - 500 })).toBe(
      MIN_CLAIM_WAIT_MS,
    );
  });

  it('an interval below the floor is kept as configured', () => {
    expect(claimWaitMs({ cycleStartedAt: t0, now: t0 + 3, intervalMs: 1, nextDueAt: null })).toBe(1);
  });
});
