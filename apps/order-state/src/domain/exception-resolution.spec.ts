import { decideResolution } from './exception-resolution';

describe('decideResolution (issue 11: a person resolves an exception)', () => {
  it.each(['init', 'cancelling'] as const)(
    'on a %s order: accept → success, mark_failed → fail',
    (status) => {
      expect(decideResolution(status, 'AMOUNT_MISMATCH', 'accept')).toEqual({
        ok: true,
        move: 'success',
        keepOpen: false,
      });
      expect(decideResolution(status, 'UNVERIFIED_ANSWERS', 'mark_failed')).toEqual({
        ok: true,
        move: 'fail',
        keepOpen: false,
      });
    },
  );

  it('reverse closes it without moving the order (the poller sends the cancel); reinquire keeps it open', () => {
    for (const status of ['init', 'cancelling', 'success', 'fail', 'cancelled', null] as const) {
      expect(decideResolution(status, 'PAID_AFTER_CLOSE', 'reverse')).toEqual({ ok: true, keepOpen: false });
      expect(decideResolution(status, 'CANCEL_REFUSED', 'reinquire')).toEqual({ ok: true, keepOpen: true });
    }
  });

  it('accept on a final order is refused, except a PAID_AFTER_CLOSE order the merchant keeps', () => {
    for (const status of ['success', 'fail', 'cancelled'] as const) {
      expect(decideResolution(status, 'STUCK_PAST_EXPIRY', 'accept')).toMatchObject({
        ok: false,
        code: 'ORDER_STATUS_FORBIDS',
      });
      expect(decideResolution(status, 'PAID_AFTER_CLOSE', 'mark_failed')).toMatchObject({ ok: false });
    }
    expect(decideResolution('cancelled', 'PAID_AFTER_CLOSE', 'accept')).toEqual({
      ok: true,
      move: 'success',
      keepOpen: false,
    });
  });

  it('an exception without an order (UNREGISTERED_RESULT) is closed by accept or mark_failed, moving nothing', () => {
    expect(decideResolution(null, 'UNREGISTERED_RESULT', 'accept')).toEqual({ ok: true, keepOpen: false });
    expect(decideResolution(null, 'UNREGISTERED_RESULT', 'mark_failed')).toEqual({
      ok: true,
      keepOpen: false,
    });
  });
});
