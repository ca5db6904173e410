import { EventEmitter } from 'events';
import { runService } from './run-service';

class FakeProcess extends EventEmitter {
  readonly exits: number[] = [];
  private exited?: () => void;
  readonly whenExited = new Promise<void>((resolve) => (this.exited = resolve));
  exit(code: number): void {
    this.exits.push(code);
    this.exited!();
  }
}

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

describe('runService', () => {
  let errors: jest.SpyInstance;
  beforeEach(() => (errors = jest.spyOn(console, 'error').mockImplementation(() => undefined)));
  afterEach(() => errors.mockRestore());

  it('closes and exits 0 on SIGTERM once booted', async () => {
    const proc = new FakeProcess();
    const close = jest.fn(() => Promise.resolve());
    const booted = deferred<{ close(): Promise<void> }>();
    runService('svc', () => booted.promise, proc);
    booted.resolve({ close });
    await booted.promise;
    proc.emit('SIGTERM');
    await proc.whenExited;
    expect({ closes: close.mock.calls.length, exits: proc.exits }).toEqual({ closes: 1, exits: [0] });
  });

  it('has its handlers in place while booting: a SIGTERM then closes once boot is done, not before', async () => {
    const proc = new FakeProcess();
    const close = jest.fn(() => Promise.resolve());
    const booted = deferred<{ close(): Promise<void> }>();
    runService('svc', () => booted.promise, proc);
    expect(proc.listenerCount('SIGTERM')).toBe(1);
    proc.emit('SIGTERM');
    proc.emit('SIGINT'); // a second signal changes nothing
    await Promise.resolve();
    expect({ closes: close.mock.calls.length, exits: proc.exits }).toEqual({ closes: 0, exits: [] });
    booted.resolve({ close });
    await proc.whenExited;
    expect({ closes: close.mock.calls.length, exits: proc.exits }).toEqual({ closes: 1, exits: [0] });
  });

  it('gives up a boot that does not finish within the wait after a signal: exit 143, never stuck', async () => {
    jest.useFakeTimers();
    try {
      const proc = new FakeProcess();
      runService('svc', () => new Promise(() => undefined), proc, 5000);
      proc.emit('SIGTERM');
      jest.advanceTimersByTime(4999);
      expect(proc.exits).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(proc.exits).toEqual([143]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('exits 1 naming the cause when boot fails, and 1 when close fails', async () => {
    const failing = new FakeProcess();
    runService('svc', () => Promise.reject(new Error('DATABASE_URL: required')), failing);
    await failing.whenExited;
    expect(failing.exits).toEqual([1]);
    expect(errors).toHaveBeenCalledWith('svc: failed to start: DATABASE_URL: required');

    const badClose = new FakeProcess();
    const booted = Promise.resolve({ close: () => Promise.reject(new Error('stuck')) });
    runService('svc', () => booted, badClose);
    await booted;
    badClose.emit('SIGINT');
    await badClose.whenExited;
    expect(badClose.exits).toEqual([1]);
  });
});
