import { z } from 'zod';
import { text } from '../primitives';

/**
 * Building blocks of the HTTP APIs (issue 16): the controllers validate with these schemas and the
 * OpenAPI document (openapi.ts) is generated from the same ones. `.meta()` only adds descriptions.
 */

/** Ten years: PostgreSQL's dates end long before a 64-bit number of seconds does. */
export const MAX_AGE_SECONDS = 10 * 366 * 24 * 3600;

/** A query value that is digits only (an empty value is an error, not 0). */
export function wholeNumber(max: number) {
  return z
    .string()
    .regex(/^[0-9]{1,12}$/, 'a whole number')
    .transform(Number)
    .pipe(z.number().max(max));
}

/** `limit` of a list: 1–`max`, 100 when absent. */
export const pageLimit = (max = 1000) =>
  wholeNumber(max)
    .pipe(z.number().min(1))
    .default(100)
    .meta({ description: `How many items at most (1–${max}; default 100).` });

/** `true` or `false` in a query string. */
export const queryFlag = () =>
  z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional();

/** A comma-separated list of the values of `values` in a query string. */
export const commaList = <T extends z.ZodEnum<Record<string, string>>>(values: T) =>
  z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(values))
    .optional()
    .meta({ description: `Comma-separated, any of: ${values.options.join(', ')}.` });

/** A bigserial id as the API shows it (a decimal string). */
export const DecimalIdSchema = z.string().regex(/^[1-9][0-9]{0,17}$/, 'an id (a decimal number)');

/** An instant in a response: ISO 8601 in UTC, as JSON renders a PostgreSQL timestamptz. */
export const TimestampSchema = z.iso.datetime({ offset: true });

/**
 * The error body of every operator API: `{code, message}`. The codes of each status are listed per
 * operation; PARAM_ILLEGAL names every wrong field.
 */
export const ErrorBodySchema = z
  .object({ code: text().min(1).max(64), message: z.string() })
  .meta({ id: 'Error', description: 'A refusal: a result code and a message for people.' });

/** The error body restricted to `codes`. */
export const errorBody = (...codes: [string, ...string[]]) => ErrorBodySchema.extend({ code: z.enum(codes) });
