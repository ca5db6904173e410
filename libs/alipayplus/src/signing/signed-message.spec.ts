import { generateKeyPairSync } from 'node:crypto';
import { loadAntomNotifyVector } from '../../test/shared-vectors';
import { loadPrivateKey, loadPublicKey } from './keys';
import { buildSignContent } from './sign-content';
import { verifyContent } from './signature';
import {
  candidateSignedPaths,
  selectVerificationKeys,
  signMessage,
  verifySignedMessage,
} from './signed-message';

const vector = loadAntomNotifyVector();
const alipayPublicKey = loadPublicKey(vector.alipayPublicKeyBase64X509);

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKey = loadPrivateKey(
  pair.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
);
const publicKey = loadPublicKey(pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'));

describe('the real 2019 Antom notify vector (protocol.md §1.9)', () => {
  const [queryCase, bodyCase] = vector.mutatedCases;

  it('verifies the valid case over POST <path>\\n<clientId>.<requestTime>.<body>', () => {
    const content = buildSignContent({
      method: vector.method,
      path: vector.path,
      clientId: vector.clientId,
      time: vector.requestTime,
      body: vector.body,
    });

    expect(vector.expectedValid).toBe(true);
    expect(verifyContent(content, vector.signature, alipayPublicKey)).toBe(true);
  });

  it('fails when the notify URL query string is appended to the path, checked as given', () => {
    expect(queryCase.path).toContain('?');
    const content = buildSignContent({
      path: queryCase.path as string,
      clientId: vector.clientId,
      time: vector.requestTime,
      body: vector.body,
    });

    expect(queryCase.expectedValid).toBe(false);
    expect(verifyContent(content, vector.signature, alipayPublicKey)).toBe(false);
  });

  it('fails when one byte of the body is changed, checked as given', () => {
    const content = buildSignContent({
      path: vector.path,
      clientId: vector.clientId,
      time: vector.requestTime,
      body: bodyCase.body as string,
    });

    expect(bodyCase.expectedValid).toBe(false);
    expect(verifyContent(content, vector.signature, alipayPublicKey)).toBe(false);
  });

  it('verifySignedMessage accepts the notifyUrl-with-query case via the bare path (pitfall §1.8 a)', () => {
    const sut = verifySignedMessage({
      path: queryCase.path as string,
      clientId: vector.clientId,
      time: vector.requestTime,
      rawBody: Buffer.from(vector.body, 'utf8'),
      signatureHeader: vector.signatureHeaderValue,
      publicKey: alipayPublicKey,
    });

    expect(sut).toEqual({ ok: true, signedPath: '/api/back', keyVersion: '1' });
  });

  it('verifySignedMessage rejects the altered body as BAD_SIGNATURE', () => {
    const sut = verifySignedMessage({
      path: vector.path,
      clientId: vector.clientId,
      time: vector.requestTime,
      rawBody: bodyCase.body as string,
      signatureHeader: vector.signatureHeaderValue,
      publicKey: alipayPublicKey,
    });

    expect(sut).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('verifySignedMessage accepts the doc-style header with spaces', () => {
    const sut = verifySignedMessage({
      path: vector.path,
      clientId: vector.clientId,
      time: vector.requestTime,
      rawBody: vector.body,
      signatureHeader: `algorithm=RSA256, keyVersion=1, signature=${vector.signature}`,
      publicKey: alipayPublicKey,
    });

    expect(sut.ok).toBe(true);
  });
});

describe('candidateSignedPaths (pitfall §1.8 a)', () => {
  it('tries the bare path first, then path + query', () => {
    expect(candidateSignedPaths('/notify?x=1&y=2')).toEqual(['/notify', '/notify?x=1&y=2']);
  });

  it('tries only the path when there is no query', () => {
    expect(candidateSignedPaths('/notify')).toEqual(['/notify']);
  });
});

describe('signMessage / verifySignedMessage round trip', () => {
  const message = {
    path: '/aps/api/v1/payments/inquiryPayment',
    clientId: 'T_111222333',
    time: '2019-07-12T12:08:56.253+05:30',
    body: '{\n  "paymentRequestId": "r-1",\n  "paymentId": "p-1"\n}',
  };
  const { signatureHeader } = signMessage({ ...message, privateKey, keyVersion: '2' });
  const verifyWith = (overrides: Partial<typeof message> = {}, header = signatureHeader) => {
    const m = { ...message, ...overrides };
    return verifySignedMessage({
      path: m.path,
      clientId: m.clientId,
      time: m.time,
      rawBody: m.body,
      signatureHeader: header,
      publicKey,
    });
  };

  it('emits the SDK header form with the given keyVersion', () => {
    expect(signatureHeader).toMatch(/^algorithm=RSA256,keyVersion=2,signature=[A-Za-z0-9%]+$/);
  });

  it('defaults keyVersion to 1', () => {
    expect(signMessage({ ...message, privateKey }).signatureHeader).toMatch(/,keyVersion=1,/);
  });

  it('verifies a pretty-printed multi-line body signed as-is', () => {
    expect(verifyWith()).toEqual({ ok: true, signedPath: message.path, keyVersion: '2' });
  });

  it('verifies the same bytes given as a Buffer', () => {
    const sut = verifySignedMessage({
      ...message,
      rawBody: Buffer.from(message.body, 'utf8'),
      signatureHeader,
      publicKey,
    });

    expect(sut.ok).toBe(true);
  });

  it('fails when the body is re-serialized (whitespace differs, same JSON)', () => {
    expect(verifyWith({ body: JSON.stringify(JSON.parse(message.body)) })).toEqual({
      ok: false,
      reason: 'BAD_SIGNATURE',
    });
  });

  it.each([
    ['body', { body: message.body.replace('r-1', 'r-2') }],
    ['clientId', { clientId: 'T_111222334' }],
    ['time', { time: '2019-07-12T12:08:56.254+05:30' }],
    ['path', { path: '/aps/api/v1/payments/inquiryPaymenT' }],
  ])('fails when one byte of the %s changes', (_label, overrides) => {
    expect(verifyWith(overrides)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('falls back to path + query when the sender signed the full URI', () => {
    const withQuery = '/notify?tenant=a';
    const header = signMessage({ ...message, path: withQuery, privateKey }).signatureHeader;

    expect(verifyWith({ path: withQuery }, header)).toEqual({
      ok: true,
      signedPath: withQuery,
      keyVersion: '1',
    });
  });

  it('does not accept a bare-path signature for a different bare path', () => {
    const header = signMessage({ ...message, path: '/other', privateKey }).signatureHeader;

    expect(verifyWith({ path: '/notify?x=1' }, header)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['without signature=', 'algorithm=RSA256,keyVersion=1'],
  ])('reports MISSING_SIGNATURE when the Signature header is %s', (_label, header) => {
    const sut = verifySignedMessage({
      ...message,
      rawBody: message.body,
      signatureHeader: header,
      publicKey,
    });

    expect(sut).toEqual({ ok: false, reason: 'MISSING_SIGNATURE' });
  });

  it('reports MISSING_HEADER for an absent Client-Id', () => {
    const sut = verifySignedMessage({
      ...message,
      clientId: undefined,
      rawBody: message.body,
      signatureHeader,
      publicKey,
    });

    expect(sut).toEqual({ ok: false, reason: 'MISSING_HEADER', detail: 'client-id' });
  });

  it('reports MISSING_HEADER for an empty time header', () => {
    const sut = verifySignedMessage({
      ...message,
      time: '',
      rawBody: message.body,
      signatureHeader,
      publicKey,
    });

    expect(sut).toEqual({ ok: false, reason: 'MISSING_HEADER', detail: 'time' });
  });

  it('reports BAD_SIGNATURE for a garbage signature value instead of throwing', () => {
    expect(verifyWith({}, 'algorithm=RSA256,keyVersion=1,signature=%%%')).toEqual({
      ok: false,
      reason: 'BAD_SIGNATURE',
    });
  });
});

describe('selectVerificationKeys (issue 11 row 1: the key the keyVersion names)', () => {
  const [k1, k2, legacy] = [1, 2, 3].map(() => generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey);

  it('picks only the key of the named version', () => {
    expect(
      selectVerificationKeys(
        [
          { keyVersion: '1', publicKey: k1 },
          { keyVersion: '2', publicKey: k2 },
        ],
        '2',
      ),
    ).toEqual({ ok: true, keys: [k2] });
  });

  it('tries every active key, in order, when the header names no version', () => {
    expect(
      selectVerificationKeys(
        [
          { keyVersion: '1', publicKey: k1 },
          { keyVersion: '2', publicKey: k2 },
        ],
        undefined,
      ),
    ).toEqual({ ok: true, keys: [k1, k2] });
  });

  it('falls back to a versionless (single-key settings) key for an undeclared version', () => {
    expect(selectVerificationKeys([{ keyVersion: '1', publicKey: k1 }, { publicKey: legacy }], '7')).toEqual({
      ok: true,
      keys: [legacy],
    });
  });

  it('prefers the declared key over a versionless one', () => {
    expect(selectVerificationKeys([{ publicKey: legacy }, { keyVersion: '1', publicKey: k1 }], '1')).toEqual({
      ok: true,
      keys: [k1],
    });
  });

  it('reports UNKNOWN_KEY_VERSION when no key has the named version and none is versionless', () => {
    expect(selectVerificationKeys([{ keyVersion: '1', publicKey: k1 }], '2')).toEqual({
      ok: false,
      reason: 'UNKNOWN_KEY_VERSION',
    });
  });
});

describe('verifySignedMessage with several peer keys (issue 11 rows 1, 2)', () => {
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const message = { path: '/n', clientId: 'C', time: '2026-01-01T00:00:00Z', body: '{"a":1}' };
  const verify = (
    signatureHeader: string,
    publicKeys: { keyVersion?: string; publicKey: typeof publicKey }[],
  ) => verifySignedMessage({ ...message, rawBody: message.body, signatureHeader, publicKeys });
  const old = { keyVersion: '1', publicKey: other.publicKey };
  const current = { keyVersion: '2', publicKey };

  it('verifies with the key the header names while both keys are configured', () => {
    const { signatureHeader } = signMessage({ ...message, privateKey, keyVersion: '2' });

    expect(verify(signatureHeader, [old, current])).toEqual({ ok: true, signedPath: '/n', keyVersion: '2' });
  });

  it('does not try the other keys when the named key fails', () => {
    // Signed with key 2 but labelled 1: the label is authoritative.
    const { signatureHeader } = signMessage({ ...message, privateKey, keyVersion: '1' });

    expect(verify(signatureHeader, [old, current])).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('tries each active key in turn when the header names no keyVersion', () => {
    const { signatureHeader } = signMessage({ ...message, privateKey });
    const withoutVersion = signatureHeader.replace('keyVersion=1,', '');

    expect(verify(withoutVersion, [old, current])).toEqual({ ok: true, signedPath: '/n' });
  });

  it('reports UNKNOWN_KEY_VERSION, naming it, for a version we hold no key for', () => {
    const { signatureHeader } = signMessage({ ...message, privateKey, keyVersion: '3' });

    expect(verify(signatureHeader, [old, current])).toEqual({
      ok: false,
      reason: 'UNKNOWN_KEY_VERSION',
      detail: '3',
    });
  });

  it('still accepts the real 2019 vector (keyVersion=1) with its key among others', () => {
    const sut = verifySignedMessage({
      path: vector.path,
      clientId: vector.clientId,
      time: vector.requestTime,
      rawBody: vector.body,
      signatureHeader: vector.signatureHeaderValue,
      publicKeys: [
        { keyVersion: '2', publicKey: other.publicKey },
        { keyVersion: '1', publicKey: alipayPublicKey },
      ],
    });

    expect(sut).toMatchObject({ ok: true, keyVersion: '1' });
  });
});
