import { z } from 'zod';
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import {
  json,
  NEXT_CURSOR_HEADER,
  Operation,
  OPERATOR_TOKEN,
  register,
  SERVICES,
  ServiceName,
} from './openapi-builder';
import { ORDER_STATE_OPERATIONS } from './openapi-order-state';
import {
  DeadLetterDetailSchema,
  DeadLetterListQuerySchema,
  DeadLetterPageSchema,
  LetterIdParams,
  ReplayBodySchema,
  ReplayedSchema,
  ReplayManyBodySchema,
  ReplayManyResultSchema,
} from './dead-letters';
import { InquiryParams, InquiryScheduledSchema, ScheduleViewSchema } from './inquiries';
import { NotifyAckSchema, NotifyRequestBodies, NotifyRequestHeaders, notifyRefusal } from './notify';
import { ProbeFailedSchema, ProbeOkSchema } from './probes';

/**
 * The OpenAPI 3.1 document of every HTTP endpoint of the three services (issue 16), generated from
 * the zod schemas their controllers validate with. Written to libs/contracts/published/openapi.json
 * by `npm run contracts:generate`; a unit test fails when that file is stale.
 */
export function openApiDocument(): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', OPERATOR_TOKEN, {
    type: 'http',
    scheme: 'bearer',
    description:
      'An operator token (OPERATOR_TOKENS_FILE / OPERATOR_TOKENS_JSON, libs/operator-auth). The viewer role reads ' +
      "(without the partners' raw bodies); the operator role reads everything and acts.",
  });
  const all = [
    ...ORDER_STATE_OPERATIONS,
    ...DEAD_LETTER_OPERATIONS,
    ...INQUIRY_OPERATIONS,
    ...notifyOperations(),
    ...probeOperations(),
  ];
  for (const op of all) register(registry, op);
  return new OpenApiGeneratorV31(registry.definitions, { sortComponents: 'alphabetically' }).generateDocument(
    {
      openapi: '3.1.0',
      info: {
        title: 'Payment-result pipeline HTTP APIs',
        version: '1.0.0',
        description:
          'notify-gateway (the partners’ notifyPayment), order-state (orders, exceptions, anomalies, dead letters, ' +
          'the console) and inquiry-poller (the schedule). Every operation names the service that serves it.',
      },
      servers: (Object.keys(SERVICES) as ServiceName[]).map((s) => ({
        url: `http://${s}:${SERVICES[s]}`,
        description: s,
      })),
      tags: (Object.keys(SERVICES) as ServiceName[]).map((name) => ({ name })),
    },
  ) as unknown as Record<string, unknown>;
}

const DEAD_LETTER_OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: '/dead-letters',
    services: ['order-state'],
    operationId: 'listDeadLetters',
    summary: 'Dead letters, newest first',
    role: 'viewer',
    query: DeadLetterListQuerySchema,
    ok: { 200: json(DeadLetterPageSchema, 'A page of letters.', NEXT_CURSOR_HEADER) },
  },
  {
    method: 'get',
    path: '/dead-letters/{id}',
    services: ['order-state'],
    operationId: 'getDeadLetter',
    summary: 'A dead letter and its replays',
    role: 'viewer',
    params: LetterIdParams,
    ok: { 200: json(DeadLetterDetailSchema, 'The letter.') },
    errors: { 404: ['DEAD_LETTER_NOT_FOUND'] },
  },
  {
    method: 'post',
    path: '/dead-letters/{id}/replay',
    services: ['order-state'],
    operationId: 'replayDeadLetter',
    summary: 'Re-publish one letter to its original topic',
    role: 'operator',
    params: LetterIdParams,
    body: ReplayBodySchema,
    ok: { 200: json(ReplayedSchema, 'Published again.') },
    errors: {
      404: ['DEAD_LETTER_NOT_FOUND'],
      409: ['VALUE_TRUNCATED', 'VALUE_NOT_REPLAYABLE', 'TOPIC_NOT_REPLAYABLE'],
    },
  },
  {
    method: 'post',
    path: '/dead-letters/replay',
    services: ['order-state'],
    operationId: 'replayDeadLetters',
    summary: 'Re-publish the letters a filter selects',
    role: 'operator',
    body: ReplayManyBodySchema,
    ok: { 200: json(ReplayManyResultSchema, 'What happened to each letter.') },
  },
];

