import { Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics } from '@app/contracts';
import { BatchConsumers } from '@app/kafka';
import type { DecodedMessage } from '@app/kafka';
import { DeadLetterArchive } from './dead-letter-archive';

/** Keeps every letter of `payments.dlq.v1` in the archive (offsets are committed after the insert). */
@BatchConsumers()
export class DeadLettersConsumers {
  private readonly logger = new Logger('DeadLetters');

  constructor(private readonly archive: DeadLetterArchive) {}

  @EventPattern(Topics.dlq)
  async onDeadLetters(@Payload() batch: DecodedMessage<typeof Topics.dlq>[]): Promise<void> {
    const fresh = await this.archive.record(batch.map((m) => m.event));
    if (fresh > 0) this.logger.warn(`${fresh} new dead letter(s) archived: GET /dead-letters lists them`);
  }
}
