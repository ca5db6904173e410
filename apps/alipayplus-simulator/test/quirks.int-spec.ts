import { generateKeyPairSync } from 'node:crypto';
import { AlipayPlusClient, decideCancel, decideInquiry } from '@app/alipayplus';
import { AlipayPlusSimulator, PaymentScript } from '../src';

/*
 * The per-payment quirks the exception scenarios script (issue: money-path exceptions): a refused
 * cancel, an order the partner does not know yet, a reported amount that differs, an Antom answer
 * without a readable paymentStatus, a call-level refusal of the inquiry. Real signed HTTP both ways.
 */

const alipayKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const acquirerKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const APS = 'ACQ_QUIRKS_APS';
const ANTOM = 'MERCHANT_QUIRKS_ANTOM';

let sim: AlipayPlusSimulator;
let url: string;
let sequence = 0;

beforeAll(async () => {
  sim = new AlipayPlusSimulator({
    partners: [APS, ANTOM].map((clientId) => ({
      clientId,
      dialect: clientId === APS ? ('alipayplus' as const) : ('antom' as const),
      privateKey: alipayKeys.privateKey,
      acquirerPublicKey: acquirerKeys.publicKey,
    })),
  });
  ({ url } = await sim.start());
});
afterAll(() => sim.stop());

const create = (dialect: 'alipayplus' | 'antom', extra: Partial<PaymentScript>): string => {
  const paymentRequestId = `Q-${Date.now()}-${++sequence}`;
  sim.createPayment({
    paymentRequestId,
    clientId: dialect === 'antom' ? ANTOM : APS,
    dialect,
    amount: { value: '1000', currency: 'USD' },
    timeline: [{ atMs: 0, status: 'PROCESSING' }],
    notify: false,
    ...extra,
  });
  return paymentRequestId;
};

const client = (dialect: 'alipayplus' | 'antom') =>
  new AlipayPlusClient({
    baseUrl: url,
    dialect,
    clientId: dialect === 'antom' ? ANTOM : APS,
    privateKey: acquirerKeys.privateKey,
    peerPublicKey: alipayKeys.publicKey,
  });

async function inquire(dialect: 'alipayplus' | 'antom', paymentRequestId: string) {
  const answer = await client(dialect).inquiryPayment({ paymentRequestId });
  if (answer.kind !== 'response') throw new Error(`no response: ${JSON.stringify(answer)}`);
  expect(answer.verified).toBe(true);
  return { decision: decideInquiry(dialect, answer.body), body: answer.body as Record<string, unknown> };
}

async function cancel(dialect: 'alipayplus' | 'antom', paymentRequestId: string) {
  const answer = await client(dialect).cancelPayment({ paymentRequestId });
  if (answer.kind !== 'response') throw new Error(`no response: ${JSON.stringify(answer)}`);
  return decideCancel(dialect, answer.body);
}

describe.each(['alipayplus', 'antom'] as const)('simulator quirks (%s)', (dialect) => {
  it('refuses a cancel with the scripted code and leaves the payment as it was', async () => {
    const id = create(dialect, {
      timeline: [{ atMs: 0, status: 'SUCCESS' }],
      quirks: { cancelRefusal: { resultCode: 'PROCESS_FAIL' } },
    });
    expect(await cancel(dialect, id)).toMatchObject({ kind: 'failed', resultCode: 'PROCESS_FAIL' });
    expect(sim.truth(id)?.status).toBe('SUCCESS');
  });

  it('answers cancels U until the scripted time, changing nothing', async () => {
    const id = create(dialect, { quirks: { cancelUnknownUntilMs: 60_000 } });
    expect(await cancel(dialect, id)).toMatchObject({ kind: 'retry', resultCode: 'UNKNOWN_EXCEPTION' });
    expect(sim.truth(id)?.status).toBe('PROCESSING');
    const later = create(dialect, { quirks: { cancelUnknownUntilMs: 0 } });
    expect((await cancel(dialect, later)).kind).toBe('cancelled');
  });

  it('does not know the order until the scripted time, then answers as usual', async () => {
    const id = create(dialect, { quirks: { unknownUntilMs: 60_000 } });
    expect((await inquire(dialect, id)).decision).toEqual({
      kind: 'not-found',
      resultCode: 'ORDER_NOT_EXIST',
    });
    expect(await cancel(dialect, id)).toMatchObject({ kind: 'failed', resultCode: 'ORDER_NOT_EXIST' });
    expect(sim.truth(id)?.status).toBe('PROCESSING');
    const known = create(dialect, { quirks: { unknownUntilMs: 0 } });
    expect((await inquire(dialect, known)).decision.kind).toBe('pending');
  });

  it('reports another amount than the one paid for', async () => {
    const id = create(dialect, {
      timeline: [{ atMs: 0, status: 'SUCCESS' }],
      quirks: { reportedAmount: { value: '999', currency: 'EUR' } },
    });
    expect((await inquire(dialect, id)).decision).toMatchObject({
      kind: 'final',
      outcome: 'SUCCESS',
      amount: { value: '999', currency: 'EUR' },
    });
  });

  it('refuses the inquiry at the call level with the scripted code', async () => {
    const id = create(dialect, { quirks: { inquiryRefusal: { resultCode: 'USER_KYC_NOT_QUALIFIED' } } });
    const { body } = await inquire(dialect, id);
    expect(body.result).toMatchObject({ resultStatus: 'F', resultCode: 'USER_KYC_NOT_QUALIFIED' });
  });
});

describe('simulator quirks (antom paymentStatus)', () => {
  it('leaves paymentStatus out, or reports an unknown one', async () => {
    const missing = create('antom', { quirks: { antomPaymentStatus: 'missing' } });
    expect((await inquire('antom', missing)).body).not.toHaveProperty('paymentStatus');
    const odd = create('antom', { quirks: { antomPaymentStatus: 'ON_HOLD' } });
    expect((await inquire('antom', odd)).body.paymentStatus).toBe('ON_HOLD');
  });

  it('refuses a script whose quirks are malformed', () => {
    expect(() => create('antom', { quirks: { cancelRefusal: { resultCode: '' } } })).toThrow(
      /INVALID_SCRIPT|quirks/,
    );
  });
});
