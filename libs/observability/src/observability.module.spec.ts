import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { ServiceMetrics } from './metrics';
import { ObservabilityModule } from './observability.module';
import { ServiceProbes } from './probes';

describe('ObservabilityModule (GET /metrics, /health/live, /health/ready, /health)', () => {
  let app: NestFastifyApplication;
  let databaseUp = true;
  const metrics = new ServiceMetrics('test-service');
  const probes = new ServiceProbes({
    live: [{ code: 'EVENT_LOOP_BLOCKED', check: () => true }],
    ready: [{ code: 'DATABASE_UNAVAILABLE', check: () => databaseUp }],
  });

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(
      ObservabilityModule.forRoot({ metrics, probes, details: () => ({ instance: 'i-1' }) }),
      new FastifyAdapter(),
      { logger: false },
    );
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  const get = (url: string) => app.getHttpAdapter().getInstance().inject({ method: 'GET', url });

  it('serves the process defaults and the service metrics in the Prometheus text format', async () => {
    metrics.counter('things_done_total', 'Things done.', ['kind']).inc({ kind: 'a' }, 3);
    const res = await get('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain('things_done_total{kind="a",service="test-service"} 3');
    expect(res.body).toContain('process_cpu_seconds_total');
    expect(res.body).toContain('nodejs_eventloop_lag_seconds');
  });

  it('declares a metric once: a second declaration gets the first', () => {
    const a = metrics.counter('same_total', 'x');
    expect(metrics.counter('same_total', 'x')).toBe(a);
  });

  it('answers ready and live with 200 while healthy, and /health as an alias of ready', async () => {
    for (const url of ['/health/live', '/health/ready', '/health']) {
      const res = await get(url);
      expect([url, res.statusCode]).toEqual([url, 200]);
      expect(res.json()).toMatchObject({ status: 'ok', instance: 'i-1', failures: [] });
    }
  });

  it('answers 503 with the failing code on readiness only when the database is down', async () => {
    databaseUp = false;
    try {
      const ready = await get('/health/ready');
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ status: 'unavailable', code: 'DATABASE_UNAVAILABLE' });
      expect((await get('/health')).statusCode).toBe(503);
      expect((await get('/health/live')).statusCode).toBe(200);
    } finally {
      databaseUp = true;
    }
  });

  it('turns not-ready with SHUTTING_DOWN once draining starts', async () => {
    probes.startDraining();
    const ready = await get('/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ code: 'SHUTTING_DOWN' });
    expect((await get('/health/live')).statusCode).toBe(200);
  });
});
