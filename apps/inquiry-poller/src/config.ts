// Over 250 lines: the schema lists every poller setting with its description beside its rule
// (docs/configuration.md is generated from them), next to the partner policies it resolves.
import { availableParallelism, hostname } from 'os';
import { randomBytes } from 'crypto';
import { z } from 'zod';
import {
  booleanSetting,
  ConfigError,
  databaseUrlSetting,
  kafkaSettings,
  loadConfig,
  httpHostSetting,
  intRangeSetting,
  nonNegativeIntSetting,
  httpPortSetting,
  loadPartners,
  Partner,
  positiveIntSetting,
} from '@app/config';
import { operatorAuthSettings } from '@app/operator-auth';
import { partnerKey, PollingPolicy, RatePolicy } from './domain/polling-policy';

const APP = 'inquiry-poller';

/** `"2000,2000,3000"` → [2000, 2000, 3000]: a schedule of waits whose last entry repeats. */
const msListSetting = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) => s.split(',').map((v) => Number(v.trim())))
    .pipe(z.array(z.number().int().positive()).min(1, 'at least one interval'));

const ratioSetting = (fallback: number) => z.coerce.number().min(0).max(0.9).default(fallback);

/** A partner's own schedule and budget; each field replaces the default of the same meaning. */
const PartnerOverrideSchema = z.strictObject({
  firstInquiryDelayMs: z.number().int().nonnegative().optional(),
  inquiryIntervalsMs: z.array(z.number().int().positive()).min(1).optional(),
  jitterRatio: z.number().min(0).max(0.9).optional(),
  /** null: only the payment expiry bounds polling. */
  maxInquiries: z.number().int().positive().nullable().optional(),
  maxInquiriesAction: z.enum(['cancel', 'wait']).optional(),
  cancelRetryIntervalsMs: z.array(z.number().int().positive()).min(1).optional(),
  cancelNotExistGraceMs: z.number().int().nonnegative().optional(),
  cancelRefusedInquiryMs: z.number().int().nonnegative().optional(),
  rateLimitPerSecond: z.number().positive().optional(),
  rateLimitBurst: z.number().int().positive().optional(),
  rateLimitBackoffMs: z.number().int().nonnegative().optional(),
});
export type PartnerOverride = z.infer<typeof PartnerOverrideSchema>;

const partnerOverridesSetting = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string().min(1).max(64), PartnerOverrideSchema))
  .optional();

const PARTNERS_REQUIRED = 'PARTNERS_JSON or PARTNERS_FILE';
const msList = 'comma-separated ms, the last repeats';

