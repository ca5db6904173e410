// The Alipay+ simulator of the signing bench, in a process of its own (child_process.fork): its CPU
// (it signs every answer) is not the poller's, and it is not counted with the bench's either.
import { loadPrivateKey, loadPublicKey } from '@app/alipayplus';
import { AlipayPlusSimulator } from '../../apps/alipayplus-simulator/src';

export interface SimulatorProcessData {
  clientId: string;
  dialect: 'alipayplus' | 'antom';
  /** The simulator's private key (Base64 PKCS#8). */
  privateKeyBase64: string;
  /** The poller's public key (Base64 SPKI). */
  acquirerPublicKeyBase64: string;
}

export type SimulatorCommand =
  | { id: number; op: 'start'; data: SimulatorProcessData }
  | { id: number; op: 'create'; ids: string[]; amount: { value: string; currency: string } }
  | { id: number; op: 'stats' }
  | { id: number; op: 'stop' };

export type SimulatorAnswer =
  { id: number; ok: true; result: unknown } | { id: number; ok: false; message: string };

let sim: AlipayPlusSimulator | undefined;
let started: SimulatorProcessData | undefined;

async function handle(cmd: SimulatorCommand): Promise<unknown> {
  switch (cmd.op) {
    case 'start': {
      const { data } = cmd;
      started = data;
      sim = new AlipayPlusSimulator({
        partners: [
          {
            clientId: data.clientId,
            dialect: data.dialect,
            privateKey: loadPrivateKey(data.privateKeyBase64),
            acquirerPublicKey: loadPublicKey(data.acquirerPublicKeyBase64),
          },
        ],
        chaos: {},
      });
      return (await sim.start()).url;
    }
    case 'create':
      // Never leaves PROCESSING: every inquiry is answered pending.
      for (const paymentRequestId of cmd.ids) {
        sim!.createPayment({
          paymentRequestId,
          clientId: started!.clientId,
          dialect: started!.dialect,
          amount: cmd.amount,
          timeline: [{ atMs: 0, status: 'PROCESSING' }],
          notify: false,
        });
      }
      return cmd.ids.length;
    case 'stats':
      return sim!.stats();
    case 'stop':
      await sim?.stop();
      setImmediate(() => process.exit(0));
      return true;
  }
}

process.on('message', (cmd: SimulatorCommand) => {
  handle(cmd).then(
    (result) => process.send!({ id: cmd.id, ok: true, result } satisfies SimulatorAnswer),
    (err: Error) => process.send!({ id: cmd.id, ok: false, message: err.message } satisfies SimulatorAnswer),
  );
});
// The bench gone, nothing to serve.
process.on('disconnect', () => process.exit(0));
