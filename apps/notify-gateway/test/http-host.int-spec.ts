import { AddressInfo } from 'net';
import { generateTestKeyPair } from '@app/testing/keys';
import { bootstrapNotifyGateway, RunningNotifyGateway } from '../src/bootstrap';
import { loadNotifyGatewayConfig } from '../src/config';

/** Issue 15: the listen address is the HTTP_HOST setting, no longer a hard-coded 0.0.0.0 (real Kafka). */
describe('notify-gateway bound to HTTP_HOST=127.0.0.1', () => {
  let gateway: RunningNotifyGateway;

  beforeAll(async () => {
    gateway = await bootstrapNotifyGateway(
      loadNotifyGatewayConfig({
        KAFKA_BROKERS: process.env.KAFKA_BROKERS,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: '0',
        PARTNERS_JSON: JSON.stringify([
          { clientId: 'T_HTTP_HOST', dialect: 'antom', peerPublicKey: generateTestKeyPair().publicKeyBase64 },
        ]),
      }),
    );
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('listens on that address only, and answers there', async () => {
    const address = gateway.app.getHttpServer().address() as AddressInfo;
    expect(address).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });

    const res = await fetch(`http://127.0.0.1:${address.port}/health/live`);
    expect(res.status).toBe(200);
  });
});
