import {
  AlipayPlusInquiryPaymentResponse,
  AntomInquiryPaymentResponse,
} from '../models/inquiry-payment.schema';
import { decideInquiry, InquiryDecision } from './decide-inquiry';
import { PAYMENT_FAILURE_CODES } from './result-codes';

const ok = { resultCode: 'SUCCESS', resultStatus: 'S' as const, resultMessage: 'success' };

function alipayPlus(
  result: AlipayPlusInquiryPaymentResponse['result'],
  paymentResult?: AlipayPlusInquiryPaymentResponse['paymentResult'],
): AlipayPlusInquiryPaymentResponse {
  return {
    result,
    ...(paymentResult !== undefined
      ? {
          paymentResult,
          paymentRequestId: 'r-1',
          paymentId: 'p-1',
          paymentAmount: { currency: 'USD', value: '100' },
          paymentTime: '2025-02-20T08:51:49.09Z',
        }
      : {}),
  };
}

function antom(
  result: AntomInquiryPaymentResponse['result'],
  extra: Partial<AntomInquiryPaymentResponse> = {},
) {
  const response: AntomInquiryPaymentResponse = { result, ...extra };
  return response;
}

describe('decideInquiry — Alipay+ decision table (protocol.md §3.1)', () => {
  const rows: Array<[string, AlipayPlusInquiryPaymentResponse, InquiryDecision]> = [
    [
      'S / S → paid: SUCCESS',
      alipayPlus(ok, { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' }),
      {
        kind: 'final',
        outcome: 'SUCCESS',
        resultCode: 'SUCCESS',
        resultMessage: 'success',
        paymentRequestId: 'r-1',
        paymentId: 'p-1',
        amount: { currency: 'USD', value: '100' },
        paymentTime: '2025-02-20T08:51:49.09Z',
      },
    ],
    [
      'S / F ORDER_IS_CLOSED → CLOSED',
      alipayPlus(ok, { resultCode: 'ORDER_IS_CLOSED', resultStatus: 'F' }),
      {
        kind: 'final',
        outcome: 'CLOSED',
        resultCode: 'ORDER_IS_CLOSED',
        paymentRequestId: 'r-1',
        paymentId: 'p-1',
        amount: { currency: 'USD', value: '100' },
        paymentTime: '2025-02-20T08:51:49.09Z',
      },
    ],
    [
      'S / F other code → FAIL with the code as reason',
      alipayPlus(ok, { resultCode: 'USER_BALANCE_NOT_ENOUGH', resultStatus: 'F', resultMessage: 'no money' }),
      {
        kind: 'final',
        outcome: 'FAIL',
        resultCode: 'USER_BALANCE_NOT_ENOUGH',
        resultMessage: 'no money',
        paymentRequestId: 'r-1',
        paymentId: 'p-1',
        amount: { currency: 'USD', value: '100' },
        paymentTime: '2025-02-20T08:51:49.09Z',
      },
    ],
    [
      'S / U PAYMENT_IN_PROCESS → keep polling',
      alipayPlus(ok, { resultCode: 'PAYMENT_IN_PROCESS', resultStatus: 'U' }),
      { kind: 'pending', reason: 'PAYMENT_IN_PROCESS' },
    ],
    [
      'F ORDER_NOT_EXIST → not found, never paid',
      alipayPlus({ resultCode: 'ORDER_NOT_EXIST', resultStatus: 'F', resultMessage: 'order not exist' }),
      { kind: 'not-found', resultCode: 'ORDER_NOT_EXIST' },
    ],
    [
      'F request error (PARAM_ILLEGAL) → fix / contact support',
      alipayPlus({ resultCode: 'PARAM_ILLEGAL', resultStatus: 'F', resultMessage: 'bad' }),
      { kind: 'human', resultCode: 'PARAM_ILLEGAL', resultMessage: 'bad' },
    ],
    [
      'F USER_KYC_NOT_QUALIFIED (a payment failure code as result) → FAIL, not a person (issue 11 row 12)',
      alipayPlus({ resultCode: 'USER_KYC_NOT_QUALIFIED', resultStatus: 'F', resultMessage: 'kyc' }),
      { kind: 'final', outcome: 'FAIL', resultCode: 'USER_KYC_NOT_QUALIFIED', resultMessage: 'kyc' },
    ],
    [
      'F ORDER_IS_CLOSED as result → CLOSED',
      alipayPlus({ resultCode: 'ORDER_IS_CLOSED', resultStatus: 'F' }),
      { kind: 'final', outcome: 'CLOSED', resultCode: 'ORDER_IS_CLOSED' },
    ],
    [
      'U with a payment failure code → still retried (U means unknown)',
      alipayPlus({ resultCode: 'RISK_REJECT', resultStatus: 'U' }),
      { kind: 'retry', backoff: false, resultCode: 'RISK_REJECT' },
    ],
    [
      'F INVALID_SIGNATURE → human',
      alipayPlus({ resultCode: 'INVALID_SIGNATURE', resultStatus: 'F' }),
      { kind: 'human', resultCode: 'INVALID_SIGNATURE' },
    ],
    [
      'U UNKNOWN_EXCEPTION → retry the same inquiry',
      alipayPlus({ resultCode: 'UNKNOWN_EXCEPTION', resultStatus: 'U' }),
      { kind: 'retry', backoff: false, resultCode: 'UNKNOWN_EXCEPTION' },
    ],
    [
      'U REQUEST_TRAFFIC_EXCEED_LIMIT → retry with backoff',
      alipayPlus({ resultCode: 'REQUEST_TRAFFIC_EXCEED_LIMIT', resultStatus: 'U' }),
      { kind: 'retry', backoff: true, resultCode: 'REQUEST_TRAFFIC_EXCEED_LIMIT' },
    ],
    [
      'U with an unknown code → retry (by status, §6)',
      alipayPlus({ resultCode: 'SOMETHING_NEW', resultStatus: 'U' }),
      { kind: 'retry', backoff: false, resultCode: 'SOMETHING_NEW' },
    ],
    [
      'S without paymentResult → pending, never paid',
      alipayPlus(ok),
      { kind: 'pending', reason: 'PAYMENT_RESULT_MISSING' },
    ],
  ];

  it.each(rows)('%s', (_label, response, expected) => {
    expect(decideInquiry('alipayplus', response)).toEqual(expected);
  });

  it.each(PAYMENT_FAILURE_CODES.filter((c) => c !== 'ORDER_IS_CLOSED').map((c) => [c]))(
    'result F %s is a final FAIL in both dialects (protocol.md §6 payment failure codes)',
    (code) => {
      const result = { resultCode: code, resultStatus: 'F' as const };
      expect(decideInquiry('alipayplus', alipayPlus(result))).toEqual({
        kind: 'final',
        outcome: 'FAIL',
        resultCode: code,
      });
      expect(decideInquiry('antom', antom(result))).toEqual({
        kind: 'final',
        outcome: 'FAIL',
        resultCode: code,
      });
    },
  );

  it('reads paymentResult, not result, for the payment outcome', () => {
    const sut = decideInquiry('alipayplus', alipayPlus(ok, { resultCode: 'RISK_REJECT', resultStatus: 'F' }));

    expect(sut).toMatchObject({ kind: 'final', outcome: 'FAIL', resultCode: 'RISK_REJECT' });
  });
});

describe('decideInquiry — Antom (protocol.md §3.2)', () => {
  const paid = {
    paymentRequestId: 'r-2',
    paymentId: 'p-2',
    paymentAmount: { currency: 'PHP', value: '100' },
    paymentTime: '2019-11-12T17:36:04+08:00',
  };

  const rows: Array<[string, AntomInquiryPaymentResponse, InquiryDecision]> = [
    [
      'S / SUCCESS → SUCCESS',
      antom(ok, {
        paymentStatus: 'SUCCESS',
        paymentResultCode: 'SUCCESS',
        paymentResultMessage: 'success',
        ...paid,
      }),
      {
        kind: 'final',
        outcome: 'SUCCESS',
        resultCode: 'SUCCESS',
        resultMessage: 'success',
        ...withAmount(paid),
      },
    ],
    [
      'S / SUCCESS without paymentResultCode → SUCCESS',
      antom(ok, { paymentStatus: 'SUCCESS', ...paid }),
      { kind: 'final', outcome: 'SUCCESS', resultCode: 'SUCCESS', ...withAmount(paid) },
    ],
    [
      'S / FAIL → FAIL with paymentResultCode',
      antom(ok, {
        paymentStatus: 'FAIL',
        paymentResultCode: 'USER_BALANCE_NOT_ENOUGH',
        paymentRequestId: 'r-2',
      }),
      { kind: 'final', outcome: 'FAIL', resultCode: 'USER_BALANCE_NOT_ENOUGH', paymentRequestId: 'r-2' },
    ],
    [
      'S / FAIL ORDER_IS_CLOSED → CLOSED (agrees with the notification mapping)',
      antom(ok, { paymentStatus: 'FAIL', paymentResultCode: 'ORDER_IS_CLOSED' }),
      { kind: 'final', outcome: 'CLOSED', resultCode: 'ORDER_IS_CLOSED' },
    ],
    [
      'S / CANCELLED → CLOSED',
      antom(ok, { paymentStatus: 'CANCELLED' }),
      { kind: 'final', outcome: 'CLOSED', resultCode: 'CANCELLED' },
    ],
    [
      'S / PROCESSING → pending',
      antom(ok, { paymentStatus: 'PROCESSING' }),
      { kind: 'pending', reason: 'PROCESSING' },
    ],
    [
      'S / PENDING → pending',
      antom(ok, { paymentStatus: 'PENDING' }),
      { kind: 'pending', reason: 'PENDING' },
    ],
    [
      'S / unknown status → invalid answer, never paid, never pending (issue 11 row 11)',
      antom(ok, { paymentStatus: 'AUTHORIZED' }),
      { kind: 'invalid', reason: 'UNKNOWN_PAYMENT_STATUS:AUTHORIZED' },
    ],
    [
      'S / no status → invalid answer (issue 11 row 11)',
      antom(ok),
      { kind: 'invalid', reason: 'PAYMENT_STATUS_MISSING' },
    ],
    [
      'S / empty status → invalid answer',
      antom(ok, { paymentStatus: '' }),
      { kind: 'invalid', reason: 'PAYMENT_STATUS_MISSING' },
    ],
    [
      'F USER_KYC_NOT_QUALIFIED → FAIL (issue 11 row 12)',
      antom({ resultCode: 'USER_KYC_NOT_QUALIFIED', resultStatus: 'F', resultMessage: 'kyc' }),
      { kind: 'final', outcome: 'FAIL', resultCode: 'USER_KYC_NOT_QUALIFIED', resultMessage: 'kyc' },
    ],
    [
      'F ORDER_NOT_EXIST → not found',
      antom({ resultCode: 'ORDER_NOT_EXIST', resultStatus: 'F' }),
      { kind: 'not-found', resultCode: 'ORDER_NOT_EXIST' },
    ],
    [
      'F PARAM_ILLEGAL → bad request, human',
      antom({ resultCode: 'PARAM_ILLEGAL', resultStatus: 'F' }),
      { kind: 'human', resultCode: 'PARAM_ILLEGAL' },
    ],
    [
      'U UNKNOWN_EXCEPTION → retry',
      antom({ resultCode: 'UNKNOWN_EXCEPTION', resultStatus: 'U' }),
      { kind: 'retry', backoff: false, resultCode: 'UNKNOWN_EXCEPTION' },
    ],
    [
      'U REQUEST_TRAFFIC_EXCEED_LIMIT → retry with backoff',
      antom({ resultCode: 'REQUEST_TRAFFIC_EXCEED_LIMIT', resultStatus: 'U' }),
      { kind: 'retry', backoff: true, resultCode: 'REQUEST_TRAFFIC_EXCEED_LIMIT' },
    ],
  ];

  it.each(rows)('%s', (_label, response, expected) => {
    expect(decideInquiry('antom', response)).toEqual(expected);
  });

  it('does not act on paymentStatus when the inquiry call itself failed', () => {
    const sut = decideInquiry(
      'antom',
      antom({ resultCode: 'UNKNOWN_EXCEPTION', resultStatus: 'U' }, { paymentStatus: 'SUCCESS' }),
    );

    expect(sut.kind).toBe('retry');
  });
});

function withAmount(paid: {
  paymentRequestId: string;
  paymentId: string;
  paymentAmount: { currency: string; value: string };
  paymentTime: string;
}) {
  return {
    paymentRequestId: paid.paymentRequestId,
    paymentId: paid.paymentId,
    amount: paid.paymentAmount,
    paymentTime: paid.paymentTime,
  };
}
