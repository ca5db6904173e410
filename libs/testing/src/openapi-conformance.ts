import { readFileSync } from 'fs';
import * as path from 'path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';

/**
 * Contract test of the HTTP APIs (issue 16): every response one of our services gives a test is
 * matched to its operation (path + method + status) in libs/contracts/published/openapi.json, and its
 * body is validated against the documented schema (JSON Schema 2020-12, ajv). Responses to paths the
 * document does not describe (the simulator's, other hosts') are not ours and are not checked.
 * Validators are compiled once per operation, status and media type.
 */

export interface ObservedResponse {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly contentType: string | null;
  readonly body: string;
}

export interface ConformanceResult {
  /** `GET /orders/{paymentRequestId} 200`, or `GET /nowhere 404` for an undocumented operation. */
  readonly exercised: string;
  /** Empty when the response conforms. */
  readonly errors: string[];
}

type Json = Record<string, unknown>;
interface MediaType {
  schema?: unknown;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
}
interface Route {
  readonly template: string;
  readonly pattern: RegExp;
  /** Literal segments first: `/orders/summary` before `/orders/{paymentRequestId}` (OpenAPI's rule). */
  readonly literals: number;
  readonly operations: Record<string, { responses: Record<string, ResponseObject> }>;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const SCHEMAS_BASE = 'urn:openapi:components';
const JSON_MEDIA = /^application\/(.+\+)?json$/;

/** An instant as RFC 3339 / ISO 8601 with an offset, that is a real date. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** The published document, from the repository (or the image's /app). */
export function publishedOpenApi(root = path.resolve(__dirname, '..', '..', '..')): Json {
  for (let dir = root; ; dir = path.dirname(dir)) {
    try {
      return JSON.parse(
        readFileSync(path.join(dir, 'libs/contracts/published/openapi.json'), 'utf8'),
      ) as Json;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(dir) === dir) throw err;
    }
  }
}

/** An Ajv for OpenAPI 3.1 schema objects: draft 2020-12 plus the OpenAPI-only annotation keywords. */
export function openApiAjv(doc: Json): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, strictTypes: false, allErrors: true });
  ajv.addKeyword({ keyword: 'example' });
  ajv.addKeyword({ keyword: 'discriminator' });
  ajv.addKeyword({ keyword: 'xml' });
  ajv.addKeyword({ keyword: 'externalDocs' });
  ajv.addFormat('date-time', (v: string) => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)));
  const components = (doc.components as Json | undefined)?.schemas ?? {};
  ajv.addSchema({ $id: SCHEMAS_BASE, $defs: rebase(components) });
  return ajv;
}

