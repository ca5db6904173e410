/** The algorithm label the protocol uses for SHA256withRSA (protocol.md §1.4). */
export const SIGNATURE_ALGORITHM = 'RSA256';

export interface ParsedSignatureHeader {
  readonly algorithm?: string;
  readonly keyVersion?: string;
  /** The signature value as received (usually percent-encoded Base64). */
  readonly signature: string;
}

const SIGNATURE_KEY = /(?:^|,)\s*signature\s*=/i;

/**
 * Parses `algorithm=RSA256, keyVersion=1, signature=<v>` (protocol.md §1.1, §1.5).
 * Tolerates optional spaces after commas (docs) or none (SDKs), keys in any order and any case.
 * The signature is everything after the literal `signature=` up to the next comma: a `=` inside an
 * un-encoded Base64 value survives (unlike the Java parser's split on `=`, pitfall §1.8 e), and a
 * comma cannot occur in Base64 or its percent-encoding, so it safely ends the value when other
 * keys follow. Returns null when the header or its signature value is absent or empty.
 */
export function parseSignatureHeader(value: string | undefined): ParsedSignatureHeader | null {
  if (typeof value !== 'string' || value.trim().length === 0) return null;
  const match = SIGNATURE_KEY.exec(value);
  if (!match) return null;
  const valueStart = match.index + match[0].length;
  const valueEnd = value.indexOf(',', valueStart);
  const signature = value.slice(valueStart, valueEnd === -1 ? undefined : valueEnd).trim();
  if (signature.length === 0) return null;

  const others = `${value.slice(0, match.index)}${valueEnd === -1 ? '' : value.slice(valueEnd)}`;
  let algorithm: string | undefined;
  let keyVersion: string | undefined;
  for (const part of others.split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const partValue = part.slice(eq + 1).trim();
    if (key === 'algorithm' && algorithm === undefined) algorithm = partValue;
    if (key === 'keyversion' && keyVersion === undefined) keyVersion = partValue;
  }
  return {
    ...(algorithm !== undefined ? { algorithm } : {}),
    ...(keyVersion !== undefined ? { keyVersion } : {}),
    signature,
  };
}

export interface FormatSignatureHeaderInput {
  /** Defaults to `1`, the SDK default (protocol.md §1.5). */
  readonly keyVersion?: string;
  /** The encoded value returned by `signContent`. */
  readonly signature: string;
}

/** Formats the header the way the SDKs emit it: no spaces (protocol.md §1.5). */
export function formatSignatureHeader({ keyVersion = '1', signature }: FormatSignatureHeaderInput): string {
  return `algorithm=${SIGNATURE_ALGORITHM},keyVersion=${keyVersion},signature=${signature}`;
}
