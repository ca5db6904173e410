import { Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics } from '@app/contracts';
import { BatchConsumers } from '@app/kafka';
import type { DecodedMessage } from '@app/kafka';
import { ApplyStatusChangesUseCase } from '../../application/apply-status-changes.use-case';
import { HandleExceptionEventsUseCase } from '../../application/handle-exception-events.use-case';
import { TriggerInquiryUseCase } from '../../application/trigger-inquiry.use-case';

/**
 * Kafka entry points. Each handler gets a validated batch (KafkaBatchTransport): one partition's, or
 * the small batches of several partitions of one fetch merged (mergePartitions), each partition's
 * messages in order. It applies it in one transaction; offsets are committed after it returns
 * (design.md §6). A payment's events share a partition (keyed by paymentRequestId), so their order holds.
 */
@BatchConsumers()
export class InquiryPollerConsumers {
  private readonly logger = new Logger(InquiryPollerConsumers.name);

  constructor(
    private readonly applyStatusChanges: ApplyStatusChangesUseCase,
    private readonly triggerInquiry: TriggerInquiryUseCase,
    private readonly exceptions: HandleExceptionEventsUseCase,
  ) {}

  @EventPattern(Topics.statusChanged)
  async onStatusChanged(@Payload() batch: DecodedMessage<typeof Topics.statusChanged>[]): Promise<void> {
    const summary = await this.applyStatusChanges.execute(batch.map((m) => m.event));
    this.logger.debug?.(
      `${Topics.statusChanged}: ${batch.length} event(s) from partition(s) ${[...new Set(batch.map((m) => m.partition))].join(',')}: ${JSON.stringify(summary)}`,
    );
  }

  @EventPattern(Topics.inquiryHint)
  async onInquiryHint(@Payload() batch: DecodedMessage<typeof Topics.inquiryHint>[]): Promise<void> {
    const moved = await this.triggerInquiry.hint(batch.map((m) => m.event));
    this.logger.log(`${batch.length} inquiry hint(s): ${moved} order(s) made due now, the rest ignored`);
  }

  @EventPattern(Topics.exceptions)
  async onExceptions(@Payload() batch: DecodedMessage<typeof Topics.exceptions>[]): Promise<void> {
    const applied = await this.exceptions.execute(batch.map((m) => m.event));
    if (applied > 0)
      this.logger.log(`${batch.length} exception event(s): ${applied} order(s) to cancel or inquire`);
  }
}
