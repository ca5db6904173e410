// Pre-signs benchmark notifications on a worker thread (RSA-2048 signing costs ~0.4 ms each, so the
// bench spreads it over the cores before anything is measured).
import { parentPort, workerData } from 'worker_threads';
import { loadPrivateKey, signMessage } from '../../libs/alipayplus/src/signing';

export interface SignJob {
  privateKeyBase64: string;
  clientId: string;
  path: string;
  bodies: string[];
}

const job = workerData as SignJob;
const privateKey = loadPrivateKey(job.privateKeyBase64);
const signed = job.bodies.map((body) => {
  const time = new Date().toISOString();
  const { signatureHeader } = signMessage({ path: job.path, clientId: job.clientId, time, body, privateKey });
  return { body, time, signature: signatureHeader };
});
parentPort!.postMessage(signed);
