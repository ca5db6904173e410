import { ConfigError } from '@app/config';
import { loadNotifyGatewayConfig } from './config';

const env = (over: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  KAFKA_BROKERS: '127.0.0.1:9092',
  PARTNERS_JSON: '[]',
  ...over,
});

describe('notify-gateway configuration: HTTP_HOST', () => {
  it('listens on every interface by default and takes another address', () => {
    expect(loadNotifyGatewayConfig(env()).HTTP_HOST).toBe('0.0.0.0');
    expect(loadNotifyGatewayConfig(env({ HTTP_HOST: '127.0.0.1' })).HTTP_HOST).toBe('127.0.0.1');
  });

  it('fails at boot naming HTTP_HOST when it is not an address', () => {
    expect(() => loadNotifyGatewayConfig(env({ HTTP_HOST: '127.0.0.1:3001' }))).toThrow(ConfigError);
    expect(() => loadNotifyGatewayConfig(env({ HTTP_HOST: '127.0.0.1:3001' }))).toThrow(
      /HTTP_HOST is invalid/,
    );
  });
});
