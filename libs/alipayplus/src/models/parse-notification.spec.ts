import { loadAntomNotifyVector } from '../../test/shared-vectors';
import { parseNotification } from './parse-notification';

const vector = loadAntomNotifyVector();
const raw = (body: unknown): Buffer => Buffer.from(JSON.stringify(body), 'utf8');

const alipayPlus = (paymentResult: object, extra: object = {}) =>
  raw({
    paymentResult,
    paymentRequestId: 'r-1',
    paymentId: 'p-1',
    acquirerId: 'acq',
    paymentAmount: { currency: 'USD', value: '100' },
    paymentTime: '2019-07-12T12:08:56.253+05:30',
    ...extra,
  });

const antom = (notifyType: string, result: object, extra: object = {}) =>
  raw({
    notifyType,
    result,
    paymentRequestId: 'r-2',
    paymentId: 'p-2',
    paymentAmount: { currency: 'PHP', value: '100' },
    paymentCreateTime: '2019-11-12T17:36:04+08:00',
    ...extra,
  });

describe('parseNotification — Antom (protocol.md §2.2)', () => {
  it('normalizes the real 2019 vector body to a SUCCESS observation', () => {
    const sut = parseNotification('antom', Buffer.from(vector.body, 'utf8'));

    expect(sut).toEqual({
      ok: true,
      value: {
        paymentRequestId: 'cc89dd30134549d6',
        paymentId: '093604157355136494636350037908059631krbkwaTbZW201911110000388037',
        outcome: 'SUCCESS',
        resultCode: 'SUCCESS',
        resultMessage: 'success.',
        amount: { currency: 'PHP', value: '100' },
        paymentTime: '2019-11-12T17:36:04+08:00',
      },
    });
  });

  it('maps PAYMENT_PENDING with S to PROCESSING, not SUCCESS', () => {
    const sut = parseNotification(
      'antom',
      antom('PAYMENT_PENDING', { resultCode: 'SUCCESS', resultStatus: 'S' }),
    );

    expect(sut.ok && sut.value.outcome).toBe('PROCESSING');
  });

  it('maps F to FAIL with the code as reason', () => {
    const sut = parseNotification(
      'antom',
      antom('PAYMENT_RESULT', { resultCode: 'RISK_REJECT', resultStatus: 'F' }),
    );

    expect(sut.ok && sut.value).toMatchObject({ outcome: 'FAIL', resultCode: 'RISK_REJECT' });
  });

  it('maps F ORDER_IS_CLOSED to CLOSED', () => {
    const sut = parseNotification(
      'antom',
      antom('PAYMENT_RESULT', { resultCode: 'ORDER_IS_CLOSED', resultStatus: 'F' }),
    );

    expect(sut.ok && sut.value.outcome).toBe('CLOSED');
  });

  it('reads the legacy in-store OFFLINE_PAYMENT_CODE type as a payment result', () => {
    const sut = parseNotification(
      'antom',
      antom('OFFLINE_PAYMENT_CODE', { resultCode: 'SUCCESS', resultStatus: 'S' }),
    );

    expect(sut.ok && sut.value.outcome).toBe('SUCCESS');
  });

  it('refuses a notifyType it cannot interpret as a payment result', () => {
    const sut = parseNotification(
      'antom',
      antom('REFUND_RESULT', { resultCode: 'SUCCESS', resultStatus: 'S' }),
    );

    expect(sut).toEqual({ ok: false, code: 'PARAM_ILLEGAL', reason: expect.stringContaining('notifyType') });
  });

  it('refuses status U with PARAM_ILLEGAL', () => {
    const sut = parseNotification(
      'antom',
      antom('PAYMENT_RESULT', { resultCode: 'UNKNOWN_EXCEPTION', resultStatus: 'U' }),
    );

    expect(sut).toEqual({
      ok: false,
      code: 'PARAM_ILLEGAL',
      reason: expect.stringContaining('result.resultStatus'),
    });
  });

  it('does not read an Antom body as Alipay+ (no paymentResult)', () => {
    const sut = parseNotification('alipayplus', Buffer.from(vector.body, 'utf8'));

    expect(sut).toEqual({
      ok: false,
      code: 'PARAM_ILLEGAL',
      reason: expect.stringContaining('paymentResult'),
    });
  });
});

