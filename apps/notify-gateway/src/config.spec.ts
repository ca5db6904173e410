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

describe('notify-gateway configuration: KEEP_ALIVE_TIMEOUT_MS', () => {
  it("keeps idle connections 72 s by default (Fastify's default, above a load balancer's 60 s), and takes another value", () => {
    expect(loadNotifyGatewayConfig(env()).KEEP_ALIVE_TIMEOUT_MS).toBe(72_000);
    expect(loadNotifyGatewayConfig(env({ KEEP_ALIVE_TIMEOUT_MS: '90000' })).KEEP_ALIVE_TIMEOUT_MS).toBe(
      90_000,
    );
  });

  it('fails at boot naming KEEP_ALIVE_TIMEOUT_MS when it is out of range or not a number', () => {
    for (const bad of ['0', '999', '600001', 'soon']) {
      expect(() => loadNotifyGatewayConfig(env({ KEEP_ALIVE_TIMEOUT_MS: bad }))).toThrow(
        /KEEP_ALIVE_TIMEOUT_MS/,
      );
    }
  });
});
