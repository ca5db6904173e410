import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { DIALECTS, loadPrivateKey, loadPublicKey } from '@app/alipayplus';
import { ConfigError, hostSetting, loadConfig, portSetting } from '@app/config';
import { mergeChaos, NO_CHAOS } from './chaos/chaos-settings';
import { SimulatorError } from './errors';
import type { ChaosSettings, SimulatorPartner } from './types';

const APP = 'alipayplus-simulator';

/** The environment of the standalone simulator, validated at boot (house rule: fail fast, name the setting). */
export const SimulatorSettings = z.object({
  SIM_PORT: portSetting(3100).describe(
    'The port of the simulated partner API and its admin API; 0 picks a free one (the URL is logged).',
  ),
  SIM_HOST: hostSetting('127.0.0.1').meta({
    description:
      'The address the simulator listens on. 127.0.0.1 by default: the admin API has no authentication. Use 0.0.0.0 only inside a container.',
    values: 'IP address or hostname',
  }),
  SIM_PARTNERS_FILE: z
    .string()
    .min(1)
    .describe(
      'A JSON array of {clientId, dialect, privateKeyFile, keyVersion?, acquirerPublicKey | acquirerPublicKeyFile, notifyUrl?} (apps/alipayplus-simulator/README.md); relative paths are relative to this file.',
    ),
  SIM_TIME_SCALE: z.coerce
    .number()
    .positive()
    .finite()
    .default(1)
    .describe(
      'Simulated ms per real ms (timelines, notification delays and retries): 60 makes a simulated minute last a real second.',
    ),
  SIM_SEED: z.coerce
    .number()
    .int()
    .default(1)
    .describe('Seeds all chaos and generated ids: a run repeats with the same seed.'),
  SIM_CHAOS_JSON: z.string().min(2).optional().meta({
    description: 'Chaos at start, as partial ChaosSettings, e.g. {"notifyDropRate":0.1,"latencyMs":[5,50]}.',
    values: 'JSON object',
  }),
});

/** One entry of SIM_PARTNERS_FILE. The simulator's own private key is never inline: it comes from a file. */
const PartnerFileSchema = z
  .strictObject({
    clientId: z.string().min(1).max(64),
    dialect: z.enum(DIALECTS),
    /** The simulator's (Alipay+'s) private key: PKCS#8, PEM or bare Base64 (protocol.md §1.4). */
    privateKeyFile: z.string().min(1),
    /** The keyVersion its Signature headers name (default 1); POST /sim/partners/:clientId/signing-key rotates both. */
    keyVersion: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,8}$/)
      .optional(),
    /** The acquirer's public key, inline (it is public) or from a file: X.509 SPKI, PEM or bare Base64. */
    acquirerPublicKey: z.string().min(1).optional(),
    acquirerPublicKeyFile: z.string().min(1).optional(),
    notifyUrl: z.url({ protocol: /^https?$/ }).optional(),
  })
  .refine((p) => (p.acquirerPublicKey === undefined) !== (p.acquirerPublicKeyFile === undefined), {
    message: 'exactly one of acquirerPublicKey, acquirerPublicKeyFile is required',
  });

export interface SimulatorConfig {
  port: number;
  host: string;
  timeScale: number;
  seed: number;
  chaos: ChaosSettings;
  partners: SimulatorPartner[];
}

/** Reads and checks everything at boot; errors name the setting or partner, never key material. */
export function loadSimulatorConfig(env: NodeJS.ProcessEnv = process.env): SimulatorConfig {
  const settings = loadConfig(APP, SimulatorSettings, env);
  return {
    port: settings.SIM_PORT,
    host: settings.SIM_HOST,
    timeScale: settings.SIM_TIME_SCALE,
    seed: settings.SIM_SEED,
    chaos: parseChaos(settings.SIM_CHAOS_JSON),
    partners: loadPartnersFile(settings.SIM_PARTNERS_FILE),
  };
}

function parseChaos(json: string | undefined): ChaosSettings {
  if (json === undefined) return { ...NO_CHAOS };
  try {
    return mergeChaos({ ...NO_CHAOS }, JSON.parse(json));
  } catch (error) {
    const reason = error instanceof SimulatorError ? error.message : 'not valid JSON';
    throw new ConfigError(APP, [`SIM_CHAOS_JSON is invalid: ${reason}`]);
  }
}

function loadPartnersFile(file: string): SimulatorPartner[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? 'not valid JSON' : 'cannot be read';
    throw new ConfigError(APP, [`SIM_PARTNERS_FILE (${file}) ${reason}`]);
  }
  const parsed = z.array(PartnerFileSchema).min(1).safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(APP, [`SIM_PARTNERS_FILE (${file}): ${z.prettifyError(parsed.error)}`]);
  }
  const base = dirname(resolve(file));
  const problems: string[] = [];
  const partners: SimulatorPartner[] = [];
  const seen = new Set<string>();
  for (const entry of parsed.data) {
    const name = `partner ${entry.clientId}`;
    if (seen.has(entry.clientId)) problems.push(`${name} is listed twice`);
    seen.add(entry.clientId);
    const read = (label: string, path: string): string | undefined => {
      try {
        return readFileSync(resolve(base, path), 'utf8');
      } catch {
        problems.push(`${name}: ${label} ${path} cannot be read`);
        return undefined;
      }
    };
    const privateMaterial = read('privateKeyFile', entry.privateKeyFile);
    const publicMaterial =
      entry.acquirerPublicKey ??
      (entry.acquirerPublicKeyFile ? read('acquirerPublicKeyFile', entry.acquirerPublicKeyFile) : undefined);
    let privateKey: SimulatorPartner['privateKey'] | undefined;
    let acquirerPublicKey: SimulatorPartner['acquirerPublicKey'] | undefined;
    try {
      if (privateMaterial !== undefined) privateKey = loadPrivateKey(privateMaterial);
    } catch {
      problems.push(`${name}: privateKeyFile does not hold a PKCS#8/PKCS#1 RSA private key`);
    }
    try {
      if (publicMaterial !== undefined) acquirerPublicKey = loadPublicKey(publicMaterial);
    } catch {
      problems.push(`${name}: the acquirer public key is not an X.509 SPKI/PKCS#1 RSA public key`);
    }
    if (privateKey && acquirerPublicKey) {
      partners.push({
        clientId: entry.clientId,
        dialect: entry.dialect,
        privateKey,
        ...(entry.keyVersion !== undefined ? { keyVersion: entry.keyVersion } : {}),
        acquirerPublicKey,
        ...(entry.notifyUrl !== undefined ? { notifyUrl: entry.notifyUrl } : {}),
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(APP, problems);
  return partners;
}