describe('parseNotification — Alipay+ (protocol.md §2.1)', () => {
  it('normalizes S to SUCCESS with IDs, amount and time', () => {
    const sut = parseNotification(
      'alipayplus',
      alipayPlus({ resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' }),
    );

    expect(sut).toEqual({
      ok: true,
      value: {
        paymentRequestId: 'r-1',
        paymentId: 'p-1',
        outcome: 'SUCCESS',
        resultCode: 'SUCCESS',
        resultMessage: 'success',
        amount: { currency: 'USD', value: '100' },
        paymentTime: '2019-07-12T12:08:56.253+05:30',
      },
    });
  });

  it('maps F to FAIL', () => {
    const sut = parseNotification(
      'alipayplus',
      alipayPlus({ resultCode: 'USER_BALANCE_NOT_ENOUGH', resultStatus: 'F' }),
    );

    expect(sut.ok && sut.value).toMatchObject({ outcome: 'FAIL', resultCode: 'USER_BALANCE_NOT_ENOUGH' });
  });

  it('maps F ORDER_IS_CLOSED to CLOSED', () => {
    const sut = parseNotification(
      'alipayplus',
      alipayPlus({ resultCode: 'ORDER_IS_CLOSED', resultStatus: 'F' }),
    );

    expect(sut.ok && sut.value.outcome).toBe('CLOSED');
  });

  it('decides by status, not code: S with an unexpected code is still SUCCESS (§6)', () => {
    const sut = parseNotification(
      'alipayplus',
      alipayPlus({ resultCode: 'PAYMENT_SUCCESS', resultStatus: 'S' }),
    );

    expect(sut.ok && sut.value).toMatchObject({ outcome: 'SUCCESS', resultCode: 'PAYMENT_SUCCESS' });
  });

  it('drops null or empty optional fields from the observation', () => {
    const sut = parseNotification(
      'alipayplus',
      alipayPlus(
        { resultCode: 'RISK_REJECT', resultStatus: 'F', resultMessage: null },
        {
          paymentId: '',
          paymentAmount: null,
          paymentTime: null,
        },
      ),
    );

    expect(sut).toEqual({
      ok: true,
      value: { paymentRequestId: 'r-1', outcome: 'FAIL', resultCode: 'RISK_REJECT' },
    });
  });

  it('refuses paymentResult U with PARAM_ILLEGAL (never sent in a notification)', () => {
    const sut = parseNotification(
      'alipayplus',
      alipayPlus({ resultCode: 'PAYMENT_IN_PROCESS', resultStatus: 'U' }),
    );

    expect(sut).toEqual({
      ok: false,
      code: 'PARAM_ILLEGAL',
      reason: expect.stringContaining('paymentResult.resultStatus'),
    });
  });
});

describe('parseNotification — malformed input', () => {
  it.each([
    ['invalid JSON', Buffer.from('{"paymentRequestId":', 'utf8'), 'body is not valid JSON'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'body is not valid UTF-8'],
    ['a JSON array', raw([1, 2]), 'body is not a JSON object'],
    ['JSON null', raw(null), 'body is not a JSON object'],
    ['an empty body', Buffer.alloc(0), 'body is not valid JSON'],
  ])('returns PARAM_ILLEGAL for %s', (_label, body, reason) => {
    expect(parseNotification('alipayplus', body)).toEqual({ ok: false, code: 'PARAM_ILLEGAL', reason });
  });

  it('names the offending field without echoing its value', () => {
    const secret = 'x'.repeat(65);
    const sut = parseNotification(
      'alipayplus',
      alipayPlus({ resultCode: 'SUCCESS', resultStatus: 'S' }, { paymentRequestId: secret }),
    );

    expect(sut.ok).toBe(false);
    expect(!sut.ok && sut.reason).toContain('paymentRequestId');
    expect(!sut.ok && sut.reason).not.toContain(secret);
  });

  it('accepts a string body too', () => {
    expect(parseNotification('antom', vector.body).ok).toBe(true);
  });
});
