/**
 * Test partners (issue #15 part 6): who a test's payments belong to, and the PARTNERS_JSON /
 * PARTNERS_FILE entries (libs/config's partner settings) that the gateway and the poller load.
 * Key material is never built here: a test passes the keys it generated (generateTestKeyPair).
 */
import type { Dialect } from '@app/contracts';

/** A partner as events and orders name it. */
export interface TestPartnerRef {
  clientId: string;
  dialect: Dialect;
}

/** The default Alipay+ partner of every factory. */
export const APS_PARTNER: TestPartnerRef = { clientId: 'T_APS_1', dialect: 'alipayplus' };
/** The default Antom partner. */
export const ANTOM_PARTNER: TestPartnerRef = { clientId: 'T_AMS_1', dialect: 'antom' };

export const partnerRef = (over: Partial<TestPartnerRef> = {}): TestPartnerRef => ({
  ...APS_PARTNER,
  ...over,
});

/** One of the partner's public keys, as settings give it. */
export interface PeerKeySetting {
  keyVersion: string;
  publicKey?: string;
  publicKeyFile?: string;
  publicKeyEnv?: string;
}

/** One PARTNERS_JSON entry (the fields of libs/config's PartnerSchema). */
export interface PartnerSetting extends TestPartnerRef {
  keyVersion?: string;
  privateKeyFile?: string;
  privateKeyEnv?: string;
  nextKeyVersion?: string;
  nextPrivateKeyFile?: string;
  nextPrivateKeyEnv?: string;
  peerPublicKey?: string;
  peerPublicKeyFile?: string;
  peerPublicKeyEnv?: string;
  peerKeyVersion?: string;
  peerPublicKeys?: PeerKeySetting[];
  notifyPath?: string;
  apiBaseUrl?: string;
}

/** Where the partner's public key comes from: settings need exactly one of these. */
export type PeerKeySource =
  | { peerPublicKey: string }
  | { peerPublicKeyFile: string }
  | { peerPublicKeyEnv: string }
  | { peerPublicKeys: PeerKeySetting[] };

/**
 * A PARTNERS_JSON entry for the default Alipay+ partner, our private key read from
 * TEST_PARTNER_PRIVATE_KEY; `over` names the partner's key (required) and anything else.
 */
export const partnerSetting = (over: Partial<PartnerSetting> & PeerKeySource): PartnerSetting => ({
  ...APS_PARTNER,
  privateKeyEnv: 'TEST_PARTNER_PRIVATE_KEY',
  ...over,
});

/** The PARTNERS_JSON value for these entries. */
export const partnersJson = (...settings: PartnerSetting[]): string => JSON.stringify(settings);
