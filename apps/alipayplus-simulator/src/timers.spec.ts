import { TimerRegistry } from './timers';

describe('TimerRegistry', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs a timer after its delay and forgets it', () => {
    const timers = new TimerRegistry();
    const fn = jest.fn();
    timers.after(100, fn);
    expect(timers.size).toBe(1);
    jest.advanceTimersByTime(99);
    expect(fn).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(timers.size).toBe(0);
  });

  it('chains delays longer than setTimeout allows instead of firing at once', () => {
    const timers = new TimerRegistry();
    const fn = jest.fn();
    const longDelay = 2_147_483_647 + 1_000;
    timers.after(longDelay, fn);
    jest.advanceTimersByTime(2_147_483_647);
    expect(fn).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1_000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('does not run a cancelled timer', () => {
    const timers = new TimerRegistry();
    const fn = jest.fn();
    timers.after(10, fn).cancel();
    jest.advanceTimersByTime(100);
    expect(fn).not.toHaveBeenCalled();
    expect(timers.size).toBe(0);
  });

  it('close() cancels every timer, wakes sleepers with false, and refuses new timers', async () => {
    const timers = new TimerRegistry();
    const fn = jest.fn();
    timers.after(10, fn);
    const slept = timers.sleep(1_000);
    timers.close();
    await expect(slept).resolves.toBe(false);
    timers.after(1, fn);
    jest.advanceTimersByTime(10_000);
    expect(fn).not.toHaveBeenCalled();
    expect(timers.size).toBe(0);
    await expect(timers.sleep(5)).resolves.toBe(false);
  });

  it('sleep() resolves true after the delay', async () => {
    const timers = new TimerRegistry();
    const slept = timers.sleep(50);
    jest.advanceTimersByTime(50);
    await expect(slept).resolves.toBe(true);
  });
});
