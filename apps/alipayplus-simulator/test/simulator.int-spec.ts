import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AlipayPlusClient,
  AlipayPlusNotifyPaymentSchema,
  AntomNotifyPaymentSchema,
  buildFailureAckBody,
  decideCancel,
  decideInquiry,
  NOTIFY_ACK_BODY,
  readHeader,
  signMessage,
  signResponse,
  verifySignedMessage,
} from '@app/alipayplus';
import { waitFor } from '@app/testing/wait-for';
import { AlipayPlusSimulator, ChaosSettings, PaymentScript, SimulatorPartner, TruthStep } from '../src';

/*
 * The simulator over real HTTP, with real signatures both ways: requests are made with the library's
 * AlipayPlusClient (signs requests, verifies responses), notifications are received by a small local
 * receiver that verifies them and signs its acks. Keys are generated here; none is committed.
 */

const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
/** Alipay+'s side: signs the simulator's responses and notifications. */
const alipayKeys = rsa();
/** Our side (the acquirer/merchant): signs requests and Alipay+ acks. */
const acquirerKeys = rsa();
/** Anyone else. */
const strangerKeys = rsa();

const APS_CLIENT = 'ACQ_APS_1';
const ANTOM_CLIENT = 'MERCHANT_ANTOM_1';
const SANDBOX_CLIENT = 'SANDBOX_5X00000000000001';

const partner = (
  clientId: string,
  dialect: 'alipayplus' | 'antom',
  notifyUrl?: string,
): SimulatorPartner => ({
  clientId,
  dialect,
  privateKey: alipayKeys.privateKey,
  acquirerPublicKey: acquirerKeys.publicKey,
  ...(notifyUrl ? { notifyUrl } : {}),
});

const clientFor = <D extends 'alipayplus' | 'antom'>(
  baseUrl: string,
  dialect: D,
  clientId: string,
  privateKey: KeyObject = acquirerKeys.privateKey,
) => new AlipayPlusClient({ baseUrl, dialect, clientId, privateKey, peerPublicKey: alipayKeys.publicKey });

let sequence = 0;
const script = (
  clientId: string,
  dialect: 'alipayplus' | 'antom',
  timeline: TruthStep[],
  extra: Partial<PaymentScript> = {},
): PaymentScript => ({
  paymentRequestId: `PR-${Date.now()}-${++sequence}`,
  clientId,
  dialect,
  amount: { value: '1250', currency: 'USD' },
  timeline,
  ...extra,
});

const PAID: TruthStep[] = [{ atMs: 0, status: 'SUCCESS' }];
const PENDING: TruthStep[] = [{ atMs: 0, status: 'PROCESSING' }];

/** Everything started by a test, stopped in afterAll/afterEach whatever happened. */
const cleanups: Array<() => Promise<void>> = [];
async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) await (cleanups.pop() as () => Promise<void>)();
}

async function startSimulator(options: {
  partners: SimulatorPartner[];
  chaos?: Partial<ChaosSettings>;
  timeScale?: number;
  seed?: number;
  logger?: (line: string) => void;
}): Promise<{ sim: AlipayPlusSimulator; url: string }> {
  const sim = new AlipayPlusSimulator(options);
  cleanups.push(() => sim.stop());
  const { url } = await sim.start();
  return { sim, url };
}

