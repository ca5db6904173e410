import { constants, createSecretKey, generateKeyPairSync, verify } from 'node:crypto';
import { AlipayPlusError } from '../errors';
import { loadAntomNotifyVector } from '../../test/shared-vectors';
import { loadPrivateKey, loadPublicKey } from './keys';
import { buildSignContent } from './sign-content';
import { decodeSignatureValue, signContent, verifyContent } from './signature';

// Generated per run and loaded through the same loaders production uses (PKCS#8 / SPKI DER Base64, §1.4).
const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKey = loadPrivateKey(
  pair.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
);
const publicKey = loadPublicKey(pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'));
const otherPublicKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;

const vector = loadAntomNotifyVector();
const vectorKey = loadPublicKey(vector.alipayPublicKeyBase64X509);
const vectorContent = buildSignContent({
  path: vector.path,
  clientId: vector.clientId,
  time: vector.requestTime,
  body: vector.body,
});

const content = buildSignContent({
  path: '/aps/api/v1/payments/inquiryPayment',
  clientId: 'T_CLIENT',
  time: '2025-02-21T05:43:09Z',
  body: '{"paymentRequestId":"r-1"}',
});

describe('signContent / verifyContent (protocol.md §1.4)', () => {
  it('round-trips with a generated 2048-bit key pair', () => {
    const signature = signContent(content, privateKey);

    expect(verifyContent(content, signature, publicKey)).toBe(true);
  });

  it('produces RSA-SHA256 PKCS#1 v1.5 over the content, standard Base64, percent-encoded', () => {
    const signature = signContent(content, privateKey);
    const raw = Buffer.from(decodeURIComponent(signature), 'base64');

    expect(signature).toMatch(/^[A-Za-z0-9%]+$/);
    expect(raw).toHaveLength(256);
    expect(
      verify('sha256', content, { key: pair.publicKey, padding: constants.RSA_PKCS1_PADDING }, raw),
    ).toBe(true);
  });

  it('encodes + / = as %2B %2F %3D (never base64url)', () => {
    // Sign varying content until each special character has appeared at least once.
    const seen = new Set<string>();
    for (let i = 0; i < 64 && seen.size < 3; i++) {
      const signature = signContent(Buffer.from(`content ${i}`), privateKey);
      for (const escape of ['%2B', '%2F', '%3D']) if (signature.includes(escape)) seen.add(escape);
      expect(signature).not.toMatch(/[-_+/=]/);
    }

    expect([...seen].sort()).toEqual(['%2B', '%2F', '%3D']);
  });

  it('is deterministic: same content and key give the same value', () => {
    expect(signContent(content, privateKey)).toBe(signContent(content, privateKey));
  });

  it('changes when one byte of the content changes', () => {
    const altered = Buffer.from(content);
    altered[altered.length - 3] ^= 0x01;

    expect(signContent(altered, privateKey)).not.toBe(signContent(content, privateKey));
    expect(verifyContent(altered, signContent(content, privateKey), publicKey)).toBe(false);
  });

  it('rejects a signature made with another key', () => {
    expect(verifyContent(content, signContent(content, privateKey), otherPublicKey)).toBe(false);
  });

  it('refuses to sign with a public key (configuration error, stable code)', () => {
    expect(() => signContent(content, publicKey)).toThrow(AlipayPlusError);
    expect(() => signContent(content, publicKey)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });

  it('refuses a non-RSA verification key instead of failing every message silently', () => {
    expect(() => verifyContent(content, 'abc', createSecretKey(Buffer.alloc(32)))).toThrow(
      expect.objectContaining({ code: 'KEY_INVALID' }),
    );
  });
});

describe('verifyContent decoding rules (protocol.md §1.8 b, c)', () => {
  it('accepts the vector signature as received (uppercase %2B %2F %3D)', () => {
    expect(verifyContent(vectorContent, vector.signature, vectorKey)).toBe(true);
  });

  it('accepts lowercase %2b %2f %3d', () => {
    const lower = vector.signature.replace(/%2B/g, '%2b').replace(/%2F/g, '%2f').replace(/%3D/g, '%3d');
    expect(lower).toMatch(/%2b/);

    expect(verifyContent(vectorContent, lower, vectorKey)).toBe(true);
  });

  it('tolerates a raw, un-encoded Base64 value and keeps its + (never + → space)', () => {
    const raw = decodeURIComponent(vector.signature);
    expect(raw).toContain('+');

    expect(verifyContent(vectorContent, raw, vectorKey)).toBe(true);
  });

  it('does not turn a literal + into a space when mixed with percent escapes', () => {
    const mixed = vector.signature.replace(/%2B/g, '+');
    expect(mixed).toContain('+');
    expect(mixed).toContain('%2F');

    expect(verifyContent(vectorContent, mixed, vectorKey)).toBe(true);
  });

  it('rejects a value where + was already form-decoded into a space', () => {
    const spaced = vector.signature.replace(/%2B/g, ' ');

    expect(verifyContent(vectorContent, spaced, vectorKey)).toBe(false);
  });

  it('rejects the base64url alphabet (§1.4: NOT base64url)', () => {
    const raw = decodeURIComponent(vector.signature);
    const base64url = raw.replace(/\+/g, '-').replace(/\//g, '_');

    expect(verifyContent(vectorContent, base64url, vectorKey)).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['whitespace', '   '],
    ['stray percent', '%zz' + vector.signature],
    ['percent at the end', vector.signature + '%'],
    ['not Base64', '!!!!'],
    ['wrong length', vector.signature.slice(0, 40)],
    ['double-encoded', vector.signature.replace(/%/g, '%25')],
    ['truncated Base64 length', decodeURIComponent(vector.signature).slice(0, 343)],
  ])('returns false (never throws) for a garbage value: %s', (_label, value) => {
    expect(verifyContent(vectorContent, value, vectorKey)).toBe(false);
  });

  it('returns false for a non-string value smuggled past the types', () => {
    expect(verifyContent(vectorContent, undefined as unknown as string, vectorKey)).toBe(false);
  });
});

describe('decodeSignatureValue', () => {
  it('decodes %xx in any case', () => {
    expect(decodeSignatureValue('ab%2bc%2FA%3d%3D')?.toString('base64')).toBe('ab+c/A==');
  });

  it('leaves a literal + alone', () => {
    expect(decodeSignatureValue('ab+c%2fA%3D%3D')?.toString('base64')).toBe('ab+c/A==');
  });

  it('returns null for a malformed value', () => {
    expect(decodeSignatureValue('ab%2')).toBeNull();
  });

  it('agrees with a byte-by-byte %xx decode on every escape and on mangled values', () => {
    // The decoder before issue 14, kept here as the reference.
    const reference = (value: string): Buffer | null => {
      const trimmed = value.trim();
      if (trimmed.length === 0 || /%(?![0-9A-Fa-f]{2})/.test(trimmed)) return null;
      const base64 = trimmed.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) =>
        String.fromCharCode(parseInt(hex, 16)),
      );
      if (base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return null;
      return Buffer.from(base64, 'base64');
    };
    const good = encodeURIComponent(Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString('base64'));
    const corpus = [
      good,
      good.toLowerCase(),
      decodeURIComponent(good),
      ` ${good} `,
      '',
      ' ',
      '%',
      '%%',
      'QUJD',
    ];
    for (let byte = 0; byte < 256; byte++) {
      const escape = `%${byte.toString(16).padStart(2, '0')}`;
      corpus.push(`QUJ${escape}`, `${escape}UJD`, `QU${escape}${escape.toUpperCase()}`, `QUJD${escape}==`);
    }
    // Multi-byte UTF-8 (valid, overlong, truncated) where Base64 expects ASCII.
    for (const seq of ['%C3%81', '%C1%81', '%E0%80%81', '%F0%9F%98%80', '%C3', '%ED%A0%80', '%EF%BB%BF']) {
      corpus.push(`QUJ${seq}`, `${seq}QUJD`, `QUJD${seq}`);
    }
    for (const value of corpus) {
      expect({ value, decoded: decodeSignatureValue(value)?.toString('hex') ?? null }).toEqual({
        value,
        decoded: reference(value)?.toString('hex') ?? null,
      });
    }
  });
});