export const InquiryPollerSettings = z
  .object({
    ...kafkaSettings,
    ...operatorAuthSettings,
    DATABASE_URL: databaseUrlSetting,
    HTTP_HOST: httpHostSetting,
    HTTP_PORT: httpPortSetting(3003),
    KAFKA_GROUP_ID: z
      .string()
      .min(1)
      .max(100)
      .default('inquiry-poller')
      .describe(
        "The consumer group. At most 100 characters: it is part of every dead letter's event id (≤ 200).",
      ),
    KAFKA_FETCH_MAX_WAIT_MS: intRangeSetting(10, 5000, 100).describe(
      'How long the broker may hold a fetch of the status, hint and exception topics to gather KAFKA_FETCH_MIN_BYTES: a status change reaches the schedule up to this much later, and the poller sends (and the broker serves) far fewer fetches under load.',
    ),
    KAFKA_FETCH_MIN_BYTES: intRangeSetting(1, 1024 * 1024, 64 * 1024).describe(
      'Bytes a fetch waits for, up to KAFKA_FETCH_MAX_WAIT_MS (1 = return with whatever is there).',
    ),
    DB_POOL_SIZE: positiveIntSetting(10).describe('PostgreSQL connections this replica holds at most.'),
    DB_MIGRATE_ON_BOOT: booleanSetting(true).describe(
      'Apply migrations at boot (under an advisory lock). Turn off when a migration Job runs them instead.',
    ),
    PARTNERS_JSON: z.string().min(2).optional().meta({
      description:
        'The partners we poll, as JSON (README "Partners"): apiBaseUrl and our private key are required here.',
      required: PARTNERS_REQUIRED,
    }),
    PARTNERS_FILE: z.string().min(1).optional().meta({
      description: 'A file holding the same JSON as PARTNERS_JSON (e.g. a mounted ConfigMap).',
      required: PARTNERS_REQUIRED,
    }),
    POLLER_INSTANCE_ID: z
      .string()
      .min(1)
      .max(60)
      .optional()
      .describe("This replica's name in leases; defaults to host, pid and a random suffix."),

    // Cadence (design.md §5, protocol.md §5).
    FIRST_INQUIRY_DELAY_MS: nonNegativeIntSetting(3000).describe(
      "The first inquiry's delay after the order's registration.",
    ),
    INQUIRY_INTERVALS_MS: msListSetting('2000,2000,3000,3000,5000,5000,10000,10000').meta({
      description:
        "Growing waits between inquiries (the last repeats), bounded by the payment's expiry (paymentExpiryTime, default 1 min).",
      values: msList,
    }),
    JITTER_RATIO: ratioSetting(0.2).describe('Each wait is spread by up to ± this fraction.'),
    MAX_INQUIRIES: nonNegativeIntSetting(0).describe(
      'Inquiries per payment at most; 0: no count limit, only the payment expiry ends polling (no official maximum, protocol.md §5).',
    ),
    MAX_INQUIRIES_ACTION: z
      .enum(['cancel', 'wait'])
      .default('cancel')
      .describe(
        'What MAX_INQUIRIES does (seed 002): cancel brings the cancel forward; wait stops inquiring and waits for the notification until the expiry, then makes one last inquiry and cancels as usual.',
      ),
    CANCEL_RETRY_INTERVALS_MS: msListSetting('2000,4000,8000,15000,30000,60000').meta({
      description: 'Waits between cancel retries on U or a timeout, until a final answer.',
      values: msList,
    }),
    CANCEL_NOT_EXIST_GRACE_MS: nonNegativeIntSetting(60_000).describe(
      'After a cancel answered F ORDER_NOT_EXIST: re-inquire this long, then close it unconfirmed.',
    ),
    CANCEL_REFUSED_INQUIRY_MS: nonNegativeIntSetting(60_000).describe(
      'After a cancel was refused (any other F): inquire this long for the truth, then open an exception.',
    ),
    PARTNER_POLICIES_JSON: partnerOverridesSetting.meta({
      description:
        'Per-partner overrides of the cadence above and of the rate limit, keyed by clientId, e.g. {"C1":{"inquiryIntervalsMs":[1000],"rateLimitPerSecond":20}}.',
      values: 'JSON object',
    }),

    // Limits (protocol.md §0: inquiryPayment 5 s, cancelPayment 8 s).
    INQUIRY_TIMEOUT_MS: intRangeSetting(100, 60_000, 5000).describe(
      'Time limit of one inquiryPayment call (protocol.md §0).',
    ),
    CANCEL_TIMEOUT_MS: intRangeSetting(100, 60_000, 8000).describe(
      'Time limit of one cancelPayment call (protocol.md §0).',
    ),
    RATE_LIMIT_PER_SECOND: z.coerce
      .number()
      .positive()
      .default(100)
      .describe(
        'Calls per second per partner and per replica: N replicas send a partner up to N times this.',
      ),
    RATE_LIMIT_BURST: z.coerce
      .number()
      .int()
      .positive()
      .optional()
      .describe("Calls a partner may get at once after an idle spell; default a quarter second's worth."),
    RATE_LIMIT_BACKOFF_MS: nonNegativeIntSetting(5000).describe(
      'Pause of a partner that answered REQUEST_TRAFFIC_EXCEED_LIMIT (protocol.md §6).',
    ),
    PARTNER_HTTP_MAX_SOCKETS: positiveIntSetting(512).describe(
      'Keep-alive connections per partner host. Above MAX_IN_FLIGHT, so that a call never waits for a connection after it was signed.',
    ),

    SIGNING_THREADS: z.coerce
      .number()
      .int()
      .min(0)
      .max(64)
      .optional()
      .describe(
        'Threads signing our requests (~0.4 ms of CPU each), so a replica uses every CPU it is given. Default: the CPUs available (os.availableParallelism()), at most 4, and none with a single CPU (a thread there only competes with the main thread); 0: sign on the main thread.',
      ),

    // The claim loop.
    CLAIM_INTERVAL_MS: positiveIntSetting(100).describe(
      'How often the claim loop looks for due payments when idle.',
    ),
    CLAIM_BATCH: positiveIntSetting(200).describe('Due payments claimed at once at most.'),
    MAX_IN_FLIGHT: positiveIntSetting(500).describe(
      'Calls this replica has under way at most (each holds a lease).',
    ),
    LEASE_MS: positiveIntSetting(30_000).describe(
      "How long a claimed payment is this replica's alone. At least max(INQUIRY_TIMEOUT_MS, CANCEL_TIMEOUT_MS) + 2 × PUBLISH_TIMEOUT_MS + COMPLETION_FLUSH_MS + 5000.",
    ),
    PUBLISH_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(100)
      .default(5000)
      .describe('Bound on each Kafka write around a call (the request and its result).'),
    COMPLETION_FLUSH_MS: intRangeSetting(1, 5000, 20).describe(
      'How long a completed call waits to be written back with others; counted in the LEASE_MS check.',
    ),

    // Triggers and housekeeping.
    HINT_MIN_GAP_MS: nonNegativeIntSetting(1000).describe(
      'An inquiry hint never brings an inquiry closer than this to the previous one.',
    ),
    TOMBSTONE_RETENTION_HOURS: positiveIntSetting(72).describe(
      'Done payments (tombstones) are kept this long: well past the T+1 cancel window (protocol.md §4).',
    ),
  })
  .refine((c) => c.PARTNERS_JSON !== undefined || c.PARTNERS_FILE !== undefined, {
    message: 'PARTNERS_JSON or PARTNERS_FILE is required (the partners to poll)',
    path: ['PARTNERS_JSON'],
  })
  // A lease must outlive everything done under it — the longest call, the publishes around it and
  // the write-back — or a second replica could claim the row and inquire while the first is still at
  // it, and the first one's completion would be refused.
  .refine(
    (c) =>
      c.LEASE_MS >=
      Math.max(c.INQUIRY_TIMEOUT_MS, c.CANCEL_TIMEOUT_MS) +
        2 * c.PUBLISH_TIMEOUT_MS +
        c.COMPLETION_FLUSH_MS +
        5000,
    {
      message:
        'must be at least max(INQUIRY_TIMEOUT_MS, CANCEL_TIMEOUT_MS) + 2 × PUBLISH_TIMEOUT_MS + COMPLETION_FLUSH_MS + 5000',
      path: ['LEASE_MS'],
    },
  );
