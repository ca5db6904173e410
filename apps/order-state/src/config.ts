import { z } from 'zod';
import {
  databaseUrlSetting,
  httpHostSetting,
  httpPortSetting,
  kafkaSettings,
  loadConfig,
  positiveIntSetting,
  booleanSetting,
} from '@app/config';
import { operatorAuthSettings } from '@app/operator-auth';

export const OrderStateSettings = z.object({
  ...kafkaSettings,
  ...operatorAuthSettings,
  DATABASE_URL: databaseUrlSetting,
  HTTP_HOST: httpHostSetting,
  HTTP_PORT: httpPortSetting(3002),
  KAFKA_GROUP_ID: z
    .string()
    .min(1)
    .max(100)
    .default('order-state')
    .describe(
      "The consumer group. At most 100 characters: it is part of every dead letter's event id (≤ 200).",
    ),
  KAFKA_PARTITIONS_CONCURRENCY: positiveIntSetting(6).describe(
    'Partition batches applied at once, each in its own transaction.',
  ),
  DB_POOL_SIZE: positiveIntSetting(10).describe('PostgreSQL connections this replica holds at most.'),
  DB_MIGRATE_ON_BOOT: booleanSetting(true).describe(
    'Apply migrations at boot (under an advisory lock). Turn off when a migration Job runs them instead (npm run migration:run).',
  ),
  OUTBOX_POLL_MS: positiveIntSetting(200).describe(
    'How often the outbox relay looks for events to publish (it is also woken by NOTIFY).',
  ),
  OUTBOX_BATCH: positiveIntSetting(1000).describe('Outbox events the relay publishes at once at most.'),
  PARKED_SWEEP_MS: positiveIntSetting(5000).describe(
    "How often to apply results parked by a transaction that raced their order's registration.",
  ),
  UNREGISTERED_RESULT_GRACE_MS: positiveIntSetting(600_000).describe(
    'A result parked this long for an order never registered gets an open UNREGISTERED_RESULT exception (issue 11 row 15). Registrations that lag their results by seconds are normal (design.md §4).',
  ),
  /**
   * Why 10 min: the poller's cancel at expiry retries over CANCEL_RETRY_INTERVALS_MS (2+4+8+15+30+60 s
   * = 119 s, +20 % jitter ≈ 143 s) with up to 7 calls of CANCEL_TIMEOUT_MS (8 s) each, about 3.3 min
   * in all; a cancel answered ORDER_NOT_EXIST adds its re-inquiry grace (about 1 min), a refused cancel
   * a bounded inquiry window. 10 min covers all of them with room.
   */
  STUCK_AFTER_EXPIRY_MS: positiveIntSetting(600_000).describe(
    'A non-final order this long past its payment expiry, with no open exception, gets STUCK_PAST_EXPIRY. The default covers the poller\'s last cancel retry and its verify windows, so the exception means "nothing is settling this", not "still retrying".',
  ),
  EXCEPTION_SWEEP_MS: positiveIntSetting(10_000).describe(
    'How often to look for unregistered results past their grace and for stuck orders (one replica at a time).',
  ),
  OUTBOX_RELAY_ENABLED: booleanSetting(true).describe(
    'Whether this replica runs the outbox relay. One replica publishes at a time (a PostgreSQL session lock); the others stand by.',
  ),
});
export type OrderStateConfig = z.infer<typeof OrderStateSettings>;

export const ORDER_STATE_CONFIG = Symbol('ORDER_STATE_CONFIG');

export const loadOrderStateConfig = (env: NodeJS.ProcessEnv = process.env): OrderStateConfig =>
  loadConfig('order-state', OrderStateSettings, env);
