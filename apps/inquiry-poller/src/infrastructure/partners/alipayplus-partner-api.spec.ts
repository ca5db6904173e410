import { loadPublicKey, verifyIncomingRequest } from '@app/alipayplus';
import { partnersJson, partnerSetting } from '@app/testing/factories';
import { generateTestKeyPair } from '@app/testing/keys';
import { buildSigningWorker } from '../../../test/signing-worker-build';
import { loadInquiryPollerConfig, loadPolledPartners } from '../../config';
import { AlipayPlusPartnerApi } from './alipayplus-partner-api';
import type { FetchLike } from './keep-alive-fetch';
import { CallNotMadeError } from '../../application/ports';
import { SigningPool } from './signing-pool';
import { SigningRoute } from './signing-route';

/*
 * The partner API signing on the pool's threads (SIGNING_THREADS > 0, issue 14): the partner sees
 * requests signed with our key as on the main thread, and after a reload that switches our key
 * (issue 11 row 3) with the new one, naming its keyVersion. The partner is a fetch that checks our
 * signature and answers an unsigned U (accepted as that U, §1.6).
 */

const built = buildSigningWorker();
afterAll(() => built.remove());

const ours = generateTestKeyPair();
const oursNext = generateTestKeyPair();
const theirs = generateTestKeyPair();
const env: NodeJS.ProcessEnv = { KEY_1: ours.privateKeyBase64, KEY_2: oursNext.privateKeyBase64 };
const publicKeys: Record<string, string> = { '1': ours.publicKeyBase64, '2': oursNext.publicKeyBase64 };
const U_ANSWER = '{"result":{"resultCode":"UNKNOWN_EXCEPTION","resultStatus":"U","resultMessage":"later"}}';

/** What the partner made of each request: which of our keys verified it, under which keyVersion. */
const seen: Array<{ keyVersion?: string; verifiedWith?: string }> = [];
const partner: FetchLike = (input, init = {}) => {
  const url = typeof input === 'string' ? new URL(input) : input;
  const headers = Object.fromEntries(
    Object.entries(init.headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const verifiedWith = Object.keys(publicKeys).find(
    (version) =>
      verifyIncomingRequest({
        path: url.pathname,
        headers,
        rawBody: Buffer.from(String(init.body)),
        publicKey: loadPublicKey(publicKeys[version]),
      }).ok,
  );
  seen.push({ keyVersion: /keyVersion=([^,]+)/.exec(headers.signature)?.[1], verifiedWith });
  return Promise.resolve(new Response(U_ANSWER, { status: 200 }));
};

function polled(keyVersion: string) {
  const config = loadInquiryPollerConfig({
    KAFKA_BROKERS: '127.0.0.1:9092',
    DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
    PARTNERS_JSON: partnersJson(
      partnerSetting({
        clientId: 'C1',
        keyVersion,
        privateKeyEnv: `KEY_${keyVersion}`,
        peerPublicKey: theirs.publicKeyBase64,
        apiBaseUrl: 'http://127.0.0.1:1',
      }),
    ),
  });
  return loadPolledPartners(config, env);
}

describe('AlipayPlusPartnerApi with a signing pool', () => {
  const pool = new SigningPool({ threads: 2, workerFile: built.workerFile });
  afterAll(() => pool.close());
  beforeEach(() => seen.splice(0));

  it('signs inquiries and cancels on the threads, with our key, and a reload switches the key', async () => {
    const api = new AlipayPlusPartnerApi(polled('1'), partner, pool, new SigningRoute({ fixed: 'threads' }));

    const answers = await Promise.all([
      api.inquire('alipayplus:C1', 'pr-1', 1000),
      api.inquire('alipayplus:C1', 'pr-2', 1000),
      api.cancel('alipayplus:C1', 'pr-3', 1000),
    ]);
    expect(answers.map((a) => a.kind)).toEqual(['response', 'response', 'response']);
    expect(seen).toEqual([
      { keyVersion: '1', verifiedWith: '1' },
      { keyVersion: '1', verifiedWith: '1' },
      { keyVersion: '1', verifiedWith: '1' },
    ]);

    // SIGHUP with our next key in force (partner-reload.ts calls replacePartners).
    const before = api.inquire('alipayplus:C1', 'pr-4', 1000);
    api.replacePartners(polled('2'));
    const after = api.inquire('alipayplus:C1', 'pr-5', 1000);
    await Promise.all([before, after]);
    // Asked for before the reload: the old key; after it: the new one (in either order of arrival).
    expect(seen.slice(3)).toHaveLength(2);
    expect(seen.slice(3)).toEqual(
      expect.arrayContaining([
        { keyVersion: '1', verifiedWith: '1' },
        { keyVersion: '2', verifiedWith: '2' },
      ]),
    );
  });

  it('signs on the main thread when the route says so: the same signature, counted', async () => {
    const route = new SigningRoute({ fixed: 'inline' });
    const api = new AlipayPlusPartnerApi(polled('1'), partner, pool, route);
    const answer = await api.inquire('alipayplus:C1', 'pr-inline', 1000);
    expect(answer.kind).toBe('response');
    expect(seen).toEqual([{ keyVersion: '1', verifiedWith: '1' }]);
    expect(api.signatures).toEqual({ inline: 1, threads: 0 });
  });

  it('a request that could not be signed is a call not made (CallNotMadeError with the code), nothing sent', async () => {
    const closed = new SigningPool({ threads: 1, workerFile: built.workerFile });
    await closed.close();
    const api = new AlipayPlusPartnerApi(
      polled('1'),
      partner,
      closed,
      new SigningRoute({ fixed: 'threads' }),
    );
    for (const call of [
      api.inquire('alipayplus:C1', 'pr-x', 1000),
      api.cancel('alipayplus:C1', 'pr-y', 1000),
    ]) {
      const error: unknown = await call.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(CallNotMadeError);
      expect(error).toMatchObject({ code: 'SIGNING_POOL_CLOSED' });
    }
    expect(seen).toEqual([]);
  });
});
