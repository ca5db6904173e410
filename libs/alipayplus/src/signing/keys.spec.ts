import { constants, generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';
import { AlipayPlusError, KeyLoadError } from '../errors';
import { loadAntomNotifyVector } from '../../test/shared-vectors';
import { loadPrivateKey, loadPublicKey } from './keys';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pkcs8Base64 = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
const pkcs1Base64 = privateKey.export({ format: 'der', type: 'pkcs1' }).toString('base64');
const pkcs8Pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
const pkcs1Pem = privateKey.export({ format: 'pem', type: 'pkcs1' }) as string;
const spkiBase64 = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
const spkiPem = publicKey.export({ format: 'pem', type: 'spki' }) as string;
const pkcs1PublicPem = publicKey.export({ format: 'pem', type: 'pkcs1' }) as string;

/** Proves a loaded pair is the generated one: a signature by one verifies under the other. */
function pairsWith(loadedPrivate: KeyObject, loadedPublic: KeyObject): boolean {
  const data = Buffer.from('pairing check');
  const signature = sign('sha256', data, { key: loadedPrivate, padding: constants.RSA_PKCS1_PADDING });
  return verify('sha256', data, { key: loadedPublic, padding: constants.RSA_PKCS1_PADDING }, signature);
}

function errorOf(fn: () => unknown): KeyLoadError {
  try {
    fn();
  } catch (error) {
    if (error instanceof KeyLoadError) return error;
    throw error;
  }
  throw new Error('expected a KeyLoadError');
}

describe('loadPrivateKey (protocol.md §1.4)', () => {
  it.each([
    ['bare Base64 PKCS#8 DER (SDK/console format)', pkcs8Base64],
    [
      'Base64 PKCS#8 DER wrapped over lines with spaces',
      `  ${pkcs8Base64.match(/.{1,60}/g)?.join('\n  ')}\n`,
    ],
    ['PEM "BEGIN PRIVATE KEY"', pkcs8Pem],
    ['PEM "BEGIN RSA PRIVATE KEY" (PKCS#1)', pkcs1Pem],
    [
      'PKCS#8 material inside RSA PRIVATE KEY markers (Python SDK, §1.8 f)',
      pkcs8Pem.replace(/PRIVATE KEY/g, 'RSA PRIVATE KEY'),
    ],
    ['PEM with escaped \\n as pasted into an env file', pkcs8Pem.replace(/\n/g, '\\n')],
    ['bare Base64 PKCS#1 DER', pkcs1Base64],
  ])('loads %s', (_label, material) => {
    const sut = loadPrivateKey(material);

    expect(sut.type).toBe('private');
    expect(pairsWith(sut, publicKey)).toBe(true);
  });

  it('reports empty material as KEY_EMPTY', () => {
    expect(errorOf(() => loadPrivateKey('  \n')).code).toBe('KEY_EMPTY');
  });

  it('reports garbage as KEY_INVALID without echoing the material', () => {
    const material = 'not-a-key-but-secret-looking-material-123';

    const error = errorOf(() => loadPrivateKey(material));

    expect(error.code).toBe('KEY_INVALID');
    expect(error).toBeInstanceOf(AlipayPlusError);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).not.toContain(material);
  });

  it('reports well-formed Base64 that is not a private key as KEY_INVALID without echoing it', () => {
    const error = errorOf(() => loadPrivateKey(spkiBase64));

    expect(error.code).toBe('KEY_INVALID');
    expect(error.message).not.toContain(spkiBase64.slice(0, 40));
  });

  it('refuses a public key PEM', () => {
    expect(errorOf(() => loadPrivateKey(spkiPem)).code).toBe('KEY_INVALID');
  });

  it('refuses a truncated PKCS#8 key and keeps its body out of the message', () => {
    const corrupted = pkcs8Base64.slice(0, 400);

    const error = errorOf(() => loadPrivateKey(corrupted));

    expect(error.code).toBe('KEY_INVALID');
    expect(error.message).not.toContain(pkcs8Base64.slice(100, 140));
  });

  it('rejects an encrypted PKCS#8 key as KEY_UNSUPPORTED', () => {
    const encrypted = privateKey.export({
      format: 'pem',
      type: 'pkcs8',
      cipher: 'aes-256-cbc',
      passphrase: 'pw',
    }) as string;

    expect(errorOf(() => loadPrivateKey(encrypted)).code).toBe('KEY_UNSUPPORTED');
  });

  it('rejects a legacy encrypted PKCS#1 PEM (Proc-Type header) as KEY_UNSUPPORTED', () => {
    const encrypted = privateKey.export({
      format: 'pem',
      type: 'pkcs1',
      cipher: 'aes-256-cbc',
      passphrase: 'pw',
    }) as string;

    expect(encrypted).toContain('Proc-Type');
    expect(errorOf(() => loadPrivateKey(encrypted)).code).toBe('KEY_UNSUPPORTED');
  });

  it('rejects a non-RSA key as KEY_UNSUPPORTED (only SHA256withRSA exists, §1.4)', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const material = ec.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');

    expect(errorOf(() => loadPrivateKey(material)).code).toBe('KEY_UNSUPPORTED');
  });
});

describe('loadPublicKey (protocol.md §1.4)', () => {
  it.each([
    ['bare Base64 X.509 SPKI DER', spkiBase64],
    ['Base64 SPKI with line breaks', spkiBase64.match(/.{1,64}/g)?.join('\r\n') ?? ''],
    ['PEM "BEGIN PUBLIC KEY"', spkiPem],
    ['PEM "BEGIN RSA PUBLIC KEY"', pkcs1PublicPem],
  ])('loads %s', (_label, material) => {
    const sut = loadPublicKey(material);

    expect(sut.type).toBe('public');
    expect(pairsWith(privateKey, sut)).toBe(true);
  });

  it('loads the Alipay public key of the shared 2019 vector (§1.9)', () => {
    const sut = loadPublicKey(loadAntomNotifyVector().alipayPublicKeyBase64X509);

    expect(sut.asymmetricKeyType).toBe('rsa');
    expect(sut.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it.each([
    ['a PKCS#8 private key PEM', pkcs8Pem],
    ['a PKCS#1 private key PEM', pkcs1Pem],
    ['bare Base64 PKCS#8 private DER', pkcs8Base64],
    ['bare Base64 PKCS#1 private DER', pkcs1Base64],
  ])('refuses %s as KEY_INVALID without echoing it', (_label, material) => {
    const error = errorOf(() => loadPublicKey(material));

    expect(error.code).toBe('KEY_INVALID');
    expect(error.message).not.toContain(pkcs8Base64.slice(60, 100));
    expect(error.message).not.toContain(pkcs1Base64.slice(60, 100));
  });

  it('reports empty material as KEY_EMPTY', () => {
    expect(errorOf(() => loadPublicKey('')).code).toBe('KEY_EMPTY');
  });

  it('reports non-Base64 text as KEY_INVALID', () => {
    expect(errorOf(() => loadPublicKey('MIIB#not base64!')).code).toBe('KEY_INVALID');
  });

  it('rejects a non-RSA public key as KEY_UNSUPPORTED', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

    expect(
      errorOf(() => loadPublicKey(ec.publicKey.export({ format: 'pem', type: 'spki' }) as string)).code,
    ).toBe('KEY_UNSUPPORTED');
  });
});
