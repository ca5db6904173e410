import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Dialect } from '../dialect';
import { decideInquiry } from '../results/decide-inquiry';
import { signResponse } from '../server/sign-response';
import { IncomingRequestVerification, verifyIncomingRequest } from '../server/verify-incoming-request';
import { signContent } from '../signing/signature';
import { signMessage } from '../signing/signed-message';
import {
  AlipayPlusClient,
  CANCEL_PAYMENT_TIMEOUT_MS,
  ContentSigner,
  INQUIRY_PAYMENT_TIMEOUT_MS,
  SignDeadline,
} from './alipayplus.client';
import { CallNotSentError } from './call-not-sent';

/*
 * A tiny local peer on 127.0.0.1 playing Alipay+/Antom: it verifies our request signature with our
 * public key and answers as each test scripts it, signing with the peer's key.
 */

const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const peer = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const CLIENT_ID = 'T_ACQP_1';

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly verification: IncomingRequestVerification;
}
type Reply = { status?: number; headers?: Record<string, string>; body: string } | 'hang';

let reply: (request: Received) => Reply;
let received: Received[] = [];
const hanging: ServerResponse[] = [];
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const request: Received = {
        path: req.url ?? '',
        headers: req.headers,
        body: rawBody.toString('utf8'),
        verification: verifyIncomingRequest({
          path: req.url ?? '',
          headers: req.headers,
          rawBody,
          publicKey: merchant.publicKey,
        }),
      };
      received.push(request);
      const answer = reply(request);
      if (answer === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(answer.status ?? 200, {
        'Content-Type': 'application/json; charset=UTF-8',
        ...answer.headers,
      });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received = [];
});

function client<D extends Dialect>(
  dialect: D,
  overrides: { clientId?: string; baseUrl?: string; signer?: ContentSigner } = {},
) {
  return new AlipayPlusClient({
    baseUrl: overrides.baseUrl ?? baseUrl,
    dialect,
    clientId: overrides.clientId ?? CLIENT_ID,
    privateKey: merchant.privateKey,
    peerPublicKey: peer.publicKey,
    keyVersion: '2',
    ...(overrides.signer ? { signer: overrides.signer } : {}),
  });
}

/** A reply signed the way Alipay+ signs responses (§1.6), with knobs to get it wrong. */
function signed(
  request: Received,
  body: string,
  options: {
    key?: KeyObject;
    keyVersion?: string;
    path?: string;
    signedBody?: string;
    clientId?: string;
  } = {},
): Reply {
  const { headers } = signResponse({
    path: options.path ?? request.path,
    clientId: options.clientId ?? request.headers['client-id']?.toString() ?? '',
    body: options.signedBody ?? body,
    privateKey: options.key ?? peer.privateKey,
    keyVersion: options.keyVersion,
    responseTime: '2019-05-28T12:12:14+08:00',
  });
  return { headers, body };
}

const SUCCESS_BODY = JSON.stringify({
  result: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' },
  paymentResult: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' },
  paymentRequestId: 'r-1',
  paymentId: 'p-1',
  paymentAmount: { currency: 'USD', value: '100' },
  paymentTime: '2025-02-20T08:51:49.09Z',
});
const UNKNOWN_BODY =
  '{"result":{"resultCode":"UNKNOWN_EXCEPTION","resultStatus":"U","resultMessage":"unknown"}}';
const FAIL_BODY =
  '{"result":{"resultCode":"INVALID_SIGNATURE","resultStatus":"F","resultMessage":"invalid signature"}}';

