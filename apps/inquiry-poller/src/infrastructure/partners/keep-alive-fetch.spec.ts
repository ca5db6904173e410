import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { AlipayPlusClient, loadPrivateKey, loadPublicKey, signMessage } from '@app/alipayplus';
import { generateTestKeyPair } from '@app/testing/keys';
import { createKeepAliveFetch } from './keep-alive-fetch';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

describe('keep-alive fetch (what AlipayPlusClient needs of fetch, over node:http)', () => {
  let server: Server;
  let base: string;
  let handler: Handler;
  const sockets = new Set<string>();
  const sut = createKeepAliveFetch({ maxSockets: 4, maxResponseBytes: 1024 });

  beforeAll(async () => {
    server = createServer((req, res) => {
      sockets.add(`${req.socket.remotePort}`);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    sut.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends method, headers and body, and returns status, headers and the exact body bytes', async () => {
    handler = (req, body, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-echo': req.headers['x-test'] as string });
      res.end(JSON.stringify({ method: req.method, body, length: req.headers['content-length'] }));
    };
    const res = await sut.fetch(new URL(`${base}/p`), {
      method: 'POST',
      headers: { 'X-Test': 'a', 'Content-Type': 'application/json; charset=UTF-8' },
      body: '{"é":1}',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-echo')).toBe('a');
    expect(JSON.parse(Buffer.from(await res.arrayBuffer()).toString('utf8'))).toEqual({
      method: 'POST',
      body: '{"é":1}',
      length: String(Buffer.byteLength('{"é":1}')),
    });
  });

  it('reuses connections (keep-alive)', async () => {
    handler = (_req, _body, res) => res.end('ok');
    sockets.clear();
    for (let i = 0; i < 10; i++) await (await sut.fetch(`${base}/k`, { method: 'POST', body: 'x' })).text();
    expect(sockets.size).toBe(1);
  });

  it('returns a redirect instead of following it', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(302, { location: '/elsewhere' });
      res.end();
    };
    const res = await sut.fetch(`${base}/r`, { method: 'POST', body: '{}', redirect: 'manual' });
    expect(res.status).toBe(302);
  });

  it('rejects with the signal reason (TimeoutError) when the answer is too slow', async () => {
    handler = (_req, _body, res) => setTimeout(() => res.end('late'), 500);
    await expect(
      sut.fetch(`${base}/slow`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(50) }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('rejects a network failure as fetch does: a TypeError whose cause names the system error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(
      sut.fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '{}' }),
    ).rejects.toMatchObject({
      name: 'TypeError',
      cause: { code: 'ECONNREFUSED' },
    });
  });

  it('refuses a response larger than the limit', async () => {
    handler = (_req, _body, res) => res.end('x'.repeat(5000));
    await expect(sut.fetch(`${base}/big`, { method: 'POST', body: '{}' })).rejects.toMatchObject({
      cause: { code: 'RESPONSE_TOO_LARGE' },
    });
  });

  it('carries a signed inquiry end to end: AlipayPlusClient verifies the signed answer it receives', async () => {
    const ours = generateTestKeyPair();
    const theirs = generateTestKeyPair();
    const answer = JSON.stringify({
      result: { resultCode: 'SUCCESS', resultStatus: 'S' },
      paymentResult: { resultCode: 'PAYMENT_IN_PROCESS', resultStatus: 'U' },
    });
    handler = (req, _body, res) => {
      const time = new Date().toISOString();
      const { signatureHeader } = signMessage({
        path: req.url!,
        clientId: 'C1',
        time,
        body: answer,
        privateKey: loadPrivateKey(theirs.privateKeyBase64),
      });
      res.writeHead(200, {
        'content-type': 'application/json',
        'client-id': 'C1',
        'response-time': time,
        signature: signatureHeader,
      });
      res.end(answer);
    };
    const client = new AlipayPlusClient({
      baseUrl: base,
      dialect: 'alipayplus',
      clientId: 'C1',
      privateKey: loadPrivateKey(ours.privateKeyBase64),
      peerPublicKey: loadPublicKey(theirs.publicKeyBase64),
      fetchImpl: sut.fetch as typeof fetch,
    });
    const result = await client.inquiryPayment({ paymentRequestId: 'pr-1' });
    expect(result).toMatchObject({ kind: 'response', verified: true, rawBody: answer });
  });
});
