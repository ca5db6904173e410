import { z } from 'zod';

/**
 * The probe bodies of every service (libs/observability). A service may add fields for people
 * (instance id, partners, counters), hence open objects.
 */
export const ProbeOkSchema = z
  .looseObject({ status: z.literal('ok'), failures: z.array(z.string()).max(0) })
  .meta({ id: 'ProbeOk' });

export const ProbeFailedSchema = z
  .looseObject({
    status: z.literal('unavailable'),
    code: z.string().meta({ description: 'The first failure (DATABASE_UNAVAILABLE, SHUTTING_DOWN, …).' }),
    failures: z.array(z.string()).min(1),
  })
  .meta({ id: 'ProbeFailed' });