export type InquiryPollerConfig = z.infer<typeof InquiryPollerSettings>;

export const loadInquiryPollerConfig = (env: NodeJS.ProcessEnv = process.env): InquiryPollerConfig =>
  loadConfig(APP, InquiryPollerSettings as unknown as z.ZodObject, env) as InquiryPollerConfig;

/**
 * The default stops at this many signing threads: each holds ~9 MB, and in a container
 * os.availableParallelism() counts the node's CPUs, not the pod's share (a 64-core node would mean
 * ~570 MB of threads in a pod limited to 768 Mi). A pod given more CPUs sets SIGNING_THREADS.
 */
export const DEFAULT_SIGNING_THREADS_MAX = 4;

/**
 * SIGNING_THREADS, or by default one signing thread per CPU available to the process (at most 4), and
 * none when there is one CPU: a signing thread there only takes turns with the main thread, and each
 * hand-over costs CPU of its own.
 */
export const signingThreads = (config: InquiryPollerConfig, cpus = availableParallelism()): number =>
  config.SIGNING_THREADS ?? (cpus > 1 ? Math.min(cpus, DEFAULT_SIGNING_THREADS_MAX) : 0);

export const defaultInstanceId = (): string =>
  `${hostname().slice(0, 40)}:${process.pid}:${randomBytes(3).toString('hex')}`;

