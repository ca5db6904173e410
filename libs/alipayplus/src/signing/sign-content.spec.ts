import { buildSignContent } from './sign-content';

describe('buildSignContent (protocol.md §1.3)', () => {
  it('lays out "<METHOD> <URI>\\n<Client-Id>.<Time>.<Body>" with no trailing newline', () => {
    const sut = buildSignContent({
      path: '/aps/api/v1/payments/inquiryPayment',
      clientId: 'SANDBOX_5YC47N2ZQHJ004124',
      time: '2025-02-21T05:43:09Z',
      body: '{"paymentRequestId":"r1"}',
    });

    expect(sut.toString('utf8')).toBe(
      'POST /aps/api/v1/payments/inquiryPayment\nSANDBOX_5YC47N2ZQHJ004124.2025-02-21T05:43:09Z.{"paymentRequestId":"r1"}',
    );
  });

  it('uses the explicit method when given', () => {
    const sut = buildSignContent({ method: 'POST', path: '/p', clientId: 'c', time: 't', body: '' });

    expect(sut.toString('utf8')).toBe('POST /p\nc.t.');
  });

  it('appends a Buffer body byte for byte, even bytes that are not valid UTF-8', () => {
    const body = Buffer.from([0x7b, 0xff, 0x00, 0xc3, 0x7d]);

    const sut = buildSignContent({ path: '/p', clientId: 'c', time: 't', body });

    expect(sut.subarray(sut.length - body.length).equals(body)).toBe(true);
    expect(sut.subarray(0, sut.length - body.length).toString('utf8')).toBe('POST /p\nc.t.');
  });

  it('encodes a string body as UTF-8 (multi-byte characters are not mangled)', () => {
    const sut = buildSignContent({ path: '/p', clientId: 'c', time: 't', body: '{"n":"café ✓"}' });

    expect(sut.equals(Buffer.from('POST /p\nc.t.{"n":"café ✓"}', 'utf8'))).toBe(true);
  });

  it('keeps a pretty-printed multi-line body exactly as given (§1.3, §1.8 d)', () => {
    const body = '{\n  "result": {\n    "resultStatus": "F"\n  }\n}\n';

    const sut = buildSignContent({ path: '/p', clientId: 'c', time: 't', body });

    expect(sut.toString('utf8')).toBe(`POST /p\nc.t.${body}`);
  });
});
