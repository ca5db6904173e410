import { Dialect } from '../dialect';
import { CancelPaymentResponseByDialect } from '../dialects/registry';
import { CancelDecision, decideCancel, decideOnTransportError } from './decide-cancel';

type Row = [label: string, response: CancelPaymentResponseByDialect[Dialect], expected: CancelDecision];

const result = (resultCode: string, resultStatus: 'S' | 'F' | 'U', resultMessage?: string) => ({
  result: { resultCode, resultStatus, ...(resultMessage ? { resultMessage } : {}) },
});

/** protocol.md §4.1 result table and the codes listed for cancel-type APIs. */
const alipayPlusRows: Row[] = [
  [
    'S SUCCESS → cancelled',
    { ...result('SUCCESS', 'S'), pspId: 'psp', acquirerId: 'acq' },
    { kind: 'cancelled', resultCode: 'SUCCESS' },
  ],
  [
    'U UNKNOWN_EXCEPTION → re-send',
    result('UNKNOWN_EXCEPTION', 'U'),
    { kind: 'retry', backoff: false, resultCode: 'UNKNOWN_EXCEPTION' },
  ],
  [
    'U REQUEST_TRAFFIC_EXCEED_LIMIT → re-send with backoff',
    result('REQUEST_TRAFFIC_EXCEED_LIMIT', 'U'),
    { kind: 'retry', backoff: true, resultCode: 'REQUEST_TRAFFIC_EXCEED_LIMIT' },
  ],
  [
    'U unknown code → re-send',
    result('SOMETHING_NEW', 'U'),
    { kind: 'retry', backoff: false, resultCode: 'SOMETHING_NEW' },
  ],
  [
    'F ACCESS_DENIED → failed (act per code)',
    result('ACCESS_DENIED', 'F', 'denied'),
    { kind: 'failed', resultCode: 'ACCESS_DENIED', resultMessage: 'denied' },
  ],
  ...[
    'PROCESS_FAIL',
    'PARAM_ILLEGAL',
    'KEY_NOT_FOUND',
    'INVALID_API',
    'INVALID_CLIENT',
    'INVALID_SIGNATURE',
    'METHOD_NOT_SUPPORTED',
    'MEDIA_TYPE_NOT_ACCEPTABLE',
    'CANCEL_WINDOW_EXCEED',
  ].map((code): Row => [`F ${code} → failed`, result(code, 'F'), { kind: 'failed', resultCode: code }]),
  // Issue 11 rows 4 and 5 (these two were `failed` before): answers about the order, not refusals.
  [
    'F ORDER_IS_CLOSED → failed, the order closed (it ends cancelled)',
    result('ORDER_IS_CLOSED', 'F', 'closed'),
    { kind: 'failed', resultCode: 'ORDER_IS_CLOSED', resultMessage: 'closed', order: 'closed' },
  ],
  [
    'F ORDER_NOT_EXIST → failed, the order not found (re-inquire over a grace window)',
    result('ORDER_NOT_EXIST', 'F'),
    { kind: 'failed', resultCode: 'ORDER_NOT_EXIST', order: 'not-found' },
  ],
];

/** protocol.md §4.2: S cancelled (cancelTime); F failed (e.g. PROCESS_FAIL after a refund); U retry. */
const antomRows: Row[] = [
  [
    'S SUCCESS → cancelled with cancelTime',
    {
      ...result('SUCCESS', 'S'),
      paymentId: 'p',
      paymentRequestId: 'r',
      cancelTime: '2024-01-01T00:00:00+08:00',
    },
    { kind: 'cancelled', resultCode: 'SUCCESS', cancelTime: '2024-01-01T00:00:00+08:00' },
  ],
  [
    'F PROCESS_FAIL (already refunded) → failed',
    result('PROCESS_FAIL', 'F'),
    { kind: 'failed', resultCode: 'PROCESS_FAIL' },
  ],
  ['F unknown code → failed', result('SOMETHING_NEW', 'F'), { kind: 'failed', resultCode: 'SOMETHING_NEW' }],
  [
    'F ORDER_IS_CLOSED → closed',
    result('ORDER_IS_CLOSED', 'F'),
    { kind: 'failed', resultCode: 'ORDER_IS_CLOSED', order: 'closed' },
  ],
  [
    'F ORDER_NOT_EXIST → failed, order not found',
    result('ORDER_NOT_EXIST', 'F'),
    { kind: 'failed', resultCode: 'ORDER_NOT_EXIST', order: 'not-found' },
  ],
  [
    'U UNKNOWN_EXCEPTION → retry, same paymentRequestId',
    result('UNKNOWN_EXCEPTION', 'U'),
    { kind: 'retry', backoff: false, resultCode: 'UNKNOWN_EXCEPTION' },
  ],
  [
    'U REQUEST_TRAFFIC_EXCEED_LIMIT → retry with backoff',
    result('REQUEST_TRAFFIC_EXCEED_LIMIT', 'U'),
    { kind: 'retry', backoff: true, resultCode: 'REQUEST_TRAFFIC_EXCEED_LIMIT' },
  ],
  [
    'UNKNOWN_EXCEPTION paired with F is still retried',
    result('UNKNOWN_EXCEPTION', 'F'),
    { kind: 'retry', backoff: false, resultCode: 'UNKNOWN_EXCEPTION' },
  ],
];

describe('decideCancel — Alipay+ cancelPayment (protocol.md §4.1)', () => {
  it.each(alipayPlusRows)('%s', (_label, response, expected) => {
    expect(decideCancel('alipayplus', response)).toEqual(expected);
  });
});

describe('decideCancel — Antom cancel (protocol.md §4.2)', () => {
  it.each(antomRows)('%s', (_label, response, expected) => {
    expect(decideCancel('antom', response)).toEqual(expected);
  });
});

describe('decideOnTransportError (protocol.md §0, §3.1, §4.1)', () => {
  it.each(['TIMEOUT', 'NETWORK', 'HTTP_500', undefined])('retries the same request after %s', (reason) => {
    expect(decideOnTransportError(reason)).toEqual({
      kind: 'retry',
      backoff: false,
      resultCode: 'NO_RESPONSE',
    });
  });

  it.each(['HTTP_429', 'HTTP_503'])('backs off after %s (peer overloaded)', (reason) => {
    expect(decideOnTransportError(reason)).toEqual({
      kind: 'retry',
      backoff: true,
      resultCode: 'NO_RESPONSE',
    });
  });
});
