/// <reference types="jest" />
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AlipayPlusClient,
  ClientResult,
  buildFailureAckBody,
  NOTIFY_ACK_BODY,
  readHeader,
  signResponse,
  verifySignedMessage,
} from '@app/alipayplus';
import { AlipayPlusSimulator, ChaosSettings, PaymentScript, SimulatorPartner, TruthStep } from '../src';

/*
 * The simulator over real HTTP, with real signatures both ways (shared by the simulator's specs):
 * requests are made with the library's AlipayPlusClient (signs requests, verifies responses),
 * notifications are received by a small local receiver that verifies them and signs its acks.
 * Keys are generated here; none is committed. Nothing here needs Kafka or PostgreSQL.
 */

const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
/** Alipay+'s side: signs the simulator's responses and notifications. */
export const alipayKeys = rsa();
/** Our side (the acquirer/merchant): signs requests and Alipay+ acks. */
export const acquirerKeys = rsa();
/** Anyone else. */
export const strangerKeys = rsa();

export const APS_CLIENT = 'ACQ_APS_1';
export const ANTOM_CLIENT = 'MERCHANT_ANTOM_1';
export const SANDBOX_CLIENT = 'SANDBOX_5X00000000000001';

export const partner = (
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

export const clientFor = <D extends 'alipayplus' | 'antom'>(
  baseUrl: string,
  dialect: D,
  clientId: string,
  privateKey: KeyObject = acquirerKeys.privateKey,
) => new AlipayPlusClient({ baseUrl, dialect, clientId, privateKey, peerPublicKey: alipayKeys.publicKey });

let sequence = 0;
export const script = (
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

export const PAID: TruthStep[] = [{ atMs: 0, status: 'SUCCESS' }];
export const PENDING: TruthStep[] = [{ atMs: 0, status: 'PROCESSING' }];

/** Everything started by a test, stopped in afterAll/afterEach whatever happened. */
export const cleanups: Array<() => Promise<void>> = [];
export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) await (cleanups.pop() as () => Promise<void>)();
}

export async function startSimulator(options: {
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

export type AckBehaviour = 'ack' | 'unknown' | 'badly-signed';

export interface ReceivedNotification {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly rawBody: Buffer;
  readonly verified: boolean;
}

/** A minimal acquirer notify endpoint: verifies each notification and answers per `behaviour(n)`. */
export async function startReceiver(
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

/**
 * One simulator for the describe block that calls this (both dialects and an Antom sandbox client),
 * started before its tests and stopped after them.
 */
export function useApiSimulator(): { readonly sim: AlipayPlusSimulator; readonly url: string } {
  const running = {} as { sim: AlipayPlusSimulator; url: string };
  beforeAll(async () => {
    const partners = [
      partner(APS_CLIENT, 'alipayplus'),
      partner(ANTOM_CLIENT, 'antom'),
      partner(SANDBOX_CLIENT, 'antom'),
    ];
    Object.assign(running, await startSimulator({ partners }));
  });
  afterAll(runCleanups);
  return running;
}

/** The body of a response whose signature the client checked; anything else fails the test. */
export function verifiedBody<TBody>(response: ClientResult<TBody>): TBody {
  if (response.kind !== 'response') throw new Error(`no response: ${JSON.stringify(response)}`);
  expect(response.verified).toBe(true);
  return response.body;
}
