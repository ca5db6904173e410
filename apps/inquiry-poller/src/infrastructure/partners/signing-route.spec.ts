import { LoopTimes, SigningRoute, threadTimes } from './signing-route';

/** A main thread whose busy share over each window is scripted, and a clock moved by hand. */
function scripted() {
  let clock = 0;
  const times = { idle: 0, active: 0 };
  const route = new SigningRoute({
    windowMs: 500,
    offloadAbove: 0.5,
    inlineBelow: 0.25,
    now: () => clock,
    loopTimes: (): LoopTimes => ({ ...times }),
  });
  /** One window of 500 ms, `busy` of it active, then where the next signature goes. */
  const window = (busy: number) => {
    clock += 500;
    times.active += 500 * busy;
    times.idle += 500 * (1 - busy);
    return route.offload() ? 'threads' : 'inline';
  };
  return { route, window };
}

describe('SigningRoute: on the main thread while it has room, on the signing threads once it is busy', () => {
  it('signs on the main thread at first and while the main thread is at most half busy', () => {
    const { route, window } = scripted();
    expect(route.offload()).toBe(false);
    expect([0, 0.2, 0.5].map(window)).toEqual(['inline', 'inline', 'inline']);
  });

  it('goes to the threads above half busy, and comes back only below a quarter (no flapping)', () => {
    const { route, window } = scripted();
    expect(window(0.6)).toBe('threads');
    // Without the signing the main thread is less busy: it stays on the threads down to 0.25.
    expect([0.45, 0.3, 0.25].map(window)).toEqual(['threads', 'threads', 'threads']);
    expect(window(0.2)).toBe('inline');
    expect(window(0.45)).toBe('inline');
    expect(route.counts).toEqual({ inline: 2, threads: 4 });
  });

  it('judges a whole window: calls within one keep the last decision', () => {
    const { route, window } = scripted();
    expect(window(0.9)).toBe('threads');
    expect([route.offload(), route.offload()]).toEqual([true, true]);
  });

  it('can be fixed one way', () => {
    expect(new SigningRoute({ fixed: 'threads' }).offload()).toBe(true);
    expect(new SigningRoute({ fixed: 'inline' }).offload()).toBe(false);
  });
});

describe('threadTimes', () => {
  it("reads this thread's CPU time and the rest of the wall clock, both in ms", () => {
    const first = threadTimes();
    const second = threadTimes();
    for (const t of [first, second]) {
      expect(Number.isFinite(t.active) && t.active >= 0).toBe(true);
      expect(Number.isFinite(t.idle) && t.idle >= 0).toBe(true);
    }
    expect(second.active + second.idle).toBeGreaterThanOrEqual(first.active + first.idle - 10);
  });
});
