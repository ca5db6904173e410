import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ExceptionEventV1 } from '@app/contracts';
import { exceptionCommand } from '../domain/exception-commands';
import { PollingLoop } from './polling-loop';
import { POLLER_SETTINGS, PollerSettings } from './poller-settings';
import { ScheduleRepository } from './ports';

/**
 * payments.exceptions.v1 (order-state's exceptions): a reversal to send (PAID_AFTER_CLOSE, or a
 * person's `reverse`) or a re-inquiry a person asked for (domain/exception-commands). Each moves the
 * order's schedule row; the claim loop then makes the call with the usual rules.
 */
@Injectable()
export class HandleExceptionEventsUseCase {
  private readonly logger = new Logger('HandleExceptionEvents');

  constructor(
    @Inject(POLLER_SETTINGS) private readonly settings: PollerSettings,
    private readonly schedule: ScheduleRepository,
    private readonly loop: PollingLoop,
  ) {}

  async execute(events: readonly ExceptionEventV1[]): Promise<number> {
    let applied = 0;
    for (const event of events) {
      const command = exceptionCommand(event);
      if (!command) continue;
      const now = this.settings.now();
      const id = command.paymentRequestId;
      const result =
        command.kind === 'reverse'
          ? await this.schedule.requestReversal(id, command.reversalKey, now)
          : await this.schedule.reinquire(id, now);
      if (result === 'applied') {
        applied++;
        this.logger.warn(
          command.kind === 'reverse'
            ? `${id}: REVERSAL ${command.reversalKey} requested by exception ${event.exceptionId} (${event.type} ${event.reason}${event.resolution ? `/${event.resolution}` : ''}); sending a cancel`
            : `${id}: re-inquiry requested by exception ${event.exceptionId}`,
        );
      } else if (result === 'not-found') {
        this.logger.error(
          `${id}: exception ${event.exceptionId} asks for a ${command.kind}, but the poller has no row for the order; a person must act`,
        );
      } else {
        this.logger.log(
          `${id}: exception ${event.exceptionId} ${command.kind} already applied or not applicable now`,
        );
      }
    }
    if (applied > 0) this.loop.wake();
    return applied;
  }
}
