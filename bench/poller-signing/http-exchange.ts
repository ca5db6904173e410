// The bare HTTP exchange of the signing bench, in a process of its own (child_process.fork): a Node
// keep-alive client (node:http, as the poller's partner client) replaying one signed inquiry to the
// simulator at a given rate, in a batch every CLAIM_EVERY_MS as the poller's claim loop starts them,
// reading each answer whole and nothing more. No signing, no verifying, no database, no Kafka. Its CPU
// per request is what one inquiry's HTTP round trip costs a Node process at that rate on this machine:
// the part of the poller's overhead that any Node client calling the partner pays.
import { Agent, request } from 'http';

export interface ExchangeCommand {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Requests per second, and how many: first `warmUp` not counted, then `n` counted. */
  rate: number;
  warmUp: number;
  n: number;
}

export interface ExchangeResult {
  requests: number;
  seconds: number;
  /** CPU of this process (every thread) over the counted requests. */
  cpuMs: number;
  /** Answers that were not 200, or had no body. */
  failures: number;
}

const CLAIM_EVERY_MS = 20; // the poller's shortest wait between claims (domain/claim-wait.ts)
const TIMEOUT_MS = 10_000; // a simulator that stops answering fails the bench instead of hanging it

const agent = new Agent({ keepAlive: true, maxSockets: 512, scheduling: 'lifo' });
let failures = 0;

function exchange(cmd: ExchangeCommand, headers: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(cmd.url, { method: 'POST', headers, agent, timeout: TIMEOUT_MS });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        if (res.statusCode !== 200 || Buffer.concat(chunks).length === 0) failures++;
        resolve();
      });
    });
    req.end(cmd.body);
  });
}

/** `n` exchanges at `rate` a second, started in a batch every CLAIM_EVERY_MS; resolves when all answered. */
function paced(cmd: ExchangeCommand, n: number, headers: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    if (n <= 0) return resolve();
    const t0 = Date.now();
    let started = 0;
    let answered = 0;
    const tick = () => {
      const due = Math.min(n, Math.floor(((Date.now() - t0) * cmd.rate) / 1000) + 1);
      for (; started < due; started++) {
        exchange(cmd, headers).then(() => {
          if (++answered === n) resolve();
        }, reject);
      }
      if (started < n) setTimeout(tick, CLAIM_EVERY_MS);
    };
    tick();
  });
}

async function run(cmd: ExchangeCommand): Promise<ExchangeResult> {
  const headers = { ...cmd.headers, 'content-length': String(Buffer.byteLength(cmd.body)) };
  await paced(cmd, cmd.warmUp, headers);
  failures = 0;
  const cpu = process.cpuUsage();
  const t0 = Date.now();
  await paced(cmd, cmd.n, headers);
  const used = process.cpuUsage(cpu);
  return {
    requests: cmd.n,
    seconds: (Date.now() - t0) / 1000,
    cpuMs: (used.user + used.system) / 1000,
    failures,
  };
}

process.on('message', (cmd: ExchangeCommand) => {
  run(cmd).then(
    (result) => process.send!({ ok: true, result }, () => process.exit(0)),
    (err: Error) => process.send!({ ok: false, message: err.message }, () => process.exit(1)),
  );
});
process.on('disconnect', () => process.exit(0));
