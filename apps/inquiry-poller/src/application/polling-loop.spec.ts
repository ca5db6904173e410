import { Logger } from '@nestjs/common';
import { claimed, T0, target } from '../../test/claimed-order-fakes';
import { MIN_CLAIM_WAIT_MS } from '../domain/claim-wait';
import { CompletionWriter } from './completion-writer';
import { PollerMetrics } from './poller-metrics';
import { PollerSettings } from './poller-settings';
import { PollingLoop } from './polling-loop';
import { ClaimRequest, ScheduleRepository } from './ports';
import { ProcessClaimedOrderUseCase } from './process-claimed-order.use-case';

/**
 * Issue 11 row 13: a row processed without a call to the partner (CANCEL_REQUESTED re-published
 * while order-state is away) gives its rate-limit token back; only real calls spend the budget.
 */
describe('PollingLoop — only real partner calls take rate-limit tokens', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(true));

  async function claimsWith(calledPartner: boolean): Promise<number> {
    // The clock stands still: the bucket (2 tokens, 1 per second) never refills by itself.
    const settings = {
      instanceId: 'loop-spec',
      targets: [{ ...target, rate: { perSecond: 1, burst: 2, backoffMs: 0 } }],
      claimIntervalMs: 1,
      claimBatch: 10,
      maxInFlight: 10,
      leaseMs: 30_000,
      tombstoneRetentionMs: 3_600_000,
      now: () => 1_700_000_000_000,
      random: () => 0.5,
    } as unknown as PollerSettings;
    const requests: ClaimRequest[] = [];
    const schedule = {
      claimDue: async (r: ClaimRequest) => {
        // As the database does, let timers run between claims.
        await new Promise((resolve) => setTimeout(resolve, 1));
        requests.push(r);
        return Array.from({ length: r.limit }, (_, i) =>
          claimed({ paymentRequestId: `pr-${requests.length}-${i}` }),
        );
      },
      pruneTombstones: async () => 0,
      nextDueAfter: async () => null,
      // The port's own composition of the two (the PostgreSQL repository does it in one statement).
      claimDueAndPeek: ScheduleRepository.prototype.claimDueAndPeek,
    } as unknown as ScheduleRepository;
    const processor = {
      execute: async () => ({ completion: null, backoffPartner: false, calledPartner }),
    } as unknown as ProcessClaimedOrderUseCase;
    const completions = {
      submit: () => undefined,
      drain: async () => undefined,
    } as unknown as CompletionWriter;
    const metrics = new PollerMetrics();
    const loop = new PollingLoop(settings, schedule, processor, completions, metrics);
    loop.start();
    while (metrics.cycles < 30) await new Promise((resolve) => setTimeout(resolve, 2));
    await loop.stop();
    return requests.reduce((sum, r) => sum + r.limit, 0);
  }

  it('rows that made no call give their tokens back: claiming goes on', async () => {
    expect(await claimsWith(false)).toBeGreaterThan(10);
  });

  it('rows that called the partner keep them: the budget of 2 is spent', async () => {
    expect(await claimsWith(true)).toBe(2);
  });
});

/**
 * Issue 14: between cycles the loop waits the rest of the claim interval (counted from the cycle's
 * start), or until the earliest upcoming due time when that is sooner, never less than the floor.
 * The clock is fake: each claim moves it by `claimTakesMs`; the waits are read from setTimeout.
 */
describe('PollingLoop — the wait between claim cycles', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(true));
  afterEach(() => jest.restoreAllMocks());

  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  function harness(opts: {
    claimTakesMs: number;
    claimIntervalMs?: number;
    nextDue?: (now: number) => number | null;
  }) {
    let clock = T0;
    const settings = {
      instanceId: 'wait-spec',
      targets: [{ ...target, rate: { perSecond: 1000, burst: 1000, backoffMs: 0 } }],
      claimIntervalMs: opts.claimIntervalMs ?? 100,
      claimBatch: 10,
      maxInFlight: 10,
      leaseMs: 30_000,
      tombstoneRetentionMs: 3_600_000,
      now: () => clock,
      random: () => 0.5,
    } as unknown as PollerSettings;
    const claims: ClaimRequest[] = [];
    const dueReads: unknown[][] = [];
    const schedule = {
      claimDue: async (r: ClaimRequest) => {
        await nextTurn();
        claims.push(r);
        clock += opts.claimTakesMs;
        return []; // Nothing due: the budget is left unused, so the loop waits.
      },
      nextDueAfter: async (...args: unknown[]) => {
        dueReads.push(args);
        return opts.nextDue ? opts.nextDue(args[2] as number) : null;
      },
      pruneTombstones: async () => 0,
      claimDueAndPeek: ScheduleRepository.prototype.claimDueAndPeek,
    } as unknown as ScheduleRepository;
    const processor = {
      execute: async () => ({ completion: null, backoffPartner: false, calledPartner: true }),
    };
    const completions = { submit: () => undefined, drain: async () => undefined };
    const metrics = new PollerMetrics();
    const loop = new PollingLoop(
      settings,
      schedule,
      processor as unknown as ProcessClaimedOrderUseCase,
      completions as unknown as CompletionWriter,
      metrics,
    );
    const timer = jest.spyOn(global, 'setTimeout');
    timer.mockClear();
    /** Runs one cycle and returns the wait the loop then asked for. */
    const firstWait = async (): Promise<number> => {
      loop.start();
      while (metrics.cycles < 1) await nextTurn();
      const waits = timer.mock.calls.map((call) => call[1]);
      await loop.stop();
      // The first wait is the one after the first cycle (a short one may already be followed by more).
      expect(waits.length).toBeGreaterThanOrEqual(1);
      return waits[0] as number;
    };
    return { loop, metrics, claims, dueReads, firstWait };
  }

  it('sleeps only the rest of the interval after a claim', async () => {
    const h = harness({ claimTakesMs: 30 });
    expect(await h.firstWait()).toBe(70);
  });

  it('wakes at the earliest upcoming due time when it is sooner than the interval', async () => {
    const h = harness({ claimTakesMs: 10, nextDue: (after) => after + 35 });
    expect(await h.firstWait()).toBe(25);
    // Read for the partner it claimed for, after the claim's own `now`.
    expect(h.dueReads).toEqual([[target.clientId, target.dialect, T0]]);
  });

  it('never waits longer than the interval, however late the next due time', async () => {
    const h = harness({ claimTakesMs: 10, nextDue: (after) => after + 60_000 });
    expect(await h.firstWait()).toBe(90);
  });

  it('never sleeps less than the floor: a slow claim or a due time already passed does not spin', async () => {
    expect(await harness({ claimTakesMs: 250 }).firstWait()).toBe(MIN_CLAIM_WAIT_MS);
    expect(await harness({ claimTakesMs: 10, nextDue: (after) => after + 1 }).firstWait()).toBe(
      MIN_CLAIM_WAIT_MS,
    );
  });

  it('a wake-up (hint, status change) still cuts a long wait short', async () => {
    const h = harness({ claimTakesMs: 0, claimIntervalMs: 3_600_000 });
    h.loop.start();
    while (h.metrics.cycles < 1) await nextTurn();
    h.loop.wake();
    while (h.metrics.cycles < 2) await nextTurn();
    await h.loop.stop();
    expect(h.claims).toHaveLength(2);
  });
});