describe('AlipayPlusSimulator — inquiryPayment and cancel over signed HTTP', () => {
  let sim: AlipayPlusSimulator;
  let url: string;

  beforeAll(async () => {
    ({ sim, url } = await startSimulator({
      partners: [
        partner(APS_CLIENT, 'alipayplus'),
        partner(ANTOM_CLIENT, 'antom'),
        partner(SANDBOX_CLIENT, 'antom'),
      ],
    }));
  });
  afterAll(runCleanups);

  describe.each([
    ['alipayplus', APS_CLIENT],
    ['antom', ANTOM_CLIENT],
  ] as const)('inquiry (%s)', (dialect, clientId) => {
    const inquire = async (paymentRequestId: string) => {
      const response = await clientFor(url, dialect, clientId).inquiryPayment({ paymentRequestId });
      if (response.kind !== 'response') throw new Error(`no response: ${JSON.stringify(response)}`);
      expect(response.verified).toBe(true);
      return decideInquiry(dialect, response.body);
    };

    it('answers a processing payment with a verified "pending"', async () => {
      const truth = sim.createPayment(script(clientId, dialect, PENDING));
      await expect(inquire(truth.paymentRequestId)).resolves.toMatchObject({ kind: 'pending' });
      expect(sim.truth(truth.paymentRequestId)).toMatchObject({ status: 'PROCESSING', inquiries: 1 });
    });

    it('answers a paid payment with SUCCESS, its paymentId and amount', async () => {
      const truth = sim.createPayment(script(clientId, dialect, PAID));
      await expect(inquire(truth.paymentRequestId)).resolves.toMatchObject({
        kind: 'final',
        outcome: 'SUCCESS',
        resultCode: 'SUCCESS',
        paymentRequestId: truth.paymentRequestId,
        paymentId: truth.paymentId,
        amount: { value: '1250', currency: 'USD' },
      });
    });

    it('answers a failed payment with FAIL and its code, and a closed one with CLOSED', async () => {
      const failed = sim.createPayment(
        script(clientId, dialect, [{ atMs: 0, status: 'FAIL', resultCode: 'RISK_REJECT' }]),
      );
      await expect(inquire(failed.paymentRequestId)).resolves.toMatchObject({
        kind: 'final',
        outcome: 'FAIL',
        resultCode: 'RISK_REJECT',
      });
      const closed = sim.createPayment(
        script(clientId, dialect, [{ atMs: 0, status: 'FAIL', resultCode: 'ORDER_IS_CLOSED' }]),
      );
      await expect(inquire(closed.paymentRequestId)).resolves.toMatchObject({
        kind: 'final',
        outcome: 'CLOSED',
      });
      expect(sim.truth(closed.paymentRequestId)?.expectedOrderStatus).toBe('cancelled');
    });

    it('answers an unknown payment with F ORDER_NOT_EXIST', async () => {
      await expect(inquire(`unknown-${dialect}`)).resolves.toEqual({
        kind: 'not-found',
        resultCode: 'ORDER_NOT_EXIST',
      });
    });

    it('finds a payment by its paymentId too', async () => {
      const truth = sim.createPayment(script(clientId, dialect, PAID));
      const response = await clientFor(url, dialect, clientId).inquiryPayment({ paymentId: truth.paymentId });
      expect(response.kind === 'response' && decideInquiry(dialect, response.body)).toMatchObject({
        kind: 'final',
        paymentRequestId: truth.paymentRequestId,
      });
    });

    it("does not show another client's payment", async () => {
      const other = dialect === 'antom' ? SANDBOX_CLIENT : ANTOM_CLIENT;
      const truth = sim.createPayment(script(other, 'antom', PAID));
      await expect(inquire(truth.paymentRequestId)).resolves.toMatchObject({ kind: 'not-found' });
    });
  });

  it('serves the Antom sandbox path for SANDBOX_ client IDs', async () => {
    const truth = sim.createPayment(script(SANDBOX_CLIENT, 'antom', PAID));
    const client = clientFor(url, 'antom', SANDBOX_CLIENT);
    const response = await client.inquiryPayment({ paymentRequestId: truth.paymentRequestId });
    expect(response).toMatchObject({ kind: 'response', verified: true, body: { paymentStatus: 'SUCCESS' } });
  });

  describe.each([
    ['alipayplus', APS_CLIENT],
    ['antom', ANTOM_CLIENT],
  ] as const)('cancel (%s)', (dialect, clientId) => {
    const cancel = async (paymentRequestId: string) => {
      const response = await clientFor(url, dialect, clientId).cancelPayment({ paymentRequestId });
      if (response.kind !== 'response') throw new Error(`no response: ${JSON.stringify(response)}`);
      expect(response.verified).toBe(true);
      return { decision: decideCancel(dialect, response.body), body: response.body };
    };

    it('reverses a paid payment: CANCELLED with paidBeforeCancel, and later inquiries say closed', async () => {
      const truth = sim.createPayment(script(clientId, dialect, PAID));
      const { decision } = await cancel(truth.paymentRequestId);
      expect(decision).toMatchObject({ kind: 'cancelled', resultCode: 'SUCCESS' });
      if (dialect === 'antom') expect(decision).toHaveProperty('cancelTime');
      expect(sim.truth(truth.paymentRequestId)).toMatchObject({
        status: 'CANCELLED',
        resultCode: 'CANCELLED',
        paidBeforeCancel: true,
        expectedOrderStatus: 'cancelled',
        cancels: 1,
      });
      const inquiry = await clientFor(url, dialect, clientId).inquiryPayment({
        paymentRequestId: truth.paymentRequestId,
      });
      expect(inquiry.kind === 'response' && decideInquiry(dialect, inquiry.body)).toMatchObject({
        kind: 'final',
        outcome: 'CLOSED',
      });
    });

    it('is idempotent: a repeat answers S again and changes nothing', async () => {
      const truth = sim.createPayment(script(clientId, dialect, PAID));
      const first = await cancel(truth.paymentRequestId);
      const second = await cancel(truth.paymentRequestId);
      expect(first.decision.kind).toBe('cancelled');
      expect(second.decision).toEqual(first.decision);
      expect(sim.truth(truth.paymentRequestId)).toMatchObject({
        status: 'CANCELLED',
        paidBeforeCancel: true,
        cancels: 2,
      });
    });

    it('closes a failed payment (S) without marking it paid', async () => {
      const truth = sim.createPayment(script(clientId, dialect, [{ atMs: 0, status: 'FAIL' }]));
      expect((await cancel(truth.paymentRequestId)).decision.kind).toBe('cancelled');
      expect(sim.truth(truth.paymentRequestId)).toMatchObject({
        status: 'CANCELLED',
        paidBeforeCancel: false,
      });
    });

    it('answers an unknown payment with F ORDER_NOT_EXIST', async () => {
      expect((await cancel(`unknown-cancel-${dialect}`)).decision).toMatchObject({
        kind: 'failed',
        resultCode: 'ORDER_NOT_EXIST',
      });
    });
  });

  it('answers a request signed with the wrong key with a signed F INVALID_SIGNATURE and counts it', async () => {
    const truth = sim.createPayment(script(APS_CLIENT, 'alipayplus', PAID));
    const before = sim.stats().rejectedSignatures;
    const impostor = clientFor(url, 'alipayplus', APS_CLIENT, strangerKeys.privateKey);
    const response = await impostor.inquiryPayment({ paymentRequestId: truth.paymentRequestId });
    expect(response).toMatchObject({ kind: 'response', verified: true });
    expect(response.kind === 'response' && decideInquiry('alipayplus', response.body)).toEqual({
      kind: 'human',
      resultCode: 'INVALID_SIGNATURE',
      resultMessage: expect.any(String),
    });
    expect(sim.stats().rejectedSignatures).toBe(before + 1);
    expect(sim.truth(truth.paymentRequestId)?.inquiries).toBe(0);
  });

  it("answers a client calling the other dialect's API with F INVALID_API", async () => {
    const response = await clientFor(url, 'alipayplus', ANTOM_CLIENT).inquiryPayment({
      paymentRequestId: 'x',
    });
    expect(response).toMatchObject({ kind: 'response', verified: true });
    expect(response.kind === 'response' && decideInquiry('alipayplus', response.body)).toMatchObject({
      kind: 'human',
      resultCode: 'INVALID_API',
    });
  });

  it('answers anything but POST on an API path with 405', async () => {
    const response = await fetch(`${url}/aps/api/v1/payments/inquiryPayment`);
    expect(response.status).toBe(405);
    expect(await response.json()).toMatchObject({ result: { resultCode: 'METHOD_NOT_SUPPORTED' } });
  });

  it('answers an unknown client with F INVALID_CLIENT (unsigned: there is no partner key)', async () => {
    const response = await clientFor(url, 'antom', 'NOBODY').inquiryPayment({ paymentRequestId: 'x' });
    expect(response).toMatchObject({
      kind: 'response',
      verified: false,
      body: { result: { resultStatus: 'F', resultCode: 'INVALID_CLIENT' } },
    });
  });

  it('refuses a body that fails the request schema with F PARAM_ILLEGAL', async () => {
    // The client validates its own requests, so this one is signed by hand like a buggy acquirer would.
    const body = '{"paymentRequestId":""}';
    const path = '/aps/api/v1/payments/inquiryPayment';
    const requestTime = new Date().toISOString();
    const { signatureHeader } = signMessage({
      path,
      clientId: APS_CLIENT,
      time: requestTime,
      body,
      privateKey: acquirerKeys.privateKey,
    });
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'Client-Id': APS_CLIENT, 'Request-Time': requestTime, Signature: signatureHeader },
      body,
    });
    const answer = (await response.json()) as { result: { resultCode: string; resultStatus: string } };
    expect(answer.result).toMatchObject({ resultStatus: 'F', resultCode: 'PARAM_ILLEGAL' });
    const verification = verifySignedMessage({
      path,
      clientId: response.headers.get('client-id') ?? undefined,
      time: response.headers.get('response-time') ?? undefined,
      rawBody: JSON.stringify(answer),
      signatureHeader: response.headers.get('signature') ?? undefined,
      publicKey: alipayKeys.publicKey,
    });
    expect(verification.ok).toBe(true);
  });

  it('lets a scripted success happen over time (timeScale)', async () => {
    const { sim: fast, url: fastUrl } = await startSimulator({
      partners: [partner(APS_CLIENT, 'alipayplus')],
      timeScale: 600,
    });
    const truth = fast.createPayment(
      script(APS_CLIENT, 'alipayplus', [
        { atMs: 0, status: 'PROCESSING' },
        { atMs: 60_000, status: 'SUCCESS' },
      ]),
    );
    const client = clientFor(fastUrl, 'alipayplus', APS_CLIENT);
    const first = await client.inquiryPayment({ paymentRequestId: truth.paymentRequestId });
    expect(first.kind === 'response' && decideInquiry('alipayplus', first.body)).toMatchObject({
      kind: 'pending',
    });
    await waitFor(
      async () => {
        const response = await client.inquiryPayment({ paymentRequestId: truth.paymentRequestId });
        return response.kind === 'response' && decideInquiry('alipayplus', response.body).kind === 'final';
      },
      { description: 'the scripted success one simulated minute later', timeoutMs: 10_000, intervalMs: 20 },
    );
    expect(fast.truth(truth.paymentRequestId)).toMatchObject({
      status: 'SUCCESS',
      expectedOrderStatus: 'success',
    });
  });
});

