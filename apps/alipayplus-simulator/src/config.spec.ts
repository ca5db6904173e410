import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@app/config';
import { loadSimulatorConfig } from './config';

const simulatorKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const acquirerKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = simulatorKeys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const acquirerPublicBase64 = acquirerKeys.publicKey
  .export({ format: 'der', type: 'spki' })
  .toString('base64');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sim-config-'));
  writeFileSync(join(dir, 'sim.pem'), privatePem);
  writeFileSync(join(dir, 'acquirer.pub'), acquirerPublicBase64);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function partnersFile(partners: unknown): string {
  const file = join(dir, 'partners.json');
  writeFileSync(file, JSON.stringify(partners));
  return file;
}

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadSimulatorConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadSimulatorConfig', () => {
  it('takes the keyVersion the simulator signs with, and refuses one a Signature header cannot carry', () => {
    const entry = { clientId: 'ACQ-1', dialect: 'alipayplus', privateKeyFile: 'sim.pem' };
    const withVersion = (keyVersion: string) =>
      partnersFile([{ ...entry, acquirerPublicKey: acquirerPublicBase64, keyVersion }]);

    expect(loadSimulatorConfig({ SIM_PARTNERS_FILE: withVersion('2') }).partners[0].keyVersion).toBe('2');
    expect(configError({ SIM_PARTNERS_FILE: withVersion('a,b') }).message).toMatch(/keyVersion/);
  });

  it('loads partners with key paths relative to the partners file, and applies defaults', () => {
    const file = partnersFile([
      {
        clientId: 'ACQ-1',
        dialect: 'alipayplus',
        privateKeyFile: 'sim.pem',
        acquirerPublicKeyFile: 'acquirer.pub',
        notifyUrl: 'http://127.0.0.1:3001/alipayplus/notify',
      },
      {
        clientId: 'MERCHANT-1',
        dialect: 'antom',
        privateKeyFile: 'sim.pem',
        acquirerPublicKey: acquirerPublicBase64,
      },
    ]);
    const config = loadSimulatorConfig({ SIM_PARTNERS_FILE: file });
    expect(config).toMatchObject({ port: 3100, host: '127.0.0.1', timeScale: 1, seed: 1 });
    expect(config.chaos.notifyDropRate).toBe(0);
    expect(config.partners.map((p) => [p.clientId, p.dialect, p.notifyUrl])).toEqual([
      ['ACQ-1', 'alipayplus', 'http://127.0.0.1:3001/alipayplus/notify'],
      ['MERCHANT-1', 'antom', undefined],
    ]);
    expect(config.partners[0].privateKey.type).toBe('private');
    expect(config.partners[1].acquirerPublicKey.type).toBe('public');
  });

  it('reads SIM_PORT, SIM_TIME_SCALE, SIM_SEED and SIM_CHAOS_JSON', () => {
    const file = partnersFile([
      { clientId: 'A', dialect: 'antom', privateKeyFile: 'sim.pem', acquirerPublicKeyFile: 'acquirer.pub' },
    ]);
    const config = loadSimulatorConfig({
      SIM_PARTNERS_FILE: file,
      SIM_PORT: '0',
      SIM_TIME_SCALE: '60',
      SIM_SEED: '42',
      SIM_CHAOS_JSON: '{"notifyDropRate":0.25,"latencyMs":[5,50]}',
    });
    expect(config).toMatchObject({ port: 0, timeScale: 60, seed: 42 });
    expect(config.chaos).toMatchObject({ notifyDropRate: 0.25, latencyMs: [5, 50], http5xxRate: 0 });
  });

  it('takes SIM_HOST as an address and names a bad one', () => {
    const file = partnersFile([
      { clientId: 'A', dialect: 'antom', privateKeyFile: 'sim.pem', acquirerPublicKeyFile: 'acquirer.pub' },
    ]);
    expect(loadSimulatorConfig({ SIM_PARTNERS_FILE: file, SIM_HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(configError({ SIM_PARTNERS_FILE: file, SIM_HOST: 'http://0.0.0.0' }).message).toContain(
      'SIM_HOST is invalid',
    );
  });

  it('fails fast naming SIM_PARTNERS_FILE when it is missing', () => {
    expect(configError({}).message).toContain('SIM_PARTNERS_FILE is required but not set');
  });

  it('names a bad SIM_TIME_SCALE and a bad SIM_CHAOS_JSON', () => {
    const file = partnersFile([
      { clientId: 'A', dialect: 'antom', privateKeyFile: 'sim.pem', acquirerPublicKeyFile: 'acquirer.pub' },
    ]);
    expect(configError({ SIM_PARTNERS_FILE: file, SIM_TIME_SCALE: '0' }).message).toContain('SIM_TIME_SCALE');
    expect(configError({ SIM_PARTNERS_FILE: file, SIM_CHAOS_JSON: '{"http5xxRate":2}' }).message).toMatch(
      /SIM_CHAOS_JSON.*http5xxRate/,
    );
    expect(configError({ SIM_PARTNERS_FILE: file, SIM_CHAOS_JSON: '{nope' }).message).toContain(
      'SIM_CHAOS_JSON',
    );
  });

  it('names the partner and the setting for unreadable or wrong keys, without echoing key material', () => {
    writeFileSync(join(dir, 'public-as-private.pem'), acquirerPublicBase64);
    const file = partnersFile([
      {
        clientId: 'A',
        dialect: 'antom',
        privateKeyFile: 'missing.pem',
        acquirerPublicKeyFile: 'acquirer.pub',
      },
      {
        clientId: 'B',
        dialect: 'alipayplus',
        privateKeyFile: 'public-as-private.pem',
        acquirerPublicKeyFile: 'acquirer.pub',
      },
    ]);
    const error = configError({ SIM_PARTNERS_FILE: file });
    expect(error.problems).toEqual([
      'partner A: privateKeyFile missing.pem cannot be read',
      'partner B: privateKeyFile does not hold a PKCS#8/PKCS#1 RSA private key',
    ]);
    expect(error.message).not.toContain(acquirerPublicBase64.slice(0, 40));
  });

  it('refuses a partner with both or neither acquirer key setting, and a duplicate clientId', () => {
    const both = partnersFile([
      {
        clientId: 'A',
        dialect: 'antom',
        privateKeyFile: 'sim.pem',
        acquirerPublicKey: acquirerPublicBase64,
        acquirerPublicKeyFile: 'acquirer.pub',
      },
    ]);
    expect(configError({ SIM_PARTNERS_FILE: both }).message).toContain(
      'exactly one of acquirerPublicKey, acquirerPublicKeyFile',
    );
    const neither = partnersFile([{ clientId: 'A', dialect: 'antom', privateKeyFile: 'sim.pem' }]);
    expect(configError({ SIM_PARTNERS_FILE: neither }).message).toContain(
      'exactly one of acquirerPublicKey, acquirerPublicKeyFile',
    );
    const twice = partnersFile([
      { clientId: 'A', dialect: 'antom', privateKeyFile: 'sim.pem', acquirerPublicKeyFile: 'acquirer.pub' },
      { clientId: 'A', dialect: 'antom', privateKeyFile: 'sim.pem', acquirerPublicKeyFile: 'acquirer.pub' },
    ]);
    expect(configError({ SIM_PARTNERS_FILE: twice }).problems).toEqual(['partner A is listed twice']);
  });
});
