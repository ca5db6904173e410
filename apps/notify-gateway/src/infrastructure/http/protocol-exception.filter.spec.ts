import { Controller, Get, HttpException, HttpStatus, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { ProtocolExceptionFilter } from './protocol-exception.filter';

@Controller()
class ProbeLikeController {
  @Get('health/ready')
  ready() {
    throw new HttpException(
      { status: 'unavailable', code: 'KAFKA_UNAVAILABLE', failures: ['KAFKA_UNAVAILABLE'] },
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }

  @Get('boom')
  boom() {
    throw new Error('a bug');
  }
}

@Module({ controllers: [ProbeLikeController] })
class ProbeLikeModule {}

describe('ProtocolExceptionFilter', () => {
  let app: NestFastifyApplication;
  const errors: string[] = [];
  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation((m: unknown) => void errors.push(String(m)));
    app = await NestFactory.create<NestFastifyApplication>(ProbeLikeModule, new FastifyAdapter(), {
      logger: false,
    });
    app.useGlobalFilters(new ProtocolExceptionFilter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app.close();
    jest.restoreAllMocks();
  });

  it("leaves a failing probe's coded 503 body as it is, and logs no internal error", async () => {
    errors.length = 0;
    const res = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      status: 'unavailable',
      code: 'KAFKA_UNAVAILABLE',
      failures: ['KAFKA_UNAVAILABLE'],
    });
    expect(errors).toEqual([]);
  });

  it('still answers an internal error with the protocol U, logged', async () => {
    errors.length = 0;
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      result: { resultCode: 'UNKNOWN_EXCEPTION', resultStatus: 'U', resultMessage: 'internal error' },
    });
    expect(errors).toHaveLength(1);
  });

  it('answers an unknown route with the protocol F NO_INTERFACE_DEF', async () => {
    const res = await app.inject({ method: 'POST', url: '/nowhere/notify' });
    expect(res.statusCode).toBe(404);
    expect(res.json().result).toMatchObject({ resultCode: 'NO_INTERFACE_DEF', resultStatus: 'F' });
  });
});
