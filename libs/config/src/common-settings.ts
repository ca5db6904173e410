import { isIP } from 'net';
import { z } from 'zod';

/**
 * Building blocks for each app's settings schema, so every app spells a setting the same way. Each
 * setting carries its description (`.describe` / `.meta`) beside its rule: docs/configuration.md is
 * generated from them (`npm run docs:config`). `.meta({ secret: true })` marks a value never printed.
 */
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
  })
  .meta({ description: 'The Kafka brokers to bootstrap from.', values: '`host:port,host:port,…`' });

export const databaseUrlSetting = z
  .string({ error: 'DATABASE_URL is required (postgres://user:password@host:port/db)' })
  .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
  .meta({
    description: 'The PostgreSQL database. It holds the password: give it from a secret.',
    values: '`postgres://user:password@host:port/db`',
    secret: true,
  });

export const portSetting = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** A hostname as RFC 1123 spells it; all-digit names are left to the IPv4 check (1.2.3.999 is neither). */
const HOSTNAME =
  /^(?=.{1,253}$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
export const isHostOrIp = (value: string): boolean =>
  isIP(value) !== 0 || (HOSTNAME.test(value) && !/^[\d.]+$/.test(value));

/** An address to listen on: an IPv4 or IPv6 address, or a hostname that resolves to one. */
export const hostSetting = (fallback: string) =>
  z
    .string()
    .refine(isHostOrIp, 'expected an IP address (0.0.0.0, 127.0.0.1, ::) or a hostname')
    .default(fallback);

/** The HTTP listener's address; 0.0.0.0 (every IPv4 interface) suits a container. */
export const httpHostSetting = hostSetting('0.0.0.0').meta({
  description:
    'The address the HTTP server (API, health, metrics) listens on: 0.0.0.0 for every interface (containers), 127.0.0.1 for this host only, :: for IPv6.',
  values: 'IP address or hostname',
});

/** The HTTP listener's port. */
export const httpPortSetting = (fallback: number) =>
  portSetting(fallback).describe(
    'The port the HTTP server (API, health, metrics) listens on; 0 picks a free one.',
  );

export const positiveIntSetting = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const nonNegativeIntSetting = (fallback: number) =>
  z.coerce.number().int().nonnegative().default(fallback);

export const intRangeSetting = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const logLevelSetting = z.enum(['debug', 'info', 'warn', 'error']).default('info');

export const booleanSetting = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

export const kafkaSettings = {
  KAFKA_BROKERS: brokersSetting,
  KAFKA_CLIENT_ID: z
    .string()
    .min(1)
    .optional()
    .describe("The Kafka client id, in the brokers' logs and quotas; defaults to the service's name."),
  KAFKA_CREATE_TOPICS: booleanSetting(true).describe(
    'Create missing topics at boot (local runs, tests). Turn off in production, where topics are provisioned.',
  ),
  KAFKA_SESSION_TIMEOUT_MS: intRangeSetting(6000, 300_000, 30_000).describe(
    "Consumer session timeout: how fast a crashed replica's partitions move to a live one.",
  ),
};

/**
 * Settings every service's logger reads from the environment itself (libs/observability), outside the
 * apps' schemas: listed here for the settings reference. An unknown value falls back to the default.
 */
export const LoggingSettings = z.object({
  LOG_LEVEL: logLevelSetting.describe('The lowest level logged; an unknown value means info.'),
  LOG_FORMAT: z
    .enum(['json', 'text'])
    .default('json')
    .describe('One JSON object per line (what log shippers expect), or plain text for a terminal.'),
});
