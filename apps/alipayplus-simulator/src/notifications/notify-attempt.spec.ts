import { generateKeyPairSync } from 'node:crypto';
import { NOTIFY_ACK_BODY, signResponse, verifySignedMessage } from '@app/alipayplus';
import { judgeAck, JudgeAckInput, prepareNotification } from './notify-attempt';

const alipay = generateKeyPairSync('rsa', { modulusLength: 2048 });
const acquirer = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PATH = '/alipayplus/notify';

function signedAck(body: string, privateKey = acquirer.privateKey) {
  const { headers } = signResponse({ path: PATH, clientId: 'CLIENT', body, privateKey });
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

const input = (overrides: Partial<JudgeAckInput>): JudgeAckInput => ({
  dialect: 'alipayplus',
  httpStatus: 200,
  headers: signedAck(NOTIFY_ACK_BODY),
  rawBody: Buffer.from(NOTIFY_ACK_BODY),
  signedPath: PATH,
  clientId: 'CLIENT',
  acquirerPublicKeys: [{ publicKey: acquirer.publicKey }],
  ...overrides,
});

describe('prepareNotification', () => {
  it('signs POST <bare notify path>\\n<client>.<Request-Time>.<body> with the simulator key (§1.3, §1.8 a)', () => {
    const body = '{"paymentRequestId":"PR-1"}';
    const prepared = prepareNotification({
      notifyUrl: new URL('http://127.0.0.1:9/alipayplus/notify?tenant=a'),
      clientId: 'CLIENT',
      body,
      privateKey: alipay.privateKey,
      requestTime: '2026-01-01T00:00:00.000Z',
    });
    expect(prepared.signedPath).toBe(PATH);
    expect(prepared.body).toBe(body);
    expect(prepared.headers).toMatchObject({
      'Content-Type': 'application/json; charset=UTF-8',
      'Client-Id': 'CLIENT',
      'Request-Time': '2026-01-01T00:00:00.000Z',
    });
    const verification = verifySignedMessage({
      path: PATH,
      clientId: 'CLIENT',
      time: '2026-01-01T00:00:00.000Z',
      rawBody: body,
      signatureHeader: prepared.headers.Signature,
      publicKey: alipay.publicKey,
    });
    expect(verification.ok).toBe(true);
  });
});

describe('judgeAck (protocol.md §1.7, §2.1)', () => {
  it('accepts a 2xx S ack signed by the acquirer', () => {
    expect(judgeAck(input({}))).toEqual({ kind: 'acked' });
  });

  it('refuses a non-2xx answer even with an S body', () => {
    expect(judgeAck(input({ httpStatus: 500 }))).toEqual({ kind: 'no-ack', reason: 'HTTP_500' });
  });

  it('refuses an F or U ack', () => {
    const body = '{"result":{"resultCode":"UNKNOWN_EXCEPTION","resultStatus":"U","resultMessage":"x"}}';
    expect(judgeAck(input({ rawBody: Buffer.from(body), headers: signedAck(body) }))).toEqual({
      kind: 'no-ack',
      reason: 'ACK_NOT_S',
      detail: 'UNKNOWN_EXCEPTION',
    });
  });

  it('refuses an ack that is not a result object', () => {
    expect(judgeAck(input({ rawBody: Buffer.from('OK') }))).toMatchObject({ reason: 'ACK_UNREADABLE' });
    expect(judgeAck(input({ rawBody: Buffer.from('{"ok":true}') }))).toMatchObject({
      reason: 'ACK_UNREADABLE',
    });
  });

  it('Alipay+: refuses an unsigned ack, one signed with another key, and one whose bytes changed', () => {
    expect(judgeAck(input({ headers: {} }))).toMatchObject({ reason: 'ACK_SIGNATURE_INVALID' });
    expect(judgeAck(input({ headers: signedAck(NOTIFY_ACK_BODY, stranger.privateKey) }))).toMatchObject({
      reason: 'ACK_SIGNATURE_INVALID',
    });
    const spaced = NOTIFY_ACK_BODY.replace(':', ': ');
    expect(judgeAck(input({ rawBody: Buffer.from(spaced) }))).toMatchObject({
      reason: 'ACK_SIGNATURE_INVALID',
    });
  });

  it('Alipay+: verifies with our clientId when the ack has no client-id header', () => {
    const headers = signedAck(NOTIFY_ACK_BODY);
    delete headers['client-id'];
    expect(judgeAck(input({ headers }))).toEqual({ kind: 'acked' });
  });

  it('Antom: an unsigned S ack is enough', () => {
    expect(judgeAck(input({ dialect: 'antom', headers: {} }))).toEqual({ kind: 'acked' });
  });
});
