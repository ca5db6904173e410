import { ConfigError } from '@app/config';
import { generateTestKeyPair } from '@app/testing/keys';
import { availableParallelism } from 'os';
import { loadInquiryPollerConfig, loadPolledPartners, signingThreads } from './config';

const ours = generateTestKeyPair();
const theirs = generateTestKeyPair();
const partner = (over: Record<string, unknown> = {}) => ({
  clientId: 'C1',
  dialect: 'alipayplus',
  privateKeyEnv: 'TEST_POLLER_KEY',
  peerPublicKey: theirs.publicKeyBase64,
  apiBaseUrl: 'http://127.0.0.1:1',
  ...over,
});
const env = (over: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  KAFKA_BROKERS: '127.0.0.1:9092',
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  PARTNERS_JSON: JSON.stringify([partner()]),
  TEST_POLLER_KEY: ours.privateKeyBase64,
  ...over,
});

describe('inquiry-poller configuration (fail fast)', () => {
  it('has the documented defaults', () => {
    const config = loadInquiryPollerConfig(env());
    expect(config).toMatchObject({
      FIRST_INQUIRY_DELAY_MS: 3000,
      INQUIRY_INTERVALS_MS: [2000, 2000, 3000, 3000, 5000, 5000, 10000, 10000],
      INQUIRY_TIMEOUT_MS: 5000,
      CANCEL_TIMEOUT_MS: 8000,
      LEASE_MS: 30000,
      RATE_LIMIT_PER_SECOND: 100,
    });
    const [p] = loadPolledPartners(config, env());
    expect(p.key).toBe('alipayplus:C1');
    expect(p.policy.maxInquiries).toBeNull();
    expect(p.rate).toEqual({ perSecond: 100, burst: 25, backoffMs: 5000 });
  });

  it('applies a per-partner override over the defaults', () => {
    const e = env({
      PARTNER_POLICIES_JSON: JSON.stringify({
        C1: { inquiryIntervalsMs: [1000], maxInquiries: 4, rateLimitPerSecond: 2000 },
      }),
    });
    const [p] = loadPolledPartners(loadInquiryPollerConfig(e), e);
    expect(p.policy).toMatchObject({
      inquiryIntervalsMs: [1000],
      maxInquiries: 4,
      firstInquiryDelayMs: 3000,
    });
    expect(p.rate).toMatchObject({ perSecond: 2000, burst: 500 });
  });

  it('issue 11 settings: MAX_INQUIRIES_ACTION cancel, grace windows of 60 s, each overridable per partner', () => {
    const [p] = loadPolledPartners(loadInquiryPollerConfig(env()), env());
    expect(p.policy).toMatchObject({
      maxInquiriesAction: 'cancel',
      cancelNotExistGraceMs: 60_000,
      cancelRefusedInquiryMs: 60_000,
    });
    const e = env({
      MAX_INQUIRIES_ACTION: 'wait',
      CANCEL_NOT_EXIST_GRACE_MS: '30000',
      PARTNER_POLICIES_JSON: JSON.stringify({
        C1: { maxInquiriesAction: 'cancel', cancelRefusedInquiryMs: 5000 },
      }),
    });
    const [o] = loadPolledPartners(loadInquiryPollerConfig(e), e);
    expect(o.policy).toMatchObject({
      maxInquiriesAction: 'cancel',
      cancelNotExistGraceMs: 30_000,
      cancelRefusedInquiryMs: 5000,
    });
    expect(() => loadInquiryPollerConfig(env({ MAX_INQUIRIES_ACTION: 'stop' }))).toThrow(ConfigError);
  });

  it('refuses an override for a client id that is not a partner (a typo would poll at the default rate)', () => {
    const e = env({ PARTNER_POLICIES_JSON: JSON.stringify({ C2: { rateLimitPerSecond: 1 } }) });
    expect(() => loadPolledPartners(loadInquiryPollerConfig(e), e)).toThrow(
      /C2, which is not a configured partner/,
    );
  });

  it('refuses a partner without apiBaseUrl or private key: it could not be polled', () => {
    const e = env({ PARTNERS_JSON: JSON.stringify([partner({ apiBaseUrl: undefined })]) });
    expect(() => loadPolledPartners(loadInquiryPollerConfig(e), e)).toThrow(/apiBaseUrl is required/);
  });

  it('refuses a lease shorter than the longest call plus its publishes', () => {
    expect(() => loadInquiryPollerConfig(env({ LEASE_MS: '10000' }))).toThrow(ConfigError);
    expect(() => loadInquiryPollerConfig(env({ LEASE_MS: '10000' }))).toThrow(/LEASE_MS is invalid/);
    // The write-back counts too: 8 s cancel + 2 × 5 s publishes + 5 s + 4 s of flush > 25 s.
    expect(() => loadInquiryPollerConfig(env({ LEASE_MS: '25000', COMPLETION_FLUSH_MS: '4000' }))).toThrow(
      /LEASE_MS is invalid/,
    );
    expect(loadInquiryPollerConfig(env({ LEASE_MS: '25000', COMPLETION_FLUSH_MS: '1000' })).LEASE_MS).toBe(
      25000,
    );
    expect(() => loadInquiryPollerConfig(env({ COMPLETION_FLUSH_MS: '60000' }))).toThrow(
      /COMPLETION_FLUSH_MS/,
    );
  });

  it('listens on HTTP_HOST (default 0.0.0.0) and fails at boot naming it when it is not an address', () => {
    expect(loadInquiryPollerConfig(env()).HTTP_HOST).toBe('0.0.0.0');
    expect(loadInquiryPollerConfig(env({ HTTP_HOST: 'localhost' })).HTTP_HOST).toBe('localhost');
    expect(() => loadInquiryPollerConfig(env({ HTTP_HOST: '1.2.3.999' }))).toThrow(/HTTP_HOST is invalid/);
  });

  it('signs on one thread per available CPU (at most 4) by default; SIGNING_THREADS sets it, 0 = the main thread', () => {
    const cpus = availableParallelism();
    expect(signingThreads(loadInquiryPollerConfig(env()))).toBe(cpus > 1 ? Math.min(cpus, 4) : 0);
    expect([1, 2, 3, 8].map((n) => signingThreads(loadInquiryPollerConfig(env()), n))).toEqual([0, 2, 3, 4]);
    expect(signingThreads(loadInquiryPollerConfig(env({ SIGNING_THREADS: '2' })), 1)).toBe(2);
    expect(signingThreads(loadInquiryPollerConfig(env({ SIGNING_THREADS: '3' })))).toBe(3);
    expect(signingThreads(loadInquiryPollerConfig(env({ SIGNING_THREADS: '0' })))).toBe(0);
    for (const bad of ['-1', '1.5', 'two', '65']) {
      expect(() => loadInquiryPollerConfig(env({ SIGNING_THREADS: bad }))).toThrow(
        /SIGNING_THREADS is invalid/,
      );
    }
  });

  it('refuses a consumer group id too long to fit in a dead letter id', () => {
    expect(() => loadInquiryPollerConfig(env({ KAFKA_GROUP_ID: 'g'.repeat(101) }))).toThrow(/KAFKA_GROUP_ID/);
  });

  it('refuses malformed schedules and override JSON, naming the setting', () => {
    expect(() => loadInquiryPollerConfig(env({ INQUIRY_INTERVALS_MS: '2000,abc' }))).toThrow(
      /INQUIRY_INTERVALS_MS/,
    );
    expect(() => loadInquiryPollerConfig(env({ PARTNER_POLICIES_JSON: '{' }))).toThrow(
      /PARTNER_POLICIES_JSON/,
    );
    expect(() =>
      loadInquiryPollerConfig(
        env({ PARTNER_POLICIES_JSON: JSON.stringify({ C1: { rateLimitPerSecnd: 5 } }) }),
      ),
    ).toThrow(/PARTNER_POLICIES_JSON/);
  });
});

