import {
  Controller,
  DynamicModule,
  Get,
  Header,
  HttpException,
  HttpStatus,
  Module,
  Type,
} from '@nestjs/common';
import { Registry } from 'prom-client';
import { ServiceMetrics } from './metrics';
import { ProbeResult, ServiceProbes } from './probes';

export interface ObservabilityOptions {
  readonly metrics: ServiceMetrics;
  readonly probes: ServiceProbes;
  /** Extra fields for the probe bodies (instance id, partners, counters): for people, not for Kubernetes. */
  readonly details?: () => Record<string, unknown>;
}

/**
 * `GET /metrics` (Prometheus text format), `GET /health/live`, `GET /health/ready` and `GET /health`
 * (an alias of ready, kept for existing checks). A failed probe answers 503 with the first failure
 * as `code` and all of them as `failures`.
 */
function observabilityController(options: ObservabilityOptions): Type<unknown> {
  const answer = (result: ProbeResult) => {
    const body = { ...(options.details?.() ?? {}), failures: result.failures };
    if (result.ok) return { status: 'ok', ...body };
    throw new HttpException(
      { status: 'unavailable', code: result.failures[0], ...body },
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  };

  @Controller()
  class ObservabilityController {
    @Get('metrics')
    @Header('content-type', Registry.PROMETHEUS_CONTENT_TYPE)
    async metrics(): Promise<string> {
      return (await options.metrics.render()).body;
    }

    @Get('health/live')
    async live() {
      return answer(await options.probes.live());
    }

    @Get('health/ready')
    async ready() {
      return answer(await options.probes.ready());
    }

    @Get('health')
    async health() {
      return answer(await options.probes.ready());
    }
  }
  return ObservabilityController;
}

@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [observabilityController(options)],
      providers: [
        { provide: ServiceMetrics, useValue: options.metrics },
        { provide: ServiceProbes, useValue: options.probes },
      ],
      exports: [ServiceMetrics, ServiceProbes],
    };
  }
}
