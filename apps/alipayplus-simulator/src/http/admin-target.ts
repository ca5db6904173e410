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
      const { privateKey, keyVersion } = (request ?? {}) as { privateKey?: unknown; keyVersion?: unknown };
      let key: KeyObject;
      try {
        key = loadPrivateKey(String(privateKey));
      } catch {
        throw new SimulatorError('INVALID_OPTIONS', 'privateKey is not a PKCS#8/PKCS#1 RSA private key');
      }
      sim.rotateSigningKey(clientId, key, keyVersion as string);
      return { clientId, keyVersion: keyVersion as string };
    },
    addAcquirerKey: (clientId, request) => {
      const { publicKey, keyVersion } = (request ?? {}) as { publicKey?: unknown; keyVersion?: unknown };
      let key: KeyObject;
      try {
        key = loadPublicKey(String(publicKey));
      } catch {
        throw new SimulatorError('INVALID_OPTIONS', 'publicKey is not an X.509 SPKI/PKCS#1 RSA public key');
      }
      sim.addAcquirerKey(clientId, key, keyVersion as string);
      return { clientId, keyVersion: keyVersion as string };
    },
    idle: () => sim.idle(),
  };
}
