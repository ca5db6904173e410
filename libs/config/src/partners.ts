import { readFileSync } from 'fs';
import { KeyObject } from 'crypto';
import { z } from 'zod';
import { dialectSpec, DIALECTS, loadPrivateKey, loadPublicKey, Dialect } from '@app/alipayplus';
import { ConfigError } from './load-config';

/** A keyVersion as a Signature header carries it (`…,keyVersion=<v>,…`): no comma, space or `=`. */
const KeyVersionSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,8}$/, 'a keyVersion is 1-8 letters, digits, . _ -');

/** One of the partner's public keys, with the keyVersion its Signature headers name (protocol.md §1.5). */
const PeerKeySchema = z
  .strictObject({
    keyVersion: KeyVersionSchema,
    /** X.509 SPKI, PEM or bare Base64: inline (it is public), from a file or an environment variable. */
    publicKey: z.string().min(1).optional(),
    publicKeyFile: z.string().min(1).optional(),
    publicKeyEnv: z.string().min(1).optional(),
  })
  .refine((k) => [k.publicKey, k.publicKeyFile, k.publicKeyEnv].filter(Boolean).length === 1, {
    message: 'each peerPublicKeys entry needs exactly one of publicKey, publicKeyFile, publicKeyEnv',
  });

/**
 * One partner (an Alipay+ or Antom client relationship). Shared by notify-gateway (verify
 * notifications, sign acks) and inquiry-poller (sign requests, verify responses).
 */
const PartnerSchema = z
  .strictObject({
    clientId: z.string().min(1).max(64),
    dialect: z.enum(DIALECTS),
    /** The keyVersion of our current private key: named in the Signature header of what we sign. */
    keyVersion: KeyVersionSchema.default('1'),
    /** Our current private key (PKCS#8, PEM or bare Base64) from a file or an environment variable. */
    privateKeyFile: z.string().min(1).optional(),
    privateKeyEnv: z.string().min(1).optional(),
    /**
     * Our next private key and its keyVersion (issue 11 row 3): checked at every load, never used to
     * sign. Switching is a settings reload that makes it the current key.
     */
    nextKeyVersion: KeyVersionSchema.optional(),
    nextPrivateKeyFile: z.string().min(1).optional(),
    nextPrivateKeyEnv: z.string().min(1).optional(),
    /**
     * Their public key (X.509 SPKI, PEM or bare Base64): inline (it is public), from a file or an
     * environment variable. Without peerKeyVersion it verifies whatever keyVersion a header names,
     * unless a peerPublicKeys entry is declared for that version.
     */
    peerPublicKey: z.string().min(1).optional(),
    peerPublicKeyFile: z.string().min(1).optional(),
    peerPublicKeyEnv: z.string().min(1).optional(),
    peerKeyVersion: KeyVersionSchema.optional(),
    /** Their active public keys, each with its keyVersion (a key rotation keeps the old one a while). */
    peerPublicKeys: z.array(PeerKeySchema).min(1).optional(),
    /** The notify URI as the partner signs it, when a proxy rewrites our path (protocol.md §1.7). */
    notifyPath: z.string().startsWith('/').optional(),
    /** Base URL of the partner's open API (inquiry, cancel), e.g. https://open-sea.alipayplus.com. */
    apiBaseUrl: z.url().optional(),
  })
  .refine((p) => [p.peerPublicKey, p.peerPublicKeyFile, p.peerPublicKeyEnv].filter(Boolean).length <= 1, {
    message: 'give at most one of peerPublicKey, peerPublicKeyFile, peerPublicKeyEnv',
  })
  .refine((p) => [p.peerPublicKey, p.peerPublicKeyFile, p.peerPublicKeyEnv, p.peerPublicKeys].some(Boolean), {
    message: 'one of peerPublicKey, peerPublicKeyFile, peerPublicKeyEnv or peerPublicKeys is required',
  })
  .refine(
    (p) =>
      p.peerKeyVersion === undefined ||
      [p.peerPublicKey, p.peerPublicKeyFile, p.peerPublicKeyEnv].some(Boolean),
    { message: 'peerKeyVersion names the version of peerPublicKey(File|Env), which is not given' },
  )
  .refine(
    (p) => {
      const versions = [
        ...(p.peerKeyVersion !== undefined ? [p.peerKeyVersion] : []),
        ...(p.peerPublicKeys ?? []).map((k) => k.keyVersion),
      ];
      return new Set(versions).size === versions.length;
    },
    { message: 'each peer keyVersion may be given only once (peerKeyVersion and peerPublicKeys)' },
  )
  .refine((p) => !(p.privateKeyFile && p.privateKeyEnv), {
    message: 'give privateKeyFile or privateKeyEnv, not both',
  })
  .refine((p) => !(p.nextPrivateKeyFile && p.nextPrivateKeyEnv), {
    message: 'give nextPrivateKeyFile or nextPrivateKeyEnv, not both',
  })
  .refine((p) => (p.nextKeyVersion === undefined) === !(p.nextPrivateKeyFile || p.nextPrivateKeyEnv), {
    message: 'nextKeyVersion and nextPrivateKeyFile (or nextPrivateKeyEnv) go together',
  })
  .refine((p) => p.nextKeyVersion === undefined || p.nextKeyVersion !== p.keyVersion, {
    message: 'nextKeyVersion must differ from keyVersion',
  });

