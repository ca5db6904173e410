import { Logger } from '@nestjs/common';
import { claimed, target } from '../../test/claimed-order-fakes';
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
