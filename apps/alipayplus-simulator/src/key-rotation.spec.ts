import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { createServer, request as httpRequest, Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  AlipayPlusClient,
  buildFailureAckBody,
  NOTIFY_ACK_BODY,
  readHeader,
  signMessage,
  signResponse,
  verifySignedMessage,
  VersionedPublicKey,
} from '@app/alipayplus';
import { waitFor } from '@app/testing/wait-for';
import { AlipayPlusSimulator } from './simulator';
import type { SimulatorPartner } from './types';

/*
 * Issue 11: the simulator rotates Alipay+'s key at runtime (so a test can rotate the partner key
 * mid-run), and the protocol-fidelity fixes on its API: an absolute-form request line verifies, and
 * the signing headers of its answers are named in lower case. In process, on 127.0.0.1 only.
 */

const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const alipayOld = rsa();
const alipayNew = rsa();
const acquirer = rsa();
const CLIENT = 'ACQ_ROTATE_1';
const INQUIRY_PATH = '/aps/api/v1/payments/inquiryPayment';
const pem = (key: KeyObject) => key.export({ format: 'pem', type: 'pkcs8' }).toString();

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length > 0) await (stops.pop() as () => Promise<void>)();
});

async function start(over: Partial<SimulatorPartner> = {}) {
  const sim = new AlipayPlusSimulator({
    partners: [
      {
        clientId: CLIENT,
        dialect: 'alipayplus',
        privateKey: alipayOld.privateKey,
        acquirerPublicKey: acquirer.publicKey,
        ...over,
      },
    ],
    timeScale: 600,
  });
  stops.push(() => sim.stop());
  const { url } = await sim.start();
  return { sim, url };
}

const client = (baseUrl: string, peerPublicKeys: VersionedPublicKey[]) =>
  new AlipayPlusClient({
    baseUrl,
    dialect: 'alipayplus',
    clientId: CLIENT,
    privateKey: acquirer.privateKey,
    peerPublicKeys,
  });
const OLD = { keyVersion: '1', publicKey: alipayOld.publicKey };
const NEW = { keyVersion: '2', publicKey: alipayNew.publicKey };

