/**
 * An open-loop HTTP sender for bench:e2e: request i goes out at start + i/rate whatever happened to
 * the earlier ones, so a slow pipeline shows as latency instead of slowing the offered load
 * (no coordinated omission). Latency is counted from the scheduled time, not the actual send.
 */
import { Agent, request } from 'http';

export interface PreparedRequest {
  id: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface SendResult {
  /** Scheduled send time per id (performance.now() ms). */
  scheduledAt: Map<string, number>;
  /** Ack time per id, for the ones answered 200 with a success ack. */
  ackedAt: Map<string, number>;
  failures: number;
  firstFailure?: string;
  seconds: number;
  /** When each request had a connected socket (performance.now() ms): the client's and the connection's delay. */
  connectedAt: Map<string, number>;
}

export async function sendOpenLoop(
  baseUrl: string,
  requests: PreparedRequest[],
  ratePerSec: number,
  isAck: (status: number, body: string) => boolean,
  /** Connections kept from an earlier pass (default: a fresh pool, closed at the end). */
  shared?: Agent,
): Promise<SendResult> {
  const url = new URL(baseUrl);
  const agent = shared ?? new Agent({ keepAlive: true, maxSockets: 256 });
  const scheduledAt = new Map<string, number>();
  const ackedAt = new Map<string, number>();
  const connectedAt = new Map<string, number>();
  let failures = 0;
  let firstFailure: string | undefined;
  const inFlight: Promise<void>[] = [];
  const start = performance.now() + 20;
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < requests.length && start + (next * 1000) / ratePerSec <= now) {
        const r = requests[next];
        const at = start + (next * 1000) / ratePerSec;
        scheduledAt.set(r.id, at);
        inFlight.push(
          post(agent, url, r, () => connectedAt.set(r.id, performance.now())).then(
            ({ status, body }) => {
              if (isAck(status, body)) ackedAt.set(r.id, performance.now());
              else if (failures++ === 0) firstFailure = `HTTP ${status} ${body.slice(0, 200)}`;
            },
            (err: Error) => {
              if (failures++ === 0) firstFailure = err.message;
            },
          ),
        );
        next++;
      }
      if (next >= requests.length) resolve();
      else setTimeout(tick, Math.max(0, Math.min(5, start + (next * 1000) / ratePerSec - performance.now())));
    };
    tick();
  });
  await Promise.all(inFlight);
  if (!shared) agent.destroy();
  return {
    scheduledAt,
    ackedAt,
    connectedAt,
    failures,
    firstFailure,
    seconds: (performance.now() - start) / 1000,
  };
}

/**
 * Makes `agent` hold at least `count` idle connections to `baseUrl`: `count` concurrent GETs of a
 * cheap path, answered while the server is idle. Returns how many the pool holds afterwards.
 */
export async function openConnections(agent: Agent, baseUrl: string, path: string, count: number) {
  const url = new URL(baseUrl);
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve, reject) => {
          const req = request({ agent, host: url.hostname, port: url.port, path, timeout: 30_000 }, (res) => {
            res.resume();
            res.on('end', () => resolve());
          });
          req.on('timeout', () => req.destroy(new Error('timed out after 30 s')));
          req.on('error', reject);
          req.end();
        }),
    ),
  );
  return Object.values(agent.freeSockets).reduce((sum, list) => sum + (list?.length ?? 0), 0);
}

function post(
  agent: Agent,
  url: URL,
  r: PreparedRequest,
  onConnected: () => void,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: r.path,
        headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) },
        timeout: 30_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out after 30 s')));
    req.on('error', reject);
    req.on('socket', (socket) => {
      if (socket.connecting) socket.once('connect', onConnected);
      else onConnected();
    });
    req.end(r.body);
  });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
