import { Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics } from '@app/contracts';
import { BatchConsumers } from '@app/kafka';
import type { DecodedMessage } from '@app/kafka';
import { ApplyObservationsUseCase } from '../../application/apply-observations.use-case';
import { RegisterOrdersUseCase } from '../../application/register-orders.use-case';

/**
 * Kafka entry points. Each handler gets the validated batches one fetch returned for its topic, of
 * one or several partitions, each partition's messages in order (KafkaBatchTransport with
 * mergePartitions), and applies them in one transaction; offsets are committed after it returns.
 */
@BatchConsumers()
export class OrderStateConsumers {
  private readonly logger = new Logger(OrderStateConsumers.name);

  constructor(
    private readonly applyObservations: ApplyObservationsUseCase,
    private readonly registerOrders: RegisterOrdersUseCase,
  ) {}

  @EventPattern(Topics.resultObserved)
  async onResultObserved(@Payload() batch: DecodedMessage<typeof Topics.resultObserved>[]): Promise<void> {
    const summary = await this.applyObservations.execute(batch.map((m) => m.event));
    this.logger.debug?.(`${Topics.resultObserved}${offsetRanges(batch)}: ${JSON.stringify(summary)}`);
  }

  @EventPattern(Topics.orderCommands)
  async onOrderCommands(@Payload() batch: DecodedMessage<typeof Topics.orderCommands>[]): Promise<void> {
    await this.applyObservations.applyCancelCommands(
      batch.map(({ event }) => ({
        paymentRequestId: event.paymentRequestId,
        clientId: event.clientId,
        dialect: event.dialect,
        reason: event.reason,
      })),
    );
  }

  @EventPattern(Topics.orderRegistered)
  async onOrderRegistered(@Payload() batch: DecodedMessage<typeof Topics.orderRegistered>[]): Promise<void> {
    const outcomes = await this.registerOrders.execute(
      batch.map(({ event }) => ({
        eventId: event.eventId,
        paymentRequestId: event.paymentRequestId,
        clientId: event.clientId,
        orderNo: event.orderNo,
        dialect: event.dialect,
        amount: event.amount,
        paymentExpiryTime: event.paymentExpiryTime,
        occurredAt: event.occurredAt,
      })),
    );
    for (const o of outcomes) {
      if (o.kind === 'conflict') {
        this.logger.warn(
          `registration of ${o.paymentRequestId} conflicts with the stored order (${o.differences.join(', ')}); recorded as an anomaly`,
        );
      }
    }
  }
}

/** `[3]@10..12 [5]@7..7`: the offsets a merged batch covers, per partition. */
function offsetRanges(batch: readonly { partition: number; offset: string }[]): string {
  const ranges = new Map<number, [string, string]>();
  for (const { partition, offset } of batch) {
    const range = ranges.get(partition);
    if (range) range[1] = offset;
    else ranges.set(partition, [offset, offset]);
  }
  return [...ranges].map(([p, [first, last]]) => `[${p}]@${first}..${last}`).join(' ');
}
