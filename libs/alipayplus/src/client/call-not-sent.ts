/**
 * A call that ended before its request was sent: nothing reached the peer, so nothing is known about
 * the order and the call may be made again at any time (unlike a TIMEOUT transport error, after which
 * the peer may have acted on the request).
 */
export type CallNotSentCode =
  /** The signature was not ready within the call's timeout (the signer was busy): nothing was sent. */
  'SIGNING_TIMEOUT';

export class CallNotSentError extends Error {
  constructor(
    readonly code: CallNotSentCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'CallNotSentError';
  }
}

/**
 * `signing`, or a CallNotSentError('SIGNING_TIMEOUT') once `signal` aborts first: the wait for a
 * signature counts against the call's deadline (issue 14), so that a queued signature cannot stretch a
 * call beyond the timeout its caller budgeted for (the poller's lease).
 */
export function signedBefore<T>(signing: Promise<T>, signal: AbortSignal, timeoutMs: number): Promise<T> {
  const timedOut = () => new CallNotSentError('SIGNING_TIMEOUT', `no signature within ${timeoutMs} ms`);
  if (signal.aborted) {
    signing.catch(() => undefined);
    return Promise.reject(timedOut());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(timedOut());
    signal.addEventListener('abort', onAbort, { once: true });
    signing.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
