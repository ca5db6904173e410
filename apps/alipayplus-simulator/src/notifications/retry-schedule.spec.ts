import { fullRetrySchedule, NOTIFY_MAX_ATTEMPTS, nextRetryDelayMs } from './retry-schedule';

describe('notification retry schedule (seed 004)', () => {
  it('retries twice within 5 s of the first attempt', () => {
    expect(nextRetryDelayMs(1)).toBe(1_000);
    expect(nextRetryDelayMs(2)).toBe(3_000);
    expect((nextRetryDelayMs(1) as number) + (nextRetryDelayMs(2) as number)).toBeLessThan(5_000);
  });

  it('then waits 30 s, 1 min, 2 min, 4 min, … (each interval doubles)', () => {
    expect([3, 4, 5, 6].map(nextRetryDelayMs)).toEqual([30_000, 60_000, 120_000, 240_000]);
    const schedule = fullRetrySchedule();
    for (let i = 3; i < schedule.length; i++) expect(schedule[i]).toBe(schedule[i - 1] * 2);
  });

  it('makes 15 attempts in total, then gives up', () => {
    expect(NOTIFY_MAX_ATTEMPTS).toBe(15);
    expect(fullRetrySchedule()).toHaveLength(14);
    expect(nextRetryDelayMs(14)).not.toBeNull();
    expect(nextRetryDelayMs(15)).toBeNull();
    expect(nextRetryDelayMs(16)).toBeNull();
  });

  it('has no delay before an attempt that was never made', () => {
    expect(nextRetryDelayMs(0)).toBeNull();
    expect(nextRetryDelayMs(1.5)).toBeNull();
  });
});
