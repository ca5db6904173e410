import { API_PATHS, resolveApiPath } from './api-paths';

describe('API paths (protocol.md §0)', () => {
  it('has the documented paths per dialect', () => {
    expect(API_PATHS).toEqual({
      alipayplus: {
        inquiryPayment: '/aps/api/v1/payments/inquiryPayment',
        cancelPayment: '/aps/api/v1/payments/cancelPayment',
      },
      antom: {
        inquiryPayment: '/ams/api/v1/payments/inquiryPayment',
        cancelPayment: '/ams/api/v1/payments/cancel',
      },
    });
  });

  it('rewrites Antom paths to /ams/sandbox/api for SANDBOX_ client IDs', () => {
    expect(resolveApiPath('antom', 'inquiryPayment', 'SANDBOX_5X00000000000000')).toBe(
      '/ams/sandbox/api/v1/payments/inquiryPayment',
    );
    expect(resolveApiPath('antom', 'cancelPayment', 'SANDBOX_5X00000000000000')).toBe(
      '/ams/sandbox/api/v1/payments/cancel',
    );
  });

  it('leaves Antom live IDs and every Alipay+ ID alone', () => {
    expect(resolveApiPath('antom', 'inquiryPayment', 'T_ALLPAY_1')).toBe(
      '/ams/api/v1/payments/inquiryPayment',
    );
    expect(resolveApiPath('alipayplus', 'cancelPayment', 'SANDBOX_5YC47N2ZQHJ004124')).toBe(
      '/aps/api/v1/payments/cancelPayment',
    );
    expect(resolveApiPath('antom', 'cancelPayment')).toBe('/ams/api/v1/payments/cancel');
  });
});
