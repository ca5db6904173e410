import {
  afterUnsettledInquiry,
  cancelRequestRecheckAt,
  firstInquiryAt,
  heldInquiryAt,
  jittered,
  nextCancelAttemptAt,
  nthInterval,
} from './cadence';
import { PollingPolicy } from './polling-policy';

const policy: PollingPolicy = {
  firstInquiryDelayMs: 3000,
  inquiryIntervalsMs: [2000, 2000, 3000, 3000, 5000, 5000, 10000, 10000],
  jitterRatio: 0,
  maxInquiries: null,
  maxInquiriesAction: 'cancel',
  cancelRetryIntervalsMs: [2000, 4000, 8000],
  cancelNotExistGraceMs: 60_000,
  cancelRefusedInquiryMs: 60_000,
};
const noJitter = () => 0.5; // 2·0.5 − 1 = 0: no displacement whatever the ratio
const T0 = 1_700_000_000_000;

describe('cadence (design.md §5, protocol.md §5)', () => {
  describe('first inquiry', () => {
    it('falls due the configured delay after registration', () => {
      expect(firstInquiryAt(T0, T0 + 60_000, policy, noJitter)).toBe(T0 + 3000);
    });

    it('never falls due after the payment expiry', () => {
      expect(firstInquiryAt(T0, T0 + 1000, policy, noJitter)).toBe(T0 + 1000);
    });

    it('is spread by the jitter so that orders registered together do not all fall due at once', () => {
      const jittery = { ...policy, jitterRatio: 0.2 };
      expect(firstInquiryAt(T0, T0 + 60_000, jittery, () => 0)).toBe(T0 + 2400);
      expect(firstInquiryAt(T0, T0 + 60_000, jittery, () => 0.999999)).toBe(T0 + 3600);
    });
  });

  describe('jitter', () => {
    it.each([
      [0, 800],
      [0.5, 1000],
      [0.99999, 1200],
    ])('random %p moves 1000 ms by at most ±20%% → %p', (r, expected) => {
      expect(jittered(1000, 0.2, () => r)).toBe(expected);
    });

    it('stays within ±ratio for any random value', () => {
      for (let i = 0; i < 1000; i++) {
        const v = jittered(5000, 0.3, Math.random);
        expect(v).toBeGreaterThanOrEqual(3500);
        expect(v).toBeLessThanOrEqual(6500);
      }
    });
  });

  describe('after an inquiry that did not settle the payment', () => {
    const expiresAt = T0 + 10 * 60_000;

    it('waits the growing intervals in order, the last one repeating', () => {
      const waits = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((made) => {
        const next = afterUnsettledInquiry({ now: T0, inquiriesMade: made, expiresAt }, policy, noJitter);
        if (next.kind !== 'inquire') throw new Error('expected another inquiry');
        return next.at - T0;
      });
      expect(waits).toEqual([2000, 2000, 3000, 3000, 5000, 5000, 10000, 10000, 10000, 10000]);
    });

    it('never schedules past the expiry: the last inquiry is made at the expiry itself', () => {
      const next = afterUnsettledInquiry(
        { now: T0, inquiriesMade: 8, expiresAt: T0 + 4000 },
        policy,
        noJitter,
      );
      expect(next).toEqual({ kind: 'inquire', at: T0 + 4000 });
    });

    it('cancels once the expiry has passed', () => {
      expect(
        afterUnsettledInquiry({ now: T0 + 4000, inquiriesMade: 9, expiresAt: T0 + 4000 }, policy, noJitter),
      ).toEqual({ kind: 'cancel', reason: 'EXPIRED' });
    });

    it('cancels after the last allowed inquiry when a maximum is configured', () => {
      const limited = { ...policy, maxInquiries: 3 };
      expect(afterUnsettledInquiry({ now: T0, inquiriesMade: 2, expiresAt }, limited, noJitter).kind).toBe(
        'inquire',
      );
      expect(afterUnsettledInquiry({ now: T0, inquiriesMade: 3, expiresAt }, limited, noJitter)).toEqual({
        kind: 'cancel',
        reason: 'MAX_INQUIRIES',
      });
    });

    it("with maxInquiriesAction 'wait', stops inquiring until the expiry, then cancels as usual (seed 002)", () => {
      const waiting = { ...policy, maxInquiries: 3, maxInquiriesAction: 'wait' as const };
      expect(afterUnsettledInquiry({ now: T0, inquiriesMade: 3, expiresAt }, waiting, noJitter)).toEqual({
        kind: 'inquire',
        at: expiresAt,
      });
      expect(
        afterUnsettledInquiry({ now: expiresAt, inquiriesMade: 4, expiresAt }, waiting, noJitter),
      ).toEqual({ kind: 'cancel', reason: 'EXPIRED' });
    });

    it('waits at least the backoff the partner asked for, still bounded by the expiry', () => {
      const backoff = afterUnsettledInquiry(
        { now: T0, inquiriesMade: 1, expiresAt, minWaitMs: 7000 },
        policy,
        noJitter,
      );
      expect(backoff).toEqual({ kind: 'inquire', at: T0 + 7000 });
      const bounded = afterUnsettledInquiry(
        { now: T0, inquiriesMade: 1, expiresAt: T0 + 5000, minWaitMs: 7000 },
        policy,
        noJitter,
      );
      expect(bounded).toEqual({ kind: 'inquire', at: T0 + 5000 });
    });

    it('applies the jitter to every wait', () => {
      const jittery = { ...policy, jitterRatio: 0.5 };
      const low = afterUnsettledInquiry({ now: T0, inquiriesMade: 7, expiresAt }, jittery, () => 0);
      const high = afterUnsettledInquiry({ now: T0, inquiriesMade: 7, expiresAt }, jittery, () => 0.99999);
      expect(low).toEqual({ kind: 'inquire', at: T0 + 5000 });
      expect(high).toEqual({ kind: 'inquire', at: T0 + 15000 });
    });
  });

  describe('cancel retries (protocol.md §4.1: retry until it succeeds)', () => {
    it('back off along their own schedule, the last wait repeating, with no end', () => {
      const waits = [1, 2, 3, 4, 50].map((made) => nextCancelAttemptAt(T0, made, policy, noJitter) - T0);
      expect(waits).toEqual([2000, 4000, 8000, 8000, 8000]);
    });

    it('wait at least the partner backoff', () => {
      expect(nextCancelAttemptAt(T0, 1, policy, noJitter, 5000)).toBe(T0 + 5000);
    });
  });

  it('an order held past its expiry is inquired at the schedule’s last pace', () => {
    expect(heldInquiryAt(T0, 20, policy, noJitter)).toBe(T0 + 10000);
  });

  describe('CANCEL_REQUESTED re-published while order-state has not answered (issue 11 row 13)', () => {
    it('waits longer each time (doubling with the time waited), from the first to the last cancel interval', () => {
      let now = T0;
      const waits: number[] = [];
      for (let i = 0; i < 6; i++) {
        const next = cancelRequestRecheckAt(now, T0, policy, noJitter);
        waits.push(next - now);
        now = next;
      }
      expect(waits).toEqual([2000, 2000, 4000, 8000, 8000, 8000]);
    });

    it('is jittered', () => {
      const jittery = { ...policy, jitterRatio: 0.5 };
      expect(cancelRequestRecheckAt(T0 + 4000, T0, jittery, () => 0) - (T0 + 4000)).toBe(2000);
      expect(cancelRequestRecheckAt(T0 + 4000, T0, jittery, () => 0.99999) - (T0 + 4000)).toBe(6000);
    });
  });

  it('nthInterval clamps to the schedule', () => {
    expect(nthInterval([1, 2, 3], -1)).toBe(1);
    expect(nthInterval([1, 2, 3], 7)).toBe(3);
  });
});
