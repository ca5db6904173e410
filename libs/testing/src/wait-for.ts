export interface WaitForOptions {
  /** What we are waiting for; named in the timeout error. */
  description: string;
  /** Default 30 s. */
  timeoutMs?: number;
  /** Default 100 ms. */
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns a truthy value and resolves with that value. Tests wait on an
 * explicit condition this way (a row visible, an event consumed), never on fixed sleeps.
 *
 * A probe that throws counts as "not yet" (a table that a migration has not created yet, a broker
 * that is restarting); the last error is part of the timeout message, so nothing is hidden.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false>,
  opts: WaitForOptions,
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const intervalMs = opts.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let attempt = 1; ; attempt++) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() + intervalMs > deadline) {
      const cause = lastError === undefined ? '' : `; last error: ${describe(lastError)}`;
      throw new Error(
        `Timed out after ${timeoutMs} ms (${attempt} attempts) waiting for ${opts.description}${cause}`,
        {
          cause: lastError,
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
