import { decideAfterVerify, StepEntry } from './next-step';
import { ctx, entry, ok, paid, pollAgain, respond, T0 } from '../../test/step-fixtures';

describe('decideAfterVerify — inquiries after a cancel answer (issue 11 rows 5, 7) and re-inquiries', () => {
  const verifying = (verifyReason: StepEntry['verifyReason'], over: Partial<StepEntry> = {}) =>
    entry('alipayplus', {
      expiresAt: T0 - 60_000,
      verifyReason,
      verifyUntil: T0 + 30_000,
      inquiryAttempts: 1,
      ...over,
    });
  const notExist = respond({ result: { resultCode: 'ORDER_NOT_EXIST', resultStatus: 'F' } });
  const inProcess = respond({
    result: ok,
    paymentResult: { resultCode: 'PAYMENT_IN_PROCESS', resultStatus: 'U' },
  });

  it.each(['CANCEL_NOT_EXIST', 'CANCEL_REFUSED', 'REINQUIRE'] as const)(
    '%s: a final answer is published',
    (r) => {
      expect(
        decideAfterVerify(verifying(r), respond({ result: ok, paymentResult: ok, ...paid }), ctx),
      ).toMatchObject({
        kind: 'publish-final',
        result: { outcome: 'SUCCESS' },
      });
    },
  );

  it('CANCEL_NOT_EXIST: ORDER_NOT_EXIST within the grace window → inquire again, bounded by the window', () => {
    expect(decideAfterVerify(verifying('CANCEL_NOT_EXIST'), notExist, ctx)).toEqual(
      pollAgain('ORDER_NOT_EXIST', T0 + 3000),
    );
    expect(
      decideAfterVerify(verifying('CANCEL_NOT_EXIST', { verifyUntil: T0 + 1000 }), notExist, ctx),
    ).toEqual(pollAgain('ORDER_NOT_EXIST', T0 + 1000));
  });

  it('CANCEL_NOT_EXIST: still ORDER_NOT_EXIST at the end of the window → closed, not confirmed', () => {
    expect(
      decideAfterVerify(verifying('CANCEL_NOT_EXIST', { verifyUntil: T0 }), notExist, ctx),
    ).toMatchObject({
      kind: 'conclude',
      conclusion: 'CLOSED_UNCONFIRMED',
      resultCode: 'ORDER_NOT_EXIST',
    });
  });

  it('CANCEL_NOT_EXIST: the partner now knows the order (a verified pending answer) → cancel again at once', () => {
    expect(decideAfterVerify(verifying('CANCEL_NOT_EXIST'), inProcess, ctx)).toMatchObject({
      kind: 'conclude',
      conclusion: 'RECANCEL',
    });
  });

  it('CANCEL_NOT_EXIST: no answer at all by the end of the window → cancel again (never closed on silence)', () => {
    const step = decideAfterVerify(
      verifying('CANCEL_NOT_EXIST', { verifyUntil: T0 }),
      { kind: 'transport-error', reason: 'TIMEOUT' },
      ctx,
    );
    expect(step).toMatchObject({ kind: 'conclude', conclusion: 'RECANCEL' });
  });

  it('CANCEL_NOT_EXIST: an untrusted answer at the end of the window holds the order with UNVERIFIED_ANSWERS', () => {
    const step = decideAfterVerify(
      verifying('CANCEL_NOT_EXIST', { verifyUntil: T0 }),
      { kind: 'untrusted', reason: 'BAD_SIGNATURE' },
      ctx,
    );
    expect(step).toMatchObject({ kind: 'poll-again', report: { reason: 'UNVERIFIED_ANSWERS' } });
  });

  it('CANCEL_REFUSED: pending within the window → inquire again', () => {
    expect(decideAfterVerify(verifying('CANCEL_REFUSED'), inProcess, ctx)).toEqual(
      pollAgain('PAYMENT_IN_PROCESS', T0 + 3000),
    );
  });

  it('CANCEL_REFUSED: no final answer by the end of the window → exception CANCEL_REFUSED, once', () => {
    const step = decideAfterVerify(verifying('CANCEL_REFUSED', { verifyUntil: T0 }), inProcess, ctx);
    expect(step).toMatchObject({
      kind: 'conclude',
      conclusion: 'CANCEL_REFUSED',
      report: { reason: 'CANCEL_REFUSED', detail: expect.stringContaining('PAYMENT_IN_PROCESS') },
    });
    const again = decideAfterVerify(
      verifying('CANCEL_REFUSED', { verifyUntil: T0, reportedAttention: 'CANCEL_REFUSED' }),
      inProcess,
      ctx,
    );
    expect(again).toMatchObject({ kind: 'conclude', conclusion: 'CANCEL_REFUSED' });
    expect(again).not.toHaveProperty('report');
  });

  it('REINQUIRE: one inquiry; without a final answer nothing more (no cancel)', () => {
    expect(decideAfterVerify(verifying('REINQUIRE', { verifyUntil: T0 }), inProcess, ctx)).toMatchObject({
      kind: 'conclude',
      conclusion: 'NOTHING',
    });
  });
});
