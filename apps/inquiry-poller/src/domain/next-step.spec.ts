import { decideAfterInquiry, StepEntry } from './next-step';
import { ctx, entry, ok, paid, policy, pollAgain, respond, T0 } from '../../test/step-fixtures';

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
        report: {
          reason: 'INQUIRY_REFUSED',
          detail: 'the partner refuses our inquiry: ACCESS_DENIED: no contract',
        },
      }),
    );
  });

  it('a refused inquiry opens its exception once: not again when INQUIRY_REFUSED was already reported', () => {
    const step = decideAfterInquiry(
      entry('alipayplus', { reportedAttention: 'INQUIRY_REFUSED' }),
      respond({ result: { resultCode: 'ACCESS_DENIED', resultStatus: 'F' } }),
      ctx,
    );
    expect(step).not.toHaveProperty('report');
  });

  it('a refused inquiry at the expiry: the exception is opened and the cancel still goes out', () => {
    const step = decideAfterInquiry(
      entry('alipayplus', { expiresAt: T0 }),
      respond({ result: { resultCode: 'ACCESS_DENIED', resultStatus: 'F' } }),
      ctx,
    );
    expect(step).toMatchObject({ kind: 'start-cancel', report: { reason: 'INQUIRY_REFUSED' } });
  });

  it('F USER_KYC_NOT_QUALIFIED → publish FAIL, not a person (issue 11 row 12)', () => {
    const step = decideAfterInquiry(
      entry('alipayplus'),
      respond({ result: { resultCode: 'USER_KYC_NOT_QUALIFIED', resultStatus: 'F' } }),
      ctx,
    );
    expect(step).toMatchObject({
      kind: 'publish-final',
      result: { outcome: 'FAIL', resultCode: 'USER_KYC_NOT_QUALIFIED' },
    });
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
      doubt: 'INVALID_ANSWERS',
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
        doubt: 'UNVERIFIED_ANSWERS',
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
      doubt: 'INVALID_ANSWERS',
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

describe('decideAfterInquiry — no cancel on an answer we do not believe (issue 11 rows 2, 11)', () => {
  const expired = (over: Partial<StepEntry> = {}) =>
    entry('alipayplus', { expiresAt: T0, inquiryAttempts: 9, ...over });

  it('an untrusted answer at the expiry holds the order: inquired at the last pace, UNVERIFIED_ANSWERS reported', () => {
    const step = decideAfterInquiry(
      expired(),
      { kind: 'untrusted', reason: 'BAD_SIGNATURE', detail: 'keyVersion 2' },
      ctx,
    );
    expect(step).toMatchObject({
      kind: 'poll-again',
      at: T0 + 3000,
      resultCode: 'UNTRUSTED_RESPONSE',
      doubt: 'UNVERIFIED_ANSWERS',
      report: { reason: 'UNVERIFIED_ANSWERS', detail: expect.stringContaining('keyVersion 2') },
    });
  });

  it('…and reports it once: not again when UNVERIFIED_ANSWERS was already published', () => {
    const step = decideAfterInquiry(
      expired({ reportedAttention: 'UNVERIFIED_ANSWERS', answerDoubt: 'UNVERIFIED_ANSWERS' }),
      { kind: 'untrusted', reason: 'BAD_SIGNATURE' },
      ctx,
    );
    expect(step).toMatchObject({ kind: 'poll-again', doubt: 'UNVERIFIED_ANSWERS' });
    expect(step).not.toHaveProperty('report');
  });

  it('a transport error after an untrusted answer keeps holding (no answer is not a verified one)', () => {
    const step = decideAfterInquiry(
      expired({ answerDoubt: 'UNVERIFIED_ANSWERS' }),
      { kind: 'transport-error', reason: 'TIMEOUT' },
      ctx,
    );
    expect(step).toMatchObject({
      kind: 'poll-again',
      resultCode: 'NO_RESPONSE',
      doubt: 'UNVERIFIED_ANSWERS',
    });
  });

  it('a transport error with no doubt ends in the cancel at the expiry, as the protocol says', () => {
    const step = decideAfterInquiry(expired(), { kind: 'transport-error', reason: 'TIMEOUT' }, ctx);
    expect(step).toMatchObject({ kind: 'start-cancel', reason: 'EXPIRED', resultCode: 'NO_RESPONSE' });
  });

  it('a later verified pending answer releases the hold: the order is cancelled', () => {
    const step = decideAfterInquiry(
      expired({ answerDoubt: 'UNVERIFIED_ANSWERS', reportedAttention: 'UNVERIFIED_ANSWERS' }),
      respond({ result: ok, paymentResult: { resultCode: 'PAYMENT_IN_PROCESS', resultStatus: 'U' } }),
      ctx,
    );
    expect(step).toMatchObject({ kind: 'start-cancel', reason: 'EXPIRED', resultCode: 'PAYMENT_IN_PROCESS' });
  });

  it('a later verified final answer settles a held order as usual', () => {
    const step = decideAfterInquiry(
      expired({ answerDoubt: 'UNVERIFIED_ANSWERS' }),
      respond({ result: ok, paymentResult: ok, ...paid }),
      ctx,
    );
    expect(step).toMatchObject({ kind: 'publish-final', result: { outcome: 'SUCCESS' } });
  });

  it.each([
    ['missing', {}],
    ['unknown', { paymentStatus: 'AUTHORIZED' }],
  ])(
    'Antom paymentStatus %s: flagged, polled on, INVALID_ANSWERS at the expiry, never cancelled',
    (_l, extra) => {
      const before = decideAfterInquiry(entry('antom'), respond({ result: ok, ...extra }), ctx);
      expect(before).toMatchObject({
        kind: 'poll-again',
        resultCode: 'INVALID_RESPONSE',
        doubt: 'INVALID_ANSWERS',
      });
      expect(before).not.toHaveProperty('report');
      const atExpiry = decideAfterInquiry(
        entry('antom', { expiresAt: T0, inquiryAttempts: 9 }),
        respond({ result: ok, ...extra }),
        ctx,
      );
      expect(atExpiry).toMatchObject({
        kind: 'poll-again',
        doubt: 'INVALID_ANSWERS',
        report: { reason: 'INVALID_ANSWERS' },
      });
    },
  );

  it('with the inquiry budget spent (action cancel) an untrusted answer holds too', () => {
    const step = decideAfterInquiry(
      entry('alipayplus', { inquiryAttempts: 2 }),
      { kind: 'untrusted', reason: 'BAD_SIGNATURE' },
      { ...ctx, policy: { ...policy, maxInquiries: 3 } },
    );
    expect(step).toMatchObject({ kind: 'poll-again', report: { reason: 'UNVERIFIED_ANSWERS' } });
  });

  it("with maxInquiriesAction 'wait' the budget spent waits until the expiry instead of cancelling (seed 002)", () => {
    const step = decideAfterInquiry(
      entry('alipayplus', { inquiryAttempts: 2 }),
      { kind: 'transport-error', reason: 'NETWORK' },
      { ...ctx, policy: { ...policy, maxInquiries: 3, maxInquiriesAction: 'wait' } },
    );
    expect(step).toEqual(pollAgain('NO_RESPONSE', T0 + 60_000));
  });
});
