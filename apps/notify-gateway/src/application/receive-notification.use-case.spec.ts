import { loadPrivateKey, loadPublicKey, signMessage, verifySignedMessage } from '@app/alipayplus';
import type { Partner } from '@app/config';
import { Topics } from '@app/contracts';
import type { EventPublisher } from './ports';
import { generateTestKeyPair } from '@app/testing/keys';
import { AckSigner } from './ack-signer';
import { IncomingNotification, ReceiveNotificationUseCase } from './receive-notification.use-case';

/*
 * The key rules of issue 11 (rows 1–3) at the use case, with a producer that records what it was
 * given. The real-Kafka side is in test/key-rotation.int-spec.ts.
 */

const CLIENT_ID = 'T_KEYS';
const PATH = '/alipayplus/notify';
const ours = generateTestKeyPair();
const oursNext = generateTestKeyPair();
const theirsOld = generateTestKeyPair();
const theirsNew = generateTestKeyPair();

function partner(over: Partial<Partner> = {}): Partner {
  return {
    clientId: CLIENT_ID,
    dialect: 'alipayplus',
    keyVersion: '1',
    privateKey: loadPrivateKey(ours.privateKeyBase64),
    peerPublicKeys: [{ keyVersion: '1', publicKey: loadPublicKey(theirsOld.publicKeyBase64) }],
    ...over,
  };
}

function fakeProducer() {
  const published: { topic: string; value: string }[] = [];
  const producer = {
    publish: jest.fn((messages: { topic: string; value: string }[]) => {
      published.push(...messages);
      return Promise.resolve();
    }),
  };
  return { producer: producer as unknown as EventPublisher, published };
}

const body = JSON.stringify({
  paymentResult: { resultCode: 'SUCCESS', resultStatus: 'S', resultMessage: 'success' },
  paymentRequestId: 'keys-1',
  paymentId: 'p-1',
  paymentAmount: { currency: 'USD', value: '100' },
});

function notification(privateKeyBase64: string, keyVersion?: string): IncomingNotification {
  const time = new Date().toISOString();
  let { signatureHeader } = signMessage({
    path: PATH,
    clientId: CLIENT_ID,
    time,
    body,
    privateKey: loadPrivateKey(privateKeyBase64),
    keyVersion,
  });
  if (keyVersion === undefined) signatureHeader = signatureHeader.replace('keyVersion=1,', '');
  return {
    dialect: 'alipayplus',
    path: PATH,
    headers: { 'client-id': CLIENT_ID, 'request-time': time, signature: signatureHeader },
    contentType: 'application/json; charset=UTF-8',
    rawBody: Buffer.from(body),
  };
}

const results = (published: { topic: string }[]) =>
  published.filter((m) => m.topic === Topics.resultObserved);

describe('ReceiveNotificationUseCase — the partner rotates its key (issue 11 rows 1, 2)', () => {
  const bothKeys = partner({
    peerPublicKeys: [
      { keyVersion: '1', publicKey: loadPublicKey(theirsOld.publicKeyBase64) },
      { keyVersion: '2', publicKey: loadPublicKey(theirsNew.publicKeyBase64) },
    ],
  });

  it.each([
    ['the old key (keyVersion 1)', theirsOld, '1'],
    ['the new key (keyVersion 2)', theirsNew, '2'],
    ['the new key, the header naming no keyVersion', theirsNew, undefined],
  ])('accepts a notification signed with %s while both are configured', async (_label, key, version) => {
    const { producer, published } = fakeProducer();
    const sut = new ReceiveNotificationUseCase([bothKeys], producer, new AckSigner(), 1000);

    const answer = await sut.handle(notification(key.privateKeyBase64, version));

    expect(answer).toMatchObject({ httpStatus: 200, resultCode: 'S' });
    expect(results(published)).toHaveLength(1);
  });

  it('answers U UNKNOWN_EXCEPTION, naming the keyVersion, and publishes no result for a key we do not hold', async () => {
    const { producer, published } = fakeProducer();
    const sut = new ReceiveNotificationUseCase([partner()], producer, new AckSigner(), 1000);

    const answer = await sut.handle(notification(theirsNew.privateKeyBase64, '2'));

    expect(answer.httpStatus).toBe(503);
    expect(JSON.parse(answer.body)).toEqual({
      result: {
        resultCode: 'UNKNOWN_EXCEPTION',
        resultStatus: 'U',
        resultMessage: 'unknown keyVersion 2: no public key of this partner has it yet',
      },
    });
    expect(results(published)).toHaveLength(0);
    // Only the inquiry hint (design.md §7), which can only ever cause a signed inquiry.
    expect(published.map((m) => m.topic)).toEqual([Topics.inquiryHint]);
  });

  it('still answers F INVALID_SIGNATURE when the named key does not verify', async () => {
    const { producer, published } = fakeProducer();
    const sut = new ReceiveNotificationUseCase([partner()], producer, new AckSigner(), 1000);

    const answer = await sut.handle(notification(theirsNew.privateKeyBase64, '1'));

    expect(answer).toMatchObject({ httpStatus: 401, resultCode: 'INVALID_SIGNATURE' });
    expect(JSON.parse(answer.body).result.resultStatus).toBe('F');
    expect(results(published)).toHaveLength(0);
  });

  it('accepts the same notification once replacePartners (a settings reload) adds the key', async () => {
    const { producer, published } = fakeProducer();
    const sut = new ReceiveNotificationUseCase([partner()], producer, new AckSigner(), 1000);
    const n = notification(theirsNew.privateKeyBase64, '2');
    expect((await sut.handle(n)).resultCode).toBe('UNKNOWN_EXCEPTION');

    sut.replacePartners([bothKeys]);

    expect(await sut.handle(n)).toMatchObject({ httpStatus: 200, resultCode: 'S' });
    expect(results(published)).toHaveLength(1);
  });
});

describe('ReceiveNotificationUseCase — we switch our own key (issue 11 row 3)', () => {
  it('signs its ack with the current key and names its keyVersion; a reload switches both', async () => {
    const { producer } = fakeProducer();
    const signer = new AckSigner();
    const sut = new ReceiveNotificationUseCase([partner()], producer, signer, 1000);
    const verifyAck = (headers: Record<string, string>, ackBody: string, publicKeyBase64: string) =>
      verifySignedMessage({
        path: PATH,
        clientId: headers['client-id'],
        time: headers['response-time'],
        rawBody: ackBody,
        signatureHeader: headers.signature,
        publicKey: loadPublicKey(publicKeyBase64),
      });

    const before = await sut.handle(notification(theirsOld.privateKeyBase64, '1'));
    expect(before.headers.signature).toMatch(/keyVersion=1,/);
    expect(verifyAck(before.headers, before.body, ours.publicKeyBase64).ok).toBe(true);

    sut.replacePartners([
      partner({ keyVersion: '2', privateKey: loadPrivateKey(oursNext.privateKeyBase64) }),
    ]);
    // Within the same second as the first ack: the cached signature must not outlive the switch.
    const after = await sut.handle(notification(theirsOld.privateKeyBase64, '1'));
    expect(after.headers.signature).toMatch(/keyVersion=2,/);
    expect(verifyAck(after.headers, after.body, oursNext.publicKeyBase64).ok).toBe(true);
  });
});
