import { readFileSync } from 'fs';
import * as net from 'net';
import * as path from 'path';
import { Kafka } from 'kafkajs';
import { loadPrivateKey, loadPublicKey, signMessage, verifySignedMessage } from '@app/alipayplus';
import { Topics } from '@app/contracts';
import { repoRoot, waitFor } from '@app/testing';
import { KafkaCollector, testKafka, topicEndOffsetSum } from '@app/testing/kafka-probes';
import { partnerSetting, partnersJson } from '@app/testing/factories';
import { generateTestKeyPair } from '@app/testing/keys';
import { bootstrapNotifyGateway, RunningNotifyGateway } from '../src/bootstrap';
import { loadNotifyGatewayConfig } from '../src/config';

interface Vector {
  path: string;
  clientId: string;
  requestTime: string;
  signatureHeaderValue: string;
  alipayPublicKeyBase64X509: string;
  body: string;
}

interface ObservedEvent {
  eventId: string;
  paymentRequestId: string;
  outcome: string;
  source: string;
  resultMessage: string | null;
}

/** Every bad input gets a clear result code and publishes nothing (design.md §7). */
describe('notify-gateway input handling (real Kafka)', () => {
  const CLIENT_ID = 'T_ACQP_GW';
  const alipay = generateTestKeyPair();
  const ours = generateTestKeyPair();
  const vector = JSON.parse(
    readFileSync(path.join(repoRoot(), '..', 'shared', 'vectors', 'antom-notify-2019.json'), 'utf8'),
  ) as Vector;
  let gateway: RunningNotifyGateway;
  let kafka: Kafka;
  let results: KafkaCollector<ObservedEvent>;

  beforeAll(async () => {
    kafka = testKafka();
    process.env.GW_TEST_PRIVATE_KEY = ours.privateKeyBase64;
    gateway = await bootstrapNotifyGateway(
      loadNotifyGatewayConfig({
        KAFKA_BROKERS: process.env.KAFKA_BROKERS,
        HTTP_PORT: '0',
        BODY_LIMIT_BYTES: '4096',
        REQUEST_TIMEOUT_MS: '1000',
        PARTNERS_JSON: partnersJson(
          partnerSetting({
            clientId: CLIENT_ID,
            privateKeyEnv: 'GW_TEST_PRIVATE_KEY',
            peerPublicKey: alipay.publicKeyBase64,
          }),
          // The real 2019 Antom notification was signed for the merchant's path /api/back (no key of
          // ours: Antom acks need no signature).
          partnerSetting({
            clientId: vector.clientId,
            dialect: 'antom',
            privateKeyEnv: undefined,
            peerPublicKey: vector.alipayPublicKeyBase64X509,
            notifyPath: vector.path,
          }),
        ),
      }),
    );
    results = await new KafkaCollector<ObservedEvent>(kafka, [Topics.resultObserved]).start();
  });

  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

  afterAll(async () => {
    await results?.stop();
    await gateway?.close();
  });

  function signed(body: string, over: Record<string, string> = {}, path = '/alipayplus/notify') {
    const time = new Date().toISOString();
    const { signatureHeader } = signMessage({
      path,
      clientId: CLIENT_ID,
      time,
      body,
      privateKey: loadPrivateKey(alipay.privateKeyBase64),
    });
    return {
      'content-type': 'application/json; charset=UTF-8',
      'client-id': CLIENT_ID,
      'request-time': time,
      signature: signatureHeader,
      ...over,
    };
  }

  /** Checks the gateway's signature on its answer, as the sender would over `path`. */
  function verifyAnswer(answer: { headers: Headers; text: string }, path: string) {
    return verifySignedMessage({
      path,
      clientId: answer.headers.get('client-id') ?? undefined,
      time: answer.headers.get('response-time') ?? undefined,
      rawBody: answer.text,
      signatureHeader: answer.headers.get('signature') ?? undefined,
      publicKey: loadPublicKey(ours.publicKeyBase64),
    });
  }

  async function post(pathname: string, headers: Record<string, string>, body: string) {
    const res = await fetch(`${gateway.url}${pathname}`, { method: 'POST', headers, body });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, result: JSON.parse(text).result };
  }

  const validBody = JSON.stringify({
    paymentResult: { resultCode: 'USER_BALANCE_NOT_ENOUGH', resultStatus: 'F', resultMessage: 'no money' },
    paymentRequestId: 'gw-valid-1',
    acquirerId: '1022188000000000001',
  });

  const refusals: [string, () => Record<string, string>, string, number, string][] = [
    [
      'an unknown client-id',
      () => signed(validBody, { 'client-id': 'T_NOBODY' }),
      validBody,
      401,
      'INVALID_CLIENT',
    ],
    [
      'a missing signature',
      () => ({ ...signed(validBody), signature: '' }),
      validBody,
      401,
      'INVALID_SIGNATURE',
    ],
    [
      'a signature from another key',
      () => signed(validBody, { signature: wrongKeySignature(validBody) }),
      validBody,
      401,
      'INVALID_SIGNATURE',
    ],
    [
      'a non-JSON content type',
      () => signed(validBody, { 'content-type': 'text/plain' }),
      validBody,
      415,
      'MEDIA_TYPE_NOT_ACCEPTABLE',
    ],
    [
      'malformed JSON, correctly signed',
      () => signed('{"paymentRequestId":'),
      '{"paymentRequestId":',
      400,
      'PARAM_ILLEGAL',
    ],
    [
      'JSON without paymentRequestId, correctly signed',
      () => signed('{"paymentResult":{"resultCode":"SUCCESS","resultStatus":"S"}}'),
      '{"paymentResult":{"resultCode":"SUCCESS","resultStatus":"S"}}',
      400,
      'PARAM_ILLEGAL',
    ],
    [
      'a U status, which a notification never carries (protocol.md §2.1)',
      () =>
        signed(
          '{"paymentResult":{"resultCode":"UNKNOWN_EXCEPTION","resultStatus":"U"},"paymentRequestId":"gw-u"}',
        ),
      '{"paymentResult":{"resultCode":"UNKNOWN_EXCEPTION","resultStatus":"U"},"paymentRequestId":"gw-u"}',
      400,
      'PARAM_ILLEGAL',
    ],
    ['a body over the size limit', () => signed('x'.repeat(5000)), 'x'.repeat(5000), 413, 'PARAM_ILLEGAL'],
  ];
  it.each(
    refusals.map(([label, headers, body, status, code]) => [label, code, headers, body, status] as const),
  )('%s gets %s and publishes nothing', async (_label, code, headers, body, status) => {
    const before = await topicEndOffsetSum(kafka, Topics.resultObserved);
    const answer = await post('/alipayplus/notify', headers(), body);
    expect(answer.status).toBe(status);
    expect(answer.result.resultCode).toBe(code);
    expect(answer.result.resultStatus).toBe('F');
    expect(await topicEndOffsetSum(kafka, Topics.resultObserved)).toBe(before);
  });

  it('signs its refusals for an Alipay+ partner too', async () => {
    const answer = await post('/alipayplus/notify', signed('{"paymentRequestId":'), '{"paymentRequestId":');
    expect(answer.result.resultCode).toBe('PARAM_ILLEGAL');
    const check = verifyAnswer(answer, '/alipayplus/notify');
    expect(check.ok).toBe(true);
  });

  it.each([
    ['path and query', '/alipayplus/notify?tn=42'],
    ['the bare path', '/alipayplus/notify'],
  ])(
    'a notification to a URL with a query, signed over %s, is acknowledged over the same URI',
    async (_label, signedOver) => {
      const body = JSON.stringify({
        paymentResult: { resultCode: 'ORDER_IS_CLOSED', resultStatus: 'F' },
        paymentRequestId: `gw-query-${signedOver.length}`,
      });
      const answer = await post('/alipayplus/notify?tn=42', signed(body, {}, signedOver), body);
      expect(answer.status).toBe(200);
      const check = verifyAnswer(answer, '/alipayplus/notify?tn=42');
      expect(check).toMatchObject({ ok: true, signedPath: signedOver });
    },
  );

  it('a genuine result with long informational fields is acknowledged and published, its message cut to 256', async () => {
    const body = JSON.stringify({
      paymentResult: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'm'.repeat(1000) },
      paymentRequestId: 'gw-long-info-1',
      paymentId: 'p-1',
      paymentAmount: { currency: 'JPY', value: '1000' },
      customerId: 'c'.repeat(100),
      walletBrandName: 'w'.repeat(300),
    });
    const answer = await post('/alipayplus/notify', signed(body), body);
    expect(answer.status).toBe(200);
    expect(answer.result.resultStatus).toBe('S');
    const [event] = await waitFor(
      async () => {
        const found = results.where((m) => m.value.paymentRequestId === 'gw-long-info-1');
        return found.length > 0 ? found : undefined;
      },
      { description: 'the result with long informational fields on payments.result-observed.v1' },
    );
    expect(event.value).toMatchObject({ outcome: 'SUCCESS', resultMessage: 'm'.repeat(256) });
  });

  it('a sender that trickles its body is cut off by the request timeout (408), publishing nothing', async () => {
    const before = await topicEndOffsetSum(kafka, Topics.resultObserved);
    const { port } = new URL(gateway.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    cleanups.push(() => socket.destroy()); // if the server never closes it, the test does at its end
    socket.write(
      'POST /alipayplus/notify HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"pay',
    );
    await closed; // the server ends the connection; nothing on our side does
    expect(Buffer.concat(received).toString('latin1')).toMatch(/^HTTP\/1\.1 408/);
    expect(await topicEndOffsetSum(kafka, Topics.resultObserved)).toBe(before);
    // Bounded well above REQUEST_TIMEOUT_MS (1 s) plus Node's 1 s check, far below its own defaults
    // (60 s header timeout, 30 s check interval), which a lost setting would fall back to.
  }, 15_000);

  it('accepts the real 2019 Antom notification (../shared/vectors) and publishes its result once acknowledged', async () => {
    const answer = await post(
      '/antom/notify',
      {
        'content-type': 'application/json; charset=UTF-8',
        'client-id': vector.clientId,
        'request-time': vector.requestTime,
        signature: vector.signatureHeaderValue,
      },
      vector.body,
    );
    expect(answer.status).toBe(200);
    expect(answer.result).toEqual({ resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' });
    const [event] = await waitFor(
      async () => {
        const found = results.where((m) => m.value.paymentRequestId === 'cc89dd30134549d6');
        return found.length > 0 ? found : undefined;
      },
      { description: 'the vector result on payments.result-observed.v1' },
    );
    expect(event.key).toBe('cc89dd30134549d6');
    expect(event.value).toMatchObject({ outcome: 'SUCCESS', source: 'notify' });
  });

  it('refuses the 2019 Antom notification once one byte of its body is changed', async () => {
    const before = await topicEndOffsetSum(kafka, Topics.resultObserved);
    const answer = await post(
      '/antom/notify',
      {
        'content-type': 'application/json; charset=UTF-8',
        'client-id': vector.clientId,
        'request-time': vector.requestTime,
        signature: vector.signatureHeaderValue,
      },
      vector.body.replace(
        '"paymentAmount":{"currency":"PHP","value":"100"}',
        '"paymentAmount":{"currency":"PHP","value":"101"}',
      ),
    );
    expect(answer.result.resultCode).toBe('INVALID_SIGNATURE');
    expect(await topicEndOffsetSum(kafka, Topics.resultObserved)).toBe(before);
  });

  function wrongKeySignature(body: string): string {
    const other = generateTestKeyPair();
    return signMessage({
      path: '/alipayplus/notify',
      clientId: CLIENT_ID,
      time: new Date().toISOString(),
      body,
      privateKey: loadPrivateKey(other.privateKeyBase64),
    }).signatureHeader;
  }
});

describe('notify-gateway operations: /metrics and probes (real Kafka)', () => {
  const CLIENT_ID = 'T_ACQP_GW_OPS';
  const alipay = generateTestKeyPair();
  const ours = generateTestKeyPair();
  let gateway: RunningNotifyGateway;

  beforeAll(async () => {
    process.env.GW_OPS_PRIVATE_KEY = ours.privateKeyBase64;
    gateway = await bootstrapNotifyGateway(
      loadNotifyGatewayConfig({
        KAFKA_BROKERS: process.env.KAFKA_BROKERS,
        HTTP_PORT: '0',
        // Several producers side by side (issue 14): the second test checks nothing is lost or doubled.
        KAFKA_PRODUCER_LANES: '3',
        PARTNERS_JSON: partnersJson(
          partnerSetting({
            clientId: CLIENT_ID,
            privateKeyEnv: 'GW_OPS_PRIVATE_KEY',
            peerPublicKey: alipay.publicKeyBase64,
          }),
        ),
      }),
    );
  });
  afterAll(() => gateway?.close());

  /** The value of the series `name{…}` whose labels include each of `labels` (in any order). */
  const metric = (text: string, series: string) => {
    const [name, labels = ''] = series.split('{');
    const wanted = labels.split(/,(?=[a-z_]+=)/).filter(Boolean);
    const line = text
      .split('\n')
      .find(
        (l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && wanted.every((w) => l.includes(w)),
      );
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };

  it('counts notifications by result code, times acks and Kafka writes, and serves both probes', async () => {
    const body = JSON.stringify({
      paymentResult: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' },
      paymentRequestId: `gw-ops-${Date.now()}`,
      paymentAmount: { value: '100', currency: 'USD' },
    });
    const time = new Date().toISOString();
    const { signatureHeader } = signMessage({
      path: '/alipayplus/notify',
      clientId: CLIENT_ID,
      time,
      body,
      privateKey: loadPrivateKey(alipay.privateKeyBase64),
    });
    const headers = {
      'content-type': 'application/json; charset=UTF-8',
      'client-id': CLIENT_ID,
      'request-time': time,
    };
    const ok = await fetch(`${gateway.url}/alipayplus/notify`, {
      method: 'POST',
      headers: { ...headers, signature: signatureHeader },
      body,
    });
    expect(ok.status).toBe(200);
    const refused = await fetch(`${gateway.url}/alipayplus/notify`, { method: 'POST', headers, body });
    expect(refused.status).toBe(401);

    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metric(text, 'notify_received_total{dialect="alipayplus",result_code="S"')).toBe(1);
    expect(metric(text, 'notify_received_total{dialect="alipayplus",result_code="INVALID_SIGNATURE"')).toBe(
      1,
    );
    expect(metric(text, 'notify_ack_duration_seconds_count{dialect="alipayplus"')).toBe(2);
    expect(metric(text, `kafka_publish_duration_seconds_count{topic="${Topics.resultObserved}"`)).toBe(1);
    expect(metric(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);

    for (const probe of ['/health/live', '/health/ready', '/health']) {
      const res = await fetch(`${gateway.url}${probe}`);
      expect([probe, res.status]).toEqual([probe, 200]);
    }
  });

  it('with three producer lanes, every acknowledged notification is in Kafka exactly once, keyed by its payment', async () => {
    const collector = await new KafkaCollector<ObservedEvent>(testKafka(), [Topics.resultObserved]).start();
    try {
      const run = `gw-lanes-${Date.now()}`;
      const ids = Array.from({ length: 30 }, (_, i) => `${run}-${i}`);
      const send = (paymentRequestId: string) => {
        const body = JSON.stringify({
          paymentResult: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' },
          paymentRequestId,
        });
        const time = new Date().toISOString();
        const signature = signMessage({
          path: '/alipayplus/notify',
          clientId: CLIENT_ID,
          time,
          body,
          privateKey: loadPrivateKey(alipay.privateKeyBase64),
        }).signatureHeader;
        return fetch(`${gateway.url}/alipayplus/notify`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=UTF-8',
            'client-id': CLIENT_ID,
            'request-time': time,
            signature,
          },
          body,
        });
      };
      // All at once, so the lanes have requests in flight side by side.
      const answers = await Promise.all(ids.map(send));
      expect(answers.map((a) => a.status)).toEqual(ids.map(() => 200));

      const ours = () => collector.where((m) => m.value.paymentRequestId?.startsWith(`${run}-`));
      await waitFor(async () => ours().length >= ids.length, {
        description: 'the 30 result-observed events',
      });
      expect(
        ours()
          .map((m) => m.value.paymentRequestId)
          .sort(),
      ).toEqual([...ids].sort());
      expect(ours().every((m) => m.key === m.value.paymentRequestId)).toBe(true);
    } finally {
      await collector.stop();
    }
  });
});
