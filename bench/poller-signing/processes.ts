// The processes of the signing bench: poller replicas (the real main.js, each a process of its own,
// optionally pinned to a core with taskset) and the simulator (simulator-process.ts), with the CPU each
// one used read from /proc — every thread of the process, the signing threads included.
import { ChildProcess, fork, spawn } from 'child_process';
import { readFileSync } from 'fs';
import { createServer } from 'net';
import * as path from 'path';
import { repoRoot, waitFor } from '@app/testing';
import type { ExchangeCommand, ExchangeResult } from './http-exchange';
import type { SimulatorAnswer, SimulatorCommand, SimulatorProcessData } from './simulator-process';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** User + system CPU of a whole process so far, in ms (/proc/<pid>/stat utime + stime). */
export function processCpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/stat`);
}

/** The same for one thread; a process's main thread has the process id as its thread id. */
export function threadCpuMs(pid: number, tid = pid): number {
  return statCpuMs(`/proc/${pid}/task/${tid}/stat`);
}

function statCpuMs(file: string): number {
  const stat = readFileSync(file, 'utf8');
  // The command name may hold spaces: fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Keeps the last lines a child wrote, to show when it fails. */
function tail(child: ChildProcess): () => string {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 30));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => lines.join('\n');
}

export class Replica {
  private readonly child: ChildProcess;
  private readonly output: () => string;
  private exited = false;

  private constructor(
    readonly name: string,
    private readonly port: number,
    env: NodeJS.ProcessEnv,
    cpu: number | undefined,
  ) {
    const root = repoRoot();
    const args = [
      // e.g. BENCH_REPLICA_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to see where a replica's CPU goes.
      ...(process.env.BENCH_REPLICA_NODE_ARGS ?? '').split(' ').filter(Boolean),
      '-r',
      path.join(root, 'scripts', 'register-paths.js'),
      path.join(root, 'dist', 'apps', 'inquiry-poller', 'src', 'main.js'),
    ];
    const stdio: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];
    const childEnv = { ...process.env, ...env, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' };
    // taskset execs node in its own process: the pid is the poller's.
    this.child =
      cpu === undefined
        ? spawn(process.execPath, args, { env: childEnv, stdio })
        : spawn('taskset', ['-c', String(cpu), process.execPath, ...args], { env: childEnv, stdio });
    this.output = tail(this.child);
    this.child.once('exit', () => (this.exited = true));
  }

  static async start(name: string, env: NodeJS.ProcessEnv, cpu?: number): Promise<Replica> {
    const replica = new Replica(name, await freePort(), env, cpu);
    try {
      await waitFor(async () => replica.ready(), {
        description: `replica ${name} ready`,
        timeoutMs: 120_000,
        intervalMs: 250,
      });
    } catch (err) {
      await replica.stop();
      throw new Error(`${(err as Error).message}\n${replica.output()}`);
    }
    return replica;
  }

  private async ready(): Promise<boolean> {
    if (this.exited) throw new Error(`replica ${this.name} exited`);
    const res = await fetch(`http://127.0.0.1:${this.port}/health/ready`).catch(() => undefined);
    return res?.status === 200;
  }

  cpuMs(): number {
    return processCpuMs(this.child.pid!);
  }

  /** The replica's health details (counters, and where it signed: `signatures`). */
  async details(): Promise<Record<string, unknown>> {
    const res = await fetch(`http://127.0.0.1:${this.port}/health/ready`);
    return (await res.json()) as Record<string, unknown>;
  }

  /** The main thread's (event loop) share of cpuMs. */
  mainThreadCpuMs(): number {
    return threadCpuMs(this.child.pid!);
  }

  /** SIGTERM (graceful shutdown), then SIGKILL if it is not gone in 30 s. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await gone;
    clearTimeout(timer);
  }
}

/** The simulator in its own process, driven over the fork IPC channel. */
export class SimulatorProcess {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<number, (answer: SimulatorAnswer) => void>();
  private nextId = 1;

  private constructor() {
    this.child = fork(path.join(__dirname, 'simulator-process.js'), [], {
      execArgv: ['-r', path.join(repoRoot(), 'scripts', 'register-paths.js')],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (answer: SimulatorAnswer) => {
      this.waiting.get(answer.id)?.(answer);
      this.waiting.delete(answer.id);
    });
  }

  static async start(data: SimulatorProcessData): Promise<{ sim: SimulatorProcess; url: string }> {
    const sim = new SimulatorProcess();
    const url = await sim.call<string>({ op: 'start', data });
    return { sim, url };
  }

  call<T>(
    cmd: SimulatorCommand extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never,
  ) {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, (answer) =>
        answer.ok ? resolve(answer.result as T) : reject(new Error(answer.message)),
      );
      this.child.send({ ...cmd, id });
    });
  }

  cpuMs(): number {
    return processCpuMs(this.child.pid!);
  }

  async createPayments(ids: string[], amount: { value: string; currency: string }): Promise<void> {
    for (let i = 0; i < ids.length; i += 10_000) {
      await this.call({ op: 'create', ids: ids.slice(i, i + 10_000), amount });
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.call({ op: 'stop' }).catch(() => undefined);
    await gone;
  }
}

/** Runs the bare HTTP exchange (http-exchange.ts) in a process of its own, and returns what it measured. */
export function runExchange(cmd: ExchangeCommand): Promise<ExchangeResult> {
  const child = fork(path.join(__dirname, 'http-exchange.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<ExchangeResult>((resolve, reject) => {
    let answer: { ok: true; result: ExchangeResult } | { ok: false; message: string } | undefined;
    child.on('message', (m: typeof answer) => (answer = m));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (answer?.ok) resolve(answer.result);
      else reject(new Error(`the HTTP exchange failed: ${answer ? answer.message : `exit code ${code}`}`));
    });
    child.send(cmd);
  });
}
