import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { Controller, Get, Module, Post, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError } from '@app/config';
import { maySeeRawBodies, OPERATOR_AUTH_CONFIG, operatorOf, RequireRole } from './operator-auth.guard';
import { loadOperatorAuth, OperatorAuthConfig } from './operator-tokens';

const VIEWER = 'viewer-token-0123456789abcdef';
const OPERATOR = 'operator-token-0123456789abcdef';
const TOKENS = JSON.stringify([
  { name: 'ana', token: VIEWER, role: 'viewer' },
  { name: 'ops-bot', token: OPERATOR, role: 'operator' },
]);

describe('loadOperatorAuth', () => {
  it('reads tokens from OPERATOR_TOKENS_JSON or OPERATOR_TOKENS_FILE', () => {
    const fromJson = loadOperatorAuth('t', { OPERATOR_TOKENS_JSON: TOKENS });
    expect(fromJson).toEqual({ mode: 'tokens', tokens: JSON.parse(TOKENS) });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tokens-')), 'tokens.json');
    writeFileSync(file, TOKENS);
    expect(loadOperatorAuth('t', { OPERATOR_TOKENS_FILE: file })).toEqual(fromJson);
  });

  it('refuses to start with no token, unless OPERATOR_AUTH=disabled', () => {
    expect(() => loadOperatorAuth('t', {})).toThrow(
      /OPERATOR_TOKENS_FILE or OPERATOR_TOKENS_JSON is required/,
    );
    expect(loadOperatorAuth('t', { OPERATOR_AUTH: 'disabled' })).toEqual({ mode: 'disabled' });
    expect(() => loadOperatorAuth('t', { OPERATOR_AUTH: 'off' })).toThrow(/OPERATOR_AUTH is invalid/);
  });

  it('names the setting and the problem, never a token value', () => {
    const short = JSON.stringify([{ name: 'x', token: 'short-secret', role: 'admin' }]);
    let error: ConfigError | undefined;
    try {
      loadOperatorAuth('t', { OPERATOR_TOKENS_JSON: short });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message).toMatch(/OPERATOR_TOKENS_JSON is invalid at 0\.token: at least 24/);
    expect(error!.message).toMatch(/0\.role/);
    expect(error!.message).not.toContain('short-secret');
    expect(() => loadOperatorAuth('t', { OPERATOR_TOKENS_JSON: '{' })).toThrow(
      /OPERATOR_TOKENS_JSON is invalid/,
    );
    expect(() => loadOperatorAuth('t', { OPERATOR_TOKENS_FILE: '/nonexistent/tokens.json' })).toThrow(
      /ENOENT/,
    );
    expect(() => loadOperatorAuth('t', { OPERATOR_TOKENS_JSON: TOKENS, OPERATOR_TOKENS_FILE: 'f' })).toThrow(
      /both set/,
    );
    const dup = JSON.stringify([
      { name: 'a', token: VIEWER, role: 'viewer' },
      { name: 'a', token: OPERATOR, role: 'operator' },
    ]);
    expect(() => loadOperatorAuth('t', { OPERATOR_TOKENS_JSON: dup })).toThrow(/"a" is used twice/);
  });
});

@Controller('things')
class ThingsController {
  @Get()
  @RequireRole('viewer')
  list(@Req() req: unknown) {
    return { by: operatorOf(req).name, raw: maySeeRawBodies(req) };
  }

  @Post()
  @RequireRole('operator')
  act(@Req() req: unknown) {
    return { by: operatorOf(req).name };
  }
}

async function appWith(config: OperatorAuthConfig): Promise<NestFastifyApplication> {
  @Module({
    controllers: [ThingsController],
    providers: [{ provide: OPERATOR_AUTH_CONFIG, useValue: config }],
  })
  class TestModule {}
  const app = await NestFactory.create<NestFastifyApplication>(TestModule, new FastifyAdapter(), {
    logger: false,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe('RequireRole guard', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await appWith(loadOperatorAuth('t', { OPERATOR_TOKENS_JSON: TOKENS }));
  });
  afterAll(() => app.close());

  const call = (method: 'GET' | 'POST', token?: string) =>
    app
      .getHttpAdapter()
      .getInstance()
      .inject({ method, url: '/things', headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('refuses a request without a token, or with an unknown one, with 401 UNAUTHENTICATED', async () => {
    for (const token of [undefined, 'not-a-known-token-at-all-000']) {
      const res = await call('GET', token);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
  });

  it('lets a viewer read without raw bodies, and refuses its actions with 403 FORBIDDEN', async () => {
    const read = await call('GET', VIEWER);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual({ by: 'ana', raw: false });
    const act = await call('POST', VIEWER);
    expect(act.statusCode).toBe(403);
    expect(act.json()).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('lets an operator read everything and act, recorded under the token name', async () => {
    expect((await call('GET', OPERATOR)).json()).toEqual({ by: 'ops-bot', raw: true });
    const act = await call('POST', OPERATOR);
    expect(act.statusCode).toBe(201);
    expect(act.json()).toEqual({ by: 'ops-bot' });
  });

  it('admits everyone as "anonymous" only when auth is disabled explicitly', async () => {
    const open = await appWith({ mode: 'disabled' });
    try {
      const res = await open.getHttpAdapter().getInstance().inject({ method: 'POST', url: '/things' });
      expect(res.json()).toEqual({ by: 'anonymous' });
    } finally {
      await open.close();
    }
  });
});
