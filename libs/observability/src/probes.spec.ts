import { eventLoopCheck, ServiceProbes } from './probes';

describe('ServiceProbes', () => {
  it('is live and ready while every check passes', async () => {
    const probes = new ServiceProbes({
      live: [{ code: 'A', check: () => true }],
      ready: [{ code: 'B', check: async () => true }],
    });
    expect(await probes.live()).toEqual({ ok: true, failures: [] });
    expect(await probes.ready()).toEqual({ ok: true, failures: [] });
  });

  it('reports each failed check by its code: false, a rejection or a timeout', async () => {
    const probes = new ServiceProbes(
      {
        live: [],
        ready: [
          { code: 'DATABASE_UNAVAILABLE', check: async () => Promise.reject(new Error('ECONNREFUSED')) },
          { code: 'KAFKA_UNAVAILABLE', check: () => false },
          { code: 'SLOW', check: () => new Promise<boolean>(() => undefined) },
          { code: 'FINE', check: () => true },
        ],
      },
      50,
    );
    expect(await probes.ready()).toEqual({
      ok: false,
      failures: ['DATABASE_UNAVAILABLE', 'KAFKA_UNAVAILABLE', 'SLOW'],
    });
  });

  it('turns not-ready first on draining, and stays live', async () => {
    const probes = new ServiceProbes({
      live: [{ code: 'A', check: () => true }],
      ready: [{ code: 'B', check: () => true }],
    });
    probes.startDraining();
    expect(probes.draining).toBe(true);
    expect(await probes.ready()).toEqual({ ok: false, failures: ['SHUTTING_DOWN'] });
    expect(await probes.live()).toEqual({ ok: true, failures: [] });
  });

  it('a readiness failure never makes the pod unlive (a database outage must not restart pods)', async () => {
    const probes = new ServiceProbes({
      live: [{ code: 'EVENT_LOOP_BLOCKED', check: () => true }],
      ready: [{ code: 'DATABASE_UNAVAILABLE', check: () => false }],
    });
    expect((await probes.live()).ok).toBe(true);
    expect((await probes.ready()).ok).toBe(false);
  });
});

describe('eventLoopCheck', () => {
  // Fake timers: the loop's turns and stalls are driven by the test, not by this machine's load.
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('passes while the loop turns', async () => {
    const check = eventLoopCheck(10, 1_000);
    jest.advanceTimersByTime(30);
    expect(await check.check()).toBe(true);
    check.stop();
  });

  it('fails after the loop was blocked for longer than allowed, once', async () => {
    const check = eventLoopCheck(5, 20);
    jest.advanceTimersByTime(15);
    expect(await check.check()).toBe(true);
    // The clock moves 80 ms while no timer runs (the loop is blocked), then the loop turns again.
    jest.setSystemTime(Date.now() + 80);
    jest.advanceTimersByTime(5);
    expect(await check.check()).toBe(false);
    // Once the loop turns again, the next check passes: a blocked spell is reported once.
    jest.advanceTimersByTime(20);
    expect(await check.check()).toBe(true);
    check.stop();
  });

  it('fails while the loop is still blocked (no turn since the stall began)', async () => {
    const check = eventLoopCheck(5, 20);
    jest.advanceTimersByTime(10);
    jest.setSystemTime(Date.now() + 100);
    expect(await check.check()).toBe(false);
    check.stop();
  });
});
