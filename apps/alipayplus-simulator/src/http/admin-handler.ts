import type { IncomingMessage, ServerResponse } from 'node:http';
import { SimulatorError, SimulatorErrorCode } from '../errors';
import type { ChaosSettings, PaymentScript, SimulatorStats, TruthView } from '../types';
import type { TimerRegistry } from '../timers';
import { readBody, sendError, sendJson } from './http-io';

/** What the admin API drives (the simulator, through an adapter). Nothing here returns a key. */
export interface AdminTarget {
  createPayment(script: PaymentScript): TruthView;
  truth(paymentRequestId: string): TruthView | undefined;
  allTruths(): TruthView[];
  stats(): SimulatorStats;
  chaos(): ChaosSettings;
  setChaos(chaos: Partial<ChaosSettings>): void;
  /** `request` is `{ privateKey: PKCS#8 PEM or Base64, keyVersion }`; the answer never holds the key. */
  rotateSigningKey(clientId: string, request: unknown): { clientId: string; keyVersion: string };
  /** `request` is `{ publicKey: X.509 SPKI PEM or Base64, keyVersion }`. */
  addAcquirerKey(clientId: string, request: unknown): { clientId: string; keyVersion: string };
  idle(): Promise<void>;
}

/** HTTP status per simulator error code. */
const STATUS_BY_CODE: Record<SimulatorErrorCode, number> = {
  INVALID_OPTIONS: 400,
  INVALID_SCRIPT: 400,
  UNKNOWN_PARTNER: 422,
  DUPLICATE_PAYMENT: 409,
  INVALID_CHAOS: 400,
  ALREADY_STARTED: 409,
  STOPPED: 503,
};

/** The longest a `GET /sim/idle` may wait, so a forgotten client cannot hold a socket forever. */
const MAX_IDLE_WAIT_MS = 10 * 60_000;

/**
 * The admin API under `/sim/` (for the standalone process: the demo and the e2e suite):
 * - `POST /sim/payments` PaymentScript → 201 TruthView
 * - `GET  /sim/payments/:paymentRequestId` → TruthView | 404 PAYMENT_NOT_FOUND
 * - `GET  /sim/truths` → TruthView[]
 * - `GET  /sim/stats` → SimulatorStats
 * - `GET  /sim/chaos` → ChaosSettings; `POST /sim/chaos` partial ChaosSettings → the merged settings
 * - `POST /sim/partners/:clientId/signing-key` {privateKey, keyVersion} → 200 {clientId, keyVersion}: Alipay+
 *   rotates its key; answers and notification attempts from now on are signed with it (issue 11 rows 1, 2)
 * - `POST /sim/partners/:clientId/acquirer-keys` {publicKey, keyVersion} → 200 {clientId, keyVersion}: the
 *   acquirer's next key; its requests and acks naming that keyVersion verify with it (issue 11 row 3)
 * - `GET  /sim/idle?timeoutMs=…` → 200 {idle:true} once no notification is in flight, 504 {idle:false} on timeout
 * Errors: `{"error":{"code","message"}}` with a stable code.
 */
export async function handleAdmin(
  target: AdminTarget,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  timers: TimerRegistry,
): Promise<void> {
  const route = `${req.method ?? 'GET'} ${url.pathname}`;
  try {
    if (route === 'POST /sim/payments') {
      const body = await readJson(req);
      sendJson(res, 201, target.createPayment(body as PaymentScript));
      return;
    }
    const payment = /^\/sim\/payments\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && payment) {
      const view = target.truth(decodeURIComponent(payment[1]));
      if (view) sendJson(res, 200, view);
      else sendError(res, 404, 'PAYMENT_NOT_FOUND', 'no payment with this paymentRequestId');
      return;
    }
    const partnerKey = /^\/sim\/partners\/([^/]+)\/(signing-key|acquirer-keys)$/.exec(url.pathname);
    if (req.method === 'POST' && partnerKey) {
      const clientId = decodeURIComponent(partnerKey[1]);
      const request = await readJson(req);
      sendJson(
        res,
        200,
        partnerKey[2] === 'signing-key'
          ? target.rotateSigningKey(clientId, request)
          : target.addAcquirerKey(clientId, request),
      );
      return;
    }
    switch (route) {
      case 'GET /sim/truths':
        sendJson(res, 200, target.allTruths());
        return;
      case 'GET /sim/stats':
        sendJson(res, 200, target.stats());
        return;
      case 'GET /sim/chaos':
        sendJson(res, 200, target.chaos());
        return;
      case 'POST /sim/chaos':
        target.setChaos((await readJson(req)) as Partial<ChaosSettings>);
        sendJson(res, 200, target.chaos());
        return;
      case 'GET /sim/idle': {
        const requested = Number(url.searchParams.get('timeoutMs') ?? 60_000);
        const timeoutMs = Number.isFinite(requested)
          ? Math.min(Math.max(0, requested), MAX_IDLE_WAIT_MS)
          : 60_000;
        const idle = await new Promise<boolean>((resolve) => {
          const timeout = timers.after(timeoutMs, () => resolve(false));
          void target.idle().then(() => {
            timeout.cancel();
            resolve(true);
          });
        });
        sendJson(res, idle ? 200 : 504, { idle });
        return;
      }
    }
    sendError(res, 404, 'NOT_FOUND', `no admin route ${route}`);
  } catch (error) {
    if (error instanceof SimulatorError) {
      sendError(res, STATUS_BY_CODE[error.code], error.code, error.message);
    } else if (error instanceof AdminRequestError) {
      sendError(res, error.status, error.code, error.message);
    } else {
      throw error;
    }
  }
}

class AdminRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: 'BODY_TOO_LARGE' | 'INVALID_JSON',
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const read = await readBody(req);
  if (!read.ok) throw new AdminRequestError(413, 'BODY_TOO_LARGE', 'request body too large');
  try {
    return JSON.parse(read.body.toString('utf8'));
  } catch {
    throw new AdminRequestError(400, 'INVALID_JSON', 'request body is not valid JSON');
  }
}
