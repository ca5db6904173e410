import type { Dialect } from '@app/contracts';
import {
  CancelCallResult,
  decideAfterCancel,
  decideAfterInquiry,
  InquiryCallResult,
  StepContext,
  StepEntry,
} from './next-step';
import { PollingPolicy } from './polling-policy';

const T0 = 1_700_000_000_000;
const policy: PollingPolicy = {
  firstInquiryDelayMs: 3000,
  inquiryIntervalsMs: [2000, 3000],
  jitterRatio: 0,
  maxInquiries: null,
  cancelRetryIntervalsMs: [2000, 4000],
};
const ctx: StepContext = { now: T0, policy, random: () => 0.5, partnerBackoffMs: 5000 };
const entry = (dialect: Dialect, over: Partial<StepEntry> = {}): StepEntry => ({
  paymentRequestId: 'pr-1',
  dialect,
  expiresAt: T0 + 60_000,
  inquiryAttempts: 0,
  cancelAttempts: 0,
  ...over,
});
const respond = (body: Record<string, unknown>): InquiryCallResult =>
  ({ kind: 'response', body, rawBody: JSON.stringify(body), verified: true }) as InquiryCallResult;
const respondCancel = (body: Record<string, unknown>): CancelCallResult =>
  ({ kind: 'response', body, rawBody: JSON.stringify(body), verified: true }) as CancelCallResult;