/** A public key of the partner; without a keyVersion it is the catch-all single key of old settings. */
export interface PeerPublicKey {
  keyVersion?: string;
  publicKey: KeyObject;
}

export interface Partner {
  clientId: string;
  dialect: Dialect;
  /** The keyVersion of `privateKey`, named in the Signature header of everything we sign. */
  keyVersion: string;
  /** Our current key. Absent only for a partner whose acks need no signature (Antom, protocol.md §1.7). */
  privateKey?: KeyObject;
  /** Our next key, checked and held for a switch; never used to sign. */
  nextKey?: { keyVersion: string; privateKey: KeyObject };
  /** The partner's active keys: a signature is checked with the one its keyVersion names (row 1). */
  peerPublicKeys: readonly PeerPublicKey[];
  notifyPath?: string;
  apiBaseUrl?: string;
}

export interface PartnerSource {
  PARTNERS_JSON?: string;
  PARTNERS_FILE?: string;
}

/** Loads and checks every partner at boot; errors name the partner and the setting, never key material. */
export function loadPartners(
  source: PartnerSource,
  env: NodeJS.ProcessEnv = process.env,
  app = 'partners',
): Partner[] {
  const where =
    source.PARTNERS_JSON !== undefined ? 'PARTNERS_JSON' : `PARTNERS_FILE (${source.PARTNERS_FILE})`;
  let json: unknown;
  try {
    json = JSON.parse(source.PARTNERS_JSON ?? readFileSync(source.PARTNERS_FILE!, 'utf8'));
  } catch (err) {
    throw new ConfigError(app, [`${where} is not readable JSON: ${(err as Error).message}`]);
  }
  const parsed = z.array(PartnerSchema).min(1).safeParse(json);
  if (!parsed.success) throw new ConfigError(app, [`${where}: ${z.prettifyError(parsed.error)}`]);

  const problems: string[] = [];
  const partners: Partner[] = [];
  const seen = new Set<string>();
  for (const p of parsed.data) {
    const name = `partner ${p.dialect}/${p.clientId}`;
    if (seen.has(`${p.dialect}:${p.clientId}`)) problems.push(`${name} is listed twice`);
    seen.add(`${p.dialect}:${p.clientId}`);
    const secret = (label: string, file?: string, envName?: string, inline?: string): string | undefined => {
      if (inline) return inline;
      if (file) {
        try {
          return readFileSync(file, 'utf8');
        } catch {
          problems.push(`${name}: ${label} file ${file} cannot be read`);
          return undefined;
        }
      }
      if (envName) {
        const v = env[envName];
        if (!v) problems.push(`${name}: ${label} environment variable ${envName} is not set`);
        return v;
      }
      return undefined;
    };
    const privateKeyFrom = (material: string | undefined, label: string): KeyObject | undefined => {
      if (!material) return undefined;
      try {
        return loadPrivateKey(material);
      } catch {
        problems.push(`${name}: the ${label} is not a valid PKCS#8 RSA key`);
        return undefined;
      }
    };
    const privateKey = privateKeyFrom(
      secret('private key', p.privateKeyFile, p.privateKeyEnv),
      'private key',
    );
    const spec = dialectSpec(p.dialect);
    if (!privateKey && spec.ack.signature === 'required' && !p.privateKeyFile && !p.privateKeyEnv) {
      problems.push(
        `${name}: privateKeyFile or privateKeyEnv is required (${spec.title} acks and requests are signed)`,
      );
    }
    const nextPrivateKey = privateKeyFrom(
      secret('next private key', p.nextPrivateKeyFile, p.nextPrivateKeyEnv),
      'next private key',
    );
    const peerPublicKeys: PeerPublicKey[] = [];
    let peerKeysOk = true;
    const addPeerKey = (label: string, material: string | undefined, keyVersion?: string) => {
      if (!material) {
        peerKeysOk = false;
        return;
      }
      try {
        peerPublicKeys.push({
          ...(keyVersion !== undefined ? { keyVersion } : {}),
          publicKey: loadPublicKey(material),
        });
      } catch {
        peerKeysOk = false;
        problems.push(`${name}: the ${label} is not a valid X.509 SubjectPublicKeyInfo RSA key`);
      }
    };
    if (p.peerPublicKey || p.peerPublicKeyFile || p.peerPublicKeyEnv) {
      addPeerKey(
        'peer public key',
        secret('peer public key', p.peerPublicKeyFile, p.peerPublicKeyEnv, p.peerPublicKey),
        p.peerKeyVersion,
      );
    }
    for (const k of p.peerPublicKeys ?? []) {
      const label = `peer public key of keyVersion ${k.keyVersion}`;
      addPeerKey(label, secret(label, k.publicKeyFile, k.publicKeyEnv, k.publicKey), k.keyVersion);
    }
    if (peerKeysOk) {
      partners.push({
        clientId: p.clientId,
        dialect: p.dialect,
        keyVersion: p.keyVersion,
        privateKey,
        ...(nextPrivateKey && p.nextKeyVersion !== undefined
          ? { nextKey: { keyVersion: p.nextKeyVersion, privateKey: nextPrivateKey } }
          : {}),
        peerPublicKeys,
        notifyPath: p.notifyPath,
        apiBaseUrl: p.apiBaseUrl,
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(app, problems);
  return partners;
}
