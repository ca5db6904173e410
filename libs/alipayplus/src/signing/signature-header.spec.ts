import { formatSignatureHeader, parseSignatureHeader } from './signature-header';

const encoded = 'Sdx0Jw%2BVSx%2FpC%3D%3D';

describe('parseSignatureHeader (protocol.md §1.1, §1.5)', () => {
  it.each([
    ['SDK form, no spaces', `algorithm=RSA256,keyVersion=1,signature=${encoded}`, 'RSA256', '1'],
    ['doc form, spaces after commas', `algorithm=RSA256, keyVersion=1, signature=${encoded}`, 'RSA256', '1'],
    [
      'keyVersion=0 (some Alipay+ pages)',
      `algorithm=RSA256,keyVersion=0,signature=${encoded}`,
      'RSA256',
      '0',
    ],
    ['reordered keys', `signature=${encoded}, keyVersion=2, algorithm=RSA256`, 'RSA256', '2'],
    ['upper-case keys', `ALGORITHM=RSA256,KEYVERSION=3,SIGNATURE=${encoded}`, 'RSA256', '3'],
    ['surrounding whitespace', `  algorithm=RSA256 ,  keyVersion=1 ,  signature=${encoded}  `, 'RSA256', '1'],
  ])('parses the %s', (_label, header, algorithm, keyVersion) => {
    expect(parseSignatureHeader(header)).toEqual({ algorithm, keyVersion, signature: encoded });
  });

  it('keeps = padding of an un-encoded value (pitfall §1.8 e)', () => {
    expect(parseSignatureHeader('algorithm=RSA256,keyVersion=1,signature=ab+c/d==')?.signature).toBe(
      'ab+c/d==',
    );
  });

  it('takes the value after the literal "signature=" even when it is the only key', () => {
    expect(parseSignatureHeader(`signature=${encoded}`)).toEqual({ signature: encoded });
  });

  it('does not mistake a key that merely ends in "signature" for the signature', () => {
    expect(parseSignatureHeader(`xsignature=zzz,signature=${encoded}`)?.signature).toBe(encoded);
  });

  it.each([
    ['undefined', undefined],
    ['empty', ''],
    ['blank', '   '],
    ['no signature key', 'algorithm=RSA256,keyVersion=1'],
    ['empty signature value', 'algorithm=RSA256,keyVersion=1,signature='],
    ['blank signature value followed by another key', 'signature= ,keyVersion=1'],
  ])('returns null when the signature is absent: %s', (_label, header) => {
    expect(parseSignatureHeader(header)).toBeNull();
  });
});

describe('formatSignatureHeader (protocol.md §1.5)', () => {
  it('emits the SDK form with keyVersion 1 by default', () => {
    expect(formatSignatureHeader({ signature: encoded })).toBe(
      `algorithm=RSA256,keyVersion=1,signature=${encoded}`,
    );
  });

  it('uses the given keyVersion', () => {
    expect(formatSignatureHeader({ keyVersion: '0', signature: encoded })).toBe(
      `algorithm=RSA256,keyVersion=0,signature=${encoded}`,
    );
  });

  it('round-trips through parseSignatureHeader', () => {
    const header = formatSignatureHeader({ keyVersion: '7', signature: encoded });

    expect(parseSignatureHeader(header)).toEqual({
      algorithm: 'RSA256',
      keyVersion: '7',
      signature: encoded,
    });
  });
});
