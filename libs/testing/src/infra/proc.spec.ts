import { lockHolder, lockIsStale } from './instance';
import { parseStat } from './proc';
import { cliCommand, waitForExit } from './watchdog';

describe('parseStat', () => {
  it('reads the fields after the command name, even one with spaces and parentheses', () => {
    const fields = parseStat('4242 (java (x) y) Z 1 4242 4242 0 -1 4194304');

    expect(fields.slice(0, 3)).toEqual(['Z', '1', '4242']);
  });
});

describe('instance lock', () => {
  const alive = (pids: number[]) => (pid: number) => pids.includes(pid);

  it('names its holder by pid and start time', () => {
    expect(lockHolder('123 98765\n')).toEqual({ pid: 123, startTime: '98765' });
    expect(lockHolder('')).toBeUndefined();
  });

  it('is stale when its holder is gone, was reused by another process, or is not named', () => {
    const startTime = (pid: number) => (pid === 7 ? '100' : '200');

    expect(lockIsStale('7 100\n', alive([7]), startTime)).toBe(false);
    expect(lockIsStale('7 100\n', alive([]), startTime)).toBe(true);
    expect(lockIsStale('8 100\n', alive([8]), startTime)).toBe(true);
    // An empty file is what the bash harness's flock left behind.
    expect(lockIsStale('', alive([7]), startTime)).toBe(true);
  });
});

describe('watchdog', () => {
  it('returns once the owner is gone, polling at the given interval', async () => {
    let checks = 0;
    const pauses: number[] = [];

    await waitForExit(42, {
      isAlive: (pid) => pid === 42 && ++checks < 4,
      pause: async (ms) => void pauses.push(ms),
      intervalMs: 1000,
    });

    expect(pauses).toEqual([1000, 1000, 1000]);
  });

  it('runs the compiled CLI from dist, and the sources through scripts/infra.js otherwise', () => {
    expect(cliCommand('/repo', '/repo/dist/libs/testing/src/infra/watchdog.js')).toEqual([
      '/repo/dist/libs/testing/src/infra/cli.js',
    ]);
    expect(cliCommand('/repo', '/repo/libs/testing/src/infra/watchdog.ts')).toEqual([
      '/repo/scripts/infra.js',
    ]);
  });
});