/** A partner as the poller uses it: who to call, how often, how fast. */
export interface PolledPartner {
  readonly key: string;
  readonly partner: Partner & { apiBaseUrl: string; privateKey: NonNullable<Partner['privateKey']> };
  readonly policy: PollingPolicy;
  readonly rate: RatePolicy;
}

/**
 * Loads the partners and resolves each one's policy (defaults, then its override). Fails fast, naming
 * every problem: a partner we cannot call, an override for a client id nobody configured (a typo
 * would otherwise silently poll at the default rate).
 */
export function loadPolledPartners(
  config: InquiryPollerConfig,
  env: NodeJS.ProcessEnv = process.env,
): PolledPartner[] {
  const partners = loadPartners(config, env, APP);
  const overrides = config.PARTNER_POLICIES_JSON ?? {};
  const problems: string[] = [];
  for (const clientId of Object.keys(overrides)) {
    if (!partners.some((p) => p.clientId === clientId)) {
      problems.push(`PARTNER_POLICIES_JSON names clientId ${clientId}, which is not a configured partner`);
    }
  }
  const polled: PolledPartner[] = [];
  for (const p of partners) {
    const name = `partner ${p.dialect}/${p.clientId}`;
    if (!p.apiBaseUrl) problems.push(`${name}: apiBaseUrl is required (the poller calls its open API)`);
    if (!p.privateKey)
      problems.push(`${name}: privateKeyFile or privateKeyEnv is required (requests are signed)`);
    if (!p.apiBaseUrl || !p.privateKey) continue;
    const o = overrides[p.clientId] ?? {};
    const perSecond = o.rateLimitPerSecond ?? config.RATE_LIMIT_PER_SECOND;
    polled.push({
      key: partnerKey(p.dialect, p.clientId),
      partner: { ...p, apiBaseUrl: p.apiBaseUrl, privateKey: p.privateKey },
      policy: {
        firstInquiryDelayMs: o.firstInquiryDelayMs ?? config.FIRST_INQUIRY_DELAY_MS,
        inquiryIntervalsMs: o.inquiryIntervalsMs ?? config.INQUIRY_INTERVALS_MS,
        jitterRatio: o.jitterRatio ?? config.JITTER_RATIO,
        maxInquiries:
          o.maxInquiries !== undefined
            ? o.maxInquiries
            : config.MAX_INQUIRIES > 0
              ? config.MAX_INQUIRIES
              : null,
        maxInquiriesAction: o.maxInquiriesAction ?? config.MAX_INQUIRIES_ACTION,
        cancelRetryIntervalsMs: o.cancelRetryIntervalsMs ?? config.CANCEL_RETRY_INTERVALS_MS,
        cancelNotExistGraceMs: o.cancelNotExistGraceMs ?? config.CANCEL_NOT_EXIST_GRACE_MS,
        cancelRefusedInquiryMs: o.cancelRefusedInquiryMs ?? config.CANCEL_REFUSED_INQUIRY_MS,
      },
      rate: {
        perSecond,
        burst: o.rateLimitBurst ?? config.RATE_LIMIT_BURST ?? Math.max(1, Math.ceil(perSecond / 4)),
        backoffMs: o.rateLimitBackoffMs ?? config.RATE_LIMIT_BACKOFF_MS,
      },
    });
  }
  if (problems.length > 0) throw new ConfigError(APP, problems);
  return polled;
}
