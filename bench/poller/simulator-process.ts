// The Alipay+ simulator of the poller benchmark's signed run, in a child process of its own: it signs
// every answer (RSA, as the real peer does), and in its own process that cost is neither on the event
// loop whose lag is measured nor in the poller process's CPU figure. Driven over IPC: the first
// message is its SimulatorWorkerData, then requests, each answered by id.
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
  if (!process.send) throw new Error('simulator-process must run as a forked child process');
  const send = (msg: SimulatorReply) => process.send!(msg);
  const data = await new Promise<SimulatorWorkerData>((resolve) => process.once('message', resolve));
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

  process.on('message', (req: SimulatorRequest) => {
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
        send({ type: 'reply', id: req.id, result });
      } catch (err) {
        send({
          type: 'error',
          id: req.id,
          message: (err as Error).message,
        });
      }
    })();
  });
  send({ type: 'ready', url });
}

main().catch((err: Error) => {
  console.error(`simulator failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
