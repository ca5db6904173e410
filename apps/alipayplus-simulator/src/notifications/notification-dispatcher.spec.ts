import { generateKeyPairSync } from 'node:crypto';
import { NOTIFY_ACK_BODY } from '@app/alipayplus';
import { mergeChaos, NO_CHAOS } from '../chaos/chaos-settings';
import { mulberry32 } from '../chaos/prng';
import { TimerRegistry } from '../timers';
import type { ChaosSettings } from '../types';
import { decideFate, NotificationDispatcher, NotificationJob } from './notification-dispatcher';
import { NOTIFY_MAX_ATTEMPTS } from './retry-schedule';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });

interface Sent {
  headers: Record<string, string>;
  body: string;
}

/** A receiver behind a fake fetch: answers with `answer(n)` for the n-th request (1-based). */
function fakeReceiver(answer: (n: number) => { status: number; body: string }) {
  const sent: Sent[] = [];
  const fetchImpl = (async (_url: unknown, init?: RequestInit) => {
    sent.push({ headers: init?.headers as Record<string, string>, body: String(init?.body) });
    const { status, body } = answer(sent.length);
    return new Response(body, { status });
  }) as typeof fetch;
  return { sent, fetchImpl };
}

const U_ACK = '{"result":{"resultCode":"UNKNOWN_EXCEPTION","resultStatus":"U","resultMessage":"busy"}}';

/** Runs one notification to its end (antom dialect: unsigned acks count) and reports what happened. */
async function run(
  chaos: Partial<ChaosSettings>,
  answer: (n: number) => { status: number; body: string },
  timeScale = 1e6,
) {
  const timers = new TimerRegistry();
  const receiver = fakeReceiver(answer);
  const startedAt = Date.now();
  let firstSentAfterMs: number | undefined;
  const counts = { attempts: 0, acked: 0, sentStat: 0 };
  const settings = mergeChaos({ ...NO_CHAOS }, chaos);
  const dispatcher = new NotificationDispatcher({
    timers,
    chaos: () => settings,
    // Default huge: the whole 15-attempt schedule (about 34 simulated hours) takes a fraction of a second.
    timeScale,
    stopSignal: new AbortController().signal,
    onSent: () => {
      counts.sentStat += 1;
      firstSentAfterMs ??= Date.now() - startedAt;
    },
    log: () => undefined,
    fetchImpl: receiver.fetchImpl,
  });
  await new Promise<void>((resolve) => {
    const job: NotificationJob = {
      paymentRequestId: 'PR-1',
      dialect: 'antom',
      clientId: 'CLIENT',
      notifyUrl: new URL('http://receiver.invalid/antom/notify'),
      signingKey: () => ({ privateKey: keys.privateKey, keyVersion: '1' }),
      acquirerPublicKeys: () => [{ publicKey: keys.publicKey }],
      body: '{"paymentRequestId":"PR-1"}',
      random: mulberry32(JOB_STREAM_SEED),
      onAttempt: () => (counts.attempts += 1),
      onAcked: () => (counts.acked += 1),
      onFinished: resolve,
    };
    dispatcher.start(job);
  });
  timers.close();
  return { ...counts, sent: receiver.sent, firstSentAfterMs };
}

/** The stream every job of `run` draws from; its first draws decide the job's fate. */
const JOB_STREAM_SEED = 99;

const ack = () => ({ status: 200, body: NOTIFY_ACK_BODY });

describe('NotificationDispatcher', () => {
  it('sends once when the first attempt is acknowledged', async () => {
    const result = await run({}, ack);
    expect(result).toMatchObject({ attempts: 1, acked: 1, sentStat: 1 });
    expect(result.sent).toHaveLength(1);
  });

  it('retries after U acks with the same body bytes, and stops after S', async () => {
    const result = await run({}, (n) => (n <= 2 ? { status: 200, body: U_ACK } : ack()));
    expect(result).toMatchObject({ attempts: 3, acked: 1 });
    expect(new Set(result.sent.map((s) => s.body)).size).toBe(1);
  });

  it(`gives up after ${NOTIFY_MAX_ATTEMPTS} attempts that are never acknowledged`, async () => {
    const result = await run({}, () => ({ status: 503, body: '' }));
    expect(result).toMatchObject({ attempts: NOTIFY_MAX_ATTEMPTS, acked: 0 });
    expect(result.sent).toHaveLength(NOTIFY_MAX_ATTEMPTS);
  });

  it('counts lost attempts as attempts that never reach the receiver', async () => {
    const result = await run({ notifyAttemptLossRate: 1 }, ack);
    expect(result).toMatchObject({ attempts: NOTIFY_MAX_ATTEMPTS, acked: 0, sentStat: 0 });
    expect(result.sent).toHaveLength(0);
  });

  it('drops a whole notification without any attempt', async () => {
    const result = await run({ notifyDropRate: 1 }, ack);
    expect(result).toMatchObject({ attempts: 0, acked: 0 });
    expect(result.sent).toHaveLength(0);
  });

  it('duplicates a delivery with the very same headers and bytes, counted as sent but not as an attempt', async () => {
    const result = await run({ notifyDuplicateRate: 1 }, ack);
    expect(result).toMatchObject({ attempts: 1, acked: 1, sentStat: 2 });
    expect(result.sent).toHaveLength(2);
    expect(result.sent[1]).toEqual(result.sent[0]);
  });

  it('waits the drawn initial delay (simulated ms / timeScale) before the first attempt', async () => {
    const chaos = { notifyMaxDelayMs: 2_000 };
    const { initialDelayMs } = decideFate(mulberry32(JOB_STREAM_SEED), mergeChaos({ ...NO_CHAOS }, chaos));
    expect(initialDelayMs).toBeGreaterThan(500);
    const result = await run(chaos, ack, 10);
    expect(result.firstSentAfterMs).toBeGreaterThanOrEqual(initialDelayMs / 10 - 2);
  });
});

describe('decideFate', () => {
  it('is reproducible from the payment stream and bounded by the chaos settings', () => {
    const chaos = mergeChaos({ ...NO_CHAOS }, { notifyMaxDelayMs: 5_000, notifyDropRate: 0.5 });
    expect(decideFate(mulberry32(7), chaos)).toEqual(decideFate(mulberry32(7), chaos));
    const fates = Array.from({ length: 200 }, (_, i) => decideFate(mulberry32(i), chaos));
    expect(fates.every((f) => f.initialDelayMs >= 0 && f.initialDelayMs <= 5_000)).toBe(true);
    expect(new Set(fates.map((f) => f.initialDelayMs)).size).toBeGreaterThan(100);
    const dropped = fates.filter((f) => f.dropped).length;
    expect(dropped).toBeGreaterThan(70);
    expect(dropped).toBeLessThan(130);
  });

  it('never delays, drops or duplicates without chaos', () => {
    const fates = Array.from({ length: 50 }, (_, i) => decideFate(mulberry32(i), NO_CHAOS));
    expect(fates.every((f) => !f.dropped && !f.duplicated && f.initialDelayMs === 0)).toBe(true);
  });
});
