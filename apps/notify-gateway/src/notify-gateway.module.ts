import { DynamicModule, Module } from '@nestjs/common';
import { ObservabilityModule, ServiceProbes } from '@app/observability';
import { ReceiveNotificationUseCase } from './application/receive-notification.use-case';
import { NotifyController } from './infrastructure/http/notify.controller';
import { GatewayMetrics } from './infrastructure/metrics/gateway-metrics';
import { Draining } from './infrastructure/http/draining';

@Module({})
export class NotifyGatewayModule {
  static forRoot(
    receive: ReceiveNotificationUseCase,
    metrics: GatewayMetrics,
    probes: ServiceProbes,
    draining: Draining,
  ): DynamicModule {
    return {
      module: NotifyGatewayModule,
      // GET /metrics, /health/live, /health/ready and /health (libs/observability).
      imports: [ObservabilityModule.forRoot({ metrics: metrics.metrics, probes })],
      controllers: [NotifyController],
      providers: [
        { provide: ReceiveNotificationUseCase, useValue: receive },
        { provide: GatewayMetrics, useValue: metrics },
        { provide: Draining, useValue: draining },
      ],
    };
  }
}
