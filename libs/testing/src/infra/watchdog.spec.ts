import { cliCommand, waitForExit } from './watchdog';

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
