import type { Dialect } from '@app/contracts';
import { decideAfterCancel } from './cancel-step';
import { CancelCallResult } from './read-inquiry';
import { ctx, entry, T0 } from '../../test/step-fixtures';

const respondCancel = (body: Record<string, unknown>): CancelCallResult =>
  ({ kind: 'response', body, rawBody: JSON.stringify(body), verified: true }) as CancelCallResult;
const ok = { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' };

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

  it.each(['CANCEL_WINDOW_EXCEED', 'PROCESS_FAIL', 'ACCESS_DENIED'])(
    'F %s → refused (CANCEL_FAILED), then inquire for the truth until the window ends (issue 11 row 7)',
    (code) => {
      const call = respondCancel({ result: { resultCode: code, resultStatus: 'F', resultMessage: 'no' } });
      expect(decideAfterCancel(entry('alipayplus'), call, ctx)).toEqual({
        kind: 'refused',
        resultCode: code,
        resultMessage: 'no',
        rawBody: (call as { rawBody: string }).rawBody,
        at: T0 + 2000,
        verifyUntil: T0 + 30_000,
      });
    },
  );

  it.each<Dialect>(['alipayplus', 'antom'])('%s: F ORDER_IS_CLOSED → closed (issue 11 row 4)', (dialect) => {
    const call = respondCancel({ result: { resultCode: 'ORDER_IS_CLOSED', resultStatus: 'F' } });
    expect(decideAfterCancel(entry(dialect), call, ctx)).toEqual({
      kind: 'closed',
      resultCode: 'ORDER_IS_CLOSED',
      rawBody: (call as { rawBody: string }).rawBody,
    });
  });

  it.each<Dialect>(['alipayplus', 'antom'])(
    '%s: F ORDER_NOT_EXIST → re-inquire over the grace window (issue 11 row 5)',
    (dialect) => {
      const call = respondCancel({ result: { resultCode: 'ORDER_NOT_EXIST', resultStatus: 'F' } });
      expect(decideAfterCancel(entry(dialect), call, ctx)).toEqual({
        kind: 'not-found',
        resultCode: 'ORDER_NOT_EXIST',
        at: T0 + 2000,
        verifyUntil: T0 + 60_000,
      });
    },
  );

  it('a badly signed answer is retried, flagged, and UNVERIFIED_ANSWERS reported once (issue 11 row 2)', () => {
    expect(
      decideAfterCancel(entry('alipayplus'), { kind: 'untrusted', reason: 'BAD_SIGNATURE' }, ctx),
    ).toMatchObject({
      kind: 'retry',
      resultCode: 'UNTRUSTED_RESPONSE',
      attention: { code: 'UNTRUSTED_RESPONSE' },
      report: { reason: 'UNVERIFIED_ANSWERS' },
    });
    const again = decideAfterCancel(
      entry('alipayplus', { reportedAttention: 'UNVERIFIED_ANSWERS' }),
      { kind: 'untrusted', reason: 'BAD_SIGNATURE' },
      ctx,
    );
    expect(again).toMatchObject({ kind: 'retry' });
    expect(again).not.toHaveProperty('report');
  });

  it('an unreadable answer is retried and INVALID_ANSWERS reported', () => {
    expect(
      decideAfterCancel(entry('antom'), { kind: 'invalid-response', reason: 'not JSON' }, ctx),
    ).toMatchObject({ kind: 'retry', report: { reason: 'INVALID_ANSWERS' } });
  });

  it('Antom: still U after 3 retries → flagged for support, and still retried (§4.2)', () => {
    const u = respondCancel({ result: { resultCode: 'UNKNOWN_EXCEPTION', resultStatus: 'U' } });
    expect(decideAfterCancel(entry('antom', { cancelAttempts: 2 }), u, ctx)).not.toHaveProperty('attention');
    expect(decideAfterCancel(entry('antom', { cancelAttempts: 3 }), u, ctx)).toMatchObject({
      kind: 'retry',
      attention: { code: 'CANCEL_STILL_UNKNOWN' },
      report: { reason: 'CANCEL_UNKNOWN' },
    });
    expect(
      decideAfterCancel(entry('antom', { cancelAttempts: 4, reportedAttention: 'CANCEL_UNKNOWN' }), u, ctx),
    ).not.toHaveProperty('report');
    expect(decideAfterCancel(entry('alipayplus', { cancelAttempts: 10 }), u, ctx)).not.toHaveProperty(
      'attention',
    );
  });
});
