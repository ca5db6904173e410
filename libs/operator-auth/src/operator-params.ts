import { HttpException, HttpStatus } from '@nestjs/common';
import { z } from 'zod';

/**
 * The one rule for bad input on the operator APIs: 400 `PARAM_ILLEGAL` with a message that names
 * every wrong field; nothing is changed by a rejected request.
 */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    throw new HttpException(
      { code: 'PARAM_ILLEGAL', message: z.prettifyError(parsed.error) },
      HttpStatus.BAD_REQUEST,
    );
  }
  return parsed.data;
}
