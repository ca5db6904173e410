import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { repoRoot } from './local-infra';
import { waitFor } from './wait-for';

export type ServiceName = 'order-state' | 'notify-gateway' | 'inquiry-poller' | 'alipayplus-simulator';

export interface ServiceProcess {
  name: ServiceName;
  child: ChildProcess;
  /** Everything the process printed (stdout and stderr), for assertions and failure reports. */
  output(): string;
  /** Resolves with the exit code or signal once the process has exited. */
  exited: Promise<number | string>;
  /** SIGKILL (a crash) and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (a graceful stop) and wait for the exit. */
  stop(): Promise<void>;
}

/**
 * Runs one of our services as a real process from the compiled tree (`npm run build` first; the test
 * command does). Used where a test must kill a service mid-flight (`kill -9`), which an in-process
 * app cannot model. `readyUrl` is polled until it answers 200. `entry` replaces the service's
 * `dist/apps/<name>/src/main.js` (a path from the repository root), e.g. a test's bootstrap with a
 * failpoint (apps/order-state/test/crash-after-commit.main.ts).
 */
export async function startServiceProcess(
  name: ServiceName,
  env: Record<string, string>,
  readyUrl?: string,
  entry?: string,
): Promise<ServiceProcess> {
  const root = repoRoot();
  const main = path.join(root, entry ?? path.join('dist', 'apps', name, 'src', 'main.js'));
  const child = spawn(process.execPath, ['-r', path.join(root, 'scripts', 'register-paths.js'), main], {
    cwd: root,
    env: { ...process.env, LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  let done = false;
  void exited.then(() => (done = true));

  const stopWith = async (signal: NodeJS.Signals) => {
    if (!done) child.kill(signal);
    await exited;
  };
  const proc: ServiceProcess = {
    name,
    child,
    output: () => out,
    exited,
    kill: () => stopWith('SIGKILL'),
    stop: () => stopWith('SIGTERM'),
  };
  if (readyUrl) {
    try {
      await waitFor(
        async () => {
          if (done) throw new Error(`${name} exited during start:\n${out.slice(-4000)}`);
          const res = await fetch(readyUrl).catch(() => undefined);
          return res?.ok === true;
        },
        { description: `${name} answers ${readyUrl}`, timeoutMs: 60_000, intervalMs: 200 },
      );
    } catch (err) {
      await proc.kill();
      throw err;
    }
  }
  return proc;
}

/** A free TCP port on loopback (for a child service's HTTP_PORT). */
export async function freePort(): Promise<number> {
  const net = await import('net');
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
