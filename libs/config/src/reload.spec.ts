import { reloadOnSignal } from './reload';
import { ConfigError } from './load-config';

describe('reloadOnSignal (settings reload without a restart)', () => {
  const logger = () => ({ log: jest.fn(), error: jest.fn() });

  it('loads and applies the settings when the process gets SIGHUP', () => {
    const applied: number[] = [];
    let version = 1;
    const log = logger();
    const reload = reloadOnSignal({
      what: 'partner settings',
      load: () => version,
      apply: (v) => applied.push(v),
      logger: log,
    });
    try {
      version = 2;
      process.emit('SIGHUP', 'SIGHUP');
    } finally {
      reload.close();
    }
    expect(applied).toEqual([2]);
    expect(log.log).toHaveBeenCalledWith('partner settings reloaded');
  });

  it('keeps the previous settings when the new ones fail validation, naming the setting', () => {
    const apply = jest.fn();
    const log = logger();
    const reload = reloadOnSignal({
      what: 'partner settings',
      load: () => {
        throw new ConfigError('notify-gateway', [
          'partner alipayplus/C1: peerPublicKeys: keyVersion is required',
        ]);
      },
      apply,
      logger: log,
    });
    reload.close();

    expect(reload.reload()).toBe(false);
    expect(apply).not.toHaveBeenCalled();
    expect(log.error).toHaveBeenCalledWith(
      expect.stringMatching(
        /^partner settings not reloaded, the previous settings stay in force: .*peerPublicKeys: keyVersion is required/s,
      ),
    );
  });

  it('stops listening once closed', () => {
    const apply = jest.fn();
    const before = process.listenerCount('SIGHUP');
    const reload = reloadOnSignal({ what: 'x', load: () => 1, apply, logger: logger() });
    expect(process.listenerCount('SIGHUP')).toBe(before + 1);
    reload.close();
    process.emit('SIGHUP', 'SIGHUP');

    expect(process.listenerCount('SIGHUP')).toBe(before);
    expect(apply).not.toHaveBeenCalled();
  });
});
