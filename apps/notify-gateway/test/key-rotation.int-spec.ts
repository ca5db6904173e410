import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import * as net from 'net';
import { tmpdir } from 'os';
import * as path from 'path';
import { Kafka } from 'kafkajs';
import { loadPrivateKey, signMessage } from '@app/alipayplus';
import { Topics } from '@app/contracts';
import { waitFor } from '@app/testing';
import { KafkaCollector, testKafka, topicEndOffsetSum } from '@app/testing/kafka-probes';
import { addPeerKey, reloadSettings } from '@app/testing/k-key-rotation';
import { partnerSetting, partnersJson } from '@app/testing/factories';
import { generateTestKeyPair } from '@app/testing/keys';
import { freePort, ServiceProcess, startServiceProcess } from '@app/testing/service-process';
import { bootstrapNotifyGateway, RunningNotifyGateway } from '../src/bootstrap';
import { loadNotifyGatewayConfig } from '../src/config';

interface ObservedEvent {
  paymentRequestId: string;
  outcome: string;
}

/**
 * Issue 11 rows 1–3 on real Kafka: the partner rotates its key before we hold the new one, the
 * gateway answers U and publishes nothing; a SIGHUP reload of PARTNERS_FILE adds the key and the
 * very same notification (as the partner re-sends it) is accepted and published. Also the protocol
 * fidelity of the gateway: an absolute-form request line, lower-case signing headers on its acks.
 */
