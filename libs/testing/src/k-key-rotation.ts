import { readFileSync, writeFileSync } from 'fs';
import type { ChildProcess } from 'child_process';
import { generateTestKeyPair, TestKeyPair } from './keys';

/*
 * Test helpers for a partner key rotation mid-run (issue 11 rows 1–3, the chaos fault "a partner key
 * rotation mid-run, new key added by reloading settings"):
 *   1. rotateSimulatorKey: Alipay+ (the simulator) starts signing with a new key and keyVersion;
 *   2. addPeerKey: the operator adds the partner's new public key to our PARTNERS_FILE;
 *   3. reloadSettings: SIGHUP, and notify-gateway and inquiry-poller put it in force without a restart.
 * For the gateway to answer U (not F) between 1 and 3, the partner's key in PARTNERS_FILE must carry
 * its keyVersion from the start (`peerKeyVersion: "1"`, or a `peerPublicKeys` entry): a versionless
 * key is tried for any keyVersion, and fails as a bad signature.
 */

/** Makes the simulator at `simulatorUrl` sign for `clientId` with a fresh key naming `keyVersion`. */
export async function rotateSimulatorKey(
  simulatorUrl: string,
  clientId: string,
  keyVersion: string,
): Promise<TestKeyPair> {
  const pair = generateTestKeyPair();
  const res = await fetch(`${simulatorUrl}/sim/partners/${encodeURIComponent(clientId)}/signing-key`, {
    method: 'POST',
    body: JSON.stringify({ privateKey: pair.privateKeyBase64, keyVersion }),
  });
  if (res.status !== 200) throw new Error(`signing-key rotation refused: ${res.status} ${await res.text()}`);
  return pair;
}

/**
 * Adds a public key of the partner to every entry for `clientId` in a PARTNERS_FILE, keeping its other
 * keys (the old one stays active while the partner may still sign with it).
 */
export function addPeerKey(
  partnersFile: string,
  clientId: string,
  keyVersion: string,
  publicKeyBase64: string,
): void {
  const partners = JSON.parse(readFileSync(partnersFile, 'utf8')) as Record<string, unknown>[];
  let found = false;
  const updated = partners.map((p) => {
    if (p.clientId !== clientId) return p;
    found = true;
    const keys = (p.peerPublicKeys as { keyVersion: string }[] | undefined) ?? [];
    return {
      ...p,
      peerPublicKeys: [
        ...keys.filter((k) => k.keyVersion !== keyVersion),
        { keyVersion, publicKey: publicKeyBase64 },
      ],
    };
  });
  if (!found) throw new Error(`no partner ${clientId} in ${partnersFile}`);
  writeFileSync(partnersFile, JSON.stringify(updated), { mode: 0o600 });
}

/** Signals each service process to reload its partner settings (SIGHUP). */
export function reloadSettings(...children: ChildProcess[]): void {
  for (const child of children) child.kill('SIGHUP');
}
