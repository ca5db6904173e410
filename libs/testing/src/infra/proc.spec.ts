import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitFor } from '../wait-for';
import { lockHolder, lockIsStale, withLock } from './instance';
import { parseStat } from './proc';

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

describe('withLock', () => {
  const lockFile = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lock-spec-')), '.lock');

  it('serialises holders and removes the lock after the last', async () => {
    const lock = lockFile();
    const events: string[] = [];
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));

    const first = withLock(lock, 10, 'spec', async () => {
      events.push('first in');
      await firstHeld;
      events.push('first out');
    });
    const second = withLock(lock, 10, 'spec', async () => void events.push('second in'));
    await waitFor(async () => events.includes('first in'), { description: 'first holder in' });
    releaseFirst();
    await Promise.all([first, second]);

    expect(events).toEqual(['first in', 'first out', 'second in']);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('takes over a lock whose holder is gone (a killed runner) or unnamed (the bash harness flock file)', async () => {
    for (const stale of ['2147483646 1\n', '']) {
      const lock = lockFile();
      fs.writeFileSync(lock, stale);

      await expect(withLock(lock, 10, 'spec', async () => 'held')).resolves.toBe('held');
    }
  });
});
