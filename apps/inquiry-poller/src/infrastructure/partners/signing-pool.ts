import type { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FromSigningWorker, SignFailureCode, SignItem, ToSigningWorker } from './signing-worker';

export type SigningPoolErrorCode =
  | SignFailureCode
  /** The thread signing it died (it is replaced); nothing was sent, so the call may be made again. */
  | 'SIGNING_WORKER_EXITED'
  /** The pool was closed (shutdown) before the signature was made. */
  | 'SIGNING_POOL_CLOSED';

export class SigningPoolError extends Error {
  constructor(
    readonly code: SigningPoolErrorCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'SigningPoolError';
  }
}

export interface SigningPoolOptions {
  /** Threads to sign on, at least 1. */
  readonly threads: number;
  /** The keys to sign with, by id (the poller uses the partner key); or given later with setKeys. */
  readonly keys?: ReadonlyMap<string, KeyObject>;
  /** Told when a thread died (for a log line): replaced, or not when its slot keeps dying. */
  readonly onWorkerExit?: (exitCode: number, replaced: boolean) => void;
  /** The compiled worker; defaults to signing-worker.js beside this file (see `defaultWorkerFile`). */
  readonly workerFile?: string;
}

type Pending = SignItem & { resolve(signature: string): void; reject(error: SigningPoolError): void };

interface Slot {
  worker: Worker;
  readonly waiting: Map<number, Pending>; // asked of this thread, not answered yet
  deaths: number; // threads of this slot that died in a row without answering anything
  /** Given up on: its threads die before they answer (they cannot start, or keep crashing). */
  retired: boolean;
}

const MAX_DEATHS_IN_A_ROW = 3; // a slot whose threads died this often without answering is not refilled

/**
 * RSA-SHA256 signing on worker threads, so that one replica signs on every CPU it is given (issue 14):
 * an RSA-2048 signature is ~0.4 ms of CPU and the poller signs every call it makes. Verification
 * stays on the caller's thread: an RSA-2048 verify (~0.03 ms) costs about as much as the round trip.
 *
 * Requests made in one turn of the event loop go out together, one message per thread (a message
 * costs more than a hash). Each thread holds the keys, given once and again on `setKeys` (SIGHUP), and
 * messages to a thread keep their order, so a signature asked for before a key change uses the old
 * key and one asked for after it the new. A thread that dies is replaced at once; the signatures it
 * owed fail with SIGNING_WORKER_EXITED and nothing is sent for them. A slot whose threads die
 * MAX_DEATHS_IN_A_ROW times without answering is retired rather than refilled in a tight loop;
 * `healthy` turns false once every slot is (a liveness check restarts the process).
 */
export class SigningPool {
  private readonly slots: Slot[] = [];
  private keys: ReadonlyArray<readonly [string, KeyObject]>;
  private queued: Pending[] = [];
  private flushScheduled = false;
  private nextId = 1;
  private closed = false;
  private readonly workerFile: string;

