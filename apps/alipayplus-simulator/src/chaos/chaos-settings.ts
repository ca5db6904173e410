import { z } from 'zod';
import { SimulatorError } from '../errors';
import type { ChaosSettings } from '../types';

/** No chaos: every message arrives once, at once, and every request is answered truthfully. */
export const NO_CHAOS: Readonly<ChaosSettings> = Object.freeze({
  notifyDropRate: 0,
  notifyAttemptLossRate: 0,
  notifyDuplicateRate: 0,
  notifyMaxDelayMs: 0,
  inquiryUnknownRate: 0,
  cancelUnknownRate: 0,
  http5xxRate: 0,
  latencyMs: [0, 0] as [number, number],
  rateLimitPerSecond: 0,
});

const rate = z.number().min(0).max(1);
/** One hour of real latency is far past any client timeout (5 s / 8 s, protocol.md §0); anything above is a typo. */
const latency = z.number().int().min(0).max(3_600_000);

/** A partial update, as accepted by the constructor, `setChaos` and `POST /sim/chaos`. Unknown keys are typos. */
export const ChaosUpdateSchema = z
  .strictObject({
    notifyDropRate: rate,
    notifyAttemptLossRate: rate,
    notifyDuplicateRate: rate,
    notifyMaxDelayMs: z.number().int().min(0),
    inquiryUnknownRate: rate,
    cancelUnknownRate: rate,
    http5xxRate: rate,
    latencyMs: z
      .tuple([latency, latency])
      .refine(([min, max]) => min <= max, { message: 'latencyMs must be [min, max] with min <= max' }),
    rateLimitPerSecond: z.number().min(0),
  })
  .partial();

/** Applies a partial update to the current settings; throws INVALID_CHAOS naming the bad fields. */
export function mergeChaos(current: ChaosSettings, update: unknown): ChaosSettings {
  const parsed = ChaosUpdateSchema.safeParse(update ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(chaos)'}: ${issue.message}`)
      .join('; ');
    throw new SimulatorError('INVALID_CHAOS', `invalid chaos settings: ${problems}`);
  }
  const next: ChaosSettings = { ...current, ...parsed.data } as ChaosSettings;
  return { ...next, latencyMs: [next.latencyMs[0], next.latencyMs[1]] };
}
