import { Logger } from '@nestjs/common';
import { claimed, fakes, ok, signed, T0, target } from '../../test/claimed-order-fakes';

const cancelling = {
  phase: 'cancel' as const,
  cancelRequestedAt: T0 - 5000,
  orderStatus: 'cancelling' as const,
};
const refusedCancel = (code: string) => signed({ result: { resultCode: code, resultStatus: 'F' } });
const pending = signed({
  result: ok,
  paymentResult: { resultCode: 'PAYMENT_IN_PROCESS', resultStatus: 'U' },
});
const notExist = signed({ result: { resultCode: 'ORDER_NOT_EXIST', resultStatus: 'F' } });
const paid = signed({ result: ok, paymentResult: ok, paymentRequestId: 'pr-1' });

/** The inquire and cancel use cases on the money-path exceptions of issue 11, with fakes. */
describe('claimed-order use cases — money-path exceptions (issue 11)', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(true));

  describe('row 2: an answer that fails verification is never the reason for a cancel', () => {
    it('at the expiry the order is held and UNVERIFIED_ANSWERS is published once (deterministic id)', async () => {
      const { sut, journal, published } = fakes({ inquiry: { kind: 'untrusted', reason: 'BAD_SIGNATURE' } });
      const { completion, calledPartner } = await sut.execute(claimed({ expiresAt: T0 - 1 }), target);
      expect(journal).toEqual(['inquire', 'publish:PROCESSING']);
      expect(published[0]).toMatchObject({
        eventId: 'attention:pr-1:UNVERIFIED_ANSWERS',
        source: 'inquiry',
        outcome: 'PROCESSING',
        attention: { reason: 'UNVERIFIED_ANSWERS' },
      });
      expect(completion).toMatchObject({
        phase: 'inquiry',
        nextDueAt: T0 + 2000,
        answerDoubt: 'UNVERIFIED_ANSWERS',
        reportedAttention: 'UNVERIFIED_ANSWERS',
      });
      expect(calledPartner).toBe(true);
    });

    it('once reported, holding goes on without publishing again', async () => {
      const { sut, journal } = fakes({ inquiry: { kind: 'untrusted', reason: 'BAD_SIGNATURE' } });
      const { completion } = await sut.execute(
        claimed({
          expiresAt: T0 - 1,
          reportedAttention: 'UNVERIFIED_ANSWERS',
          answerDoubt: 'UNVERIFIED_ANSWERS',
        }),
        target,
      );
      expect(journal).toEqual(['inquire']);
      expect(completion).toMatchObject({ phase: 'inquiry', reportedAttention: null });
    });

    it('a failed attention publish is not recorded, so it is published at the next step', async () => {
      const { sut } = fakes({ inquiry: { kind: 'untrusted', reason: 'BAD_SIGNATURE' }, publishFails: true });
      const { completion } = await sut.execute(claimed({ expiresAt: T0 - 1 }), target);
      expect(completion).toMatchObject({
        phase: 'inquiry',
        reportedAttention: null,
        answerDoubt: 'UNVERIFIED_ANSWERS',
      });
    });

    it('a later verified pending answer past the expiry may be cancelled', async () => {
      const { sut } = fakes({ inquiry: pending });
      const { completion } = await sut.execute(
        claimed({
          expiresAt: T0 - 1,
          answerDoubt: 'UNVERIFIED_ANSWERS',
          reportedAttention: 'UNVERIFIED_ANSWERS',
        }),
        target,
      );
      expect(completion).toMatchObject({ phase: 'cancel', nextDueAt: T0, answerDoubt: null });
    });

    it('an untrusted cancel answer: the cancel is retried and UNVERIFIED_ANSWERS published once (source cancel)', async () => {
      const { sut, journal, published } = fakes({ cancel: { kind: 'untrusted', reason: 'BAD_SIGNATURE' } });
      const { completion } = await sut.execute(claimed({ ...cancelling, cancelAttempts: 1 }), target);
      expect(journal).toEqual(['cancel', 'publish:PROCESSING']);
      expect(published[0]).toMatchObject({ source: 'cancel', attention: { reason: 'UNVERIFIED_ANSWERS' } });
      expect(completion).toMatchObject({
        phase: 'cancel',
        cancelAttempts: 2,
        reportedAttention: 'UNVERIFIED_ANSWERS',
      });
    });
  });

  it('row 4: cancel F ORDER_IS_CLOSED → CLOSED (source cancel) published, row done', async () => {
    const { sut, published } = fakes({ cancel: refusedCancel('ORDER_IS_CLOSED') });
    const { completion } = await sut.execute(claimed({ ...cancelling, cancelAttempts: 1 }), target);
    expect(published).toEqual([
      expect.objectContaining({
        eventId: 'cancel:pr-1:CLOSED',
        source: 'cancel',
        outcome: 'CLOSED',
        resultCode: 'ORDER_IS_CLOSED',
      }),
    ]);
    expect(completion).toMatchObject({ phase: 'done', doneReason: 'CANCELLED' });
  });

  describe('row 5: cancel F ORDER_NOT_EXIST', () => {
    it('nothing is published yet; the row re-inquires over the grace window', async () => {
      const { sut, published } = fakes({ cancel: refusedCancel('ORDER_NOT_EXIST') });
      const { completion } = await sut.execute(claimed({ ...cancelling, cancelAttempts: 1 }), target);
      expect(published).toEqual([]);
      expect(completion).toMatchObject({
        phase: 'verify',
        verifyReason: 'CANCEL_NOT_EXIST',
        verifyUntil: T0 + 60_000,
        nextDueAt: T0 + 2000,
        cancelAttempts: 2,
      });
    });

    const verifying = { ...cancelling, phase: 'verify' as const, verifyReason: 'CANCEL_NOT_EXIST' as const };

    it('still unknown at the end of the window → CLOSED, ORDER_NOT_EXIST, "closed, not confirmed by the partner"', async () => {
      const { sut, published } = fakes({ inquiry: notExist });
      const { completion } = await sut.execute(claimed({ ...verifying, verifyUntil: T0 }), target);
      expect(published).toEqual([
        expect.objectContaining({
          eventId: 'cancel:pr-1:CLOSED',
          source: 'cancel',
          outcome: 'CLOSED',
          resultCode: 'ORDER_NOT_EXIST',
          resultMessage: expect.stringMatching(/^closed, not confirmed by the partner/),
        }),
      ]);
      expect(completion).toMatchObject({ phase: 'done', doneReason: 'CLOSED_NO_ORDER', verifyReason: null });
    });

    it('within the window → inquire again, the verify phase kept', async () => {
      const { sut, published } = fakes({ inquiry: notExist });
      const { completion } = await sut.execute(claimed({ ...verifying, verifyUntil: T0 + 30_000 }), target);
      expect(published).toEqual([]);
      expect(completion).toMatchObject({
        phase: 'verify',
        verifyReason: 'CANCEL_NOT_EXIST',
        verifyUntil: T0 + 30_000,
      });
    });

    it('a SUCCESS found in the window is published, and the cancel is sent again (the order is cancelling)', async () => {
      const { sut, published } = fakes({ inquiry: paid });
      const { completion } = await sut.execute(claimed({ ...verifying, verifyUntil: T0 + 30_000 }), target);
      expect(published).toEqual([expect.objectContaining({ eventId: 'inquiry:pr-1:SUCCESS:SUCCESS' })]);
      expect(completion).toMatchObject({ phase: 'cancel', nextDueAt: T0, verifyReason: null });
    });
  });

  describe('row 7: any other cancel F', () => {
    const verifying = { ...cancelling, phase: 'verify' as const, verifyReason: 'CANCEL_REFUSED' as const };

    it('a final answer found by the inquiries is published; the row is done', async () => {
      const { sut, published } = fakes({
        inquiry: signed({ result: ok, paymentResult: { resultCode: 'RISK_REJECT', resultStatus: 'F' } }),
      });
      const { completion } = await sut.execute(claimed({ ...verifying, verifyUntil: T0 + 1000 }), target);
      expect(published).toEqual([expect.objectContaining({ outcome: 'FAIL', resultCode: 'RISK_REJECT' })]);
      expect(completion).toMatchObject({ phase: 'done', doneReason: 'RESULT_OBSERVED' });
    });

    it('no final answer by the end of the window → PROCESSING with attention CANCEL_REFUSED (source inquiry), row done', async () => {
      const { sut, published } = fakes({ inquiry: pending });
      const { completion } = await sut.execute(claimed({ ...verifying, verifyUntil: T0 }), target);
      expect(published).toEqual([
        expect.objectContaining({
          eventId: 'attention:pr-1:CANCEL_REFUSED',
          source: 'inquiry',
          outcome: 'PROCESSING',
          attention: expect.objectContaining({ reason: 'CANCEL_REFUSED' }),
        }),
      ]);
      expect(completion).toMatchObject({
        phase: 'done',
        doneReason: 'CANCEL_REFUSED',
        reportedAttention: 'CANCEL_REFUSED',
      });
    });

    it('if that cannot be published, the row stays to try again', async () => {
      const { sut } = fakes({ inquiry: pending, publishFailsFor: ['PROCESSING'] });
      const { completion } = await sut.execute(claimed({ ...verifying, verifyUntil: T0 }), target);
      expect(completion).toMatchObject({ phase: 'verify', nextDueAt: T0 + 2000 });
    });
  });

  it('row 12: inquiry F USER_KYC_NOT_QUALIFIED → FAIL published, row done', async () => {
    const { sut, published } = fakes({
      inquiry: signed({ result: { resultCode: 'USER_KYC_NOT_QUALIFIED', resultStatus: 'F' } }),
    });
    const { completion } = await sut.execute(claimed(), target);
    expect(published).toEqual([
      expect.objectContaining({ eventId: 'inquiry:pr-1:FAIL:USER_KYC_NOT_QUALIFIED', outcome: 'FAIL' }),
    ]);
    expect(completion).toMatchObject({ phase: 'done', doneReason: 'RESULT_OBSERVED' });
  });

  it('row 13: re-publishing CANCEL_REQUESTED makes no partner call (its token is given back) and backs off', async () => {
    const { sut, journal } = fakes();
    const { completion, calledPartner } = await sut.execute(
      claimed({ phase: 'cancel', cancelRequestedAt: T0 - 8000, orderStatus: 'init' }),
      target,
    );
    expect(journal).toEqual(['publish:CANCEL_REQUESTED']);
    expect(calledPartner).toBe(false);
    // Waited 8 s already: the next look is further off than the first cancel interval (1 s).
    expect(completion).toMatchObject({ phase: 'cancel', nextDueAt: T0 + 1000 });
  });

  it('a refused inquiry publishes INQUIRY_REFUSED once; polling goes on', async () => {
    const { sut, published } = fakes({
      inquiry: signed({ result: { resultCode: 'ACCESS_DENIED', resultStatus: 'F' } }),
    });
    const { completion } = await sut.execute(claimed(), target);
    expect(published).toEqual([
      expect.objectContaining({
        eventId: 'attention:pr-1:INQUIRY_REFUSED',
        attention: expect.objectContaining({ reason: 'INQUIRY_REFUSED' }),
      }),
    ]);
    expect(completion).toMatchObject({ phase: 'inquiry', reportedAttention: 'INQUIRY_REFUSED' });
  });

  describe('exceptions: reversal and re-inquiry', () => {
    it('a reversal is sent at once whatever the order status, no CANCEL_REQUESTED, its events named by the exception', async () => {
      const { sut, journal, published } = fakes();
      const { completion } = await sut.execute(
        claimed({ phase: 'cancel', orderStatus: 'cancelled', reversalOf: '7', cancelRequestedAt: T0 }),
        target,
      );
      expect(journal).toEqual(['cancel', 'publish:CANCELLED']);
      expect(published[0]).toMatchObject({ eventId: 'reversal:pr-1:7:CANCELLED', source: 'cancel' });
      expect(completion).toMatchObject({ phase: 'done', doneReason: 'CANCELLED' });
    });

    const reinquiry = { phase: 'verify' as const, verifyReason: 'REINQUIRE' as const, verifyUntil: T0 - 10 };

    it('a re-inquiry publishes a final answer under an event id of its own (order-state must see it again)', async () => {
      const { sut, published } = fakes({ inquiry: paid });
      const { completion } = await sut.execute(claimed(reinquiry), target);
      expect(published[0]).toMatchObject({ eventId: `inquiry:pr-1:SUCCESS:SUCCESS:re${T0 - 10}` });
      expect(completion).toMatchObject({ phase: 'done', doneReason: 'RESULT_OBSERVED' });
    });

    it('a re-inquiry without a final answer: the row is done again, nothing published, no cancel', async () => {
      const { sut, published } = fakes({ inquiry: pending });
      const { completion } = await sut.execute(claimed({ ...reinquiry, expiresAt: T0 - 100_000 }), target);
      expect(published).toEqual([]);
      expect(completion).toMatchObject({ phase: 'done', doneReason: 'REINQUIRED', verifyReason: null });
    });
  });
});
