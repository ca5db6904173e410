// The Alipay+ simulator of the poller benchmark, on a worker thread of the benchmark process: it signs
// every answer (RSA, as the real peer does), and on its own thread that cost does not sit on the event
// loop whose lag is being measured.
import { parentPort, workerData } from 'worker_threads';
import { loadPrivateKey, loadPublicKey } from '@app/alipayplus';
import { AlipayPlusSimulator, ChaosSettings } from '../../apps/alipayplus-simulator/src';

export interface SimulatorWorkerData {
  clientId: string;
  dialect: 'alipayplus' | 'antom';
  /** The simulator's private key (Base64 PKCS#8). */
  privateKeyBase64: string;
  /** The poller's public key (Base64 SPKI). */
  acquirerPublicKeyBase64: string;
  chaos: Partial<ChaosSettings>;
}

export type SimulatorRequest =
  | { id: number; op: 'create'; ids: string[]; amount: { value: string; currency: string } }
  | { id: number; op: 'stats' }
  | { id: number; op: 'stop' };

export type SimulatorReply =
  | { type: 'ready'; url: string }
  | { type: 'reply'; id: number; result: unknown }
  | { type: 'error'; id: number; message: string };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('simulator-worker must run on a worker thread');
  const data = workerData as SimulatorWorkerData;
  const sim = new AlipayPlusSimulator({
    partners: [
      {
        clientId: data.clientId,
        dialect: data.dialect,
        privateKey: loadPrivateKey(data.privateKeyBase64),
        acquirerPublicKey: loadPublicKey(data.acquirerPublicKeyBase64),
      },
    ],
    chaos: data.chaos,
  });
  const { url } = await sim.start();

  port.on('message', (req: SimulatorRequest) => {
    void (async () => {
      try {
        let result: unknown;
        switch (req.op) {
          case 'create':
            // Never leaves PROCESSING: every inquiry is answered S / U PAYMENT_IN_PROCESS (pending).
            for (const paymentRequestId of req.ids) {
              sim.createPayment({
                paymentRequestId,
                clientId: data.clientId,
                dialect: data.dialect,
                amount: req.amount,
                timeline: [{ atMs: 0, status: 'PROCESSING' }],
                notify: false,
              });
            }
            result = req.ids.length;
            break;
          case 'stats':
            result = sim.stats();
            break;
          case 'stop':
            await sim.stop();
            result = true;
            break;
        }
        port.postMessage({ type: 'reply', id: req.id, result } satisfies SimulatorReply);
      } catch (err) {
        port.postMessage({
          type: 'error',
          id: req.id,
          message: (err as Error).message,
        } satisfies SimulatorReply);
      }
    })();
  });
  port.postMessage({ type: 'ready', url } satisfies SimulatorReply);
}

main().catch((err: Error) => {
  // An unhandled rejection on a worker surfaces as its 'error' event in the benchmark.
  throw err;
});
