import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPrivateKey, signMessage, verifySignedMessage } from '@app/alipayplus';
import { generateTestKeyPair } from '@app/testing/keys';
import { ConfigError } from './load-config';
import { loadPartners } from './partners';

const ours = generateTestKeyPair();
const oursNext = generateTestKeyPair();
const theirsOld = generateTestKeyPair();
const theirsNew = generateTestKeyPair();
const env: NodeJS.ProcessEnv = {
  OUR_KEY: ours.privateKeyBase64,
  OUR_NEXT_KEY: oursNext.privateKeyBase64,
  THEIR_NEW_KEY: theirsNew.publicKeyBase64,
};
const partner = (over: Record<string, unknown> = {}) => ({
  clientId: 'C1',
  dialect: 'alipayplus',
  privateKeyEnv: 'OUR_KEY',
  ...over,
});
const load = (...partners: Record<string, unknown>[]) =>
  loadPartners({ PARTNERS_JSON: JSON.stringify(partners) }, env, 'test');
const problems = (...partners: Record<string, unknown>[]): string => {
  try {
    load(...partners);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

/** Signs like the partner would, and verifies with the keys the settings hold. */
const verifies = (
  keys: ReturnType<typeof load>[number]['peerPublicKeys'],
  privateKeyBase64: string,
  keyVersion?: string,
) => {
  const message = { path: '/n', clientId: 'C1', time: '2026-01-01T00:00:00Z', body: '{}' };
  const { signatureHeader } = signMessage({
    ...message,
    privateKey: loadPrivateKey(privateKeyBase64),
    keyVersion,
  });
  return verifySignedMessage({ ...message, rawBody: message.body, signatureHeader, publicKeys: keys });
};

describe('loadPartners: the single peer key of old settings (still valid)', () => {
  it('loads it as a versionless key that verifies whatever keyVersion a header names', () => {
    const [p] = load(partner({ peerPublicKey: theirsOld.publicKeyBase64 }));

    expect(p.peerPublicKeys).toHaveLength(1);
    expect(p.peerPublicKeys[0].keyVersion).toBeUndefined();
    expect(verifies(p.peerPublicKeys, theirsOld.privateKeyBase64, '5')).toMatchObject({ ok: true });
  });

  it('takes a peerKeyVersion for it', () => {
    const [p] = load(partner({ peerPublicKey: theirsOld.publicKeyBase64, peerKeyVersion: '1' }));

    expect(p.peerPublicKeys[0].keyVersion).toBe('1');
    expect(verifies(p.peerPublicKeys, theirsOld.privateKeyBase64, '2')).toEqual({
      ok: false,
      reason: 'UNKNOWN_KEY_VERSION',
      detail: '2',
    });
  });

  it('still refuses two sources for it', () => {
    expect(
      problems(partner({ peerPublicKey: theirsOld.publicKeyBase64, peerPublicKeyEnv: 'THEIR_NEW_KEY' })),
    ).toMatch(/at most one of peerPublicKey, peerPublicKeyFile, peerPublicKeyEnv/);
  });

  it('refuses a keyVersion a Signature header cannot carry', () => {
    expect(problems(partner({ peerPublicKey: theirsOld.publicKeyBase64, keyVersion: '1,x=2' }))).toMatch(
      /a keyVersion is 1-8 letters, digits/,
    );
  });

  it('requires some peer key', () => {
    expect(problems(partner())).toMatch(
      /one of peerPublicKey, peerPublicKeyFile, peerPublicKeyEnv or peerPublicKeys is required/,
    );
  });
});

describe('loadPartners: several peer keys, each with its keyVersion (issue 11 row 1)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'partners-spec-'));
  const oldKeyFile = join(dir, 'old.pub');
  writeFileSync(oldKeyFile, theirsOld.publicKeyBase64);
  const rotated = partner({
    peerPublicKeys: [
      { keyVersion: '1', publicKeyFile: oldKeyFile },
      { keyVersion: '2', publicKeyEnv: 'THEIR_NEW_KEY' },
    ],
  });

  it('verifies with the key each keyVersion names', () => {
    const [p] = load(rotated);

    expect(p.peerPublicKeys.map((k) => k.keyVersion)).toEqual(['1', '2']);
    expect(verifies(p.peerPublicKeys, theirsOld.privateKeyBase64, '1')).toMatchObject({ ok: true });
    expect(verifies(p.peerPublicKeys, theirsNew.privateKeyBase64, '2')).toMatchObject({ ok: true });
  });

  it('answers UNKNOWN_KEY_VERSION for a version not listed', () => {
    const [p] = load(rotated);

    expect(verifies(p.peerPublicKeys, theirsNew.privateKeyBase64, '3')).toMatchObject({
      ok: false,
      reason: 'UNKNOWN_KEY_VERSION',
    });
  });

  it('refuses a keyVersion given twice', () => {
    expect(
      problems(
        partner({
          peerPublicKey: theirsOld.publicKeyBase64,
          peerKeyVersion: '2',
          peerPublicKeys: [{ keyVersion: '2', publicKeyEnv: 'THEIR_NEW_KEY' }],
        }),
      ),
    ).toMatch(/each peer keyVersion may be given only once/);
  });

  it('refuses an entry with no key or two, and names a key that does not load, without its material', () => {
    expect(problems(partner({ peerPublicKeys: [{ keyVersion: '2' }] }))).toMatch(
      /exactly one of publicKey, publicKeyFile, publicKeyEnv/,
    );
    const message = problems(partner({ peerPublicKeys: [{ keyVersion: '2', publicKey: 'bm90IGEga2V5' }] }));
    expect(message).toMatch(/peer public key of keyVersion 2 is not a valid X.509/);
    expect(message).not.toContain('bm90IGEga2V5');
  });

  it('names an unset environment variable', () => {
    expect(problems(partner({ peerPublicKeys: [{ keyVersion: '2', publicKeyEnv: 'NOPE' }] }))).toMatch(
      /peer public key of keyVersion 2 environment variable NOPE is not set/,
    );
  });
});

describe('loadPartners: our current and next key (issue 11 row 3)', () => {
  const withNext = partner({
    peerPublicKey: theirsOld.publicKeyBase64,
    keyVersion: '1',
    nextKeyVersion: '2',
    nextPrivateKeyEnv: 'OUR_NEXT_KEY',
  });

  it('holds both, the current one for signing', () => {
    const [p] = load(withNext);

    expect(p.keyVersion).toBe('1');
    expect(p.privateKey).toBeDefined();
    expect(p.nextKey?.keyVersion).toBe('2');
    expect(p.nextKey?.privateKey.type).toBe('private');
  });

  it('switches by a reload of settings that make the next key the current one', () => {
    const [p] = load(
      partner({ peerPublicKey: theirsOld.publicKeyBase64, keyVersion: '2', privateKeyEnv: 'OUR_NEXT_KEY' }),
    );

    expect(p.keyVersion).toBe('2');
    expect(p.nextKey).toBeUndefined();
  });

  it.each([
    [{ nextKeyVersion: '2' }, /nextKeyVersion and nextPrivateKeyFile \(or nextPrivateKeyEnv\) go together/],
    [{ nextPrivateKeyEnv: 'OUR_NEXT_KEY' }, /go together/],
    [
      { nextKeyVersion: '1', nextPrivateKeyEnv: 'OUR_NEXT_KEY' },
      /nextKeyVersion must differ from keyVersion/,
    ],
    [
      { nextKeyVersion: '2', nextPrivateKeyEnv: 'OUR_NEXT_KEY', nextPrivateKeyFile: '/x' },
      /nextPrivateKeyFile or nextPrivateKeyEnv, not both/,
    ],
    [
      { nextKeyVersion: '2', nextPrivateKeyEnv: 'THEIR_NEW_KEY' },
      /the next private key is not a valid PKCS#8/,
    ],
  ])('refuses %j', (over, expected) => {
    expect(problems(partner({ peerPublicKey: theirsOld.publicKeyBase64, ...over }))).toMatch(expected);
  });
});
