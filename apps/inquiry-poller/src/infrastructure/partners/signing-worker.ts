/**
 * A signing thread of the SigningPool: SHA256withRSA, PKCS#1 v1.5, over sign content built on the
 * main thread, answered as the URL-encoded Base64 value the Signature header carries (protocol.md
 * §1.4) — the same bytes as `signContent` of libs/alipayplus, which the pool's spec checks.
 *
 * It holds the keys it was given (KeyObjects, cloned by postMessage: the material is never exported,
 * serialized or logged) and replaces them all when told. Node built-ins only, so the compiled file
 * runs without the path aliases. Replies carry an error code, never an error message: an OpenSSL
 * message is not worth the risk of a key's detail in a log line.
 */
import { constants, KeyObject, sign } from 'node:crypto';
import { isMainThread, parentPort } from 'node:worker_threads';

/** Errors of one sign, as codes (SigningPoolError carries them on the main thread). */
export type SignFailureCode =
  /** No key of that id was given to the pool (a programming error). */
  | 'SIGNING_KEY_UNKNOWN'
  /** OpenSSL refused to sign (e.g. the key is not an RSA private key). */
  | 'SIGNING_FAILED'
  /** The call's deadline had passed when the thread got to it: not signed, no one waits for it. */
  | 'SIGNING_EXPIRED';

export interface SignItem {
  readonly id: number;
  readonly keyId: string;
  readonly content: Uint8Array;
  /** A `Date.now()` value after which the signature is not wanted any more (the call timed out). */
  readonly deadline?: number;
}

export type ToSigningWorker =
  /** Every key the worker may sign with, replacing those it had. */
  | { readonly type: 'keys'; readonly keys: ReadonlyArray<readonly [string, KeyObject]> }
  | { readonly type: 'sign'; readonly items: readonly SignItem[] };

export type SignOutcome =
  | { readonly id: number; readonly signature: string }
  | { readonly id: number; readonly error: SignFailureCode };

export interface FromSigningWorker {
  readonly type: 'signed';
  readonly results: readonly SignOutcome[];
}

/** Signatures are answered in groups this large at most, so the first of a batch need not wait for all. */
const REPLY_EVERY = 8;

function signOne(keys: ReadonlyMap<string, KeyObject>, item: SignItem): SignOutcome {
  const key = keys.get(item.keyId);
  if (!key) return { id: item.id, error: 'SIGNING_KEY_UNKNOWN' };
  // Under overload the queue can outgrow the calls' timeouts: what no one waits for is not signed.
  if (item.deadline !== undefined && Date.now() > item.deadline)
    return { id: item.id, error: 'SIGNING_EXPIRED' };
  try {
    const signature = sign('sha256', item.content, { key, padding: constants.RSA_PKCS1_PADDING });
    // encodeURIComponent maps exactly the three non-alphanumeric Base64 characters (§1.4).
    return { id: item.id, signature: encodeURIComponent(signature.toString('base64')) };
  } catch {
    return { id: item.id, error: 'SIGNING_FAILED' };
  }
}

function serve(port: NonNullable<typeof parentPort>): void {
  let keys = new Map<string, KeyObject>();
  port.on('message', (message: ToSigningWorker) => {
    if (message.type === 'keys') {
      keys = new Map(message.keys);
      return;
    }
    let results: SignOutcome[] = [];
    for (const item of message.items) {
      results.push(signOne(keys, item));
      if (results.length === REPLY_EVERY) {
        port.postMessage({ type: 'signed', results } satisfies FromSigningWorker);
        results = [];
      }
    }
    if (results.length > 0) port.postMessage({ type: 'signed', results } satisfies FromSigningWorker);
  });
}

// Loaded for its types by the pool on the main thread: only a worker serves.
if (!isMainThread && parentPort) serve(parentPort);
