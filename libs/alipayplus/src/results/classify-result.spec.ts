import { classifyResult, ResultClass } from './classify-result';
import {
  HUMAN_RESULT_CODES,
  ORDER_STATE_RESULT_CODES,
  PAYMENT_FAILURE_CODES,
  RETRYABLE_RESULT_CODES,
} from './result-codes';

type Row = [code: string, status: 'S' | 'F' | 'U', expected: ResultClass];

/** Every row of the common code table in protocol.md §6, in its order. */
const section6: Row[] = [
  ['SUCCESS', 'S', 'FINAL'],
  ['UNKNOWN_EXCEPTION', 'U', 'RETRY'],
  ['REQUEST_TRAFFIC_EXCEED_LIMIT', 'U', 'RETRY'],
  ['PAYMENT_IN_PROCESS', 'U', 'RETRY'],
  ['PROCESS_FAIL', 'F', 'HUMAN'],
  ['PARAM_ILLEGAL', 'F', 'HUMAN'],
  ['METHOD_NOT_SUPPORTED', 'F', 'HUMAN'],
  ['MEDIA_TYPE_NOT_ACCEPTABLE', 'F', 'HUMAN'],
  ['INVALID_API', 'F', 'HUMAN'],
  ['NO_INTERFACE_DEF', 'F', 'HUMAN'],
  ['INVALID_CLIENT', 'F', 'HUMAN'],
  ['INVALID_CLIENT_STATUS', 'F', 'HUMAN'],
  ['KEY_NOT_FOUND', 'F', 'HUMAN'],
  ['ACCESS_DENIED', 'F', 'HUMAN'],
  ['INVALID_SIGNATURE', 'F', 'HUMAN'],
  ['ORDER_NOT_EXIST', 'F', 'FINAL'],
  ['ORDER_IS_CLOSED', 'F', 'FINAL'],
  ['REPEAT_REQ_INCONSISTENT', 'F', 'HUMAN'],
  ['MSG_PARSE_ERROR', 'F', 'HUMAN'],
  ['FUNCTION_NOT_MATCH', 'F', 'HUMAN'],
];

describe('classifyResult (protocol.md §6)', () => {
  it.each(section6)('%s (%s) → %s', (resultCode, resultStatus, expected) => {
    expect(classifyResult({ resultCode, resultStatus })).toBe(expected);
  });

  it.each(PAYMENT_FAILURE_CODES.map((code) => [code]))(
    'payment failure code %s (F) is a definitive answer',
    (code) => {
      expect(classifyResult({ resultCode: code, resultStatus: 'F' })).toBe('FINAL');
    },
  );

  it.each([
    ['an unknown U code', 'SOMETHING_NEW', 'U', 'RETRY'],
    ['an unknown F code', 'SOMETHING_NEW', 'F', 'HUMAN'],
    ['an unknown S code', 'ACCEPTED', 'S', 'FINAL'],
    ['SIGNATURE_INVALID (not the documented name) as F', 'SIGNATURE_INVALID', 'F', 'HUMAN'],
  ] as const)('treats %s by its status', (_label, resultCode, resultStatus, expected) => {
    expect(classifyResult({ resultCode, resultStatus })).toBe(expected);
  });

  it('retries the known transient codes even when paired with F', () => {
    expect(classifyResult({ resultCode: 'UNKNOWN_EXCEPTION', resultStatus: 'F' })).toBe('RETRY');
    expect(classifyResult({ resultCode: 'REQUEST_TRAFFIC_EXCEED_LIMIT', resultStatus: 'F' })).toBe('RETRY');
  });

  it('keeps the exported code lists disjoint and consistent with the classification', () => {
    for (const code of HUMAN_RESULT_CODES)
      expect(classifyResult({ resultCode: code, resultStatus: 'F' })).toBe('HUMAN');
    for (const code of RETRYABLE_RESULT_CODES)
      expect(classifyResult({ resultCode: code, resultStatus: 'U' })).toBe('RETRY');
    for (const code of ORDER_STATE_RESULT_CODES)
      expect(classifyResult({ resultCode: code, resultStatus: 'F' })).toBe('FINAL');
    const all = [...HUMAN_RESULT_CODES, ...RETRYABLE_RESULT_CODES, ...ORDER_STATE_RESULT_CODES];
    expect(new Set(all).size).toBe(all.length);
  });
});
