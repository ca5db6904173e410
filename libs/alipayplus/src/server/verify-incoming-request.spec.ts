import { loadAntomNotifyVector } from '../../test/shared-vectors';
import { loadPublicKey } from '../signing/keys';
import { originFormTarget, readHeader, verifyIncomingRequest } from './verify-incoming-request';

const vector = loadAntomNotifyVector();
const alipayPublicKey = loadPublicKey(vector.alipayPublicKeyBase64X509);
const nodeHeaders = {
  'content-type': 'application/json',
  'client-id': vector.clientId,
  'request-time': vector.requestTime,
  signature: vector.signatureHeaderValue,
};

describe('verifyIncomingRequest (protocol.md §1.7)', () => {
  it('verifies the real 2019 notification from Node-style lower-case headers', () => {
    const sut = verifyIncomingRequest({
      path: vector.path,
      headers: nodeHeaders,
      rawBody: Buffer.from(vector.body, 'utf8'),
      publicKey: alipayPublicKey,
    });

    expect(sut).toEqual({
      ok: true,
      clientId: 'T_ALLPAY_1',
      requestTime: '2019-11-12T09:37:00Z',
      signedPath: '/api/back',
      keyVersion: '1',
    });
  });

  it('reads header names case-insensitively (§1.1)', () => {
    const sut = verifyIncomingRequest({
      path: vector.path,
      headers: {
        'Client-Id': vector.clientId,
        'REQUEST-TIME': vector.requestTime,
        Signature: vector.signatureHeaderValue,
      },
      rawBody: vector.body,
      publicKey: alipayPublicKey,
    });

    expect(sut.ok).toBe(true);
  });

  it('accepts a notify URL with a query string via the bare path (pitfall §1.8 a)', () => {
    const sut = verifyIncomingRequest({
      path: vector.mutatedCases[0].path as string,
      headers: nodeHeaders,
      rawBody: vector.body,
      publicKey: alipayPublicKey,
    });

    expect(sut).toMatchObject({ ok: true, signedPath: '/api/back' });
  });

  it('rejects an altered body as BAD_SIGNATURE', () => {
    const sut = verifyIncomingRequest({
      path: vector.path,
      headers: nodeHeaders,
      rawBody: vector.mutatedCases[1].body as string,
      publicKey: alipayPublicKey,
    });

    expect(sut).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('rejects a notification whose Request-Time header differs from the signed one', () => {
    const sut = verifyIncomingRequest({
      path: vector.path,
      headers: { ...nodeHeaders, 'request-time': '2019-11-12T09:37:01Z' },
      rawBody: vector.body,
      publicKey: alipayPublicKey,
    });

    expect(sut).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it.each([
    ['signature', { reason: 'MISSING_SIGNATURE' }],
    ['client-id', { reason: 'MISSING_HEADER', detail: 'client-id' }],
    ['request-time', { reason: 'MISSING_HEADER', detail: 'request-time' }],
  ])('reports a missing %s header', (name, expected) => {
    const headers: Record<string, string> = { ...nodeHeaders };
    delete headers[name];

    const sut = verifyIncomingRequest({
      path: vector.path,
      headers,
      rawBody: vector.body,
      publicKey: alipayPublicKey,
    });

    expect(sut).toEqual({ ok: false, ...expected });
  });
});

describe('readHeader', () => {
  it('finds a header whatever its case', () => {
    expect(readHeader({ 'Request-Time': 't' }, 'request-time')).toBe('t');
  });

  it('uses the first value of a repeated header', () => {
    expect(readHeader({ signature: ['a', 'b'] }, 'Signature')).toBe('a');
  });

  it('returns undefined when absent', () => {
    expect(readHeader({ other: 'x', signature: undefined }, 'signature')).toBeUndefined();
  });
});

describe('originFormTarget (RFC 9112 §3.2.2)', () => {
  it.each([
    ['/alipayplus/notify', '/alipayplus/notify'],
    ['/n?a=1', '/n?a=1'],
    ['http://127.0.0.1:3001/alipayplus/notify', '/alipayplus/notify'],
    ['HTTPS://gw.example:443/api/back?x=1', '/api/back?x=1'],
    ['http://gw.example', '/'],
    ['http://gw.example?x=1', '/?x=1'],
    ['http://gw.example/p#frag', '/p'],
  ])('maps %s to %s', (target, expected) => {
    expect(originFormTarget(target)).toBe(expected);
  });

  it('lets the real 2019 notification verify when its request line was in absolute form', () => {
    const sut = verifyIncomingRequest({
      path: originFormTarget(`http://merchant.example:8080${vector.path}`),
      headers: nodeHeaders,
      rawBody: vector.body,
      publicKeys: [{ keyVersion: '1', publicKey: alipayPublicKey }],
    });
    expect(sut).toMatchObject({ ok: true, signedPath: '/api/back', keyVersion: '1' });
  });
});

describe('verifyIncomingRequest with versioned keys', () => {
  it('reports UNKNOWN_KEY_VERSION for the real vector (keyVersion=1) when only key 2 is held', () => {
    const sut = verifyIncomingRequest({
      path: vector.path,
      headers: nodeHeaders,
      rawBody: vector.body,
      publicKeys: [{ keyVersion: '2', publicKey: alipayPublicKey }],
    });
    expect(sut).toEqual({ ok: false, reason: 'UNKNOWN_KEY_VERSION', detail: '1' });
  });
});