describe('AlipayPlusSimulator — chaos on inquiry and cancel', () => {
  afterEach(runCleanups);

  it('U chaos rate 1.0 makes every inquiry and cancel a retry decision, and the cancel is not applied', async () => {
    const { sim, url } = await startSimulator({
      partners: [partner(APS_CLIENT, 'alipayplus'), partner(ANTOM_CLIENT, 'antom')],
      chaos: { inquiryUnknownRate: 1, cancelUnknownRate: 1 },
    });
    for (const [dialect, clientId] of [
      ['alipayplus', APS_CLIENT],
      ['antom', ANTOM_CLIENT],
    ] as const) {
      const truth = sim.createPayment(script(clientId, dialect, PAID));
      const client = clientFor(url, dialect, clientId);
      const inquiry = await client.inquiryPayment({ paymentRequestId: truth.paymentRequestId });
      expect(inquiry).toMatchObject({ kind: 'response', verified: true });
      expect(inquiry.kind === 'response' && decideInquiry(dialect, inquiry.body)).toEqual({
        kind: 'retry',
        backoff: false,
        resultCode: 'UNKNOWN_EXCEPTION',
      });
      const cancel = await client.cancelPayment({ paymentRequestId: truth.paymentRequestId });
      expect(cancel.kind === 'response' && decideCancel(dialect, cancel.body)).toEqual({
        kind: 'retry',
        backoff: false,
        resultCode: 'UNKNOWN_EXCEPTION',
      });
      expect(sim.truth(truth.paymentRequestId)?.status).toBe('SUCCESS');
    }
    sim.setChaos({ cancelUnknownRate: 0 });
    const truth = sim.createPayment(script(APS_CLIENT, 'alipayplus', PAID));
    const cancel = await clientFor(url, 'alipayplus', APS_CLIENT).cancelPayment({
      paymentRequestId: truth.paymentRequestId,
    });
    expect(cancel.kind === 'response' && decideCancel('alipayplus', cancel.body).kind).toBe('cancelled');
  });

  it('answers HTTP 503 without a signed body at 5xx rate 1.0', async () => {
    const { sim, url } = await startSimulator({
      partners: [partner(APS_CLIENT, 'alipayplus')],
      chaos: { http5xxRate: 1 },
    });
    const truth = sim.createPayment(script(APS_CLIENT, 'alipayplus', PAID));
    const response = await clientFor(url, 'alipayplus', APS_CLIENT).inquiryPayment({
      paymentRequestId: truth.paymentRequestId,
    });
    expect(response).toEqual({ kind: 'transport-error', reason: 'HTTP_503' });
    expect(sim.stats().inquiries).toBe(1);
  });

  it('rate-limits per client with U REQUEST_TRAFFIC_EXCEED_LIMIT (a backoff retry)', async () => {
    const { sim, url } = await startSimulator({
      partners: [partner(APS_CLIENT, 'alipayplus'), partner(ANTOM_CLIENT, 'antom')],
      chaos: { rateLimitPerSecond: 1 },
    });
    const truth = sim.createPayment(script(APS_CLIENT, 'alipayplus', PAID));
    const client = clientFor(url, 'alipayplus', APS_CLIENT);
    const first = await client.inquiryPayment({ paymentRequestId: truth.paymentRequestId });
    const second = await client.inquiryPayment({ paymentRequestId: truth.paymentRequestId });
    expect(first.kind === 'response' && decideInquiry('alipayplus', first.body).kind).toBe('final');
    expect(second.kind === 'response' && decideInquiry('alipayplus', second.body)).toEqual({
      kind: 'retry',
      backoff: true,
      resultCode: 'REQUEST_TRAFFIC_EXCEED_LIMIT',
    });
    // Another client has its own bucket.
    const antom = await clientFor(url, 'antom', ANTOM_CLIENT).inquiryPayment({ paymentRequestId: 'x' });
    expect(antom.kind === 'response' && decideInquiry('antom', antom.body).kind).toBe('not-found');
    expect(sim.stats().rateLimited).toBe(1);
  });

  it('counts an inquiry that starts while another for the same payment is still being answered', async () => {
    const { sim, url } = await startSimulator({
      partners: [partner(APS_CLIENT, 'alipayplus')],
      chaos: { latencyMs: [150, 150] },
    });
    const one = sim.createPayment(script(APS_CLIENT, 'alipayplus', PAID));
    const two = sim.createPayment(script(APS_CLIENT, 'alipayplus', PAID));
    const client = clientFor(url, 'alipayplus', APS_CLIENT);
    const ask = (paymentRequestId: string) => client.inquiryPayment({ paymentRequestId });

    await ask(one.paymentRequestId);
    await ask(one.paymentRequestId);
    expect(sim.stats().concurrentInquiryViolations).toBe(0);

    await Promise.all([ask(one.paymentRequestId), ask(two.paymentRequestId)]);
    expect(sim.stats().concurrentInquiryViolations).toBe(0);

    const answers = await Promise.all([
      ask(one.paymentRequestId),
      ask(one.paymentRequestId),
      ask(one.paymentRequestId),
    ]);
    expect(answers.every((a) => a.kind === 'response')).toBe(true);
    expect(sim.stats().concurrentInquiryViolations).toBe(2);
    expect(sim.truth(one.paymentRequestId)?.inquiries).toBe(6);
  });
});