const ok = { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' };
const paid = {
  paymentRequestId: 'pr-1',
  paymentId: 'pay-1',
  paymentAmount: { value: '1000', currency: 'JPY' },
  paymentTime: '2026-11-21T12:01:01+08:00',
};
const pollAgain = (resultCode: string, at = T0 + 2000, extra: object = {}) => ({
  kind: 'poll-again',
  at,
  resultCode,
  backoffPartner: false,
  ...extra,
});

describe('decideAfterInquiry — Alipay+ table (protocol.md §3.1)', () => {
  it('S/S → publish SUCCESS with the paid facts and the raw body', () => {
    const call = respond({ result: ok, paymentResult: ok, ...paid });
    expect(decideAfterInquiry(entry('alipayplus'), call, ctx)).toEqual({
      kind: 'publish-final',
      result: {
        outcome: 'SUCCESS',
        resultCode: 'SUCCESS',
        resultMessage: 'success',
        paymentId: 'pay-1',
        amount: { value: '1000', currency: 'JPY' },
        paymentTime: '2026-11-21T12:01:01+08:00',
        rawBody: (call as { rawBody: string }).rawBody,
      },
    });
  });

  it('S/F ORDER_IS_CLOSED → publish CLOSED', () => {
    const step = decideAfterInquiry(
      entry('alipayplus'),
      respond({ result: ok, paymentResult: { resultCode: 'ORDER_IS_CLOSED', resultStatus: 'F' } }),
      ctx,
    );
    expect(step).toMatchObject({
      kind: 'publish-final',
      result: { outcome: 'CLOSED', resultCode: 'ORDER_IS_CLOSED' },
    });
  });

  it('S/F other code → publish FAIL with the code as the reason', () => {
    const step = decideAfterInquiry(
      entry('alipayplus'),
      respond({ result: ok, paymentResult: { resultCode: 'USER_BALANCE_NOT_ENOUGH', resultStatus: 'F' } }),
      ctx,
    );
    expect(step).toMatchObject({
      kind: 'publish-final',
      result: { outcome: 'FAIL', resultCode: 'USER_BALANCE_NOT_ENOUGH' },
    });
  });

  it('S/U PAYMENT_IN_PROCESS → poll again after the next interval', () => {
    const step = decideAfterInquiry(
      entry('alipayplus'),
      respond({ result: ok, paymentResult: { resultCode: 'PAYMENT_IN_PROCESS', resultStatus: 'U' } }),
      ctx,
    );
    expect(step).toEqual(pollAgain('PAYMENT_IN_PROCESS'));
  });

  it('the interval grows with the inquiries already made', () => {
    const step = decideAfterInquiry(
      entry('alipayplus', { inquiryAttempts: 4 }),
      respond({ result: ok, paymentResult: { resultCode: 'PAYMENT_IN_PROCESS', resultStatus: 'U' } }),
      ctx,
    );
    expect(step).toEqual(pollAgain('PAYMENT_IN_PROCESS', T0 + 3000));
  });

  it('F ORDER_NOT_EXIST → keep polling within the expiry, never read as paid', () => {
    const step = decideAfterInquiry(
      entry('alipayplus'),
      respond({ result: { resultCode: 'ORDER_NOT_EXIST', resultStatus: 'F' } }),
      ctx,
    );
    expect(step).toEqual(pollAgain('ORDER_NOT_EXIST'));
  });

  it('F ORDER_NOT_EXIST at the expiry → cancel', () => {
    const step = decideAfterInquiry(
      entry('alipayplus', { expiresAt: T0 }),
      respond({ result: { resultCode: 'ORDER_NOT_EXIST', resultStatus: 'F' } }),
      ctx,
    );
    expect(step).toEqual({
      kind: 'start-cancel',
      reason: 'EXPIRED',
      resultCode: 'ORDER_NOT_EXIST',
      backoffPartner: false,
    });
  });

  it('U UNKNOWN_EXCEPTION → poll again, no backoff', () => {
    const step = decideAfterInquiry(
      entry('alipayplus'),
      respond({ result: { resultCode: 'UNKNOWN_EXCEPTION', resultStatus: 'U' } }),
      ctx,
    );
    expect(step).toEqual(pollAgain('UNKNOWN_EXCEPTION'));
  });

  it('U REQUEST_TRAFFIC_EXCEED_LIMIT → back the partner off and wait at least the backoff', () => {
    const step = decideAfterInquiry(
      entry('alipayplus'),
      respond({ result: { resultCode: 'REQUEST_TRAFFIC_EXCEED_LIMIT', resultStatus: 'U' } }),
      ctx,
    );
    expect(step).toEqual({ ...pollAgain('REQUEST_TRAFFIC_EXCEED_LIMIT', T0 + 5000), backoffPartner: true });
  });

  it('F ACCESS_DENIED (contract) → recorded for people, polling goes on within the expiry', () => {
    const step = decideAfterInquiry(
      entry('alipayplus'),
      respond({ result: { resultCode: 'ACCESS_DENIED', resultStatus: 'F', resultMessage: 'no contract' } }),
      ctx,
    );
    expect(step).toEqual(
      pollAgain('ACCESS_DENIED', T0 + 2000, {
        attention: { code: 'INQUIRY_REFUSED', detail: 'ACCESS_DENIED: no contract' },
      }),
    );
  });

  it('a final answer naming another order is not believed', () => {
    const step = decideAfterInquiry(
      entry('alipayplus'),
      respond({ result: ok, paymentResult: ok, ...paid, paymentRequestId: 'someone-else' }),
      ctx,
    );
    expect(step).toMatchObject({
      kind: 'poll-again',
      resultCode: 'RESULT_FOR_OTHER_ORDER',
      attention: { code: 'RESULT_FOR_OTHER_ORDER' },
    });
  });
});

describe('decideAfterInquiry — Antom table (protocol.md §3.2)', () => {
  it.each([
    ['SUCCESS', undefined, 'SUCCESS', 'SUCCESS'],
    ['FAIL', 'USER_BALANCE_NOT_ENOUGH', 'FAIL', 'USER_BALANCE_NOT_ENOUGH'],
    ['FAIL', 'ORDER_IS_CLOSED', 'CLOSED', 'ORDER_IS_CLOSED'],
    ['CANCELLED', undefined, 'CLOSED', 'CANCELLED'],
  ])('paymentStatus %s (%s) → publish %s %s', (paymentStatus, paymentResultCode, outcome, resultCode) => {
    const step = decideAfterInquiry(
      entry('antom'),
      respond({ result: ok, paymentStatus, ...(paymentResultCode ? { paymentResultCode } : {}), ...paid }),
      ctx,
    );
    expect(step).toMatchObject({ kind: 'publish-final', result: { outcome, resultCode } });
  });

  it.each(['PROCESSING', 'PENDING'])('paymentStatus %s → poll again', (paymentStatus) => {
    expect(decideAfterInquiry(entry('antom'), respond({ result: ok, paymentStatus }), ctx)).toEqual(
      pollAgain(paymentStatus),
    );
  });
});

describe('decideAfterInquiry — answers that are not answers', () => {
  it('an S answer without a signature is not believed: poll again, flagged', () => {
    const step = decideAfterInquiry(
      entry('alipayplus'),
      { kind: 'untrusted', reason: 'MISSING_SIGNATURE' },
      ctx,
    );
    expect(step).toEqual(
      pollAgain('UNTRUSTED_RESPONSE', T0 + 2000, {
        attention: { code: 'UNTRUSTED_RESPONSE', detail: 'MISSING_SIGNATURE' },
      }),
    );
  });

  it('a timeout → poll again with the same request', () => {
    expect(
      decideAfterInquiry(entry('alipayplus'), { kind: 'transport-error', reason: 'TIMEOUT' }, ctx),
    ).toEqual(pollAgain('NO_RESPONSE'));
  });

  it('HTTP 503 → poll again and back the partner off', () => {
    expect(
      decideAfterInquiry(entry('alipayplus'), { kind: 'transport-error', reason: 'HTTP_503' }, ctx),
    ).toEqual({
      ...pollAgain('NO_RESPONSE', T0 + 5000),
      backoffPartner: true,
    });
  });

  it('an unreadable body → poll again, flagged', () => {
    expect(
      decideAfterInquiry(entry('antom'), { kind: 'invalid-response', reason: 'body is not valid JSON' }, ctx),
    ).toMatchObject({
      kind: 'poll-again',
      resultCode: 'INVALID_RESPONSE',
      attention: { code: 'INVALID_RESPONSE' },
    });
  });

  it('no answer after the last allowed inquiry → cancel', () => {
    const step = decideAfterInquiry(
      entry('alipayplus', { inquiryAttempts: 2 }),
      { kind: 'transport-error', reason: 'NETWORK' },
      { ...ctx, policy: { ...policy, maxInquiries: 3 } },
    );
    expect(step).toEqual({
      kind: 'start-cancel',
      reason: 'MAX_INQUIRIES',
      resultCode: 'NO_RESPONSE',
      backoffPartner: false,
    });
  });
});

describe('decideAfterCancel (protocol.md §4)', () => {
  it.each<Dialect>(['alipayplus', 'antom'])('%s: S → cancelled', (dialect) => {
    const call = respondCancel({ result: ok });
    expect(decideAfterCancel(entry(dialect), call, ctx)).toEqual({
      kind: 'cancelled',
      resultCode: 'SUCCESS',
      rawBody: (call as { rawBody: string }).rawBody,
    });
  });

  it('U UNKNOWN_EXCEPTION → send the same cancel again after the next interval', () => {
    const step = decideAfterCancel(
      entry('alipayplus', { cancelAttempts: 1 }),
      respondCancel({ result: { resultCode: 'UNKNOWN_EXCEPTION', resultStatus: 'U' } }),
      ctx,
    );
    expect(step).toEqual({
      kind: 'retry',
      at: T0 + 4000,
      resultCode: 'UNKNOWN_EXCEPTION',
      backoffPartner: false,
    });
  });

  it('a timeout → retry', () => {
    expect(
      decideAfterCancel(entry('alipayplus'), { kind: 'transport-error', reason: 'TIMEOUT' }, ctx),
    ).toEqual({
      kind: 'retry',
      at: T0 + 2000,
      resultCode: 'NO_RESPONSE',
      backoffPartner: false,
    });
  });

  it('HTTP 500 → retry', () => {
    expect(
      decideAfterCancel(entry('alipayplus'), { kind: 'transport-error', reason: 'HTTP_500' }, ctx),
    ).toMatchObject({
      kind: 'retry',
      resultCode: 'NO_RESPONSE',
    });
  });

  it('REQUEST_TRAFFIC_EXCEED_LIMIT → retry after the partner backoff', () => {
    expect(
      decideAfterCancel(
        entry('alipayplus'),
        respondCancel({ result: { resultCode: 'REQUEST_TRAFFIC_EXCEED_LIMIT', resultStatus: 'U' } }),
        ctx,
      ),
    ).toEqual({
      kind: 'retry',
      at: T0 + 5000,
      resultCode: 'REQUEST_TRAFFIC_EXCEED_LIMIT',
      backoffPartner: true,
    });
  });

  it('a non-retryable F → refused with the code, to become CANCEL_FAILED', () => {
    const call = respondCancel({
      result: { resultCode: 'CANCEL_WINDOW_EXCEED', resultStatus: 'F', resultMessage: 'too late' },
    });
    expect(decideAfterCancel(entry('alipayplus'), call, ctx)).toEqual({
      kind: 'refused',
      resultCode: 'CANCEL_WINDOW_EXCEED',
      resultMessage: 'too late',
      rawBody: (call as { rawBody: string }).rawBody,
    });
  });

  it('a badly signed answer is retried, flagged', () => {
    expect(
      decideAfterCancel(entry('alipayplus'), { kind: 'untrusted', reason: 'BAD_SIGNATURE' }, ctx),
    ).toMatchObject({
      kind: 'retry',
      resultCode: 'UNTRUSTED_RESPONSE',
      attention: { code: 'UNTRUSTED_RESPONSE' },
    });
  });

  it('Antom: still U after 3 retries → flagged for support, and still retried (§4.2)', () => {
    const u = respondCancel({ result: { resultCode: 'UNKNOWN_EXCEPTION', resultStatus: 'U' } });
    expect(decideAfterCancel(entry('antom', { cancelAttempts: 2 }), u, ctx)).not.toHaveProperty('attention');
    expect(decideAfterCancel(entry('antom', { cancelAttempts: 3 }), u, ctx)).toMatchObject({
      kind: 'retry',
      attention: { code: 'CANCEL_STILL_UNKNOWN' },
    });
    expect(decideAfterCancel(entry('alipayplus', { cancelAttempts: 10 }), u, ctx)).not.toHaveProperty(
      'attention',
    );
  });
});
