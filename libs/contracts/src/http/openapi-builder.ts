import { z } from 'zod';
import { OpenAPIRegistry, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { errorBody } from './common';

/** The services whose HTTP endpoints the document describes, and the port each listens on by default. */
export const SERVICES = {
  'notify-gateway': 3001,
  'order-state': 3002,
  'inquiry-poller': 3003,
} as const;
export type ServiceName = keyof typeof SERVICES;

export const OPERATOR_TOKEN = 'operatorToken';

/** One operation, in the terms the controllers use; `register` turns it into an OpenAPI operation. */
export interface Operation {
  readonly method: 'get' | 'post';
  /** OpenAPI form: `/orders/{paymentRequestId}`. */
  readonly path: string;
  readonly services: readonly ServiceName[];
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  /** The operator role the bearer token needs (libs/operator-auth); none: no token. */
  readonly role?: 'viewer' | 'operator';
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly headers?: z.ZodObject;
  readonly body?: z.ZodType;
  /** The parameters are not validated (no 400). */
  readonly unvalidated?: true;
  /** Successful answers by status. */
  readonly ok: Record<number, ResponseConfig>;
  /** Refusals: status → the result codes it carries (`{code, message}` bodies). */
  readonly errors?: Record<number, [string, ...string[]]>;
  /** Answers with another body (e.g. the notify refusals): status → response. */
  readonly other?: Record<number, ResponseConfig>;
}

export const json = (schema: z.ZodType, description: string, headers?: ResponseConfig['headers']) => ({
  description,
  content: { 'application/json': { schema } },
  ...(headers ? { headers } : {}),
});

export const NEXT_CURSOR_HEADER = {
  'next-cursor': {
    description: 'Present when the page is full: pass it as the cursor parameter for the next page.',
    schema: { type: 'string' as const },
  },
};

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad input: PARAM_ILLEGAL names every wrong field; nothing was changed.',
  401: 'No valid operator bearer token.',
  403: "The token's role may not do this.",
  404: 'Not found.',
  409: 'Refused in the current state.',
};

export function register(registry: OpenAPIRegistry, op: Operation): void {
  const errors: Record<number, [string, ...string[]]> = { ...(op.errors ?? {}) };
  if ((op.params || op.query || op.body) && !op.unvalidated)
    errors[400] = ['PARAM_ILLEGAL', ...(errors[400] ?? [])];
  if (op.role) {
    errors[401] = ['UNAUTHENTICATED'];
    errors[403] = ['FORBIDDEN'];
  }
  const responses: Record<number, ResponseConfig> = {};
  for (const [status, codes] of Object.entries(errors)) {
    const description = DESCRIPTIONS[Number(status)] ?? 'Refused.';
    responses[Number(status)] = json(errorBody(...codes), `${description} Codes: ${codes.join(', ')}.`);
  }
  // An operation's own answers (the notify refusals) take the place of the operator-API error bodies.
  Object.assign(responses, op.ok, op.other ?? {});
  const served = `Served by ${op.services.join(', ')}.`;
  const role = op.role ? ` Needs an operator token with the ${op.role} role (or higher).` : '';
  const route: RouteConfig = {
    method: op.method,
    path: op.path,
    operationId: op.operationId,
    summary: op.summary,
    description: [op.description, served + role].filter(Boolean).join('\n\n'),
    tags: [...op.services],
    servers: op.services.map((s) => ({ url: `http://${s}:${SERVICES[s]}`, description: s })),
    ...(op.role ? { security: [{ [OPERATOR_TOKEN]: [] }], 'x-required-role': op.role } : {}),
    request: {
      ...(op.params ? { params: op.params } : {}),
      ...(op.query ? { query: op.query } : {}),
      ...(op.headers ? { headers: op.headers } : {}),
      ...(op.body ? { body: { required: true, content: { 'application/json': { schema: op.body } } } } : {}),
    },
    responses,
  };
  registry.registerPath(route);
}
