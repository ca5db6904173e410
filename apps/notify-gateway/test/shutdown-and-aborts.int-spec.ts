import type { Server } from 'http';
import * as net from 'net';
import { Kafka } from 'kafkajs';
import { loadPrivateKey, loadPublicKey, signMessage, verifySignedMessage } from '@app/alipayplus';
import { Topics } from '@app/contracts';
import { waitFor } from '@app/testing';
import { testKafka, topicEndOffsetSum } from '@app/testing/kafka-probes';
import { generateTestKeyPair } from '@app/testing/keys';
import { bootstrapNotifyGateway, RunningNotifyGateway } from '../src/bootstrap';
import { loadNotifyGatewayConfig } from '../src/config';

/*
 * Issue 14: a notification arriving while the gateway shuts down gets the protocol's U answer (not
 * Fastify's bare {"statusCode":503,…}); a sender that leaves mid-body, or is cut off by the request
 * timeout (408), is a warning with a code, not an "unhandled" error with a stack.
 */

const ALIPAY_CLIENT = 'T_GW_DRAIN';
const ANTOM_CLIENT = 'T_GW_DRAIN_ANTOM';
const alipay = generateTestKeyPair();
const antom = generateTestKeyPair();
const ours = generateTestKeyPair();

async function startGateway(requestTimeoutMs: number): Promise<RunningNotifyGateway> {
  process.env.GW_DRAIN_PRIVATE_KEY = ours.privateKeyBase64;
  return bootstrapNotifyGateway(
    loadNotifyGatewayConfig({
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      HTTP_PORT: '0',
      REQUEST_TIMEOUT_MS: String(requestTimeoutMs),
      PARTNERS_JSON: JSON.stringify([
        {
          clientId: ALIPAY_CLIENT,
          dialect: 'alipayplus',
          privateKeyEnv: 'GW_DRAIN_PRIVATE_KEY',
          peerPublicKey: alipay.publicKeyBase64,
        },
        // Antom does not require signed acks (protocol.md §1.7): this partner has no key of ours.
        { clientId: ANTOM_CLIENT, dialect: 'antom', peerPublicKey: antom.publicKeyBase64 },
      ]),
    }),
  );
}

function notification(dialect: 'alipayplus' | 'antom', id: string) {
  const body = JSON.stringify(
    dialect === 'alipayplus'
      ? { paymentResult: { resultCode: 'SUCCESS', resultStatus: 'S' }, paymentRequestId: id }
      : {
          notifyType: 'PAYMENT_RESULT',
          result: { resultCode: 'SUCCESS', resultStatus: 'S' },
          paymentRequestId: id,
        },
  );
  const path = `/${dialect}/notify`;
  const clientId = dialect === 'alipayplus' ? ALIPAY_CLIENT : ANTOM_CLIENT;
  const time = new Date().toISOString();
  const { signatureHeader } = signMessage({
    path,
    clientId,
    time,
    body,
    privateKey: loadPrivateKey((dialect === 'alipayplus' ? alipay : antom).privateKeyBase64),
  });
  const head =
    `POST ${path} HTTP/1.1\r\nhost: gw\r\ncontent-type: application/json; charset=UTF-8\r\n` +
    `client-id: ${clientId}\r\nrequest-time: ${time}\r\nsignature: ${signatureHeader}\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n\r\n`;
  return { head, body, path };
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A raw connection: what the server sent, read as HTTP/1.1 responses with a content-length. */
function connect(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let received = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => undefined);
  const responses = (): RawResponse[] => {
    const out: RawResponse[] = [];
    let rest = received.toString('latin1');
    for (;;) {
      const end = rest.indexOf('\r\n\r\n');
      if (end === -1) return out;
      const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      const length = Number(headers['content-length'] ?? 0);
      if (rest.length < end + 4 + length) return out;
      out.push({
        status: Number(statusLine.split(' ')[1]),
        headers,
        body: rest.slice(end + 4, end + 4 + length),
      });
      rest = rest.slice(end + 4 + length);
    }
  };
  return { socket, closed, responses, raw: () => received.toString('latin1') };
}

/** Everything the app logs (Nest's ConsoleLogger writes to stdout and stderr), while a test runs. */
function captureLogs() {
  const lines: string[] = [];
  const spies = (['stdout', 'stderr'] as const).map((stream) => {
    const original = process[stream].write.bind(process[stream]);
    return jest.spyOn(process[stream], 'write').mockImplementation(((
      chunk: string | Uint8Array,
      ...rest: never[]
    ) => {
      lines.push(String(chunk));
      return original(chunk, ...rest);
    }) as typeof process.stdout.write);
  });
  return { lines, restore: () => spies.forEach((s) => s.mockRestore()) };
}

function countRequests(server: Server) {
  let n = 0;
  server.on('request', () => n++);
  return () => n;
}

