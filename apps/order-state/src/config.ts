import { z } from 'zod';
import {
  databaseUrlSetting,
  kafkaSettings,
  loadConfig,
  portSetting,
  positiveIntSetting,
  booleanSetting,
} from '@app/config';
import { operatorAuthSettings } from '@app/operator-auth';

export const OrderStateSettings = z.object({
  ...kafkaSettings,
  ...operatorAuthSettings,
  DATABASE_URL: databaseUrlSetting,
  HTTP_PORT: portSetting(3002),
  /** ≤ 100 characters: it is part of every dead letter's event id (≤ 200). */
  KAFKA_GROUP_ID: z.string().min(1).max(100).default('order-state'),
  /** Partition batches applied at once (each in its own transaction). */
  KAFKA_PARTITIONS_CONCURRENCY: positiveIntSetting(6),
  DB_POOL_SIZE: positiveIntSetting(10),
  /** Apply migrations at boot (under an advisory lock). Off when a migration Job runs them instead. */
  DB_MIGRATE_ON_BOOT: booleanSetting(true),
  OUTBOX_POLL_MS: positiveIntSetting(200),
  OUTBOX_BATCH: positiveIntSetting(1000),
  /** How often to apply results parked by a transaction that raced their order's registration. */
  PARKED_SWEEP_MS: positiveIntSetting(5000),
  /**
   * Issue 11 row 15: a result parked this long for an order never registered gets an open
   * UNREGISTERED_RESULT exception (default 10 min: registrations that lag their results by seconds
   * are normal, see design.md §4 footnote).
   */
  UNREGISTERED_RESULT_GRACE_MS: positiveIntSetting(600_000),
  /**
   * A non-final order this long past its payment expiry, with no open exception, gets
   * STUCK_PAST_EXPIRY. Default 10 min: the poller's cancel at expiry retries over
   * CANCEL_RETRY_INTERVALS_MS (2+4+8+15+30+60 s = 119 s, +20 % jitter ≈ 143 s) with up to 7 calls of
   * CANCEL_TIMEOUT_MS (8 s) each, about 3.3 min in all; a cancel answered ORDER_NOT_EXIST adds its
   * re-inquiry grace (about 1 min), a refused cancel a bounded inquiry window. 10 min covers all of
   * them with room, so the exception means "nothing is settling this", not "still retrying".
   */
  STUCK_AFTER_EXPIRY_MS: positiveIntSetting(600_000),
  /** How often to look for unregistered results past their grace and for stuck orders. */
  EXCEPTION_SWEEP_MS: positiveIntSetting(10_000),
  /** Whether this replica runs the outbox relay (one replica at a time publishes; the others stand by). */
  OUTBOX_RELAY_ENABLED: booleanSetting(true),
});
export type OrderStateConfig = z.infer<typeof OrderStateSettings>;

export const ORDER_STATE_CONFIG = Symbol('ORDER_STATE_CONFIG');

export const loadOrderStateConfig = (env: NodeJS.ProcessEnv = process.env): OrderStateConfig =>
  loadConfig('order-state', OrderStateSettings, env);
