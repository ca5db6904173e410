import { readFileSync } from 'fs';
import { KeyObject } from 'crypto';
import { z } from 'zod';
import { loadPrivateKey, loadPublicKey, Dialect } from '@app/alipayplus';
import { ConfigError } from './load-config';

/**
 * One partner (an Alipay+ or Antom client relationship). Shared by notify-gateway (verify
 * notifications, sign acks) and inquiry-poller (sign requests, verify responses).
 */
const PartnerSchema = z
  .strictObject({
    clientId: z.string().min(1).max(64),
    dialect: z.enum(['alipayplus', 'antom']),
    keyVersion: z.string().min(1).max(8).default('1'),
    /** Our private key (PKCS#8, PEM or bare Base64) from a file or an environment variable. */
    privateKeyFile: z.string().min(1).optional(),
    privateKeyEnv: z.string().min(1).optional(),
    /** Their public key (X.509 SPKI, PEM or bare Base64): inline (it is public), from a file or an environment variable. */
    peerPublicKey: z.string().min(1).optional(),
    peerPublicKeyFile: z.string().min(1).optional(),
    peerPublicKeyEnv: z.string().min(1).optional(),
    /** The notify URI as the partner signs it, when a proxy rewrites our path (protocol.md §1.7). */
    notifyPath: z.string().startsWith('/').optional(),
    /** Base URL of the partner's open API (inquiry, cancel), e.g. https://open-sea.alipayplus.com. */
    apiBaseUrl: z.url().optional(),
  })
  .refine((p) => [p.peerPublicKey, p.peerPublicKeyFile, p.peerPublicKeyEnv].filter(Boolean).length === 1, {
    message: 'exactly one of peerPublicKey, peerPublicKeyFile, peerPublicKeyEnv is required',
  })
  .refine((p) => !(p.privateKeyFile && p.privateKeyEnv), {
    message: 'give privateKeyFile or privateKeyEnv, not both',
  });

export interface Partner {
  clientId: string;
  dialect: Dialect;
  keyVersion: string;
  /** Absent only for an Antom partner, whose acks need no signature (protocol.md §1.7). */
  privateKey?: KeyObject;
  peerPublicKey: KeyObject;
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
    const privateMaterial = secret('private key', p.privateKeyFile, p.privateKeyEnv);
    const publicMaterial = secret(
      'peer public key',
      p.peerPublicKeyFile,
      p.peerPublicKeyEnv,
      p.peerPublicKey,
    );
    if (!privateMaterial && p.dialect === 'alipayplus' && !p.privateKeyFile && !p.privateKeyEnv) {
      problems.push(
        `${name}: privateKeyFile or privateKeyEnv is required (Alipay+ acks and requests are signed)`,
      );
    }
    let privateKey: KeyObject | undefined;
    let peerPublicKey: KeyObject | undefined;
    try {
      if (privateMaterial) privateKey = loadPrivateKey(privateMaterial);
    } catch {
      problems.push(`${name}: the private key is not a valid PKCS#8 RSA key`);
    }
    try {
      if (publicMaterial) peerPublicKey = loadPublicKey(publicMaterial);
    } catch {
      problems.push(`${name}: the peer public key is not a valid X.509 SubjectPublicKeyInfo RSA key`);
    }
    if (peerPublicKey) {
      partners.push({
        clientId: p.clientId,
        dialect: p.dialect,
        keyVersion: p.keyVersion,
        privateKey,
        peerPublicKey,
        notifyPath: p.notifyPath,
        apiBaseUrl: p.apiBaseUrl,
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(app, problems);
  return partners;
}
