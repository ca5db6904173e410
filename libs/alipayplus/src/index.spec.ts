import * as api from './index';

/** Consumers (notify-gateway, inquiry-poller, simulator, config) import these names from `@app/alipayplus`. */
describe('@app/alipayplus public API', () => {
  it.each([
    'buildSignContent',
    'loadPrivateKey',
    'loadPublicKey',
    'signContent',
    'verifyContent',
    'parseSignatureHeader',
    'formatSignatureHeader',
    'verifySignedMessage',
    'signMessage',
    'parseNotification',
    'buildFailureAckBody',
    'resolveApiPath',
    'classifyResult',
    'decideInquiry',
    'decideCancel',
    'decideOnTransportError',
    'AlipayPlusClient',
    'signResponse',
    'verifyIncomingRequest',
    'isDialect',
  ])('exports the function %s', (name) => {
    expect(typeof (api as Record<string, unknown>)[name]).toBe('function');
  });

  it('exports the protocol constants', () => {
    expect(api.NOTIFY_ACK_BODY).toBe(
      '{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}',
    );
    expect(api.API_PATHS.antom.cancelPayment).toBe('/ams/api/v1/payments/cancel');
    expect(api.DIALECTS).toEqual(['alipayplus', 'antom']);
  });

  it('keeps internal helpers out of the public surface', () => {
    expect(Object.keys(api)).not.toContain('isOneOf');
    expect(Object.keys(api)).not.toContain('hasPaymentId');
  });
});
