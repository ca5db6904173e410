import { ConfigError } from '@app/config';
import { loadOrderStateConfig } from './config';

const env = (over: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  KAFKA_BROKERS: '127.0.0.1:9092',
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  ...over,
});

describe('order-state configuration: HTTP_HOST', () => {
  it('listens on every interface by default and takes another address', () => {
    expect(loadOrderStateConfig(env()).HTTP_HOST).toBe('0.0.0.0');
    expect(loadOrderStateConfig(env({ HTTP_HOST: '::1' })).HTTP_HOST).toBe('::1');
  });

  it('fails at boot naming HTTP_HOST when it is not an address', () => {
    expect(() => loadOrderStateConfig(env({ HTTP_HOST: 'not a host' }))).toThrow(ConfigError);
    expect(() => loadOrderStateConfig(env({ HTTP_HOST: 'not a host' }))).toThrow(/HTTP_HOST is invalid/);
  });
});
