import type { Dialect } from '@app/contracts';
import type { Random } from '../domain/cadence';
import type { PollingPolicy, RatePolicy } from '../domain/polling-policy';

/** One partner this replica polls (its keys stay in the PartnerApi adapter). */
export interface PollingTarget {
  readonly key: string;
  readonly clientId: string;
  readonly dialect: Dialect;
  readonly policy: PollingPolicy;
  readonly rate: RatePolicy;
}

/** What the application layer needs from the configuration, already resolved. */
export interface PollerSettings {
  /** This replica's name; every claim's lease token starts with it. */
  readonly instanceId: string;
  readonly targets: readonly PollingTarget[];
  /** For orders of a partner this replica does not poll (another deployment may). */
  readonly defaultPolicy: PollingPolicy;
  readonly claimIntervalMs: number;
  readonly claimBatch: number;
  readonly maxInFlight: number;
  readonly leaseMs: number;
  readonly inquiryTimeoutMs: number;
  readonly cancelTimeoutMs: number;
  readonly publishTimeoutMs: number;
  readonly completionFlushMs: number;
  readonly hintMinGapMs: number;
  readonly tombstoneRetentionMs: number;
  readonly now: () => number;
  readonly random: Random;
}

export const POLLER_SETTINGS = Symbol('POLLER_SETTINGS');
