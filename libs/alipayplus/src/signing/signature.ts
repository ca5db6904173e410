import { constants, KeyObject, sign, verify } from 'node:crypto';
import { AlipayPlusError } from '../errors';

/*
 * Signature value = urlEncode(base64(SHA256withRSA(content))) — RSA PKCS#1 v1.5 over SHA-256, standard
 * Base64 (not base64url), then percent-encoded (protocol.md §1.4). PKCS#1 v1.5 is deterministic, so the
 * same content and key always give the same value.
 *
 * Cost: one RSA-2048 signature is roughly 0.3 ms of CPU. Nothing here caches; a caller that answers
 * many requests with a constant body (the notify ack, §1.7) may sign it once per
 * (path, clientId, responseTime) and reuse the header for that triple.
 */

const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;
const STRAY_PERCENT = /%(?![0-9A-Fa-f]{2})/;

function assertRsaKey(key: KeyObject, expected: 'private' | 'public'): void {
  const usable = expected === 'private' ? key.type === 'private' : key.type !== 'secret';
  if (!usable || key.asymmetricKeyType !== 'rsa') {
    throw new AlipayPlusError('KEY_INVALID', `an RSA ${expected} key is required`);
  }
}

/** Signs content built by `buildSignContent`; returns the URL-encoded Base64 value for the header. */
export function signContent(content: Buffer, privateKey: KeyObject): string {
  assertRsaKey(privateKey, 'private');
  const signature = sign('sha256', content, { key: privateKey, padding: constants.RSA_PKCS1_PADDING });
  // encodeURIComponent maps exactly the three non-alphanumeric Base64 characters: + → %2B, / → %2F, = → %3D.
  return encodeURIComponent(signature.toString('base64'));
}

/**
 * Decodes a received signature value to raw bytes, or null when it is not a well-formed value.
 * Percent-decoding only: `+` stays `+` (pitfall §1.8 b — form decoding would turn it into a space and
 * only works because senders always encode), `%xx` in either case (§1.8 c, the Alipay+ sample and the
 * .NET SDK use lowercase). An un-encoded Base64 value passes through unchanged, so it is tolerated too.
 */
export function decodeSignatureValue(value: string): Buffer | null {
  const trimmed = value.trim();
  if (trimmed.length === 0 || STRAY_PERCENT.test(trimmed)) return null;
  const base64 = trimmed.includes('%') ? percentDecode(trimmed) : trimmed;
  if (base64 === null || base64.length % 4 !== 0 || !BASE64_PATTERN.test(base64)) return null;
  return Buffer.from(base64, 'base64');
}

/**
 * `%xx` → the character, with the native decoder (issue 14: the regex callback cost about as much as
 * a tenth of the RSA check). Only ASCII can be Base64: `%00`–`%7F` decode to the same one character
 * either way, and an escape of 0x80 or more either decodes to a non-ASCII character or is refused
 * (`decodeURIComponent` throws on invalid or overlong UTF-8), so the Base64 check that follows
 * rejects exactly what a byte-by-byte decode would have let fail there.
 */
function percentDecode(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

/**
 * Verifies an (encoded or raw) signature value over `content` with the peer's public key.
 * Returns false for any malformed or non-matching signature and never throws for it; a key that
 * is not an RSA key is a configuration error and throws `AlipayPlusError('KEY_INVALID')` instead of
 * failing every message silently.
 */
export function verifyContent(content: Buffer, encodedSignature: string, publicKey: KeyObject): boolean {
  assertRsaKey(publicKey, 'public');
  const signature = typeof encodedSignature === 'string' ? decodeSignatureValue(encodedSignature) : null;
  if (!signature) return false;
  try {
    return verify('sha256', content, { key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    // OpenSSL rejects some malformed inputs (e.g. a wrong-length signature) by throwing rather than
    // returning false; either way the signature does not verify.
    return false;
  }
}
