import { Body, Controller, Get, Module, NotFoundException, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { z } from 'zod';
import { OperatorApiErrorsFilter } from './operator-api-errors.filter';
import { parseOrThrow } from './operator-params';

@Controller('things')
class ThingsController {
  readonly created: unknown[] = [];

  @Post()
  create(@Body() body: unknown) {
    const thing = parseOrThrow(z.object({ name: z.string().min(1) }), body);
    this.created.push(thing);
    return thing;
  }

  @Get('missing')
  missing() {
    throw new NotFoundException({ code: 'ORDER_NOT_EXIST', message: 'no order x' });
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

describe('OperatorApiErrorsFilter: every refusal has a code, whoever refused', () => {
  let app: NestFastifyApplication;
  let things: ThingsController;
  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(
      ThingsModule,
      new FastifyAdapter({ bodyLimit: 256 }),
      {
        logger: false,
      },
    );
    app.useGlobalFilters(new OperatorApiErrorsFilter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    things = app.get(ThingsController);
  });
  afterAll(() => app.close());
  const post = (payload: string, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/things', headers: { 'content-type': contentType }, payload });

  it.each([
    ['a body that is not JSON', () => post('{"name":'), 400, 'PARAM_ILLEGAL'],
    ['a body over the limit', () => post(JSON.stringify({ name: 'x'.repeat(300) })), 413, 'BODY_TOO_LARGE'],
    ['another media type', () => post('name=x', 'text/csv'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['an unknown route', () => app.inject({ method: 'GET', url: '/nowhere' }), 404, 'NOT_FOUND'],
  ])('%s: {code, message} and nothing created', async (_what, send, status, code) => {
    const res = await send();
    expect(res.statusCode).toBe(status);
    const body = res.json();
    expect(body).toEqual({ code, message: expect.any(String) });
    expect(body.message.length).toBeGreaterThan(0);
    expect(things.created).toEqual([]);
  });

  it("keeps a controller's own code and body as they are", async () => {
    const bad = await post(JSON.stringify({ name: '' }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ code: 'PARAM_ILLEGAL', message: expect.stringContaining('name') });
    const missing = await app.inject({ method: 'GET', url: '/things/missing' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ code: 'ORDER_NOT_EXIST', message: 'no order x' });
    expect((await post(JSON.stringify({ name: 'ok' }))).statusCode).toBe(201);
    expect(things.created).toEqual([{ name: 'ok' }]);
  });
});
