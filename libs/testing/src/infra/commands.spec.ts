import { envLines, foreignEntry } from './commands';

describe('commands', () => {
  it('prints the env lines the callers parse', () => {
    expect(envLines({ kafka: 24001, kafkaController: 24002, postgres: 24003 })).toBe(
      'KAFKA_BROKERS=127.0.0.1:24001\nDATABASE_URL=postgres://postgres:postgres@127.0.0.1:24003/payments\n',
    );
  });

  it('purges only a directory that holds nothing but an instance', () => {
    expect(
      foreignEntry(['.lock', 'ports', 'env', 'kafka', 'pg', 'watchdog.pid', 'watchdog.log']),
    ).toBeUndefined();
    expect(foreignEntry(['ports', '.bashrc', 'kafka'])).toBe('.bashrc');
  });
});
