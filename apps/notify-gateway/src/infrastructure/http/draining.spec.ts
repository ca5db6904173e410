import { loadPrivateKey, loadPublicKey, verifySignedMessage } from '@app/alipayplus';
import type { Partner } from '@app/config';
import { generateTestKeyPair } from '@app/testing/keys';
import { AckSigner } from '../../application/ack-signer';
import { Draining } from './draining';

const ours = generateTestKeyPair();
const theirs = generateTestKeyPair();

const alipay = (over: Partial<Partner> = {}): Partner => ({
  clientId: 'T_DRAIN',
  dialect: 'alipayplus',
  keyVersion: '1',
  privateKey: loadPrivateKey(ours.privateKeyBase64),
  peerPublicKeys: [{ keyVersion: '1', publicKey: loadPublicKey(theirs.publicKeyBase64) }],
  ...over,
});

const U = {
  result: {
    resultCode: 'UNKNOWN_EXCEPTION',
    resultStatus: 'U',
    resultMessage: 'the service is shutting down; send the notification again',
  },
};

describe('Draining — the answer to a notification that arrives during shutdown', () => {
  it('is inactive until start()', () => {
    const draining = new Draining([alipay()], new AckSigner());
    expect(draining.active).toBe(false);
    draining.start();
    expect(draining.active).toBe(true);
  });

  it('answers U, signed over the bare path for a partner we sign for, and closes the connection', () => {
    const draining = new Draining([alipay()], new AckSigner());
    const answer = draining.answer('alipayplus', '/alipayplus/notify?x=1', { 'client-id': 'T_DRAIN' });
    expect(answer).toMatchObject({ httpStatus: 503, resultCode: 'UNKNOWN_EXCEPTION' });
    expect(JSON.parse(answer.body)).toEqual(U);
    expect(answer.headers.connection).toBe('close');
    const check = verifySignedMessage({
      path: '/alipayplus/notify',
      clientId: answer.headers['client-id'],
      time: answer.headers['response-time'],
      rawBody: answer.body,
      signatureHeader: answer.headers.signature,
      publicKey: loadPublicKey(ours.publicKeyBase64),
    });
    expect(check.ok).toBe(true);
  });

  it.each([
    ['an unknown client-id', 'alipayplus', 'T_NOBODY'],
    ['a partner of the other dialect', 'antom', 'T_DRAIN'],
    ['no client-id', 'alipayplus', undefined],
  ] as const)('answers U unsigned for %s', (_label, dialect, clientId) => {
    const draining = new Draining([alipay()], new AckSigner());
    const answer = draining.answer(dialect, `/${dialect}/notify`, { 'client-id': clientId });
    expect(JSON.parse(answer.body)).toEqual(U);
    expect(answer.headers.signature).toBeUndefined();
    expect(answer.headers['content-type']).toBe('application/json; charset=UTF-8');
  });

  it('follows a partner reload (replacePartners)', () => {
    const draining = new Draining([], new AckSigner());
    expect(
      draining.answer('alipayplus', '/alipayplus/notify', { 'client-id': 'T_DRAIN' }).headers.signature,
    ).toBeUndefined();
    draining.replacePartners([alipay()]);
    expect(
      draining.answer('alipayplus', '/alipayplus/notify', { 'client-id': 'T_DRAIN' }).headers.signature,
    ).toBeDefined();
  });
});