const INQUIRY_OPERATIONS: readonly Operation[] = [
  {
    method: 'post',
    path: '/inquiries/{paymentRequestId}',
    services: ['inquiry-poller'],
    operationId: 'forceInquiry',
    summary: 'Inquire now',
    description: 'The poller takes the order at its next claim.',
    role: 'operator',
    params: InquiryParams,
    ok: { 202: json(InquiryScheduledSchema, 'Scheduled.') },
    errors: { 404: ['ORDER_NOT_EXIST'], 409: ['ORDER_CANCELLING', 'ORDER_FINAL'] },
  },
  {
    method: 'get',
    path: '/inquiries/{paymentRequestId}',
    services: ['inquiry-poller'],
    operationId: 'getInquirySchedule',
    summary: 'Where an order stands in the schedule',
    role: 'viewer',
    params: InquiryParams,
    ok: { 200: json(ScheduleViewSchema, 'Its schedule row.') },
    errors: { 404: ['ORDER_NOT_EXIST'] },
  },
];

function notifyOperations(): Operation[] {
  const signed = {
    'client-id': { description: 'Our client id with the partner.', schema: { type: 'string' as const } },
    'response-time': { description: 'When we signed the answer.', schema: { type: 'string' as const } },
    signature: {
      description: 'Our signature over the answer (when we hold a key for the partner; Alipay+ requires it).',
      schema: { type: 'string' as const },
    },
  };
  const refusal = (status: 'F' | 'U', text: string, ...codes: [string, ...string[]]) => ({
    ...json(
      notifyRefusal(status, ...codes),
      `${text} (result ${status}: ${codes.join(', ')}); the partner re-sends.`,
    ),
    headers: signed,
  });
  return (['alipayplus', 'antom'] as const).map((dialect) => ({
    method: 'post' as const,
    path: `/${dialect}/notify`,
    services: ['notify-gateway'] as const,
    operationId: `${dialect}Notify`,
    summary: `${dialect === 'antom' ? 'Antom' : 'Alipay+'} notifyPayment`,
    description:
      'Verify the signature over the raw bytes, validate, publish payments.result-observed.v1 and wait until Kafka ' +
      'has it, and only then answer S (protocol.md §1.7, §2).',
    headers: NotifyRequestHeaders,
    body: NotifyRequestBodies[dialect],
    ok: { 200: { ...json(NotifyAckSchema, 'Received and durable (signed).'), headers: signed } },
    other: {
      400: refusal('F', 'The body is empty or does not fit the protocol', 'PARAM_ILLEGAL'),
      401: refusal('F', 'Unknown client or bad signature', 'INVALID_CLIENT', 'INVALID_SIGNATURE'),
      404: refusal('F', 'No such route', 'NO_INTERFACE_DEF'),
      413: refusal('F', 'The body is over the size limit', 'PARAM_ILLEGAL'),
      415: refusal('F', 'Not application/json', 'MEDIA_TYPE_NOT_ACCEPTABLE'),
      500: refusal('U', 'Internal error', 'UNKNOWN_EXCEPTION'),
      503: refusal(
        'U',
        'Signed with a key version we do not hold yet, or Kafka did not take it',
        'UNKNOWN_EXCEPTION',
      ),
    },
  }));
}

function probeOperations(): Operation[] {
  const everyService = Object.keys(SERVICES) as ServiceName[];
  const probe = (path: string, operationId: string, summary: string) => ({
    method: 'get' as const,
    path,
    services: everyService,
    operationId,
    summary,
    ok: { 200: json(ProbeOkSchema, 'Healthy.') },
    other: { 503: json(ProbeFailedSchema, 'A check failed: the first failure as code, all as failures.') },
  });
  return [
    probe('/health/live', 'live', 'Liveness: the process works (never depends on the database or Kafka)'),
    probe(
      '/health/ready',
      'ready',
      'Readiness: the database and Kafka are reachable and the pod is not draining',
    ),
    probe('/health', 'health', 'An alias of /health/ready'),
    {
      method: 'get' as const,
      path: '/metrics',
      services: everyService,
      operationId: 'metrics',
      summary: 'Prometheus metrics (text exposition format)',
      ok: {
        200: {
          description: 'The metrics.',
          content: { 'text/plain': { schema: z.string() } },
        },
      },
    },
  ];
}
