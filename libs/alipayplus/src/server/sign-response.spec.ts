import { generateKeyPairSync } from 'node:crypto';
import { NOTIFY_ACK_BODY } from '../models/notify-ack';
import { verifySignedMessage } from '../signing/signed-message';
import { signResponse } from './sign-response';

const acqp = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('signResponse (protocol.md §1.2, §1.7)', () => {
  it('returns client-id, response-time and signature, named in lower case, for a signed notify ack', () => {
    const { headers } = signResponse({
      path: '/notify/alipayplus',
      clientId: 'T_111222333',
      body: NOTIFY_ACK_BODY,
      privateKey: acqp.privateKey,
      keyVersion: '3',
      responseTime: '2019-07-12T12:08:57.001+05:30',
    });

    expect(Object.keys(headers).sort()).toEqual(['client-id', 'response-time', 'signature']);
    expect(headers['client-id']).toBe('T_111222333');
    expect(headers['response-time']).toBe('2019-07-12T12:08:57.001+05:30');
    expect(headers.signature).toMatch(/^algorithm=RSA256,keyVersion=3,signature=[A-Za-z0-9%]+$/);
  });

  it('signs POST <path>\\n<Client-Id>.<Response-Time>.<body> so the peer can verify it', () => {
    const { headers } = signResponse({
      path: '/notify/alipayplus',
      clientId: 'T_111222333',
      body: NOTIFY_ACK_BODY,
      privateKey: acqp.privateKey,
    });

    const sut = verifySignedMessage({
      path: '/notify/alipayplus',
      clientId: headers['client-id'],
      time: headers['response-time'],
      rawBody: NOTIFY_ACK_BODY,
      signatureHeader: headers.signature,
      publicKey: acqp.publicKey,
    });

    expect(sut).toEqual({ ok: true, signedPath: '/notify/alipayplus', keyVersion: '1' });
  });

  it('defaults Response-Time to the current instant in ISO-8601', () => {
    const before = Date.now();

    const { headers } = signResponse({ path: '/n', clientId: 'c', body: '{}', privateKey: acqp.privateKey });

    const at = Date.parse(headers['response-time']);
    expect(headers['response-time']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('does not verify for a different body than the one signed', () => {
    const { headers } = signResponse({
      path: '/n',
      clientId: 'c',
      body: NOTIFY_ACK_BODY,
      privateKey: acqp.privateKey,
    });

    const sut = verifySignedMessage({
      path: '/n',
      clientId: 'c',
      time: headers['response-time'],
      rawBody: NOTIFY_ACK_BODY.replace('success', 'Success'),
      signatureHeader: headers.signature,
      publicKey: acqp.publicKey,
    });

    expect(sut.ok).toBe(false);
  });
});
