import { generateKeyPairSync } from 'crypto';

export interface TestKeyPair {
  /** Base64 PKCS#8 DER, the format Alipay+ hands out. */
  privateKeyBase64: string;
  /** Base64 X.509 SubjectPublicKeyInfo DER. */
  publicKeyBase64: string;
}

/** A fresh RSA-2048 pair for a test; no key material is ever committed. */
export function generateTestKeyPair(): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyBase64: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    publicKeyBase64: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}