describe('notify-gateway key rotation and settings reload (real Kafka)', () => {
  const CLIENT_ID = 'T_ACQP_KEYS';
  const alipayOld = generateTestKeyPair();
  const alipayNew = generateTestKeyPair();
  const ours = generateTestKeyPair();
  const dir = mkdtempSync(path.join(tmpdir(), 'gw-keys-'));
  const partnersFile = path.join(dir, 'partners.json');
  const writePartners = (peerKeys: { keyVersion: string; publicKey: string }[]) =>
    writeFileSync(
      partnersFile,
      partnersJson(
        partnerSetting({
          clientId: CLIENT_ID,
          keyVersion: '1',
          privateKeyEnv: 'GW_KEYS_TEST_PRIVATE_KEY',
          peerPublicKeys: peerKeys,
        }),
      ),
    );
  let gateway: RunningNotifyGateway;
  let kafka: Kafka;
  let results: KafkaCollector<ObservedEvent>;

  beforeAll(async () => {
    kafka = testKafka();
    process.env.GW_KEYS_TEST_PRIVATE_KEY = ours.privateKeyBase64;
    writePartners([{ keyVersion: '1', publicKey: alipayOld.publicKeyBase64 }]);
    gateway = await bootstrapNotifyGateway(
      loadNotifyGatewayConfig({
        KAFKA_BROKERS: process.env.KAFKA_BROKERS,
        HTTP_PORT: '0',
        PARTNERS_FILE: partnersFile,
      }),
    );
    results = await new KafkaCollector<ObservedEvent>(kafka, [Topics.resultObserved]).start();
  });

  afterAll(async () => {
    await results?.stop();
    await gateway?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const body = (paymentRequestId: string) =>
    JSON.stringify({
      paymentResult: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' },
      paymentRequestId,
      paymentId: `p-${paymentRequestId}`,
      paymentAmount: { currency: 'USD', value: '100' },
    });

  function signed(raw: string, privateKeyBase64: string, keyVersion: string) {
    const time = new Date().toISOString();
    const { signatureHeader } = signMessage({
      path: '/alipayplus/notify',
      clientId: CLIENT_ID,
      time,
      body: raw,
      privateKey: loadPrivateKey(privateKeyBase64),
      keyVersion,
    });
    return {
      'content-type': 'application/json; charset=UTF-8',
      'client-id': CLIENT_ID,
      'request-time': time,
      signature: signatureHeader,
    };
  }

  async function post(headers: Record<string, string>, raw: string) {
    const res = await fetch(`${gateway.url}/alipayplus/notify`, { method: 'POST', headers, body: raw });
    const text = await res.text();
    return { status: res.status, result: (JSON.parse(text) as { result: Record<string, string> }).result };
  }

  const published = (paymentRequestId: string) =>
    waitFor(
      async () => {
        const found = results.where((m) => m.value.paymentRequestId === paymentRequestId);
        return found.length > 0 ? found : undefined;
      },
      { description: `${paymentRequestId} on payments.result-observed.v1` },
    );

  it('answers U for an unknown keyVersion and publishes nothing; after a SIGHUP reload adds the key, the same notification is published', async () => {
    const raw = body('gw-keys-rotated-1');
    const headers = signed(raw, alipayNew.privateKeyBase64, '2');
    const before = await topicEndOffsetSum(kafka, Topics.resultObserved);

    const refused = await post(headers, raw);

    expect(refused.status).toBe(503);
    expect(refused.result).toEqual({
      resultCode: 'UNKNOWN_EXCEPTION',
      resultStatus: 'U',
      resultMessage: 'unknown keyVersion 2: no public key of this partner has it yet',
    });
    expect(await topicEndOffsetSum(kafka, Topics.resultObserved)).toBe(before);

    // The operator adds the partner's new key and signals the process.
    writePartners([
      { keyVersion: '1', publicKey: alipayOld.publicKeyBase64 },
      { keyVersion: '2', publicKey: alipayNew.publicKeyBase64 },
    ]);
    process.emit('SIGHUP', 'SIGHUP');

    // The partner re-sends the same request (U makes it retry).
    const accepted = await post(headers, raw);
    expect(accepted).toMatchObject({ status: 200, result: { resultStatus: 'S', resultCode: 'SUCCESS' } });
    const [event] = await published('gw-keys-rotated-1');
    expect(event.value.outcome).toBe('SUCCESS');

    // And the old key still verifies while both are configured (row 1).
    const old = body('gw-keys-old-1');
    expect((await post(signed(old, alipayOld.privateKeyBase64, '1'), old)).status).toBe(200);
    await published('gw-keys-old-1');
  });

  it('keeps the settings in force when a reload fails validation', async () => {
    writeFileSync(partnersFile, JSON.stringify([{ clientId: CLIENT_ID, dialect: 'alipayplus' }]));

    expect(gateway.reloadPartners()).toBe(false);

    const raw = body('gw-keys-after-bad-reload');
    expect((await post(signed(raw, alipayNew.privateKeyBase64, '2'), raw)).status).toBe(200);
    await published('gw-keys-after-bad-reload');
  });

  it('verifies a notification whose request line is in absolute form, and names its ack headers in lower case', async () => {
    const raw = body('gw-keys-absolute-1');
    const headers = signed(raw, alipayNew.privateKeyBase64, '2');
    const { port } = new URL(gateway.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(
      [
        `POST http://127.0.0.1:${port}/alipayplus/notify HTTP/1.1`,
        `host: 127.0.0.1:${port}`,
        ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
        `content-length: ${Buffer.byteLength(raw)}`,
        'connection: close',
        '',
        raw,
      ].join('\r\n'),
    );
    await closed;
    const answer = Buffer.concat(chunks).toString('utf8');

    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toContain('"resultStatus":"S"');
    // Names exactly as sent on the wire: a client looking up `signature` as is finds it.
    expect(answer).toMatch(/\r\nclient-id: /);
    expect(answer).toMatch(/\r\nresponse-time: /);
    expect(answer).toMatch(/\r\nsignature: algorithm=RSA256,keyVersion=1,/);
    await published('gw-keys-absolute-1');
  });

  it('a real gateway process reloads on kill -HUP, keeps running, and then accepts the new key', async () => {
    const file = path.join(dir, 'process-partners.json');
    writeFileSync(
      file,
      partnersJson(
        partnerSetting({
          clientId: CLIENT_ID,
          privateKeyEnv: 'GW_KEYS_TEST_PRIVATE_KEY',
          peerPublicKey: alipayOld.publicKeyBase64,
          peerKeyVersion: '1',
        }),
      ),
    );
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let proc: ServiceProcess | undefined;
    try {
      proc = await startServiceProcess(
        'notify-gateway',
        {
          KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
          HTTP_PORT: String(port),
          PARTNERS_FILE: file,
          GW_KEYS_TEST_PRIVATE_KEY: ours.privateKeyBase64,
        },
        `${base}/health`,
      );
      const raw = body('gw-keys-process-1');
      const headers = signed(raw, alipayNew.privateKeyBase64, '2');
      const send = async () =>
        (await fetch(`${base}/alipayplus/notify`, { method: 'POST', headers, body: raw })).status;
      expect(await send()).toBe(503);

      addPeerKey(file, CLIENT_ID, '2', alipayNew.publicKeyBase64);
      reloadSettings(proc.child);
      const running = proc;
      await waitFor(async () => running.output().includes('partner settings reloaded'), {
        description: 'the gateway logs its reload',
      });

      expect(await send()).toBe(200);
      await published('gw-keys-process-1');
      expect(running.output()).not.toContain(ours.privateKeyBase64.slice(40, 120));
    } finally {
      await proc?.stop();
    }
  });
});