describe('AlipayPlusClient — request signing (protocol.md §1.1, §1.3)', () => {
  it('sends a signed POST the peer can verify, with the documented headers', async () => {
    reply = (request) => signed(request, SUCCESS_BODY);

    await client('alipayplus').inquiryPayment({ paymentRequestId: 'r-1' });

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request.path).toBe('/aps/api/v1/payments/inquiryPayment');
    expect(request.verification).toEqual({
      ok: true,
      clientId: CLIENT_ID,
      requestTime: request.headers['request-time'],
      signedPath: '/aps/api/v1/payments/inquiryPayment',
      keyVersion: '2',
    });
    expect(request.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(request.headers['request-time']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(request.body).toBe('{"paymentRequestId":"r-1"}');
  });

  it.each([
    ['alipayplus', 'cancelPayment', '/aps/api/v1/payments/cancelPayment'],
    ['antom', 'inquiryPayment', '/ams/api/v1/payments/inquiryPayment'],
    ['antom', 'cancelPayment', '/ams/api/v1/payments/cancel'],
  ] as const)('%s %s goes to %s', async (dialect, operation, path) => {
    reply = (request) => signed(request, '{"result":{"resultCode":"SUCCESS","resultStatus":"S"}}');

    const sut = client(dialect);
    const result =
      operation === 'cancelPayment'
        ? await sut.cancelPayment({ paymentRequestId: 'r-1' })
        : await sut.inquiryPayment({ paymentRequestId: 'r-1' });

    expect(received[0]?.path).toBe(path);
    expect(received[0]?.verification.ok).toBe(true);
    expect(result.kind).toBe('response');
  });

  it('uses the Antom sandbox path for a SANDBOX_ client ID, signed as sent (§0)', async () => {
    reply = (request) =>
      signed(request, '{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentStatus":"PENDING"}');

    const result = await client('antom', { clientId: 'SANDBOX_5X00000000000000' }).inquiryPayment({
      paymentId: 'p-1',
    });

    expect(received[0]?.path).toBe('/ams/sandbox/api/v1/payments/inquiryPayment');
    expect(received[0]?.verification).toMatchObject({
      ok: true,
      signedPath: '/ams/sandbox/api/v1/payments/inquiryPayment',
    });
    expect(result.kind).toBe('response');
  });

  it('keeps a base URL path prefix and signs the full path the server sees', async () => {
    reply = (request) => signed(request, UNKNOWN_BODY);

    await client('alipayplus', { baseUrl: `${baseUrl}/gw/` }).inquiryPayment({ paymentId: 'p-1' });

    expect(received[0]?.path).toBe('/gw/aps/api/v1/payments/inquiryPayment');
    expect(received[0]?.verification).toMatchObject({
      ok: true,
      signedPath: '/gw/aps/api/v1/payments/inquiryPayment',
    });
  });

  it('refuses an invalid request before sending anything', async () => {
    reply = (request) => signed(request, SUCCESS_BODY);

    await expect(client('alipayplus').inquiryPayment({})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(received).toHaveLength(0);
  });

  it('uses the §0 default timeouts', () => {
    expect(INQUIRY_PAYMENT_TIMEOUT_MS).toBe(5000);
    expect(CANCEL_PAYMENT_TIMEOUT_MS).toBe(8000);
  });
});

describe('AlipayPlusClient — a signer elsewhere (e.g. worker threads, issue 14)', () => {
  it('sends what the signer signed: the same content and header as signing on this thread', async () => {
    reply = (request) => signed(request, SUCCESS_BODY);
    const asked: string[] = [];
    const signer: ContentSigner = async (content) => {
      asked.push(content.toString('utf8'));
      return signContent(content, merchant.privateKey);
    };

    const result = await client('alipayplus', { signer }).inquiryPayment({ paymentRequestId: 'r-1' });

    expect(result.kind).toBe('response');
    const [request] = received;
    expect(asked).toEqual([
      `POST /aps/api/v1/payments/inquiryPayment\n${CLIENT_ID}.${request.headers['request-time']}.{"paymentRequestId":"r-1"}`,
    ]);
    expect(request.verification).toMatchObject({ ok: true, keyVersion: '2' });
    const onThisThread = signMessage({
      path: '/aps/api/v1/payments/inquiryPayment',
      clientId: CLIENT_ID,
      time: String(request.headers['request-time']),
      body: '{"paymentRequestId":"r-1"}',
      privateKey: merchant.privateKey,
      keyVersion: '2',
    });
    expect(request.headers.signature).toBe(onThisThread.signatureHeader);
  });

  it('counts the wait for a signature against the call timeout: SIGNING_TIMEOUT, nothing sent', async () => {
    reply = (request) => signed(request, SUCCESS_BODY);
    const deadlines: SignDeadline[] = [];
    const never: ContentSigner = (_content, deadline) => {
      deadlines.push(deadline);
      return new Promise<string>(() => undefined);
    };
    const before = Date.now();
    const call = client('alipayplus', { signer: never }).inquiryPayment(
      { paymentRequestId: 'r-1' },
      { timeoutMs: 50 },
    );
    await expect(call).rejects.toBeInstanceOf(CallNotSentError);
    await expect(call).rejects.toMatchObject({ code: 'SIGNING_TIMEOUT' });
    expect(received).toHaveLength(0);
    // The signer was told the deadline (to drop work no one waits for any more), and it passed.
    expect(deadlines).toHaveLength(1);
    expect(deadlines[0].signal.aborted).toBe(true);
    expect(deadlines[0].deadline).toBeGreaterThanOrEqual(before + 50);
    expect(deadlines[0].deadline).toBeLessThanOrEqual(Date.now());
  });

  it('a signature made in time is sent under what is left of the same deadline', async () => {
    reply = () => 'hang';
    const signer: ContentSigner = async (content, deadline) => {
      expect(deadline.signal.aborted).toBe(false);
      return signContent(content, merchant.privateKey);
    };
    const result = await client('alipayplus', { signer }).inquiryPayment(
      { paymentRequestId: 'r-1' },
      { timeoutMs: 150 },
    );
    expect(result).toEqual({ kind: 'transport-error', reason: 'TIMEOUT' });
    expect(received).toHaveLength(1);
    expect(received[0].verification.ok).toBe(true);
  });

  it('sends nothing when the signer fails: the call rejects with its error', async () => {
    reply = (request) => signed(request, SUCCESS_BODY);
    const failure = Object.assign(new Error('thread gone'), { code: 'SIGNING_WORKER_EXITED' });

    const call = client('alipayplus', { signer: () => Promise.reject(failure) }).cancelPayment({
      paymentRequestId: 'r-1',
    });

    await expect(call).rejects.toBe(failure);
    expect(received).toHaveLength(0);
  });
});

describe('AlipayPlusClient — response verification (protocol.md §1.6)', () => {
  it('returns a verified, parsed response that the decision table can act on', async () => {
    reply = (request) => signed(request, SUCCESS_BODY);

    const result = await client('alipayplus').inquiryPayment({ paymentRequestId: 'r-1' });

    expect(result).toMatchObject({ kind: 'response', verified: true, rawBody: SUCCESS_BODY });
    if (result.kind !== 'response') throw new Error('expected a response');
    expect(decideInquiry('alipayplus', result.body)).toMatchObject({ kind: 'final', outcome: 'SUCCESS' });
  });

  it('verifies a pretty-printed response body as received', async () => {
    const pretty = JSON.stringify(JSON.parse(SUCCESS_BODY), null, 2);
    reply = (request) => signed(request, pretty);

    const result = await client('alipayplus').inquiryPayment({ paymentRequestId: 'r-1' });

    expect(result).toMatchObject({ kind: 'response', verified: true, rawBody: pretty });
  });

  it('treats an unsigned S response as untrusted', async () => {
    reply = () => ({ body: SUCCESS_BODY });

    const result = await client('alipayplus').inquiryPayment({ paymentRequestId: 'r-1' });

    expect(result).toEqual({ kind: 'untrusted', reason: 'MISSING_SIGNATURE' });
  });

  it('treats a tampered body as untrusted', async () => {
    const tampered = SUCCESS_BODY.replace('"value":"100"', '"value":"101"');
    reply = (request) => signed(request, tampered, { signedBody: SUCCESS_BODY });

    const result = await client('alipayplus').inquiryPayment({ paymentRequestId: 'r-1' });

    expect(result).toEqual({ kind: 'untrusted', reason: 'BAD_SIGNATURE' });
  });

  it('treats a response signed with another key as untrusted', async () => {
    reply = (request) => signed(request, SUCCESS_BODY, { key: stranger.privateKey });

    const result = await client('alipayplus').inquiryPayment({ paymentRequestId: 'r-1' });

    expect(result).toEqual({ kind: 'untrusted', reason: 'BAD_SIGNATURE' });
  });

  it('verifies over our request path: a signature over another path is untrusted', async () => {
    reply = (request) => signed(request, SUCCESS_BODY, { path: '/aps/api/v1/payments/cancelPayment' });

    const result = await client('alipayplus').inquiryPayment({ paymentRequestId: 'r-1' });

    expect(result).toEqual({ kind: 'untrusted', reason: 'BAD_SIGNATURE' });
  });

  it('treats a signature without Response-Time as untrusted (partial headers)', async () => {
    reply = (request) => {
      const answer = signed(request, SUCCESS_BODY);
      if (answer === 'hang') return answer;
      const { 'response-time': _dropped, ...headers } = answer.headers ?? {};
      return { ...answer, headers };
    };

    const result = await client('alipayplus').inquiryPayment({ paymentRequestId: 'r-1' });

    expect(result).toEqual({ kind: 'untrusted', reason: 'MISSING_HEADER', detail: 'response-time' });
  });

  it('falls back to our client ID when the response has no Client-Id header', async () => {
    reply = (request) => {
      const answer = signed(request, SUCCESS_BODY);
      if (answer === 'hang') return answer;
      const { 'client-id': _dropped, ...headers } = answer.headers ?? {};
      return { ...answer, headers };
    };

    const result = await client('alipayplus').inquiryPayment({ paymentRequestId: 'r-1' });

    expect(result).toMatchObject({ kind: 'response', verified: true });
  });

  it('accepts an unsigned F response as that F, marked unverified', async () => {
    reply = () => ({ body: FAIL_BODY });

    const result = await client('alipayplus').cancelPayment({ paymentRequestId: 'r-1' });

    expect(result).toEqual({
      kind: 'response',
      verified: false,
      rawBody: FAIL_BODY,
      body: {
        result: { resultCode: 'INVALID_SIGNATURE', resultStatus: 'F', resultMessage: 'invalid signature' },
      },
    });
  });

  it('accepts an unsigned U response as that U, marked unverified', async () => {
    reply = () => ({ body: UNKNOWN_BODY });

    const result = await client('antom').inquiryPayment({ paymentRequestId: 'r-1' });

    expect(result).toMatchObject({
      kind: 'response',
      verified: false,
      body: { result: { resultStatus: 'U' } },
    });
  });

  it('does not accept a badly signed F response', async () => {
    reply = (request) => signed(request, FAIL_BODY, { key: stranger.privateKey });

    const result = await client('alipayplus').inquiryPayment({ paymentRequestId: 'r-1' });

    expect(result).toEqual({ kind: 'untrusted', reason: 'BAD_SIGNATURE' });
  });
});

describe('AlipayPlusClient — the partner rotates its key (issue 11 rows 1, 2)', () => {
  const withKeys = (peerPublicKeys: { keyVersion?: string; publicKey: KeyObject }[]) =>
    new AlipayPlusClient({
      baseUrl,
      dialect: 'alipayplus',
      clientId: CLIENT_ID,
      privateKey: merchant.privateKey,
      peerPublicKeys,
    });

  it('verifies with the key the keyVersion names while both keys are configured', async () => {
    reply = (request) => signed(request, SUCCESS_BODY, { key: stranger.privateKey, keyVersion: '2' });

    const result = await withKeys([
      { keyVersion: '1', publicKey: peer.publicKey },
      { keyVersion: '2', publicKey: stranger.publicKey },
    ]).inquiryPayment({ paymentRequestId: 'r-1' });

    expect(result).toMatchObject({ kind: 'response', verified: true });
  });

  it('still verifies answers signed with the old key', async () => {
    reply = (request) => signed(request, SUCCESS_BODY, { keyVersion: '1' });

    const result = await withKeys([
      { keyVersion: '1', publicKey: peer.publicKey },
      { keyVersion: '2', publicKey: stranger.publicKey },
    ]).cancelPayment({ paymentRequestId: 'r-1' });

    expect(result).toMatchObject({ kind: 'response', verified: true });
  });

  it('tries each active key when the Signature header names no keyVersion', async () => {
    reply = (request) => {
      const answer = signed(request, SUCCESS_BODY, { key: stranger.privateKey });
      if (answer === 'hang') return answer;
      const signature = (answer.headers?.signature ?? '').replace('keyVersion=1,', '');
      return { ...answer, headers: { ...answer.headers, signature } };
    };

    const result = await withKeys([
      { keyVersion: '1', publicKey: peer.publicKey },
      { keyVersion: '2', publicKey: stranger.publicKey },
    ]).inquiryPayment({ paymentRequestId: 'r-1' });

    expect(result).toMatchObject({ kind: 'response', verified: true });
  });

  it('reports an answer signed with a keyVersion we hold no key for as untrusted UNKNOWN_KEY_VERSION', async () => {
    reply = (request) => signed(request, SUCCESS_BODY, { key: stranger.privateKey, keyVersion: '3' });

    const result = await withKeys([
      { keyVersion: '1', publicKey: peer.publicKey },
      { keyVersion: '2', publicKey: stranger.publicKey },
    ]).inquiryPayment({ paymentRequestId: 'r-1' });

    expect(result).toEqual({ kind: 'untrusted', reason: 'UNKNOWN_KEY_VERSION', detail: '3' });
  });

  it('keeps a single versionless key valid for any keyVersion (the settings of old)', async () => {
    reply = (request) => signed(request, SUCCESS_BODY, { keyVersion: '9' });

    const result = await client('alipayplus').inquiryPayment({ paymentRequestId: 'r-1' });

    expect(result).toMatchObject({ kind: 'response', verified: true });
  });

  it('refuses to be built without any peer key', () => {
    expect(
      () =>
        new AlipayPlusClient({
          baseUrl,
          dialect: 'alipayplus',
          clientId: CLIENT_ID,
          privateKey: merchant.privateKey,
          peerPublicKeys: [],
        }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('AlipayPlusClient — unusable replies', () => {
  it('reports TIMEOUT when the peer does not answer within timeoutMs', async () => {
    reply = () => 'hang';

    const result = await client('alipayplus').inquiryPayment({ paymentRequestId: 'r-1' }, { timeoutMs: 150 });

    expect(result).toEqual({ kind: 'transport-error', reason: 'TIMEOUT' });
    expect(received).toHaveLength(1);
  });

  it('reports a non-2xx status as HTTP_<status>', async () => {
    reply = () => ({ status: 500, body: 'oops' });

    expect(await client('alipayplus').inquiryPayment({ paymentRequestId: 'r-1' })).toEqual({
      kind: 'transport-error',
      reason: 'HTTP_500',
    });
  });

  it('does not follow a redirect (the signed URI would change)', async () => {
    reply = () => ({ status: 302, headers: { Location: '/elsewhere' }, body: '' });

    expect(await client('alipayplus').inquiryPayment({ paymentRequestId: 'r-1' })).toEqual({
      kind: 'transport-error',
      reason: 'HTTP_302',
    });
    expect(received).toHaveLength(1);
  });

  it('reports NETWORK when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const result = await client('alipayplus', { baseUrl: `http://127.0.0.1:${port}` }).inquiryPayment({
      paymentRequestId: 'r-1',
    });

    expect(result).toEqual({ kind: 'transport-error', reason: 'NETWORK', detail: 'ECONNREFUSED' });
  });

  it('uses the injected fetch implementation', async () => {
    const fetchImpl = jest.fn<ReturnType<typeof fetch>, Parameters<typeof fetch>>(() =>
      Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })),
    );
    const sut = new AlipayPlusClient({
      baseUrl: 'https://open-sea.alipayplus.com',
      dialect: 'alipayplus',
      clientId: CLIENT_ID,
      privateKey: merchant.privateKey,
      peerPublicKey: peer.publicKey,
      fetchImpl,
    });

    const result = await sut.cancelPayment({ paymentRequestId: 'r-1' });

    expect(result).toEqual({ kind: 'transport-error', reason: 'NETWORK', detail: 'ECONNRESET' });
    expect(String(fetchImpl.mock.calls[0]?.[0])).toBe(
      'https://open-sea.alipayplus.com/aps/api/v1/payments/cancelPayment',
    );
  });

  it('reports a signed body that is not JSON as invalid-response', async () => {
    reply = (request) => signed(request, '<html>gateway</html>');

    expect(await client('alipayplus').inquiryPayment({ paymentRequestId: 'r-1' })).toEqual({
      kind: 'invalid-response',
      reason: 'body is not valid JSON',
    });
  });

  it('reports a signed body that breaks the schema as invalid-response, naming the field', async () => {
    const bad = SUCCESS_BODY.replace('"value":"100"', '"value":100');
    reply = (request) => signed(request, bad);

    const result = await client('alipayplus').inquiryPayment({ paymentRequestId: 'r-1' });

    expect(result).toEqual({
      kind: 'invalid-response',
      reason: expect.stringContaining('paymentAmount.value'),
    });
  });

  it('reports an unsigned body without a result as invalid-response', async () => {
    reply = () => ({ body: '{"error":"bad gateway"}' });

    expect(await client('alipayplus').inquiryPayment({ paymentRequestId: 'r-1' })).toEqual({
      kind: 'invalid-response',
      reason: 'unsigned response without an F/U result',
    });
  });
});

describe('AlipayPlusClient — construction', () => {
  it.each([
    ['a relative base URL', { baseUrl: '/aps' }],
    ['a non-http base URL', { baseUrl: 'ftp://example.com' }],
    ['an empty client ID', { clientId: '' }],
  ])('refuses %s with INVALID_ARGUMENT', (_label, overrides) => {
    expect(
      () =>
        new AlipayPlusClient({
          baseUrl: 'https://open-sea.alipayplus.com',
          dialect: 'alipayplus',
          clientId: CLIENT_ID,
          privateKey: merchant.privateKey,
          peerPublicKey: peer.publicKey,
          ...overrides,
        }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('does not expose its keys through JSON', () => {
    const sut = client('alipayplus');

    expect(Object.keys(JSON.parse(JSON.stringify(sut)) as object).sort()).toEqual([
      'baseUrl',
      'clientId',
      'dialect',
    ]);
  });
});