describe('AlipayPlusSimulator — Alipay+ rotates its key at runtime', () => {
  it('signs answers with keyVersion 1 by default, then with the new key and its keyVersion', async () => {
    const { sim, url } = await start();
    const { paymentRequestId } = sim.createPayment({
      paymentRequestId: 'rot-1',
      clientId: CLIENT,
      dialect: 'alipayplus',
      amount: { value: '100', currency: 'USD' },
      timeline: [{ atMs: 0, status: 'SUCCESS' }],
    });
    expect(await client(url, [OLD]).inquiryPayment({ paymentRequestId })).toMatchObject({
      kind: 'response',
      verified: true,
    });

    sim.rotateSigningKey(CLIENT, alipayNew.privateKey, '2');

    // We do not hold key 2 yet: untrusted, with a reason the poller can tell from a bad signature.
    expect(await client(url, [OLD]).inquiryPayment({ paymentRequestId })).toEqual({
      kind: 'untrusted',
      reason: 'UNKNOWN_KEY_VERSION',
      detail: '2',
    });
    // Once we hold both keys, the same answer verifies.
    expect(await client(url, [OLD, NEW]).inquiryPayment({ paymentRequestId })).toMatchObject({
      kind: 'response',
      verified: true,
    });
  });

  it('takes a configured keyVersion', async () => {
    const { url } = await start({ keyVersion: '7' });
    const answer = await client(url, [OLD]).inquiryPayment({ paymentRequestId: 'nobody' });
    expect(answer).toMatchObject({ kind: 'untrusted', reason: 'UNKNOWN_KEY_VERSION', detail: '7' });
  });

  it('rotates through the admin API, which never echoes the key and names its errors', async () => {
    const { url } = await start();
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) });
      return { status: response.status, text: await response.text() };
    };

    const rotated = await post(`/sim/partners/${CLIENT}/signing-key`, {
      privateKey: pem(alipayNew.privateKey),
      keyVersion: '2',
    });
    expect(rotated).toEqual({ status: 200, text: JSON.stringify({ clientId: CLIENT, keyVersion: '2' }) });
    expect(await client(url, [NEW]).inquiryPayment({ paymentRequestId: 'nobody' })).toMatchObject({
      kind: 'response',
      verified: true,
    });

    const unknown = await post('/sim/partners/NOBODY/signing-key', {
      privateKey: pem(alipayNew.privateKey),
      keyVersion: '3',
    });
    expect(unknown.status).toBe(422);
    expect(JSON.parse(unknown.text)).toMatchObject({ error: { code: 'UNKNOWN_PARTNER' } });
    const badKey = await post(`/sim/partners/${CLIENT}/signing-key`, { privateKey: 'xyz', keyVersion: '3' });
    expect(badKey.status).toBe(400);
    expect(JSON.parse(badKey.text)).toMatchObject({ error: { code: 'INVALID_OPTIONS' } });
    const badVersion = await post(`/sim/partners/${CLIENT}/signing-key`, {
      privateKey: pem(alipayNew.privateKey),
      keyVersion: 'a,b=c',
    });
    expect(badVersion.status).toBe(400);
  });

  it('signs notification retries after a rotation with the new key: U until the receiver holds it, then acked', async () => {
    // A receiver that answers U for a keyVersion it holds no key for (as the gateway does), like a
    // gateway before and after its settings reload.
    const held: VersionedPublicKey[] = [OLD];
    const seen: string[] = [];
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks);
        const path = req.url ?? '/';
        const verification = verifySignedMessage({
          path,
          clientId: readHeader(req.headers, 'client-id'),
          time: readHeader(req.headers, 'request-time'),
          rawBody,
          signatureHeader: readHeader(req.headers, 'signature'),
          publicKeys: held,
        });
        seen.push(verification.ok ? `ok:${verification.keyVersion}` : verification.reason);
        const body = verification.ok
          ? NOTIFY_ACK_BODY
          : buildFailureAckBody({ resultCode: 'UNKNOWN_EXCEPTION', resultStatus: 'U' });
        const { headers } = signResponse({ path, clientId: CLIENT, body, privateKey: acquirer.privateKey });
        res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const notifyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alipayplus/notify`;
    const { sim } = await start({ notifyUrl });
    sim.rotateSigningKey(CLIENT, alipayNew.privateKey, '2');

    sim.createPayment({
      paymentRequestId: 'rot-notify-1',
      clientId: CLIENT,
      dialect: 'alipayplus',
      amount: { value: '100', currency: 'USD' },
      timeline: [{ atMs: 0, status: 'SUCCESS' }],
    });
    await waitFor(async () => seen.length >= 2 || undefined, {
      description: 'two attempts answered U',
      timeoutMs: 10_000,
      intervalMs: 5,
    });
    held.push(NEW); // the settings reload on the receiver's side
    await sim.idle();

    expect(seen.slice(0, 2)).toEqual(['UNKNOWN_KEY_VERSION', 'UNKNOWN_KEY_VERSION']);
    expect(seen[seen.length - 1]).toBe('ok:2');
    expect(sim.truth('rot-notify-1')?.notificationAcked).toBe(true);
  });
});

describe('AlipayPlusSimulator — the acquirer switches its own key (issue 11 row 3)', () => {
  it("refuses requests signed with the acquirer's next key until it is added through the admin API", async () => {
    const { url } = await start();
    const acquirerNext = rsa();
    const nextClient = new AlipayPlusClient({
      baseUrl: url,
      dialect: 'alipayplus',
      clientId: CLIENT,
      privateKey: acquirerNext.privateKey,
      keyVersion: '2',
      peerPublicKeys: [OLD],
    });
    const resultCode = async () => {
      const answer = await nextClient.inquiryPayment({ paymentRequestId: 'nobody' });
      return answer.kind === 'response' ? answer.body.result.resultCode : answer.kind;
    };
    expect(await resultCode()).toBe('INVALID_SIGNATURE');

    const added = await fetch(`${url}/sim/partners/${CLIENT}/acquirer-keys`, {
      method: 'POST',
      body: JSON.stringify({
        keyVersion: '2',
        publicKey: acquirerNext.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      }),
    });
    expect(added.status).toBe(200);

    expect(await resultCode()).toBe('ORDER_NOT_EXIST');
    // The configured key still verifies requests naming keyVersion 1.
    const old = await client(url, [OLD]).inquiryPayment({ paymentRequestId: 'nobody' });
    expect(old.kind === 'response' && old.body.result.resultCode).toBe('ORDER_NOT_EXIST');
  });
});

describe('AlipayPlusSimulator — protocol fidelity (issue 11)', () => {
  /** Sends one signed inquiry over a raw socket with the given request target; returns the raw answer. */
  async function rawInquiry(url: string, target: (origin: string) => string): Promise<string> {
    const { hostname, port, origin } = new URL(url);
    const body = JSON.stringify({ paymentRequestId: 'abs-1' });
    const time = new Date().toISOString();
    const { signatureHeader } = signMessage({
      path: INQUIRY_PATH,
      clientId: CLIENT,
      time,
      body,
      privateKey: acquirer.privateKey,
    });
    const socket = connect(Number(port), hostname);
    stops.push(async () => void socket.destroy());
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.write(
      [
        `POST ${target(origin)} HTTP/1.1`,
        `host: ${hostname}:${port}`,
        'content-type: application/json; charset=UTF-8',
        `client-id: ${CLIENT}`,
        `request-time: ${time}`,
        `signature: ${signatureHeader}`,
        `content-length: ${Buffer.byteLength(body)}`,
        'connection: close',
        '',
        body,
      ].join('\r\n'),
    );
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    return Buffer.concat(chunks).toString('utf8');
  }

  it.each([
    ['origin form', () => INQUIRY_PATH],
    ['absolute form (RFC 9112 §3.2.2)', (origin: string) => `${origin}${INQUIRY_PATH}`],
  ])('verifies a request whose request line is in %s', async (_label, target) => {
    const { sim, url } = await start();
    const answer = await rawInquiry(url, target);

    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toContain('"resultCode":"ORDER_NOT_EXIST"');
    expect(answer).not.toContain('INVALID_SIGNATURE');
    expect(sim.stats().rejectedSignatures).toBe(0);
  });

  it('names the signing headers of its answers in lower case, for a client that looks them up as is', async () => {
    const { url } = await start();
    const body = JSON.stringify({ paymentRequestId: 'lower-1' });
    const time = new Date().toISOString();
    const { signatureHeader } = signMessage({
      path: INQUIRY_PATH,
      clientId: CLIENT,
      time,
      body,
      privateKey: acquirer.privateKey,
    });
    const rawHeaders = await new Promise<string[]>((resolve, reject) => {
      const req = httpRequest(`${url}${INQUIRY_PATH}`, {
        method: 'POST',
        headers: { 'client-id': CLIENT, 'request-time': time, signature: signatureHeader },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.rawHeaders));
      });
      req.on('error', reject);
      req.end(body);
    });
    // rawHeaders keeps the names as sent: a case-sensitive lookup of the lower-case names finds them.
    const names = rawHeaders.filter((_v, i) => i % 2 === 0);
    expect(names).toEqual(expect.arrayContaining(['client-id', 'response-time', 'signature']));
    expect(names).not.toEqual(expect.arrayContaining(['Signature']));
  });
});
