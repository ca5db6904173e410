import { z } from 'zod';
import {
  httpHostSetting,
  httpPortSetting,
  intRangeSetting,
  kafkaSettings,
  loadConfig,
  positiveIntSetting,
} from '@app/config';

const PARTNERS_REQUIRED = 'PARTNERS_JSON or PARTNERS_FILE';

export const NotifyGatewaySettings = z
  .object({
    ...kafkaSettings,
    HTTP_HOST: httpHostSetting,
    HTTP_PORT: httpPortSetting(3001),
    PARTNERS_JSON: z.string().min(2).optional().meta({
      description:
        'The partners whose notifications we accept, as JSON (README "Partners"). Private keys are never inline: they come from a file or an environment variable.',
      required: PARTNERS_REQUIRED,
    }),
    PARTNERS_FILE: z.string().min(1).optional().meta({
      description: 'A file holding the same JSON as PARTNERS_JSON (e.g. a mounted ConfigMap).',
      required: PARTNERS_REQUIRED,
    }),
    PUBLISH_TIMEOUT_MS: intRangeSetting(100, 4500, 3000).describe(
      'Bound on the Kafka write before a notification is answered U. Alipay+ waits 5 s for the ack (protocol.md §0): Kafka must have the event well before that.',
    ),
    KAFKA_PRODUCER_LANES: intRangeSetting(1, 8, 1).describe(
      "Producers side by side, each with its own produce request in flight; a payment's events always take the same one, so their order is kept. More lanes cut the wait behind a request in flight when the broker is far (a round trip of milliseconds), at the cost of smaller requests (more CPU per notification); on one box with the broker (bench:gateway) 1 was best. Each lane is one more connection to each broker.",
    ),
    BODY_LIMIT_BYTES: positiveIntSetting(64 * 1024).describe(
      'Larger notification bodies get 413 PARAM_ILLEGAL.',
    ),
    KEEP_ALIVE_TIMEOUT_MS: intRangeSetting(1000, 600_000, 72_000).describe(
      "How long an idle connection is kept open for the sender's next notification. Longer than the idle timeout of the load balancer or ingress in front (often 60 s), so that it, not us, closes an idle connection: otherwise it may send a request on a connection we are closing. Node's own default is 5 s: a sender idle that long reconnects, and a burst of new connections waits for the gateway to accept them one at a time between requests (bench:e2e).",
    ),
    REQUEST_TIMEOUT_MS: intRangeSetting(1000, 120_000, 10_000).describe(
      'The whole request (headers and body) must arrive within this, or the connection gets 408 and is closed: a client trickling a body cannot hold a socket for ever. Alipay+ itself gives up after 5 s.',
    ),
  })
  .refine((c) => c.PARTNERS_JSON !== undefined || c.PARTNERS_FILE !== undefined, {
    message: 'PARTNERS_JSON or PARTNERS_FILE is required (the partners whose notifications we accept)',
    path: ['PARTNERS_JSON'],
  });
export type NotifyGatewayConfig = z.infer<typeof NotifyGatewaySettings>;

export const loadNotifyGatewayConfig = (env: NodeJS.ProcessEnv = process.env): NotifyGatewayConfig =>
  loadConfig('notify-gateway', NotifyGatewaySettings as unknown as z.ZodObject, env) as NotifyGatewayConfig;