  constructor(private readonly options: SigningPoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new RangeError('a signing pool needs at least one thread');
    }
    this.workerFile = options.workerFile ?? defaultWorkerFile();
    // Checked here: a missing file would only show as threads that die at once.
    if (!existsSync(this.workerFile)) {
      throw new Error(`signing worker not found: ${this.workerFile} (npm run build compiles it)`);
    }
    this.keys = [...(options.keys ?? [])];
    for (let i = 0; i < options.threads; i++) {
      const slot: Slot = { worker: this.newWorker(), waiting: new Map(), deaths: 0, retired: false };
      this.attach(slot);
      this.slots.push(slot);
    }
  }

  get threads(): number {
    return this.slots.filter((s) => !s.retired).length;
  }

  /** False once no thread is left to sign on. */
  get healthy(): boolean {
    return this.closed || this.threads > 0;
  }

  /**
   * Signs `content` (sign content of protocol.md §1.3) with key `keyId`: the URL-encoded Base64 value.
   * Past `deadline` (a `Date.now()` value) a thread that has not started on it yet does not sign it
   * (SIGNING_EXPIRED).
   */
  sign(keyId: string, content: Uint8Array, deadline?: number): Promise<string> {
    if (this.closed) return Promise.reject(new SigningPoolError('SIGNING_POOL_CLOSED', 'pool closed'));
    if (this.threads === 0) {
      return Promise.reject(new SigningPoolError('SIGNING_WORKER_EXITED', 'no signing thread left'));
    }
    return new Promise<string>((resolve, reject) => {
      this.queued.push({ id: this.nextId++, keyId, content: exactBytes(content), deadline, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Replaces every key; signatures asked for from now on use these. */
  setKeys(keys: ReadonlyMap<string, KeyObject>): void {
    // What was asked for before the change goes out first, to be signed with the keys it was asked with.
    this.flush();
    this.keys = [...keys];
    for (const slot of this.slots)
      slot.worker.postMessage({ type: 'keys', keys: this.keys } satisfies ToSigningWorker);
  }

  /** Stops every thread; signatures not made yet fail with SIGNING_POOL_CLOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closedError = () => new SigningPoolError('SIGNING_POOL_CLOSED', 'pool closed');
    for (const item of this.queued.splice(0)) item.reject(closedError());
    await Promise.all(
      this.slots.map(async (slot) => {
        for (const waiter of slot.waiting.values()) waiter.reject(closedError());
        slot.waiting.clear();
        await slot.worker.terminate();
      }),
    );
  }

  private newWorker(): Worker {
    const worker = new Worker(this.workerFile);
    // A forgotten close() must not keep the process alive.
    worker.unref();
    return worker;
  }

  private attach(slot: Slot): void {
    const worker = slot.worker;
    worker.on('message', (message: FromSigningWorker) => this.settle(slot, message));
    // An uncaught exception on the thread: 'exit' follows, and is where it is handled.
    worker.on('error', () => undefined);
    worker.once('exit', (exitCode: number) => this.exited(slot, worker, exitCode));
    worker.postMessage({ type: 'keys', keys: this.keys } satisfies ToSigningWorker);
  }

  private exited(slot: Slot, worker: Worker, exitCode: number): void {
    if (this.closed || slot.worker !== worker) return;
    const owed = [...slot.waiting.values()];
    slot.waiting.clear();
    slot.deaths++;
    if (slot.deaths >= MAX_DEATHS_IN_A_ROW) {
      slot.retired = true;
    } else {
      slot.worker = this.newWorker();
      this.attach(slot);
    }
    const error = new SigningPoolError(
      'SIGNING_WORKER_EXITED',
      `signing thread exited (code ${exitCode}); ${slot.retired ? 'not replaced: it keeps dying' : 'replaced'}`,
    );
    for (const waiter of owed) waiter.reject(error);
    // Nothing can be sent to a retired slot: what was still queued goes to the others, or fails.
    if (this.threads === 0) {
      for (const item of this.queued.splice(0)) item.reject(error);
    }
    this.options.onWorkerExit?.(exitCode, !slot.retired);
  }

  private settle(slot: Slot, message: FromSigningWorker): void {
    slot.deaths = 0;
    for (const outcome of message.results) {
      const pending = slot.waiting.get(outcome.id);
      if (!pending) continue;
      slot.waiting.delete(outcome.id);
      if ('signature' in outcome) pending.resolve(outcome.signature);
      else pending.reject(new SigningPoolError(outcome.error, `key ${pending.keyId}`));
    }
  }

  /** Sends what was asked for, spread over the threads that owe the fewest signatures. */
  private flush(): void {
    this.flushScheduled = false;
    const live = this.slots.filter((s) => !s.retired);
    if (this.queued.length === 0 || this.closed || live.length === 0) return;
    const items = this.queued;
    this.queued = [];
    const share = Math.ceil(items.length / live.length);
    for (let from = 0; from < items.length; from += share) {
      const slot = live.reduce((a, b) => (b.waiting.size < a.waiting.size ? b : a));
      const batch = items.slice(from, from + share);
      for (const item of batch) slot.waiting.set(item.id, item);
      slot.worker.postMessage({
        type: 'sign',
        items: batch.map(({ id, keyId, content, deadline }) => ({ id, keyId, content, deadline })),
      } satisfies ToSigningWorker);
    }
  }
}

/**
 * `content` in an ArrayBuffer of its own: postMessage copies a view's whole ArrayBuffer, and a small
 * Buffer is a view into Node's 8 KiB pool (measured ~0.1 ms of main-thread CPU per signature).
 */
export function exactBytes(content: Uint8Array): Uint8Array {
  return content.byteOffset === 0 && content.byteLength === content.buffer.byteLength
    ? content
    : new Uint8Array(content);
}

/**
 * signing-worker.js beside this file — except when this file is the TypeScript source (the poller
 * bootstrapped by Jest in the integration specs, which run after `npm run build`): a thread runs
 * JavaScript, so the compiled worker at the same path under dist/ is taken.
 */
export function defaultWorkerFile(): string {
  const beside = path.join(__dirname, 'signing-worker.js');
  if (!__filename.endsWith('.ts') || existsSync(beside)) return beside;
  let root = __dirname;
  while (!existsSync(path.join(root, 'package.json')) && path.dirname(root) !== root) {
    root = path.dirname(root);
  }
  return path.join(root, 'dist', path.relative(root, beside));
}

/** SIGNING_THREADS signing threads, logging a thread that died; none for 0 (sign on the main thread). */
export function createSigningPool(
  threads: number,
  logger: { error(message: string): void },
): SigningPool | undefined {
  if (threads === 0) return undefined;
  return new SigningPool({
    threads,
    onWorkerExit: (code, replaced) =>
      logger.error(
        `SIGNING_WORKER_EXITED: a signing thread exited (code ${code}); ${replaced ? 'replaced' : 'not replaced, it keeps dying'}`,
      ),
  });
}
