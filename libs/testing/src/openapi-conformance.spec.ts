import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DeadLettersController } from '@app/dead-letters';
import { ObservabilityModule, ServiceMetrics, ServiceProbes } from '@app/observability';
import { NotifyController } from '@test/notify-gateway/infrastructure/http/notify.controller';
import { InquiriesController } from '@test/inquiry-poller/infrastructure/http/inquiries.controller';
import { AnomaliesController } from '@test/order-state/infrastructure/http/anomalies.controller';
import { ExceptionsController } from '@test/order-state/infrastructure/http/exceptions.controller';
import { OperatorsController } from '@test/order-state/infrastructure/http/operators.controller';
import { OrdersController } from '@test/order-state/infrastructure/http/orders.controller';
import { ConsoleController } from '@test/order-state/infrastructure/console/console.controller';
import {
  conformingFetch,
  ConformanceResult,
  OpenApiConformance,
  publishedOpenApi,
} from './openapi-conformance';

const checker = new OpenApiConformance();
const base = 'http://127.0.0.1:3002';
const json = (method: string, path: string, status: number, body: unknown) => ({
  method,
  url: `${base}${path}`,
  status,
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify(body),
});
const summary = {
  byStatus: [{ status: 'init', count: 2, oldestAt: '2026-12-06T10:00:00.000Z' }],
  stuck: 0,
};

describe('OpenApiConformance', () => {
  it('passes a response that matches its operation, and records the operation exercised', () => {
    expect(checker.check(json('GET', '/orders/summary', 200, summary))).toEqual({
      exercised: 'GET /orders/summary 200',
      errors: [],
    });
    expect(
      checker.check(json('GET', '/orders/p-1', 404, { code: 'ORDER_NOT_EXIST', message: 'no' })),
    ).toEqual({
      exercised: 'GET /orders/{paymentRequestId} 404',
      errors: [],
    });
    expect(checker.exercised.get('GET /orders/summary 200')).toBeGreaterThanOrEqual(1);
  });

  it('fails a deliberate mismatch: a wrong body, an undocumented status or code, a wrong content type', () => {
    const wrongBody = checker.check(json('GET', '/orders/summary', 200, { ...summary, stuck: 'none' }));
    expect(wrongBody!.errors).toHaveLength(1);
    expect(wrongBody!.errors[0]).toMatch(/GET \/orders\/summary → 200: the body does not match/);
    expect(wrongBody!.errors[0]).toMatch(/\/stuck must be integer/);

    const wrongCode = checker.check(json('GET', '/orders/p-1', 404, { code: 'NOPE', message: 'no' }));
    expect(wrongCode!.errors[0]).toMatch(/\/code must be equal to one of the allowed values/);

    const undocumented = checker.check(json('GET', '/orders/summary', 418, {}));
    expect(undocumented!.errors[0]).toMatch(/status 418 is not documented for GET \/orders\/summary/);

    const html = checker.check({ ...json('GET', '/operators/me', 200, {}), contentType: 'text/html' });
    expect(html!.errors[0]).toMatch(/content-type "text\/html" is not one/);

    const notJson = checker.check({ ...json('GET', '/operators/me', 200, {}), body: '{' });
    expect(notJson!.errors[0]).toMatch(/not JSON/);

    const wrongMethod = checker.check(json('DELETE', '/orders/p-1', 200, {}));
    expect(wrongMethod!.errors[0]).toMatch(/no operation DELETE \/orders\/\{paymentRequestId\}/);
  });

  it('leaves responses to paths that are not ours (the simulator) alone', () => {
    expect(checker.check(json('GET', '/sim/truths', 200, []))).toBeUndefined();
    expect(checker.covers(`${base}/aps/api/v1/payments/inquiryPayment`)).toBe(false);
  });

  it('checks the responses fetch receives, and the caller still reads the body', async () => {
    const server: Server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.url === '/operators/me' ? { name: 'ana', role: 'admin' } : summary));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const results: ConformanceResult[] = [];
    const checked = conformingFetch(fetch, new OpenApiConformance(), (r) => results.push(r));
    try {
      expect(await (await checked(`${url}/orders/summary`)).json()).toEqual(summary);
      const me = await checked(`${url}/operators/me`, { method: 'GET' });
      expect(await me.json()).toEqual({ name: 'ana', role: 'admin' });
      await checked(`${url}/sim/stats`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(results.map((r) => r.exercised)).toEqual(['GET /orders/summary 200', 'GET /operators/me 200']);
    expect(results[0].errors).toEqual([]);
    expect(results[1].errors[0]).toMatch(/GET \/operators\/me → 200: the body does not match[\s\S]*\/role/);
  });
});

describe('the OpenAPI document covers every route the controllers declare', () => {
  const observability = ObservabilityModule.forRoot({
    metrics: new ServiceMetrics('t'),
    probes: new ServiceProbes({ live: [], ready: [] }),
  }).controllers![0];
  const controllers = [
    OrdersController,
    AnomaliesController,
    OperatorsController,
    ExceptionsController,
    ConsoleController,
    DeadLettersController,
    InquiriesController,
    NotifyController,
    observability,
  ];

  it('has an operation for each route, and no operation without a route', () => {
    const declared = new Set<string>();
    for (const controller of controllers) {
      const prefix = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const proto = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const route = [prefix, String(Reflect.getMetadata(PATH_METADATA, handler))]
          .join('/')
          .split('/')
          .filter(Boolean)
          .map((s) => (s.startsWith(':') ? `{${s.slice(1)}}` : s))
          .join('/');
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number].toLowerCase();
        declared.add(`${method} /${route}`);
      }
    }
    const documented = Object.entries(publishedOpenApi().paths as Record<string, object>).flatMap(
      ([p, item]) => Object.keys(item).map((m) => `${m} ${p}`),
    );
    expect([...declared].sort()).toEqual(documented.sort());
  });
});
