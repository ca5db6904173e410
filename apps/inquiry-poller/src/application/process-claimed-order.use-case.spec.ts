import { Logger } from '@nestjs/common';
import { claimed, fakes, ok, signed, T0, target } from '../../test/claimed-order-fakes';
import { CallNotMadeError } from './ports';
import { NOT_SENT_RETRY_MS } from './process-claimed-order.use-case';

describe('ProcessClaimedOrderUseCase: one claimed row, one call, publish before write-back', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(true));

  it('a final inquiry answer is published, then the row is completed as done', async () => {
    const { sut, journal, published } = fakes();
    const { completion } = await sut.execute(claimed(), target);
    expect(journal).toEqual(['inquire', 'publish:SUCCESS']);
    expect(published[0]).toMatchObject({ eventId: 'inquiry:pr-1:SUCCESS:SUCCESS', source: 'inquiry' });
    expect(completion).toMatchObject({
      phase: 'done',
      doneReason: 'RESULT_OBSERVED',
      nextDueAt: null,
      inquiryAttempts: 1,
      leaseToken: 'r1#1',
    });
  });

  it('when the publish fails the row is not closed: it is asked again soon, even past the expiry', async () => {
    const { sut } = fakes({ publishFails: true });
    const { completion } = await sut.execute(claimed({ expiresAt: T0 - 1 }), target);
    expect(completion).toMatchObject({ phase: 'inquiry', nextDueAt: T0 + 2000, doneReason: null });
  });

  it('a pending answer reschedules without publishing anything', async () => {
    const { sut, journal } = fakes({
      inquiry: signed({ result: ok, paymentResult: { resultCode: 'PAYMENT_IN_PROCESS', resultStatus: 'U' } }),
    });
    const { completion } = await sut.execute(claimed(), target);
    expect(journal).toEqual(['inquire']);
    expect(completion).toMatchObject({
      phase: 'inquiry',
      nextDueAt: T0 + 2000,
      lastResultCode: 'PAYMENT_IN_PROCESS',
    });
  });

  it.each([
    ['an inquiry', claimed({ inquiryAttempts: 3 })],
    [
      'a cancel',
      claimed({
        phase: 'cancel',
        cancelRequestedAt: T0 - 1000,
        orderStatus: 'cancelling',
        cancelAttempts: 2,
      }),
    ],
  ])(
    'a call not sent (SIGNING_TIMEOUT, a signing thread gone) hands %s back: no attempt counted, the token returned, due again soon',
    async (_name, entry) => {
      const { sut, journal, published } = fakes({
        callFails: new CallNotMadeError('SIGNING_TIMEOUT', 'SIGNING_TIMEOUT: no signature within 5000 ms'),
      });
      const processed = await sut.execute(entry, target);
      expect(published).toEqual([]);
      expect(journal).toEqual([entry.phase === 'cancel' ? 'cancel' : 'inquire']);
      expect(processed).toEqual({
        completion: expect.objectContaining({
          leaseToken: entry.leaseToken,
          phase: entry.phase,
          nextDueAt: T0 + NOT_SENT_RETRY_MS,
          inquiryAttempts: entry.inquiryAttempts,
          cancelAttempts: entry.cancelAttempts,
          lastAttemptAt: null,
          lastResultCode: null,
        }),
        backoffPartner: false,
        // The loop gives the row's rate-limit token back (no request reached the partner).
        calledPartner: false,
      });
    },
  );

  it('any other failure of the call is not taken for a call not sent: it rejects as before', async () => {
    const { sut } = fakes({ callFails: new Error('a bug') });
    await expect(sut.execute(claimed(), target)).rejects.toThrow('a bug');
  });

  it('REQUEST_TRAFFIC_EXCEED_LIMIT asks the loop to pause the partner', async () => {
    const { sut } = fakes({
      inquiry: signed({ result: { resultCode: 'REQUEST_TRAFFIC_EXCEED_LIMIT', resultStatus: 'U' } }),
    });
    expect((await sut.execute(claimed(), target)).backoffPartner).toBe(true);
  });

  it('first cancel step: mark the row and publish CANCEL_REQUESTED, but send no cancel before order-state says cancelling', async () => {
    const { sut, journal, published } = fakes();
    const { completion } = await sut.execute(claimed({ phase: 'cancel' }), target);
    expect(journal).toEqual(['mark-cancel-requested', 'publish:CANCEL_REQUESTED']);
    expect(published.map((e) => e.eventId)).toEqual(['cancel:pr-1:CANCEL_REQUESTED']);
    expect(completion).toMatchObject({ phase: 'cancel', cancelAttempts: 0, nextDueAt: T0 + 1000 });
  });

  it('still waiting for order-state: CANCEL_REQUESTED goes again (same event id), still no cancel', async () => {
    const { sut, journal, published } = fakes();
    const { completion } = await sut.execute(
      claimed({ phase: 'cancel', cancelRequestedAt: T0 - 1000, orderStatus: 'init' }),
      target,
    );
    expect(journal).toEqual(['publish:CANCEL_REQUESTED']);
    expect(published.map((e) => e.eventId)).toEqual(['cancel:pr-1:CANCEL_REQUESTED']);
    expect(completion).toMatchObject({ phase: 'cancel', cancelAttempts: 0 });
  });

  it('once the order is cancelling: call cancel, then publish CANCELLED', async () => {
    const { sut, journal, published } = fakes();
    const { completion } = await sut.execute(
      claimed({ phase: 'cancel', cancelRequestedAt: T0 - 1000, orderStatus: 'cancelling', lastVersion: 2 }),
      target,
    );
    expect(journal).toEqual(['cancel', 'publish:CANCELLED']);
    expect(published.map((e) => e.eventId)).toEqual(['cancel:pr-1:CANCELLED']);
    expect(completion).toMatchObject({ phase: 'done', doneReason: 'CANCELLED', cancelAttempts: 1 });
  });

  it('a lost lease before the first cancel: nothing is published, nothing is sent', async () => {
    const { sut, journal } = fakes({ markOk: false });
    expect(await sut.execute(claimed({ phase: 'cancel' }), target)).toEqual({
      completion: null,
      backoffPartner: false,
      calledPartner: false,
    });
    expect(journal).toEqual(['mark-cancel-requested']);
  });

  it('if CANCEL_REQUESTED cannot be published, no cancel is sent and it is tried again', async () => {
    const { sut, journal } = fakes({ publishFails: true });
    const { completion } = await sut.execute(claimed({ phase: 'cancel' }), target);
    expect(journal).toEqual(['mark-cancel-requested', 'publish:CANCEL_REQUESTED']);
    expect(completion).toMatchObject({ phase: 'cancel', cancelAttempts: 0, nextDueAt: T0 + 1000 });
  });

  it('a retried cancel neither re-marks nor re-publishes the request; U reschedules it', async () => {
    const { sut, journal } = fakes({
      cancel: signed({ result: { resultCode: 'UNKNOWN_EXCEPTION', resultStatus: 'U' } }),
    });
    const { completion } = await sut.execute(
      claimed({ phase: 'cancel', cancelAttempts: 2, cancelRequestedAt: T0 - 5000 }),
      target,
    );
    expect(journal).toEqual(['cancel']);
    expect(completion).toMatchObject({ phase: 'cancel', cancelAttempts: 3, nextDueAt: T0 + 1000 });
  });

  // Issue 11 row 7 (this ended the row as done/CANCEL_FAILED before): then inquire for the truth.
  it('a refused cancel publishes CANCEL_FAILED with the code, then inquires for the truth (verify phase)', async () => {
    const { sut, published } = fakes({
      cancel: signed({ result: { resultCode: 'CANCEL_WINDOW_EXCEED', resultStatus: 'F' } }),
    });
    const { completion } = await sut.execute(
      claimed({ phase: 'cancel', cancelAttempts: 1, cancelRequestedAt: T0 - 5000 }),
      target,
    );
    expect(published).toEqual([
      expect.objectContaining({ eventId: 'cancel:pr-1:CANCEL_FAILED', resultCode: 'CANCEL_WINDOW_EXCEED' }),
    ]);
    expect(completion).toMatchObject({
      phase: 'verify',
      verifyReason: 'CANCEL_REFUSED',
      verifyUntil: T0 + 20_000,
      nextDueAt: T0 + 2000,
      doneReason: null,
    });
  });

  describe('an answer that cannot be told (it does not fit result-observed.v1) is not believed', () => {
    const paidWith = (paymentAmount: object) =>
      fakes({
        inquiry: signed({ result: ok, paymentResult: ok, paymentRequestId: 'pr-1', paymentAmount }),
      });

    it('a SUCCESS with an amount of 0 publishes nothing and is polled by the cadence, flagged', async () => {
      const { sut, journal } = paidWith({ value: '0', currency: 'JPY' });
      const { completion } = await sut.execute(claimed(), target);
      expect(journal).toEqual(['inquire']);
      expect(completion).toMatchObject({
        phase: 'inquiry',
        nextDueAt: T0 + 2000,
        doneReason: null,
        lastResultCode: 'INVALID_RESPONSE',
        attention: { code: 'INVALID_RESPONSE', detail: expect.stringContaining('amount.value') },
      });
    });

    // Issue 11 row 11 (this pinned a cancel at the expiry before): an invalid answer is never the
    // reason for a cancel; the order is held at the last pace and INVALID_ANSWERS opened once.
    it('past the expiry such an answer holds the order (no cancel) and opens INVALID_ANSWERS', async () => {
      const { sut, journal, published } = paidWith({ value: '1'.repeat(19), currency: 'JPY' });
      const { completion } = await sut.execute(claimed({ expiresAt: T0 - 1 }), target);
      expect(journal).toEqual(['inquire', 'publish:PROCESSING']);
      expect(published[0]).toMatchObject({
        eventId: 'attention:pr-1:INVALID_ANSWERS',
        attention: { reason: 'INVALID_ANSWERS' },
      });
      expect(completion).toMatchObject({
        phase: 'inquiry',
        nextDueAt: T0 + 2000,
        lastResultCode: 'INVALID_RESPONSE',
        answerDoubt: 'INVALID_ANSWERS',
        reportedAttention: 'INVALID_ANSWERS',
      });
    });

    it('a cancel S whose result code cannot be recorded is retried as an invalid answer, flagged', async () => {
      const { sut, journal } = fakes({
        cancel: signed({ result: { resultCode: 'C'.repeat(65), resultStatus: 'S' } }),
      });
      const { completion } = await sut.execute(
        claimed({
          phase: 'cancel',
          cancelAttempts: 1,
          cancelRequestedAt: T0 - 5000,
          orderStatus: 'cancelling',
        }),
        target,
      );
      // Issue 11: an invalid cancel answer also opens INVALID_ANSWERS once (this expected no publish before).
      expect(journal).toEqual(['cancel', 'publish:PROCESSING']);
      expect(completion).toMatchObject({
        phase: 'cancel',
        cancelAttempts: 2,
        doneReason: null,
        attention: { code: 'INVALID_RESPONSE' },
      });
    });

    it('a NUL in a refusal message is replaced, so the refusal is still told', async () => {
      const { sut, published } = fakes({
        cancel: signed({
          result: { resultCode: 'CANCEL_WINDOW_EXCEED', resultStatus: 'F', resultMessage: 'too\u0000late' },
        }),
      });
      const { completion } = await sut.execute(
        claimed({ phase: 'cancel', cancelAttempts: 1, cancelRequestedAt: T0 - 5000 }),
        target,
      );
      expect(published).toEqual([expect.objectContaining({ resultMessage: 'too\uFFFDlate' })]);
      expect(completion).toMatchObject({ phase: 'verify', verifyReason: 'CANCEL_REFUSED' });
    });
  });

  it('a row claimed with too little lease left is handed back without a call', async () => {
    const { sut, journal } = fakes();
    const { completion } = await sut.execute(claimed({ leaseUntil: T0 + 1000 }), target);
    expect(journal).toEqual([]);
    expect(completion).toMatchObject({
      phase: 'inquiry',
      nextDueAt: T0,
      inquiryAttempts: 0,
      lastAttemptAt: null,
    });
  });
});
