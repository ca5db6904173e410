import { z } from 'zod';
import { text } from '../primitives';
import { TimestampSchema } from './common';

/** The dead-letters API (libs/dead-letters): requests and responses. */

export const LetterIdSchema = text().min(1).max(200);
export const LetterIdParams = z.object({ id: LetterIdSchema });

/** The `next-cursor` of a page: base64url of `receivedAt|id`. */
const LetterCursor = z
  .string()
  .max(400)
  .transform((s, ctx) => {
    const [receivedAt, id] = Buffer.from(s, 'base64url').toString('utf8').split('|');
    if (!receivedAt || !id || Number.isNaN(Date.parse(receivedAt))) {
      ctx.addIssue({ code: 'custom', message: 'not a cursor this API gave out' });
      return z.NEVER;
    }
    return { receivedAt, id };
  });

const LetterLimit = z
  .string()
  .regex(/^[0-9]{1,4}$/, 'a whole number')
  .transform(Number)
  .pipe(z.number().min(1).max(500));

/** GET /dead-letters: newest first. */
export const DeadLetterListQuerySchema = z.strictObject({
  originalTopic: text().max(249).optional(),
  reasonContains: text().min(1).max(200).optional(),
  replayed: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  before: LetterCursor.optional().meta({ description: 'The `next-cursor` header of the previous page.' }),
  limit: LetterLimit.default(100).meta({ description: 'How many letters at most (1–500; default 100).' }),
});

/** POST /dead-letters/{id}/replay. */
export const ReplayBodySchema = z.strictObject({ note: text().max(500).optional() });

/** POST /dead-letters/replay. */
export const ReplayManyBodySchema = z.strictObject({
  originalTopic: text().max(249).optional(),
  reasonContains: text().min(1).max(200).optional(),
  /** Only letters never replayed (default), so the same filter run twice does not publish twice. */
  includeReplayed: z.boolean().default(false),
  limit: z.number().int().min(1).max(500).default(100),
  note: text().max(500).optional(),
});

// ---- responses ----

export const DeadLetterSchema = z
  .object({
    id: z.string(),
    originalTopic: z.string(),
    partition: z.number().int().nonnegative(),
    offset: z.string(),
    key: z.string().nullable(),
    value: z
      .string()
      .nullable()
      .optional()
      .meta({ description: "For the operator role only (it may hold a partner's raw body)." }),
    valueEncoding: z.enum(['utf8', 'base64']),
    valueTruncated: z.boolean(),
    reason: z.string(),
    consumerGroup: z.string(),
    occurredAt: TimestampSchema,
    receivedAt: TimestampSchema,
    replayCount: z.number().int().nonnegative(),
    lastReplayedAt: TimestampSchema.nullable(),
    lastReplayedBy: z.string().nullable(),
  })
  .meta({ id: 'DeadLetter' });

export const DeadLetterPageSchema = z
  .object({ items: z.array(DeadLetterSchema) })
  .meta({ id: 'DeadLetterPage' });

export const DeadLetterDetailSchema = DeadLetterSchema.extend({
  replays: z.array(
    z.object({ replayedAt: TimestampSchema, replayedBy: z.string(), note: z.string().nullable() }),
  ),
}).meta({ id: 'DeadLetterDetail' });

export const ReplayRefusalCodeSchema = z.enum([
  'VALUE_TRUNCATED',
  'VALUE_NOT_REPLAYABLE',
  'TOPIC_NOT_REPLAYABLE',
]);

export const ReplayedSchema = z
  .object({ id: z.string(), replayed: z.literal(true) })
  .meta({ id: 'Replayed' });

export const ReplayOutcomeSchema = z
  .union([
    ReplayedSchema,
    z.object({
      id: z.string(),
      replayed: z.literal(false),
      code: ReplayRefusalCodeSchema,
      message: z.string(),
    }),
  ])
  .meta({ id: 'ReplayOutcome' });

export const ReplayManyResultSchema = z
  .object({ replayed: z.number().int().nonnegative(), outcomes: z.array(ReplayOutcomeSchema) })
  .meta({ id: 'ReplayManyResult' });
