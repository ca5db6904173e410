import { KeyObject } from 'node:crypto';
import { DIALECTS, isDialect, VersionedPublicKey } from '@app/alipayplus';
import { digits, streamFor } from './chaos/prng';
import { TokenBucket } from './chaos/token-bucket';
import { SimulatorError } from './errors';
import type { SimulatorPartner } from './types';

/** The key the simulator signs with for one partner, and the keyVersion it names (protocol.md §1.5). */
export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly keyVersion: string;
}

/** A partner with what the simulator derives for it. Never serialized: it holds keys. */
export interface PartnerEntry {
  readonly partner: SimulatorPartner;
  readonly notifyUrl?: URL;
  /** The Alipay+-assigned acquirer ID echoed in answers and notifications (§2.1, §3.1, §4.1). */
  readonly acquirerId: string;
  /** The MPP (wallet) ID (§2.1, §3.1, §4.1). */
  readonly pspId: string;
  /** Inquiry/cancel rate limit of this client (protocol.md §6 REQUEST_TRAFFIC_EXCEED_LIMIT). */
  readonly bucket: TokenBucket;
  /** The current signing key: replaced at runtime when Alipay+ rotates its key (issue 11 rows 1, 2). */
  signing: SigningKey;
  /**
   * The acquirer's public keys, verifying its requests and acks: the configured one (versionless, so
   * any keyVersion) and those added at runtime when the acquirer switches its key (issue 11 row 3).
   */
  readonly acquirerKeys: VersionedPublicKey[];
}

/** keyVersion as the Signature header carries it: short, no comma, space or `=`. */
export const KEY_VERSION = /^[A-Za-z0-9._-]{1,8}$/;

/**
 * Validates the partners (throws INVALID_OPTIONS) and derives their IDs. Partners are found by the
 * `client-id` header of a request (protocol.md §1.1), so a clientId may appear only once.
 */
export function buildPartnerRegistry(
  partners: readonly SimulatorPartner[],
  now: number,
  rateLimitPerSecond: number,
): Map<string, PartnerEntry> {
  if (!Array.isArray(partners) || partners.length === 0) {
    throw new SimulatorError('INVALID_OPTIONS', 'at least one partner is required');
  }
  const registry = new Map<string, PartnerEntry>();
  for (const partner of partners) {
    const name = `partner ${String(partner?.clientId)}`;
    if (
      typeof partner?.clientId !== 'string' ||
      partner.clientId.length === 0 ||
      partner.clientId.length > 64
    ) {
      throw new SimulatorError('INVALID_OPTIONS', `${name}: clientId must be 1-64 characters`);
    }
    if (registry.has(partner.clientId)) {
      throw new SimulatorError('INVALID_OPTIONS', `${name} is listed twice`);
    }
    if (!isDialect(partner.dialect)) {
      throw new SimulatorError(
        'INVALID_OPTIONS',
        `${name}: dialect must be one of ${DIALECTS.map((d) => `'${d}'`).join(', ')}`,
      );
    }
    if (!(partner.privateKey instanceof KeyObject) || partner.privateKey.type !== 'private') {
      throw new SimulatorError('INVALID_OPTIONS', `${name}: privateKey must be a private KeyObject`);
    }
    if (!(partner.acquirerPublicKey instanceof KeyObject) || partner.acquirerPublicKey.type !== 'public') {
      throw new SimulatorError('INVALID_OPTIONS', `${name}: acquirerPublicKey must be a public KeyObject`);
    }
    const keyVersion = partner.keyVersion ?? '1';
    if (typeof keyVersion !== 'string' || !KEY_VERSION.test(keyVersion)) {
      throw new SimulatorError('INVALID_OPTIONS', `${name}: keyVersion must be 1-8 letters, digits, . _ -`);
    }
    const notifyUrl = partner.notifyUrl === undefined ? undefined : parseNotifyUrl(name, partner.notifyUrl);
    // Stable per clientId (not per seed): the same partner keeps the same IDs across runs.
    const ids = streamFor(0, partner.clientId);
    registry.set(partner.clientId, {
      partner,
      ...(notifyUrl ? { notifyUrl } : {}),
      acquirerId: `1022188${digits(ids, 12)}`,
      pspId: `1022172${digits(ids, 12)}`,
      bucket: new TokenBucket(rateLimitPerSecond, now),
      signing: { privateKey: partner.privateKey, keyVersion },
      acquirerKeys: [{ publicKey: partner.acquirerPublicKey }],
    });
  }
  return registry;
}

function parseNotifyUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SimulatorError('INVALID_OPTIONS', `${name}: notifyUrl is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SimulatorError('INVALID_OPTIONS', `${name}: notifyUrl must be http(s)`);
  }
  return url;
}

/** A key handed in at run time: of the expected type, with a keyVersion a Signature header can carry. */
function checkRotatedKey(key: KeyObject, type: 'private' | 'public', keyVersion: string): void {
  if (!(key instanceof KeyObject) || key.type !== type) {
    const name = type === 'private' ? 'privateKey' : 'publicKey';
    throw new SimulatorError('INVALID_OPTIONS', `${name} must be a ${type} KeyObject`);
  }
  if (typeof keyVersion !== 'string' || !KEY_VERSION.test(keyVersion)) {
    throw new SimulatorError('INVALID_OPTIONS', 'keyVersion must be 1-8 letters, digits, . _ -');
  }
}

/** From now on the partner's answers and notification attempts are signed with this key (issue 11 rows 1, 2). */
export function rotateSigningKey(entry: PartnerEntry, privateKey: KeyObject, keyVersion: string): void {
  checkRotatedKey(privateKey, 'private', keyVersion);
  entry.signing = { privateKey, keyVersion };
}

/** The acquirer's requests and acks naming `keyVersion` verify with this key from now on (row 3). */
export function addAcquirerKey(entry: PartnerEntry, publicKey: KeyObject, keyVersion: string): void {
  checkRotatedKey(publicKey, 'public', keyVersion);
  const others = entry.acquirerKeys.filter((k) => k.keyVersion !== keyVersion);
  entry.acquirerKeys.splice(0, entry.acquirerKeys.length, ...others, { keyVersion, publicKey });
}
