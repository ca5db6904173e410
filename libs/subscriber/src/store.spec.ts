import { InMemoryVersionStore } from './store';

describe('InMemoryVersionStore', () => {
  it('applies each new version once and skips duplicates and older versions', async () => {
    const store = new InMemoryVersionStore();
    const calls: [number, number | null][] = [];
    const apply = (v: number) =>
      store.applyVersion('g', 'p1', v, async (_tx, previous) => void calls.push([v, previous]));
    expect(await apply(1)).toBe(true);
    expect(await apply(1)).toBe(false);
    expect(await apply(3)).toBe(true);
    expect(await apply(2)).toBe(false);
    expect(await apply(3)).toBe(false);
    expect(calls).toEqual([
      [1, null],
      [3, 1],
    ]);
    expect(store.lastVersion('g', 'p1')).toBe(3);
  });

  it('keeps groups and payments apart', async () => {
    const store = new InMemoryVersionStore();
    const noop = async () => undefined;
    expect(await store.applyVersion('a', 'p1', 1, noop)).toBe(true);
    expect(await store.applyVersion('b', 'p1', 1, noop)).toBe(true);
    expect(await store.applyVersion('a', 'p2', 1, noop)).toBe(true);
  });

  it('records nothing when the work throws, so a retry applies it', async () => {
    const store = new InMemoryVersionStore();
    await expect(
      store.applyVersion('g', 'p1', 1, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(store.lastVersion('g', 'p1')).toBeNull();
    expect(await store.applyVersion('g', 'p1', 1, async () => undefined)).toBe(true);
  });

  it('applies an event id once', async () => {
    const store = new InMemoryVersionStore();
    let calls = 0;
    const work = async () => void calls++;
    expect(await store.applyOnce('g', 'e1', work)).toBe(true);
    expect(await store.applyOnce('g', 'e1', work)).toBe(false);
    expect(await store.applyOnce('g', 'e2', work)).toBe(true);
    expect(calls).toBe(2);
  });

  it('never runs two units of work for one payment at once', async () => {
    const store = new InMemoryVersionStore();
    let inFlight = 0;
    let maxInFlight = 0;
    const work = async () => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
    };
    const results = await Promise.all([1, 1, 2].map((v) => store.applyVersion('g', 'p', v, work)));
    expect(results).toEqual([true, false, true]);
    expect(maxInFlight).toBe(1);
  });
});
