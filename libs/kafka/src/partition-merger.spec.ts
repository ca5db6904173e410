import { PartitionMerger } from './partition-merger';

/** Resolves after the event loop has run its pending immediates (the merger's turn boundary). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('PartitionMerger', () => {
  it('hands everything added in one turn to one call, in the order added, and settles every add with it', async () => {
    const calls: number[][] = [];
    const merger = new PartitionMerger<number>(async (shares) => {
      calls.push([...shares]);
    });
    const adds = [merger.add(3), merger.add(1), merger.add(2)];
    await Promise.all(adds);
    expect(calls).toEqual([[3, 1, 2]]);
  });

  it('starts a new call for what is added in a later turn', async () => {
    const calls: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const merger = new PartitionMerger<string>(async (shares) => {
      calls.push([...shares]);
      if (calls.length === 1) await gate;
    });
    const first = merger.add('a');
    await nextTurn(); // the first call runs (and waits on the gate)
    const second = merger.add('b');
    await nextTurn();
    expect(calls).toEqual([['a'], ['b']]);
    release();
    await Promise.all([first, second]);
  });

  it('rejects every add of the turn when the call fails, and the next turn starts afresh', async () => {
    let fail = true;
    const merger = new PartitionMerger<number>(async () => {
      if (fail) throw new Error('database away');
    });
    const results = await Promise.allSettled([merger.add(1), merger.add(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason.message).toBe('database away');
    fail = false;
    await expect(merger.add(3)).resolves.toBeUndefined();
  });
});
