import { z } from 'zod';
import { kafkaSettings, loadConfig, portSetting, positiveIntSetting } from '@app/config';

export const NotifyGatewaySettings = z
  .object({
    ...kafkaSettings,
    HTTP_PORT: portSetting(3001),
    /**
     * The partners, as JSON (see README "Partners"): inline in PARTNERS_JSON or in the file PARTNERS_FILE.
     * Private keys are never inline: they come from a file or an environment variable (Kubernetes secrets).
     */
    PARTNERS_JSON: z.string().min(2).optional(),
    PARTNERS_FILE: z.string().min(1).optional(),
    /** Alipay+ waits 5 s for the ack (protocol.md §0): Kafka must have the event well before that. */
    PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(100).max(4500).default(3000),
    BODY_LIMIT_BYTES: positiveIntSetting(64 * 1024),
    /**
     * The whole request (headers and body) must arrive within this, or the connection gets 408 and is
     * closed: a client trickling a body cannot hold a socket for ever. Alipay+ itself gives up after 5 s.
     */
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(10_000),
  })
  .refine((c) => c.PARTNERS_JSON !== undefined || c.PARTNERS_FILE !== undefined, {
    message: 'PARTNERS_JSON or PARTNERS_FILE is required (the partners whose notifications we accept)',
    path: ['PARTNERS_JSON'],
  });
export type NotifyGatewayConfig = z.infer<typeof NotifyGatewaySettings>;

export const loadNotifyGatewayConfig = (env: NodeJS.ProcessEnv = process.env): NotifyGatewayConfig =>
  loadConfig('notify-gateway', NotifyGatewaySettings as unknown as z.ZodObject, env) as NotifyGatewayConfig;