describe('notify-gateway: a sender that leaves mid-body or times out (real Kafka)', () => {
  let gateway: RunningNotifyGateway;
  let port: number;
  let requests: () => number;
  let logs: ReturnType<typeof captureLogs>;

  beforeAll(async () => {
    gateway = await startGateway(1000);
    port = Number(new URL(gateway.url).port);
    requests = countRequests(gateway.app.getHttpServer() as Server);
  });
  beforeEach(() => (logs = captureLogs()));
  afterEach(() => logs.restore());
  afterAll(() => gateway?.close());

  const logged = (code: string) =>
    waitFor(async () => logs.lines.find((l) => l.includes(code)), { description: `a log line with ${code}` });

  it('reports the produce requests it sent on /metrics (issue 14: publishes per request)', async () => {
    const { head, body } = notification('alipayplus', `gw-metrics-${Date.now()}`);
    const headers = Object.fromEntries(
      head
        .split('\r\n')
        .slice(1)
        .filter((l) => l.includes(':') && !l.startsWith('host') && !l.startsWith('content-length'))
        .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
    );
    const ok = await fetch(`${gateway.url}/alipayplus/notify`, { method: 'POST', headers, body });
    expect(ok.status).toBe(200);
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    const sent = /^kafka_produce_requests_sent(?:\{[^}]*\})? (\d+)$/m.exec(text);
    expect(Number(sent?.[1])).toBeGreaterThanOrEqual(1);
  });

  it("keeps an idle connection for KEEP_ALIVE_TIMEOUT_MS (72 s by default), not Node's 5 s, and serves the next notification on it", async () => {
    // Fastify applies its 72 s only to servers it builds; the gateway builds its own (serverFactory).
    expect((gateway.app.getHttpServer() as Server).keepAliveTimeout).toBe(72_000);
    const conn = connect(port);
    for (const id of [`gw-keepalive-a-${Date.now()}`, `gw-keepalive-b-${Date.now()}`]) {
      const { head, body } = notification('alipayplus', id);
      const before = conn.responses().length;
      conn.socket.write(head + body);
      await waitFor(async () => conn.responses().length > before, { description: `the answer to ${id}` });
    }
    const answers = conn.responses();
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    // What Node tells the client about the idle connection: 72 s, not 5 s.
    expect(answers.map((r) => r.headers['keep-alive'])).toEqual(['timeout=72', 'timeout=72']);
    expect(conn.socket.destroyed).toBe(false);
    conn.socket.destroy();
  });

  it('logs a client abort while the body is read as a warning with CLIENT_ABORTED, not as unhandled', async () => {
    const { head, body } = notification('alipayplus', 'gw-abort-1');
    const conn = connect(port);
    const seen = requests();
    conn.socket.write(head + body.slice(0, 10));
    await waitFor(async () => requests() > seen, { description: 'the server has the request' });
    conn.socket.destroy();

    const line = await logged('CLIENT_ABORTED');
    expect(JSON.parse(line)).toMatchObject({ level: 'warn', context: 'notify' });
    expect(logs.lines.filter((l) => /unhandled/.test(l))).toEqual([]);
  });

  it('logs a request cut off by the request timeout (408) as a warning with REQUEST_TIMEOUT, not as unhandled', async () => {
    const { head, body } = notification('alipayplus', 'gw-timeout-1');
    const conn = connect(port);
    conn.socket.write(head + body.slice(0, 10));
    await conn.closed; // the server answers 408 and closes; nothing on our side does

    expect(conn.raw()).toMatch(/^HTTP\/1\.1 408/);
    const line = await logged('REQUEST_TIMEOUT');
    expect(JSON.parse(line)).toMatchObject({ level: 'warn', context: 'notify' });
    expect(logs.lines.filter((l) => /unhandled/.test(l))).toEqual([]);
  });
});

describe('notify-gateway: a notification arriving during shutdown (real Kafka)', () => {
  let kafka: Kafka;
  let gateway: RunningNotifyGateway;

  beforeAll(async () => {
    kafka = testKafka();
    gateway = await startGateway(10_000); // far above the test's own pauses between a request's parts
  });
  afterAll(() => gateway?.close());

  it('is answered U UNKNOWN_EXCEPTION (signed for Alipay+, unsigned for Antom), the connection closed, nothing published', async () => {
    const server = gateway.app.getHttpServer() as Server;
    const port = Number(new URL(gateway.url).port);
    const requests = countRequests(server);
    const before = await topicEndOffsetSum(kafka, Topics.resultObserved);

    // c: only part of its headers before the shutdown, so Fastify routes it while closing (the case
    // return503OnClosing answered with a bare 503); a and b: routed before, their bodies end after.
    const c = connect(port);
    const cn = notification('alipayplus', 'gw-drain-c');
    c.socket.write(cn.head.slice(0, 30));
    const a = connect(port);
    const an = notification('alipayplus', 'gw-drain-a');
    a.socket.write(an.head + an.body.slice(0, 10));
    const b = connect(port);
    const bn = notification('antom', 'gw-drain-b');
    b.socket.write(bn.head + bn.body.slice(0, 10));
    await waitFor(async () => requests() >= 2, { description: 'the server has requests a and b' });

    const closing = gateway.close();
    await waitFor(async () => !server.listening, { description: 'the gateway stops listening' });
    c.socket.write(cn.head.slice(30) + cn.body);
    a.socket.write(an.body.slice(10));
    b.socket.write(bn.body.slice(10));
    await Promise.all([a.closed, b.closed, c.closed]); // the server closes each after its answer
    await closing;

    const expected = {
      result: {
        resultCode: 'UNKNOWN_EXCEPTION',
        resultStatus: 'U',
        resultMessage: 'the service is shutting down; send the notification again',
      },
    };
    for (const [conn, n] of [
      [a, an],
      [c, cn],
    ] as const) {
      const [answer] = conn.responses();
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body)).toEqual(expected);
      expect(answer.headers.connection).toBe('close');
      const check = verifySignedMessage({
        path: n.path,
        clientId: answer.headers['client-id'],
        time: answer.headers['response-time'],
        rawBody: answer.body,
        signatureHeader: answer.headers.signature,
        publicKey: loadPublicKey(ours.publicKeyBase64),
      });
      expect(check.ok).toBe(true);
    }
    const [antomAnswer] = b.responses();
    expect(antomAnswer.status).toBe(503);
    expect(JSON.parse(antomAnswer.body)).toEqual(expected);
    expect(antomAnswer.headers.signature).toBeUndefined();
    expect(await topicEndOffsetSum(kafka, Topics.resultObserved)).toBe(before);
  });
});
