import { SimulatorError } from './errors';
import type { SimulatorOptions, SimulatorStats } from './types';

const DEFAULT_SEED = 1;
const DEFAULT_HOST = '127.0.0.1';

/** The simulator's run settings, checked, with their defaults. */
export function resolveOptions(opts: SimulatorOptions): {
  timeScale: number;
  seed: number;
  port: number;
  host: string;
} {
  const timeScale = opts.timeScale ?? 1;
  if (!Number.isFinite(timeScale) || timeScale <= 0) {
    throw new SimulatorError('INVALID_OPTIONS', 'timeScale must be a positive number');
  }
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SimulatorError('INVALID_OPTIONS', 'port must be an integer 0-65535');
  }
  if (opts.seed !== undefined && !Number.isInteger(opts.seed)) {
    throw new SimulatorError('INVALID_OPTIONS', 'seed must be an integer');
  }
  return { timeScale, seed: opts.seed ?? DEFAULT_SEED, port, host: opts.host ?? DEFAULT_HOST };
}

export function emptyStats(): SimulatorStats {
  return {
    inquiries: 0,
    cancels: 0,
    notificationsSent: 0,
    notificationsAcked: 0,
    concurrentInquiryViolations: 0,
    rejectedSignatures: 0,
    rateLimited: 0,
  };
}
