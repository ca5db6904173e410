import { z } from 'zod';
import { httpHostSetting, isHostOrIp } from './common-settings';
import { ConfigError, loadConfig } from './load-config';

describe('HTTP_HOST (issue 15: the listen address is a setting)', () => {
  const schema = z.object({ HTTP_HOST: httpHostSetting });
  const load = (env: NodeJS.ProcessEnv) => loadConfig('some-service', schema, env);

  it('defaults to 0.0.0.0, every interface (what a container needs)', () => {
    expect(load({}).HTTP_HOST).toBe('0.0.0.0');
  });

  it.each([
    '127.0.0.1',
    '0.0.0.0',
    '10.1.2.3',
    '::',
    '::1',
    'fe80::1',
    'localhost',
    'api.payments.svc.cluster.local',
  ])('takes %s', (host) => {
    expect(load({ HTTP_HOST: host }).HTTP_HOST).toBe(host);
  });

  it.each([
    '',
    ' ',
    '1.2.3.999',
    '300.1.1.1',
    'http://127.0.0.1',
    '127.0.0.1:3000',
    'bad host',
    '-x',
    'a_b.local',
  ])('refuses %j at boot, naming HTTP_HOST and not echoing the value', (host) => {
    let error: unknown;
    try {
      load({ HTTP_HOST: host });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'HTTP_HOST is invalid: expected an IP address (0.0.0.0, 127.0.0.1, ::) or a hostname',
    ]);
  });

  it('isHostOrIp agrees with the setting', () => {
    expect(isHostOrIp('my-host')).toBe(true);
    expect(isHostOrIp('1.2.3')).toBe(false);
  });
});
