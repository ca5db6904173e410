import { ConsumerHealth } from '@app/kafka';
import { DynamicModule, Module } from '@nestjs/common';
import { ObservabilityOptions, ObservabilityModule } from '@app/observability';
import { OPERATOR_AUTH_CONFIG, OperatorAuthConfig } from '@app/operator-auth';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApplyStatusChangesUseCase } from './application/apply-status-changes.use-case';
import { CompletionWriter } from './application/completion-writer';
import { HandleExceptionEventsUseCase } from './application/handle-exception-events.use-case';
import { PollerMetrics } from './application/poller-metrics';
import { POLLER_SETTINGS, PollerSettings } from './application/poller-settings';
import { PollingLoop } from './application/polling-loop';
import { PartnerApi, ResultPublisher, ScheduleRepository } from './application/ports';
import { ProcessClaimedOrderUseCase } from './application/process-claimed-order.use-case';
import { TriggerInquiryUseCase } from './application/trigger-inquiry.use-case';
import { InquiriesController } from './infrastructure/http/inquiries.controller';
import { InquiryPollerConsumers } from './infrastructure/messaging/inquiry-poller.consumers';
import { inquiryPollerDataSourceOptions } from './infrastructure/persistence/data-source';
import { InquiryScheduleRepository } from './infrastructure/persistence/inquiry-schedule.repository';

export interface InquiryPollerModuleOptions {
  databaseUrl: string;
  dbPoolSize: number;
  settings: PollerSettings;
  partnerApi: PartnerApi;
  publisher: ResultPublisher;
  metrics: PollerMetrics;
  /** GET /metrics and the probes (libs/observability). */
  observability: ObservabilityOptions;
  auth: OperatorAuthConfig;
}

@Module({})
export class InquiryPollerModule {
  static forRoot(options: InquiryPollerModuleOptions): DynamicModule {
    return {
      module: InquiryPollerModule,
      imports: [
        TypeOrmModule.forRoot(inquiryPollerDataSourceOptions(options.databaseUrl, options.dbPoolSize)),
        ObservabilityModule.forRoot(options.observability),
      ],
      controllers: [InquiriesController, InquiryPollerConsumers],
      providers: [
        { provide: OPERATOR_AUTH_CONFIG, useValue: options.auth },
        { provide: POLLER_SETTINGS, useValue: options.settings },
        { provide: PartnerApi, useValue: options.partnerApi },
        { provide: ResultPublisher, useValue: options.publisher },
        { provide: PollerMetrics, useValue: options.metrics },
        { provide: ScheduleRepository, useClass: InquiryScheduleRepository },
        ProcessClaimedOrderUseCase,
        CompletionWriter,
        PollingLoop,
        ApplyStatusChangesUseCase,
        TriggerInquiryUseCase,
        HandleExceptionEventsUseCase,
        ConsumerHealth,
      ],
    };
  }
}
