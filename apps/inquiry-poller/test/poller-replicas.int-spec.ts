import { waitFor } from '@app/testing';
import { queryRows } from '@app/testing/test-database';
import { PollerTestBed, TestPartner } from './poller-test-bed';

/**
 * Issue 4 acceptance, several replicas: replicas share one schedule table and never inquire about
 * the same order at the same moment; a replica going away (all of them, even) loses nothing.
 */
describe('inquiry-poller replicas on one schedule (real Kafka and PostgreSQL)', () => {
  const partner: TestPartner = { clientId: 'T_POLL_REPLICAS', dialect: 'alipayplus' };
  // Slow, uneven answers: an inquiry started twice for one order would overlap and be counted.
  const bed = new PollerTestBed([partner], { latencyMs: [30, 300] });

  beforeAll(async () => {
    await bed.start();
  });

  afterAll(async () => {
    await bed.stop();
  });

  async function statuses(ids: string[]): Promise<Map<string, string>> {
    const rows = await queryRows<{ payment_request_id: string; status: string }>(
      bed.db.url,
      `SELECT payment_request_id, status FROM payment_orders WHERE payment_request_id = ANY($1::text[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.payment_request_id, r.status]));
  }

  /** Waits until every order has the final status the simulator's truth says it must end with. */
  async function waitForTruth(ids: string[], timeoutMs: number) {
    await waitFor(
      async () => {
        const current = await statuses(ids);
        return ids.every((id) => {
          const expected = bed.sim.truth(id)!.expectedOrderStatus;
          return expected !== null && current.get(id) === expected;
        });
      },
      { description: `${ids.length} orders reach their true final status`, timeoutMs, intervalMs: 500 },
    );
  }

  it('two replicas never inquire about one order concurrently, and both do part of the work', async () => {
    const a = await bed.startPoller('a');
    const b = await bed.startPoller('b');
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      ids.push(
        await bed.createOrder(partner, `pair${i}`, {
          timeline: [
            { atMs: 0, status: 'PROCESSING' },
            { atMs: 2000 + (i % 20) * 200, status: 'SUCCESS' },
          ],
          expiresInMs: 120_000,
        }),
      );
    }

    await waitForTruth(ids, 120_000);
    expect([...(await statuses(ids)).values()].every((s) => s === 'success')).toBe(true);

    const stats = bed.sim.stats();
    expect(stats.concurrentInquiryViolations).toBe(0);
    // Enough polling happened for overlaps to have had every chance: several inquiries per order.
    expect(stats.inquiries).toBeGreaterThanOrEqual(ids.length * 2);
    expect(a.metrics.inquiriesStarted).toBeGreaterThan(0);
    expect(b.metrics.inquiriesStarted).toBeGreaterThan(0);

    await bed.stopPoller(a);
    await bed.stopPoller(b);
  });

  it('replicas restarted mid-schedule lose nothing: every order still reaches its final state', async () => {
    const a = await bed.startPoller('a2');
    const b = await bed.startPoller('b2');
    const paidLate = [];
    const neverPaid = [];
    for (let i = 0; i < 20; i++) {
      paidLate.push(
        await bed.createOrder(partner, `late${i}`, {
          timeline: [
            { atMs: 0, status: 'PROCESSING' },
            { atMs: 15_000 + i * 100, status: 'SUCCESS' },
          ],
          expiresInMs: 120_000,
        }),
      );
    }
    for (let i = 0; i < 10; i++) {
      neverPaid.push(
        await bed.createOrder(partner, `never${i}`, {
          timeline: [{ atMs: 0, status: 'PROCESSING' }],
          expiresInMs: 20_000,
        }),
      );
    }
    const first = [...paidLate, ...neverPaid];

    // Mid-schedule: every order has been asked about and none is settled yet.
    await waitFor(async () => first.every((id) => bed.sim.truth(id)!.inquiries >= 1), {
      description: 'every order inquired at least once',
      timeoutMs: 60_000,
    });
    expect([...(await statuses(first)).values()].every((s) => s === 'init')).toBe(true);

    // Every replica goes away; orders keep being registered meanwhile.
    await bed.stopPoller(a);
    await bed.stopPoller(b);
    const whileDown = [];
    for (let i = 0; i < 10; i++) {
      whileDown.push(
        await bed.createOrder(partner, `down${i}`, {
          timeline: [
            { atMs: 0, status: 'PROCESSING' },
            { atMs: 3000, status: 'SUCCESS' },
          ],
          expiresInMs: 120_000,
        }),
      );
    }

    const c = await bed.startPoller('c');
    const all = [...first, ...whileDown];
    await waitForTruth(all, 120_000);

    const final = await statuses(all);
    expect(paidLate.every((id) => final.get(id) === 'success')).toBe(true);
    expect(whileDown.every((id) => final.get(id) === 'success')).toBe(true);
    expect(neverPaid.every((id) => final.get(id) === 'cancelled')).toBe(true);
    expect(c.metrics.inquiriesStarted).toBeGreaterThan(0);
    expect(bed.sim.stats().concurrentInquiryViolations).toBe(0);
  });
});
