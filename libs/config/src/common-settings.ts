import { z } from 'zod';

/** Building blocks for each app's settings schema, so every app spells a setting the same way. */
export const brokersSetting = z
  .string({ error: 'KAFKA_BROKERS is required (comma-separated host:port list)' })
  .min(1)
  .transform((s) =>
    s
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
  )
  .refine((list) => list.length > 0 && list.every((b) => /^[^:\s]+:\d+$/.test(b)), {
    message: 'expected a comma-separated host:port list',
  });

export const databaseUrlSetting = z
  .string({ error: 'DATABASE_URL is required (postgres://user:password@host:port/db)' })
  .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL');

export const portSetting = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

export const positiveIntSetting = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const logLevelSetting = z.enum(['debug', 'info', 'warn', 'error']).default('info');

export const booleanSetting = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

export const kafkaSettings = {
  KAFKA_BROKERS: brokersSetting,
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  /** Create missing topics at boot (local runs, tests). Off in production, where topics are provisioned. */
  KAFKA_CREATE_TOPICS: booleanSetting(true),
  /** Consumer session timeout: how fast a crashed replica's partitions move to a live one (6000–300000). */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300000).default(30000),
};
