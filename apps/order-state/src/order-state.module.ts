import { ConsumerHealth } from '@app/kafka';
import { DynamicModule, Module, Provider } from '@nestjs/common';
import {
  DeadLetterArchive,
  DeadLetterReplayer,
  DeadLettersConsumers,
  DeadLettersController,
  ReplayPublisher,
} from '@app/dead-letters';
import { ObservabilityModule, ServiceMetrics, ServiceProbes } from '@app/observability';
import { OPERATOR_AUTH_CONFIG, OperatorAuthConfig } from '@app/operator-auth';
import { OrderRepository, OutcomeRecorder } from './application/ports';
import { ConsoleController } from './infrastructure/console/console.controller';
import { OrderStateMetrics } from './infrastructure/metrics/order-state-metrics';
import { TypeOrmModule } from '@nestjs/typeorm';
import { orderStateDataSourceOptions } from './infrastructure/persistence/data-source';
import { ApplyObservationsUseCase } from './application/apply-observations.use-case';
import { RegisterOrdersUseCase } from './application/register-orders.use-case';
import { OrderQueries } from './application/order-queries';
import { OrdersController } from './infrastructure/http/orders.controller';
import { AnomaliesController } from './infrastructure/http/anomalies.controller';
import { OperatorsController } from './infrastructure/http/operators.controller';
import { ExceptionsController } from './infrastructure/http/exceptions.controller';
import { ExceptionsUseCase } from './application/exceptions.use-case';
import { OrderStateConsumers } from './infrastructure/messaging/order-state.consumers';
import { PostgresOrderQueries } from './infrastructure/persistence/postgres-order-queries';
import { PostgresOrderRepository } from './infrastructure/persistence/postgres-order-repository';
import { ORDER_STATE_CONFIG, OrderStateConfig } from './config';

@Module({})
export class OrderStateModule {
  static forRoot(
    config: OrderStateConfig,
    ops: { metrics: ServiceMetrics; probes: ServiceProbes; auth: OperatorAuthConfig },
    /**
     * Bindings that replace the ones above by token (they come last), e.g. a test's decorator of a
     * port. None in production.
     */
    overrides: readonly Provider[] = [],
  ): DynamicModule {
    return {
      module: OrderStateModule,
      imports: [
        TypeOrmModule.forRoot(orderStateDataSourceOptions(config.DATABASE_URL, config.DB_POOL_SIZE)),
        // GET /metrics, /health/live, /health/ready and /health (libs/observability).
        ObservabilityModule.forRoot({ metrics: ops.metrics, probes: ops.probes }),
      ],
      controllers: [
        OrdersController,
        AnomaliesController,
        OperatorsController,
        ExceptionsController,
        DeadLettersController,
        ConsoleController,
        OrderStateConsumers,
        DeadLettersConsumers,
      ],
      providers: [
        { provide: ORDER_STATE_CONFIG, useValue: config },
        { provide: OPERATOR_AUTH_CONFIG, useValue: ops.auth },
        OrderStateMetrics,
        { provide: OutcomeRecorder, useExisting: OrderStateMetrics },
        DeadLetterArchive,
        DeadLetterReplayer,
        ReplayPublisher,
        ApplyObservationsUseCase,
        RegisterOrdersUseCase,
        ExceptionsUseCase,
        { provide: OrderRepository, useClass: PostgresOrderRepository },
        { provide: OrderQueries, useClass: PostgresOrderQueries },
        ConsumerHealth,
        ...overrides,
      ],
    };
  }
}
