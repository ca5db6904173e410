import type { KeyObject } from 'node:crypto';
import { loadPrivateKey, loadPublicKey } from '@app/alipayplus';
import { SimulatorError } from '../errors';
import type { ChaosSettings, PaymentScript, SimulatorStats, TruthView } from '../types';
import type { AdminTarget } from './admin-handler';

/** The simulator as the admin API drives it: its public methods, keys given as objects. */
export interface AdminSimulator {
  createPayment(script: PaymentScript): TruthView;
  truth(paymentRequestId: string): TruthView | undefined;
  allTruths(): TruthView[];
  stats(): SimulatorStats;
  setChaos(chaos: Partial<ChaosSettings>): void;
  rotateSigningKey(clientId: string, privateKey: KeyObject, keyVersion: string): void;
  addAcquirerKey(clientId: string, publicKey: KeyObject, keyVersion: string): void;
  idle(): Promise<void>;
}

const ROTATED_KEY_ERROR = 'privateKey is not a PKCS#8/PKCS#1 RSA private key';
const ADDED_KEY_ERROR = 'publicKey is not an X.509 SPKI/PKCS#1 RSA public key';

/** `{ <field>: PEM or Base64, keyVersion }` → the key (checked by the simulator with its keyVersion). */
function keyOf(
  request: unknown,
  field: 'privateKey' | 'publicKey',
  load: (material: string) => KeyObject,
  error: string,
): { key: KeyObject; keyVersion: string } {
  const body = (request ?? {}) as Record<string, unknown>;
  try {
    return { key: load(String(body[field])), keyVersion: body.keyVersion as string };
  } catch {
    throw new SimulatorError('INVALID_OPTIONS', error);
  }
}

/** Adapts the simulator to the admin API: keys arrive as PEM or Base64 text, and are never answered back. */
export function adminTarget(sim: AdminSimulator, chaosSettings: () => ChaosSettings): AdminTarget {
  return {
    createPayment: (script) => sim.createPayment(script),
    truth: (id) => sim.truth(id),
    allTruths: () => sim.allTruths(),
    stats: () => sim.stats(),
    chaos: () => {
      const chaos = chaosSettings();
      return { ...chaos, latencyMs: [...chaos.latencyMs] as [number, number] };
    },
    setChaos: (chaos) => sim.setChaos(chaos),
    rotateSigningKey: (clientId, request) => {
      const { key, keyVersion } = keyOf(request, 'privateKey', loadPrivateKey, ROTATED_KEY_ERROR);
      sim.rotateSigningKey(clientId, key, keyVersion);
      return { clientId, keyVersion };
    },
    addAcquirerKey: (clientId, request) => {
      const { key, keyVersion } = keyOf(request, 'publicKey', loadPublicKey, ADDED_KEY_ERROR);
      sim.addAcquirerKey(clientId, key, keyVersion);
      return { clientId, keyVersion };
    },
    idle: () => sim.idle(),
  };
}
