import { DynamicModule, Module } from '@nestjs/common';
import { ReceiveNotificationUseCase } from './application/receive-notification.use-case';
import { NotifyController } from './infrastructure/http/notify.controller';
import { HealthController } from './infrastructure/http/health.controller';

@Module({})
export class NotifyGatewayModule {
  static forRoot(receive: ReceiveNotificationUseCase): DynamicModule {
    return {
      module: NotifyGatewayModule,
      controllers: [NotifyController, HealthController],
      providers: [{ provide: ReceiveNotificationUseCase, useValue: receive }],
    };
  }
}