describe('inquiry-poller configuration: fetches of its topics', () => {
  it('waits up to 100 ms for 64 KiB by default, and takes other values', () => {
    expect(loadInquiryPollerConfig(env())).toMatchObject({
      KAFKA_FETCH_MAX_WAIT_MS: 100,
      KAFKA_FETCH_MIN_BYTES: 65_536,
    });
    expect(
      loadInquiryPollerConfig(env({ KAFKA_FETCH_MAX_WAIT_MS: '20', KAFKA_FETCH_MIN_BYTES: '1' })),
    ).toMatchObject({ KAFKA_FETCH_MAX_WAIT_MS: 20, KAFKA_FETCH_MIN_BYTES: 1 });
  });

  it('fails at boot naming the setting when a value is out of range (a 0 ms wait would spin)', () => {
    for (const [name, bad] of [
      ['KAFKA_FETCH_MAX_WAIT_MS', '0'],
      ['KAFKA_FETCH_MAX_WAIT_MS', '5001'],
      ['KAFKA_FETCH_MIN_BYTES', '0'],
      ['KAFKA_FETCH_MIN_BYTES', 'lots'],
    ]) {
      expect(() => loadInquiryPollerConfig(env({ [name]: bad }))).toThrow(ConfigError);
      expect(() => loadInquiryPollerConfig(env({ [name]: bad }))).toThrow(new RegExp(name));
    }
  });
});
