/** Fakes for the claimed-order use cases: the partner, the publisher and the schedule, with a journal. */
import { encodeEvent, Topics } from '@app/contracts';
import type { ResultObservedV1 } from '@app/contracts';
import type { CancelCallResult, InquiryCallResult } from '../src/domain/read-inquiry';
import type { ClaimedEntry } from '../src/domain/schedule-entry';
import { PollerMetrics } from '../src/application/poller-metrics';
import { PollerSettings, PollingTarget } from '../src/application/poller-settings';
import { PartnerApi, ResultPublisher, ScheduleRepository } from '../src/application/ports';
import { ProcessClaimedOrderUseCase } from '../src/application/process-claimed-order.use-case';

export const T0 = 1_700_000_000_000;
export const target: PollingTarget = {
  key: 'alipayplus:C1',
  clientId: 'C1',
  dialect: 'alipayplus',
  policy: {
    firstInquiryDelayMs: 3000,
    inquiryIntervalsMs: [2000],
    jitterRatio: 0,
    maxInquiries: null,
    maxInquiriesAction: 'cancel',
    cancelRetryIntervalsMs: [1000],
    cancelNotExistGraceMs: 60_000,
    cancelRefusedInquiryMs: 20_000,
  },
  rate: { perSecond: 10, burst: 10, backoffMs: 5000 },
};
export const settings = {
  inquiryTimeoutMs: 5000,
  cancelTimeoutMs: 8000,
  publishTimeoutMs: 5000,
  now: () => T0,
  random: () => 0.5,
} as PollerSettings;

export const claimed = (over: Partial<ClaimedEntry> = {}): ClaimedEntry => ({
  paymentRequestId: 'pr-1',
  clientId: 'C1',
  dialect: 'alipayplus',
  amount: { value: '1000', currency: 'JPY' },
  expiresAt: T0 + 60_000,
  registeredAt: T0 - 3000,
  phase: 'inquiry',
  orderStatus: 'init',
  lastVersion: 1,
  nextDueAt: T0,
  cancelRequestedAt: null,
  doneReason: null,
  dueAt: T0,
  leaseToken: 'r1#1',
  leaseUntil: T0 + 30_000,
  inquiryAttempts: 0,
  cancelAttempts: 0,
  lastResultCode: null,
  reversalOf: null,
  answerDoubt: null,
  reportedAttention: null,
  verifyReason: null,
  verifyUntil: null,
  ...over,
});

export const signed = (body: object) => ({
  kind: 'response',
  body,
  rawBody: JSON.stringify(body),
  verified: true,
});
export const ok = { resultCode: 'SUCCESS', resultStatus: 'S' };

/** Records the order of side effects across the fakes. */
export function fakes(
  opts: {
    inquiry?: object;
    cancel?: object;
    publishFails?: boolean;
    /** Only publishes of these outcomes fail. */
    publishFailsFor?: string[];
    markOk?: boolean;
    /** The partner call rejects with this (e.g. CallNotMadeError: nothing could be sent). */
    callFails?: Error;
  } = {},
) {
  const journal: string[] = [];
  const published: ResultObservedV1[] = [];
  const partners: PartnerApi = {
    inquire: async () => {
      journal.push('inquire');
      if (opts.callFails) throw opts.callFails;
      return (opts.inquiry ??
        signed({ result: ok, paymentResult: ok, paymentRequestId: 'pr-1' })) as InquiryCallResult;
    },
    cancel: async () => {
      journal.push('cancel');
      if (opts.callFails) throw opts.callFails;
      return (opts.cancel ?? signed({ result: ok })) as CancelCallResult;
    },
  };
  const publisher: ResultPublisher = {
    publish: async (events) => {
      journal.push(`publish:${events.map((e) => e.outcome).join(',')}`);
      if (opts.publishFails || events.some((e) => opts.publishFailsFor?.includes(e.outcome)))
        throw new Error('broker down');
      // As the Kafka publisher does: an event that does not fit the contract is refused.
      for (const e of events) encodeEvent(Topics.resultObserved, e);
      published.push(...events);
    },
  };
  const schedule = {
    markCancelRequested: async () => {
      journal.push('mark-cancel-requested');
      return opts.markOk ?? true;
    },
  } as unknown as ScheduleRepository;
  const sut = new ProcessClaimedOrderUseCase(settings, partners, publisher, schedule, new PollerMetrics());
  return { sut, journal, published };
}
