import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPrivateKey, signMessage } from '@app/alipayplus';
import { PartnerSetting, partnerSetting, partnersJson, PeerKeySetting } from '@app/testing/factories';
import { generateTestKeyPair } from '@app/testing/keys';
import { loadInquiryPollerConfig, loadPolledPartners } from '../../config';
import { AlipayPlusPartnerApi } from './alipayplus-partner-api';
import type { FetchLike } from './keep-alive-fetch';
import { reloadPartnersOnSignal } from './partner-reload';

/*
 * The poller's side of issue 11 rows 1–3: the partner rotates its key before we have the new one
 * (its answers are untrusted, UNKNOWN_KEY_VERSION), then a SIGHUP reload adds the key and the same
 * answer is believed. The partner is a fetch that signs like Alipay+ does (protocol.md §1.6).
 */

const ours = generateTestKeyPair();
const theirsOld = generateTestKeyPair();
const theirsNew = generateTestKeyPair();
const ANSWER = JSON.stringify({
  result: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' },
  paymentResult: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' },
  paymentRequestId: 'pr-1',
  paymentId: 'p-1',
  paymentAmount: { currency: 'USD', value: '100' },
  paymentTime: '2026-01-01T00:00:00Z',
});

/** The partner, signing its answers with its new key, keyVersion 2. */
const partnerSigningWithNewKey: FetchLike = (input) => {
  const url = typeof input === 'string' ? new URL(input) : input;
  const time = new Date().toISOString();
  const { signatureHeader } = signMessage({
    path: url.pathname,
    clientId: 'C1',
    time,
    body: ANSWER,
    privateKey: loadPrivateKey(theirsNew.privateKeyBase64),
    keyVersion: '2',
  });
  return Promise.resolve(
    new Response(ANSWER, {
      status: 200,
      headers: { 'content-type': 'application/json', 'response-time': time, signature: signatureHeader },
    }),
  );
};

describe('reloadPartnersOnSignal (inquiry-poller)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'poller-reload-'));
  const file = join(dir, 'partners.json');
  const env: NodeJS.ProcessEnv = { TEST_RELOAD_KEY: ours.privateKeyBase64 };
  const partner = (peerPublicKeys: PeerKeySetting[], clientId = 'C1') =>
    partnerSetting({
      clientId,
      privateKeyEnv: 'TEST_RELOAD_KEY',
      peerPublicKeys,
      apiBaseUrl: 'http://127.0.0.1:1',
    });
  const write = (partners: PartnerSetting[]) => writeFileSync(file, partnersJson(...partners));
  const logger = () => ({ log: jest.fn(), error: jest.fn() });

  function boot() {
    write([partner([{ keyVersion: '1', publicKey: theirsOld.publicKeyBase64 }])]);
    const config = loadInquiryPollerConfig({
      KAFKA_BROKERS: '127.0.0.1:9092',
      DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
      PARTNERS_FILE: file,
    });
    const partners = loadPolledPartners(config, env);
    const api = new AlipayPlusPartnerApi(partners, partnerSigningWithNewKey);
    const log = logger();
    return { api, log, reload: reloadPartnersOnSignal(config, partners, api, log, env) };
  }

  it('answers signed with a key we do not hold are untrusted until SIGHUP adds it', async () => {
    const { api, log, reload } = boot();
    try {
      expect(await api.inquire('alipayplus:C1', 'pr-1', 1000)).toEqual({
        kind: 'untrusted',
        reason: 'UNKNOWN_KEY_VERSION',
        detail: '2',
      });

      write([
        partner([
          { keyVersion: '1', publicKey: theirsOld.publicKeyBase64 },
          { keyVersion: '2', publicKey: theirsNew.publicKeyBase64 },
        ]),
      ]);
      process.emit('SIGHUP', 'SIGHUP');

      expect(log.log).toHaveBeenCalledWith('inquiry-poller partner settings reloaded');
      expect(await api.inquire('alipayplus:C1', 'pr-1', 1000)).toMatchObject({
        kind: 'response',
        verified: true,
      });
    } finally {
      reload.close();
    }
  });

  it.each([
    [
      'invalid settings',
      () => [partner([{ keyVersion: '2', publicKey: 'bm90IGEga2V5' }])],
      /keyVersion 2 is not a valid X.509/,
    ],
    [
      'an added partner',
      () => [
        partner([{ keyVersion: '2', publicKey: theirsNew.publicKeyBase64 }]),
        partner([{ keyVersion: '2', publicKey: theirsNew.publicKeyBase64 }], 'C2'),
      ],
      /partner alipayplus:C2 was added: the polled partners change only with a restart/,
    ],
  ])('keeps the previous settings on %s, naming the problem', async (_label, settings, expected) => {
    const { api, log, reload } = boot();
    reload.close();
    write(settings());

    expect(reload.reload()).toBe(false);

    expect(log.error).toHaveBeenCalledWith(expect.stringMatching(expected));
    expect(log.error.mock.calls[0][0]).not.toContain('bm90IGEga2V5');
    // Still the boot keys: key 2 is unknown.
    expect(await api.inquire('alipayplus:C1', 'pr-1', 1000)).toMatchObject({
      kind: 'untrusted',
      reason: 'UNKNOWN_KEY_VERSION',
    });
  });
});
