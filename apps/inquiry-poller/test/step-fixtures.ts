/** Shared fixtures of the next-step specs (domain/next-step, verify). */
import type { Dialect } from '@app/contracts';
import type { InquiryCallResult, StepContext, StepEntry } from '../src/domain/next-step';
import { PollingPolicy } from '../src/domain/polling-policy';

export const T0 = 1_700_000_000_000;
export const policy: PollingPolicy = {
  firstInquiryDelayMs: 3000,
  inquiryIntervalsMs: [2000, 3000],
  jitterRatio: 0,
  maxInquiries: null,
  maxInquiriesAction: 'cancel',
  cancelRetryIntervalsMs: [2000, 4000],
  cancelNotExistGraceMs: 60_000,
  cancelRefusedInquiryMs: 30_000,
};
export const ctx: StepContext = { now: T0, policy, random: () => 0.5, partnerBackoffMs: 5000 };
export const entry = (dialect: Dialect, over: Partial<StepEntry> = {}): StepEntry => ({
  paymentRequestId: 'pr-1',
  dialect,
  expiresAt: T0 + 60_000,
  inquiryAttempts: 0,
  cancelAttempts: 0,
  answerDoubt: null,
  reportedAttention: null,
  verifyReason: null,
  verifyUntil: null,
  ...over,
});
export const respond = (body: Record<string, unknown>): InquiryCallResult =>
  ({ kind: 'response', body, rawBody: JSON.stringify(body), verified: true }) as InquiryCallResult;
export const ok = { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' };
export const paid = {
  paymentRequestId: 'pr-1',
  paymentId: 'pay-1',
  paymentAmount: { value: '1000', currency: 'JPY' },
  paymentTime: '2026-11-21T12:01:01+08:00',
};
export const pollAgain = (resultCode: string, at = T0 + 2000, extra: object = {}) => ({
  kind: 'poll-again',
  at,
  resultCode,
  backoffPartner: false,
  doubt: null,
  ...extra,
});