/** `#/components/schemas/X` → a reference Ajv resolves through the schema added in openApiAjv. */
export function rebase<T>(schema: T): T {
  return JSON.parse(
    JSON.stringify(schema).replace(/"#\/components\/schemas\//g, `"${SCHEMAS_BASE}#/$defs/`),
  ) as T;
}

export class OpenApiConformance {
  private readonly routes: Route[];
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();
  /** How often each operation and status was seen (`GET /orders 200` → n). */
  readonly exercised = new Map<string, number>();

  constructor(doc: Json = publishedOpenApi()) {
    this.ajv = openApiAjv(doc);
    this.routes = Object.entries(doc.paths as Record<string, Route['operations']>)
      .map(([template, item]) => ({
        template,
        pattern: new RegExp(
          '^' +
            template
              .split(/\{[^}]+\}/)
              .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
              .join('[^/]+') +
            '/?$',
        ),
        literals: template.split('/').filter((s) => s && !s.startsWith('{')).length,
        operations: Object.fromEntries(Object.entries(item).filter(([m]) => HTTP_METHODS.includes(m))),
      }))
      .sort((a, b) => b.literals - a.literals);
    // Compiled up front, so that no response waits for a compile (a spec may race the pipeline).
    for (const route of this.routes) {
      for (const [method, { responses }] of Object.entries(route.operations)) {
        for (const [status, response] of Object.entries(responses)) {
          for (const [media, { schema }] of Object.entries(response.content ?? {})) {
            if (!JSON_MEDIA.test(media)) continue;
            this.validator(`${method.toUpperCase()} ${route.template} ${status} ${media}`, schema ?? {});
          }
        }
      }
    }
  }

  /** Whether a URL is one of the document's paths (any method). */
  covers(url: string): boolean {
    const pathname = pathOf(url);
    return this.routes.some((r) => r.pattern.test(pathname));
  }

  /** The check of one response; undefined when its path is not one of ours. */
  check(res: ObservedResponse): ConformanceResult | undefined {
    const pathname = pathOf(res.url);
    const method = res.method.toLowerCase();
    const candidates = this.routes.filter((r) => r.pattern.test(pathname));
    if (candidates.length === 0) return undefined;
    const route = candidates.find((r) => r.operations[method]);
    const where = `${res.method.toUpperCase()} ${pathname} → ${res.status}`;
    if (!route) {
      // The router's own "no such route" (e.g. a wrong method on a known path) documents nothing.
      const known = res.status === 404 || res.status === 405;
      return this.record(
        `${res.method.toUpperCase()} ${pathname} ${res.status}`,
        known
          ? []
          : [`${where}: no operation ${res.method.toUpperCase()} ${candidates[0].template} in openapi.json`],
      );
    }
    const op = `${res.method.toUpperCase()} ${route.template}`;
    const responses = route.operations[method].responses;
    const key = [String(res.status), `${String(res.status)[0]}XX`, 'default'].find((k) => responses[k]);
    if (!key) {
      return this.record(`${op} ${res.status}`, [
        `${where}: status ${res.status} is not documented for ${op} (documented: ${Object.keys(responses).join(', ')}); body: ${excerpt(res.body)}`,
      ]);
    }
    return this.record(`${op} ${res.status}`, this.checkBody(`${op} ${key}`, where, responses[key], res));
  }

  private checkBody(id: string, where: string, response: ResponseObject, res: ObservedResponse): string[] {
    const content = response.content ?? {};
    const mediaTypes = Object.keys(content);
    if (mediaTypes.length === 0) {
      return res.body.length === 0
        ? []
        : [`${where}: a body where ${id} documents none: ${excerpt(res.body)}`];
    }
    const given = (res.contentType ?? '').split(';')[0].trim().toLowerCase();
    const media = mediaTypes.find((m) => m.toLowerCase() === given);
    if (!media) {
      return [
        `${where}: content-type "${res.contentType}" is not one ${id} documents (${mediaTypes.join(', ')})`,
      ];
    }
    if (!JSON_MEDIA.test(media)) return [];
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      return [`${where}: the body is not JSON: ${excerpt(res.body)}`];
    }
    const validate = this.validator(`${id} ${media}`, content[media].schema ?? {});
    if (validate(body)) return [];
    const errors = (validate.errors ?? []).map(
      (e) =>
        `  ${e.instancePath || '(body)'} ${e.message ?? ''}${e.params ? ' ' + JSON.stringify(e.params) : ''}`,
    );
    return [
      `${where}: the body does not match ${id} in openapi.json:\n${errors.join('\n')}\n  body: ${excerpt(res.body)}`,
    ];
  }

  private validator(key: string, schema: unknown): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(rebase(schema) as object);
      this.validators.set(key, validate);
    }
    return validate;
  }

  private record(exercised: string, errors: string[]): ConformanceResult {
    this.exercised.set(exercised, (this.exercised.get(exercised) ?? 0) + 1);
    return { exercised, errors };
  }
}

const pathOf = (url: string): string => new URL(url, 'http://localhost').pathname;

const excerpt = (body: string): string => (body.length > 600 ? `${body.slice(0, 600)}…` : body);

/**
 * A fetch that hands every response from one of our paths to `onResult` after checking it. The body
 * is read from a clone, so the caller still reads it as usual.
 */
export function conformingFetch(
  realFetch: typeof fetch,
  checker: OpenApiConformance,
  onResult: (result: ConformanceResult) => void,
): typeof fetch {
  return async (input, init) => {
    const res = await realFetch(input, init);
    const request = input instanceof Request ? input : undefined;
    const url = res.url || (request ? request.url : String(input));
    if (!checker.covers(url)) return res;
    const method = init?.method ?? request?.method ?? 'GET';
    let body: string;
    try {
      body = await res.clone().text();
    } catch {
      return res; // the connection broke mid-body: the caller sees that itself
    }
    const result = checker.check({
      method,
      url,
      status: res.status,
      contentType: res.headers.get('content-type'),
      body,
    });
    if (result) onResult(result);
    return res;
  };
}