type AckBehaviour = 'ack' | 'unknown' | 'badly-signed';

interface ReceivedNotification {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly rawBody: Buffer;
  readonly verified: boolean;
}

/** A minimal acquirer notify endpoint: verifies each notification and answers per `behaviour(n)`. */
async function startReceiver(
  dialect: 'alipayplus' | 'antom',
  behaviour: (n: number) => AckBehaviour = () => 'ack',
): Promise<{ url: string; received: ReceivedNotification[] }> {
  const received: ReceivedNotification[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const path = req.url ?? '/';
      const verification = verifySignedMessage({
        path,
        clientId: readHeader(req.headers, 'client-id'),
        time: readHeader(req.headers, 'request-time'),
        rawBody,
        signatureHeader: readHeader(req.headers, 'signature'),
        publicKey: alipayKeys.publicKey,
      });
      received.push({ path, headers: req.headers, rawBody, verified: verification.ok });
      const how = behaviour(received.length);
      const body =
        how === 'unknown'
          ? buildFailureAckBody({ resultCode: 'UNKNOWN_EXCEPTION', resultStatus: 'U' })
          : NOTIFY_ACK_BODY;
      // Alipay+ acks are signed by the acquirer (protocol.md §1.7); Antom acks need not be.
      const headers =
        dialect === 'alipayplus'
          ? signResponse({
              path,
              clientId: readHeader(req.headers, 'client-id') ?? '',
              body,
              privateKey: how === 'badly-signed' ? strangerKeys.privateKey : acquirerKeys.privateKey,
            }).headers
          : {};
      res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8', ...headers }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/${dialect}/notify`, received };
}

const activeTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('AlipayPlusSimulator — notifyPayment', () => {
  afterEach(runCleanups);

  /** 600: the 1 s / 3 s quick retries take 2 ms / 5 ms, the 30 s one 50 ms. */
  async function scenario(
    dialect: 'alipayplus' | 'antom',
    behaviour?: (n: number) => AckBehaviour,
    options: { chaos?: Partial<ChaosSettings>; timeScale?: number; logger?: (line: string) => void } = {},
  ) {
    const receiver = await startReceiver(dialect, behaviour);
    const clientId = dialect === 'antom' ? ANTOM_CLIENT : APS_CLIENT;
    const { sim, url } = await startSimulator({
      partners: [partner(clientId, dialect, receiver.url)],
      timeScale: options.timeScale ?? 600,
      chaos: options.chaos,
      seed: 7,
      logger: options.logger,
    });
    return { ...receiver, sim, url, clientId };
  }

  it('Alipay+: delivers one signed SUCCESS notification when it is acknowledged', async () => {
    const { sim, received, clientId } = await scenario('alipayplus');
    const truth = sim.createPayment(script(clientId, 'alipayplus', PAID));
    await sim.idle();

    expect(received).toHaveLength(1);
    const [notification] = received;
    expect(notification.verified).toBe(true);
    expect(notification.path).toBe('/alipayplus/notify');
    expect(notification.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(notification.headers['request-time']).toMatch(/^\d{4}-\d\d-\d\dT/);
    const body = AlipayPlusNotifyPaymentSchema.parse(JSON.parse(notification.rawBody.toString('utf8')));
    expect(body).toMatchObject({
      paymentResult: { resultStatus: 'S', resultCode: 'SUCCESS' },
      paymentRequestId: truth.paymentRequestId,
      paymentId: truth.paymentId,
      paymentAmount: { value: '1250', currency: 'USD' },
    });
    expect(sim.truth(truth.paymentRequestId)).toMatchObject({
      notificationAttempts: 1,
      notificationAcked: true,
    });
    expect(sim.stats()).toMatchObject({ notificationsSent: 1, notificationsAcked: 1 });
  });

  it('Antom: delivers a FAIL PAYMENT_RESULT with its code, and an unsigned ack is enough', async () => {
    const { sim, received, clientId } = await scenario('antom');
    const truth = sim.createPayment(
      script(clientId, 'antom', [
        { atMs: 0, status: 'PROCESSING' },
        { atMs: 5_000, status: 'FAIL', resultCode: 'USER_BALANCE_NOT_ENOUGH' },
      ]),
    );
    await sim.idle();
    expect(received).toHaveLength(1);
    expect(received[0].verified).toBe(true);
    const body = AntomNotifyPaymentSchema.parse(JSON.parse(received[0].rawBody.toString('utf8')));
    expect(body).toMatchObject({
      notifyType: 'PAYMENT_RESULT',
      result: { resultStatus: 'F', resultCode: 'USER_BALANCE_NOT_ENOUGH' },
      paymentRequestId: truth.paymentRequestId,
    });
    expect(sim.truth(truth.paymentRequestId)).toMatchObject({
      notificationAcked: true,
      expectedOrderStatus: 'fail',
    });
  });

  it('idle() also waits for a notification the script makes due later', async () => {
    const { sim, received, clientId } = await scenario('alipayplus');
    sim.createPayment(
      script(clientId, 'alipayplus', [
        { atMs: 0, status: 'PROCESSING' },
        { atMs: 60_000, status: 'SUCCESS' },
      ]),
    );
    expect(received).toHaveLength(0);
    await sim.idle();
    expect(received).toHaveLength(1);
  });

  it('retries after U acks, re-sending the same bytes, and stops once acknowledged', async () => {
    const { sim, received, clientId } = await scenario('alipayplus', (n) => (n <= 2 ? 'unknown' : 'ack'));
    const truth = sim.createPayment(script(clientId, 'alipayplus', PAID));
    await sim.idle();
    expect(received).toHaveLength(3);
    expect(received.every((r) => r.verified)).toBe(true);
    expect(new Set(received.map((r) => r.rawBody.toString('utf8'))).size).toBe(1);
    expect(sim.truth(truth.paymentRequestId)).toMatchObject({
      notificationAttempts: 3,
      notificationAcked: true,
    });
  });

  it('keeps retrying while the ack signature is bad, until the 15 attempts are spent', async () => {
    // 100000: the whole schedule (about 34 simulated hours) takes about a real second.
    const { sim, received, clientId } = await scenario('alipayplus', () => 'badly-signed', {
      timeScale: 100_000,
    });
    const truth = sim.createPayment(script(clientId, 'alipayplus', PAID));
    await sim.idle();
    expect(received).toHaveLength(15);
    expect(sim.truth(truth.paymentRequestId)).toMatchObject({
      notificationAttempts: 15,
      notificationAcked: false,
    });
    expect(sim.stats()).toMatchObject({ notificationsSent: 15, notificationsAcked: 0 });
  });

  it('drop rate 1: nothing arrives, while inquiries still tell the truth', async () => {
    const { sim, url, received, clientId } = await scenario('alipayplus', undefined, {
      chaos: { notifyDropRate: 1 },
    });
    const truth = sim.createPayment(script(clientId, 'alipayplus', PAID));
    await sim.idle();
    expect(received).toHaveLength(0);
    expect(sim.truth(truth.paymentRequestId)).toMatchObject({
      notificationAttempts: 0,
      notificationAcked: false,
    });
    const inquiry = await clientFor(url, 'alipayplus', clientId).inquiryPayment({
      paymentRequestId: truth.paymentRequestId,
    });
    expect(inquiry.kind === 'response' && decideInquiry('alipayplus', inquiry.body)).toMatchObject({
      outcome: 'SUCCESS',
    });
  });

  it('attempt loss: lost attempts never arrive, the sender retries until one is acknowledged', async () => {
    const { sim, received, clientId } = await scenario('alipayplus', undefined, {
      chaos: { notifyAttemptLossRate: 0.5 },
      timeScale: 100_000,
    });
    // Fixed IDs: each payment's chaos stream derives from (seed, paymentRequestId), so this run is reproducible.
    const payments = Array.from({ length: 10 }, (_, i) =>
      sim.createPayment(script(clientId, 'alipayplus', PAID, { paymentRequestId: `loss-${i}` })),
    );
    await sim.idle();
    const truths = payments.map((p) => sim.truth(p.paymentRequestId));
    const attempts = truths.reduce((sum, t) => sum + (t?.notificationAttempts ?? 0), 0);
    expect(truths.every((t) => t?.notificationAcked)).toBe(true);
    // Each payment arrived exactly once (its first attempt that was not lost was acknowledged)...
    expect(received).toHaveLength(10);
    // ...and with seed 7 at rate 0.5 some attempts were lost on the way.
    expect(attempts).toBeGreaterThan(10);
    expect(sim.stats().notificationsSent).toBe(10);
  });

  it('duplicate rate 1: the same request arrives twice, byte for byte', async () => {
    const { sim, received, clientId } = await scenario('antom', undefined, {
      chaos: { notifyDuplicateRate: 1 },
    });
    const truth = sim.createPayment(script(clientId, 'antom', PAID));
    await sim.idle();
    expect(received).toHaveLength(2);
    expect(received[1].rawBody.equals(received[0].rawBody)).toBe(true);
    expect(received[1].headers.signature).toBe(received[0].headers.signature);
    expect(received.every((r) => r.verified)).toBe(true);
    expect(sim.truth(truth.paymentRequestId)).toMatchObject({
      notificationAttempts: 1,
      notificationAcked: true,
    });
  });

  it('sends nothing for notify: false, nor for a payment cancelled before it became final', async () => {
    const { sim, url, received, clientId } = await scenario('alipayplus');
    sim.createPayment(script(clientId, 'alipayplus', PAID, { notify: false }));
    const later = sim.createPayment(
      script(clientId, 'alipayplus', [
        { atMs: 0, status: 'PROCESSING' },
        { atMs: 3_600_000, status: 'SUCCESS' },
      ]),
    );
    const cancel = await clientFor(url, 'alipayplus', clientId).cancelPayment({
      paymentRequestId: later.paymentRequestId,
    });
    expect(cancel.kind === 'response' && decideCancel('alipayplus', cancel.body).kind).toBe('cancelled');
    // The cancel voided the scripted success, so no notification is left to wait for.
    await sim.idle();
    expect(received).toHaveLength(0);
    expect(sim.truth(later.paymentRequestId)).toMatchObject({ status: 'CANCELLED', paidBeforeCancel: false });
  });

  it('stop() ends retries in progress and releases idle()', async () => {
    const events: Array<{ event: string }> = [];
    const { sim, clientId } = await scenario('alipayplus', () => 'unknown', {
      timeScale: 1,
      logger: (line) => events.push(JSON.parse(line) as { event: string }),
    });
    sim.createPayment(script(clientId, 'alipayplus', PAID));
    // Logged once the first attempt has its (U) answer; the retry timer is armed right after.
    await waitFor(async () => events.some((e) => e.event === 'notify.attempt'), {
      description: 'the first attempt to be answered',
      timeoutMs: 10_000,
      intervalMs: 10,
    });
    const idle = sim.idle();
    const timersBefore = activeTimers();
    await sim.stop();
    await expect(idle).resolves.toBeUndefined();
    // The retry timer (1 simulated s away) is gone: nothing of the simulator keeps running.
    expect(activeTimers()).toBeLessThan(timersBefore);
    expect(() => sim.createPayment(script(clientId, 'alipayplus', PAID))).toThrow(
      expect.objectContaining({ code: 'STOPPED' }),
    );
  });
});

describe('AlipayPlusSimulator — admin API', () => {
  let sim: AlipayPlusSimulator;
  let url: string;
  beforeAll(async () => {
    ({ sim, url } = await startSimulator({ partners: [partner(APS_CLIENT, 'alipayplus')] }));
  });
  afterAll(runCleanups);

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, text, json: JSON.parse(text) as Record<string, unknown> };
  };

  it('creates a payment and shows its truth, without any key material', async () => {
    const input = script(APS_CLIENT, 'alipayplus', PENDING);
    const created = await call('POST', '/sim/payments', input);
    expect(created.status).toBe(201);
    expect(Object.keys(created.json).sort()).toEqual(
      [
        'cancels',
        'clientId',
        'dialect',
        'expectedOrderStatus',
        'inquiries',
        'notificationAcked',
        'notificationAttempts',
        'paidBeforeCancel',
        'paymentId',
        'paymentRequestId',
        'resultCode',
        'status',
      ].sort(),
    );
    expect(created.json).toMatchObject({
      status: 'PROCESSING',
      resultCode: 'PAYMENT_IN_PROCESS',
      expectedOrderStatus: null,
    });
    const fetched = await call('GET', `/sim/payments/${encodeURIComponent(input.paymentRequestId)}`);
    expect(fetched).toMatchObject({ status: 200, json: created.json });
    const truths = await call('GET', '/sim/truths');
    expect(truths.json).toEqual(expect.arrayContaining([created.json]));
    const pem = alipayKeys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64').slice(0, 40);
    expect(truths.text).not.toContain(pem);
    expect(truths.text).not.toMatch(/key/i);
  });

  it('reports errors with stable codes', async () => {
    const input = script(APS_CLIENT, 'alipayplus', PENDING);
    await call('POST', '/sim/payments', input);
    expect(await call('POST', '/sim/payments', input)).toMatchObject({
      status: 409,
      json: { error: { code: 'DUPLICATE_PAYMENT' } },
    });
    expect(
      await call('POST', '/sim/payments', { ...input, paymentRequestId: 'y', amount: { value: '1.5' } }),
    ).toMatchObject({
      status: 400,
      json: { error: { code: 'INVALID_SCRIPT' } },
    });
    expect(await call('POST', '/sim/payments', { ...script('NOBODY', 'antom', PENDING) })).toMatchObject({
      status: 422,
      json: { error: { code: 'UNKNOWN_PARTNER' } },
    });
    expect(await call('POST', '/sim/payments', '{not json')).toMatchObject({
      status: 400,
      json: { error: { code: 'INVALID_JSON' } },
    });
    expect(await call('GET', '/sim/payments/nope')).toMatchObject({
      status: 404,
      json: { error: { code: 'PAYMENT_NOT_FOUND' } },
    });
    expect(await call('POST', '/sim/chaos', { http5xxRate: 3 })).toMatchObject({
      status: 400,
      json: { error: { code: 'INVALID_CHAOS' } },
    });
  });

  it('changes chaos, reports stats and idles', async () => {
    const changed = await call('POST', '/sim/chaos', { latencyMs: [1, 2] });
    expect(changed).toMatchObject({ status: 200, json: { latencyMs: [1, 2], http5xxRate: 0 } });
    expect((await call('GET', '/sim/chaos')).json).toMatchObject({ latencyMs: [1, 2] });
    const stats = await call('GET', '/sim/stats');
    expect(stats.json).toEqual(sim.stats());
    expect(await call('GET', '/sim/idle?timeoutMs=1000')).toMatchObject({
      status: 200,
      json: { idle: true },
    });
  });
});
