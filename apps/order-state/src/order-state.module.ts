import { ConsumerHealth } from '@app/kafka';
import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { orderStateDataSourceOptions } from './infrastructure/persistence/data-source';
import { ApplyObservationsUseCase } from './application/apply-observations.use-case';
import { RegisterOrdersUseCase } from './application/register-orders.use-case';
import { OrderQueries } from './application/order-queries';
import { OrdersController } from './infrastructure/http/orders.controller';
import { ExceptionsController } from './infrastructure/http/exceptions.controller';
import { ExceptionsUseCase } from './application/exceptions.use-case';
import { OrderStateConsumers } from './infrastructure/messaging/order-state.consumers';
import { ORDER_STATE_CONFIG, OrderStateConfig } from './config';

@Module({})
export class OrderStateModule {
  static forRoot(config: OrderStateConfig): DynamicModule {
    return {
      module: OrderStateModule,
      imports: [TypeOrmModule.forRoot(orderStateDataSourceOptions(config.DATABASE_URL, config.DB_POOL_SIZE))],
      controllers: [OrdersController, ExceptionsController, OrderStateConsumers],
      providers: [
        { provide: ORDER_STATE_CONFIG, useValue: config },
        ApplyObservationsUseCase,
        RegisterOrdersUseCase,
        ExceptionsUseCase,
        OrderQueries,
        ConsumerHealth,
      ],
    };
  }
}
