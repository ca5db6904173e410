import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import { KeyLoadError } from '../errors';

/*
 * Key material arrives from configuration in the shapes the official SDKs use (protocol.md §1.4):
 * the merchant/ACQP private key as Base64 of PKCS#8 DER, the peer public key as Base64 of X.509
 * SubjectPublicKeyInfo DER. PEM is accepted too. Error messages never echo the material, and the
 * underlying OpenSSL error is not attached, so a logged error cannot leak a key.
 */

interface PemBlock {
  readonly label: string;
  readonly headers: boolean;
  readonly der: Buffer;
}

const PEM_PATTERN = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;

/** Removes whitespace and literal `\n` sequences (keys pasted into env files often carry them escaped). */
function compact(material: string): string {
  return material.replace(/\\[nr]/g, '').replace(/\s+/g, '');
}

function decodeBase64Strict(text: string): Buffer | null {
  if (text.length === 0 || text.length % 4 !== 0 || !BASE64_PATTERN.test(text)) return null;
  return Buffer.from(text, 'base64');
}

function parsePem(material: string): PemBlock | null {
  const match = PEM_PATTERN.exec(material.replace(/\\n/g, '\n'));
  if (!match) return null;
  const inner = match[2];
  // RFC 1421 headers such as `Proc-Type: 4,ENCRYPTED` mark a legacy encrypted key.
  const headers = /^[ \t]*[A-Za-z-]+:/m.test(inner);
  const der = decodeBase64Strict(compact(inner.replace(/^[ \t]*[A-Za-z-]+:.*$/gm, '')));
  if (!der) throw new KeyLoadError('KEY_INVALID', `PEM block "${match[1]}" does not contain valid Base64`);
  return { label: match[1], headers, der };
}

function requireMaterial(material: string, kind: string): string {
  if (typeof material !== 'string' || material.trim().length === 0) {
    throw new KeyLoadError('KEY_EMPTY', `${kind} key material is empty`);
  }
  return material.trim();
}

function firstThatParses(attempts: ReadonlyArray<() => KeyObject>): KeyObject | null {
  for (const attempt of attempts) {
    try {
      return attempt();
    } catch {
      // Expected when the DER is in a different structure; the next encoding is tried and the
      // caller raises KEY_INVALID when none fits.
    }
  }
  return null;
}

function requireRsa(key: KeyObject, kind: string): KeyObject {
  // SHA256withRSA PKCS#1 v1.5 is the only algorithm of the protocol (§1.4); an EC or RSA-PSS key
  // would fail at signing time with an opaque error, so it is rejected when loaded.
  if (key.asymmetricKeyType !== 'rsa') {
    throw new KeyLoadError(
      'KEY_UNSUPPORTED',
      `${kind} key is ${key.asymmetricKeyType ?? 'unknown'}, RSA required`,
    );
  }
  return key;
}

/**
 * Loads the private key used to sign our requests and acks. Accepts:
 * - PEM `BEGIN PRIVATE KEY` (PKCS#8) or `BEGIN RSA PRIVATE KEY` (PKCS#1). Both structures are tried under
 *   either label, because the Python SDK wraps PKCS#8 material in RSA markers (pitfall §1.8 f);
 * - bare Base64 PKCS#8 DER (the SDK/console format, §1.4), or PKCS#1 DER; whitespace tolerated.
 * Encrypted keys are rejected with KEY_UNSUPPORTED (there is no passphrase to give).
 */
export function loadPrivateKey(material: string): KeyObject {
  const text = requireMaterial(material, 'private');
  let der: Buffer | null;
  if (text.includes('-----BEGIN')) {
    const pem = parsePem(text);
    if (!pem) throw new KeyLoadError('KEY_INVALID', 'private key PEM has no matching BEGIN/END lines');
    if (pem.label === 'ENCRYPTED PRIVATE KEY' || pem.headers) {
      throw new KeyLoadError('KEY_UNSUPPORTED', 'encrypted private keys are not supported');
    }
    if (pem.label !== 'PRIVATE KEY' && pem.label !== 'RSA PRIVATE KEY') {
      throw new KeyLoadError('KEY_INVALID', `expected a private key PEM, got "${pem.label}"`);
    }
    der = pem.der;
  } else {
    der = decodeBase64Strict(compact(text));
    if (!der) throw new KeyLoadError('KEY_INVALID', 'private key is neither PEM nor Base64');
  }
  const derBytes = der;
  const key = firstThatParses([
    () => createPrivateKey({ key: derBytes, format: 'der', type: 'pkcs8' }),
    () => createPrivateKey({ key: derBytes, format: 'der', type: 'pkcs1' }),
  ]);
  if (!key) throw new KeyLoadError('KEY_INVALID', 'private key is not a PKCS#8 or PKCS#1 private key');
  return requireRsa(key, 'private');
}

/**
 * Loads the peer's (Alipay+/Antom, or our own for the simulator) public key. Accepts PEM
 * `BEGIN PUBLIC KEY` (SPKI) or `BEGIN RSA PUBLIC KEY` (PKCS#1), or bare Base64
 * X.509 SPKI DER (the console format, §1.4). A private key is refused: Node would silently derive its
 * public half, which hides a configuration mix-up and puts a secret where a public value belongs.
 */
export function loadPublicKey(material: string): KeyObject {
  const text = requireMaterial(material, 'public');
  let der: Buffer | null;
  if (text.includes('-----BEGIN')) {
    const pem = parsePem(text);
    if (!pem) throw new KeyLoadError('KEY_INVALID', 'public key PEM has no matching BEGIN/END lines');
    if (pem.label.includes('PRIVATE')) {
      throw new KeyLoadError('KEY_INVALID', 'expected a public key, got a private key PEM');
    }
    if (pem.label !== 'PUBLIC KEY' && pem.label !== 'RSA PUBLIC KEY') {
      throw new KeyLoadError('KEY_INVALID', `expected a public key PEM, got "${pem.label}"`);
    }
    der = pem.der;
  } else {
    der = decodeBase64Strict(compact(text));
    if (!der) throw new KeyLoadError('KEY_INVALID', 'public key is neither PEM nor Base64');
  }
  const derBytes = der;
  const privateInstead = firstThatParses([
    () => createPrivateKey({ key: derBytes, format: 'der', type: 'pkcs8' }),
    () => createPrivateKey({ key: derBytes, format: 'der', type: 'pkcs1' }),
  ]);
  if (privateInstead) throw new KeyLoadError('KEY_INVALID', 'expected a public key, got a private key');
  const key = firstThatParses([
    () => createPublicKey({ key: derBytes, format: 'der', type: 'spki' }),
    () => createPublicKey({ key: derBytes, format: 'der', type: 'pkcs1' }),
  ]);
  if (!key) throw new KeyLoadError('KEY_INVALID', 'public key is not an X.509 SPKI or PKCS#1 public key');
  return requireRsa(key, 'public');
}
