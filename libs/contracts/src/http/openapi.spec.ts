import { openApiAjv, rebase } from '@app/testing/openapi-conformance';
import { openApiDocument } from './openapi';

type Json = Record<string, unknown>;
const doc = openApiDocument() as Json & {
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const operations = Object.entries(doc.paths).flatMap(([p, item]) =>
  Object.entries(item)
    .filter(([m]) => METHODS.includes(m))
    .map(([method, op]) => ({ path: p, method, op: op as Json })),
);

/** Every value under `node`, with its JSON pointer. */
function* walk(node: unknown, pointer = ''): Generator<[string, unknown]> {
  yield [pointer, node];
  if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      yield* walk(v, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    }
  }
}

function resolve(pointer: string): unknown {
  return pointer
    .slice(2)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], doc);
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with a title, a version and servers', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect((doc.servers as unknown[]).length).toBe(3);
  });

  it('resolves every $ref inside the document', () => {
    const refs = [...walk(doc)].filter(([p]) => p.endsWith('/$ref')).map(([, v]) => v as string);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\//);
      expect([ref, resolve(ref) !== undefined]).toEqual([ref, true]);
    }
  });

  it('gives every operation a unique id, responses with descriptions, and its path parameters', () => {
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, op } of operations) {
      const responses = op.responses as Record<string, Json>;
      expect([path, method, Object.keys(responses).length > 0]).toEqual([path, method, true]);
      for (const [status, response] of Object.entries(responses)) {
        expect(status).toMatch(/^([1-5][0-9]{2}|[1-5]XX|default)$/);
        expect(typeof response.description).toBe('string');
      }
      const declared = ((op.parameters as Json[] | undefined) ?? [])
        .filter((p) => p.in === 'path')
        .map((p) => (expect(p.required).toBe(true), p.name));
      const inTemplate = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      expect([path, method, declared.sort()]).toEqual([path, method, inTemplate.sort()]);
    }
  });

  it('names only declared security schemes, and every operator endpoint needs the bearer token', () => {
    expect(doc.components.securitySchemes.operatorToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const { op } of operations) {
      for (const requirement of (op.security as Json[] | undefined) ?? []) {
        for (const name of Object.keys(requirement))
          expect(doc.components.securitySchemes[name]).toBeDefined();
      }
      if (op['x-required-role']) {
        expect(op.security).toEqual([{ operatorToken: [] }]);
        expect(op.responses).toHaveProperty('401');
        expect(op.responses).toHaveProperty('403');
      }
    }
  });

  it('compiles every schema with Ajv (JSON Schema 2020-12, strict)', () => {
    const ajv = openApiAjv(doc);
    const schemas = [...walk(doc.paths, '#/paths')].filter(([p]) => /\/schema$/.test(p));
    expect(schemas.length).toBeGreaterThan(50);
    for (const [pointer, schema] of schemas) {
      try {
        ajv.compile(rebase(schema as object));
      } catch (err) {
        throw new Error(`${pointer}: ${(err as Error).message}`);
      }
    }
    for (const name of Object.keys(doc.components.schemas)) {
      expect([name, typeof ajv.getSchema(`urn:openapi:components#/$defs/${name}`)]).toEqual([
        name,
        'function',
      ]);
    }
  });
});
