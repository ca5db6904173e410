import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { API_PATHS, loadPrivateKey, signResponse } from '@app/alipayplus';

/** The answer bodies for one order: the n-th inquiry (0-based) and the n-th cancel. */
export interface PartnerScript {
  inquiry?: (n: number) => object;
  cancel?: (n: number) => object;
}

export const answer = (resultCode: string, resultStatus: 'S' | 'F' | 'U', extra: object = {}) => ({
  result: { resultCode, resultStatus, resultMessage: resultCode.toLowerCase() },
  ...extra,
});

/**
 * A partner that answers inquiries and cancels from a per-order script, with signed answers (the
 * simulator has no way to answer a cancel F ORDER_IS_CLOSED, ORDER_NOT_EXIST or PROCESS_FAIL, or an
 * Antom answer without a paymentStatus). Requests are not verified: the simulator covers that.
 */
export class ScriptedPartner {
  private server?: Server;
  private readonly scripts = new Map<string, PartnerScript>();
  private readonly counts = new Map<string, { inquiries: number; cancels: number }>();
  private readonly sequences = new Map<string, string[]>();
  url = '';

  constructor(
    private readonly clientId: string,
    private readonly privateKeyBase64: string,
  ) {}

  script(paymentRequestId: string, script: PartnerScript): void {
    this.scripts.set(paymentRequestId, script);
  }

  calls(paymentRequestId: string): { inquiries: number; cancels: number } {
    return this.counts.get(paymentRequestId) ?? { inquiries: 0, cancels: 0 };
  }

  /** The calls made for an order, in order: `inquiry` / `cancel`. */
  sequence(paymentRequestId: string): string[] {
    return this.sequences.get(paymentRequestId) ?? [];
  }

  async start(): Promise<string> {
    const key = loadPrivateKey(this.privateKeyBase64);
    this.server = createServer((req, res) => void this.handle(req, res, key));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse, key: ReturnType<typeof loadPrivateKey>) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = req.url ?? '/';
    const { paymentRequestId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      paymentRequestId: string;
    };
    const isCancel = path === API_PATHS.alipayplus.cancelPayment || path === API_PATHS.antom.cancelPayment;
    const count = this.counts.get(paymentRequestId) ?? { inquiries: 0, cancels: 0 };
    this.counts.set(paymentRequestId, count);
    const script = this.scripts.get(paymentRequestId);
    const n = isCancel ? count.cancels++ : count.inquiries++;
    this.sequences.set(paymentRequestId, [
      ...this.sequence(paymentRequestId),
      isCancel ? 'cancel' : 'inquiry',
    ]);
    const pick = isCancel ? script?.cancel : script?.inquiry;
    const body = JSON.stringify(pick ? pick(n) : answer('ORDER_NOT_EXIST', 'F'));
    const { headers } = signResponse({ path, clientId: this.clientId, body, privateKey: key });
    res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', ...headers });
    res.end(body);
  }
}
