import { Logger } from '@nestjs/common';
import { ExceptionsUseCase } from '../../application/exceptions.use-case';

export interface ExceptionSweeperOptions {
  intervalMs: number;
  unregisteredGraceMs: number;
  stuckAfterExpiryMs: number;
}

/**
 * Opens the exceptions that no observation brings (issue 11): results parked for an order never
 * registered (row 15) and orders non-final past their expiry plus the last cancel retry. Safe in every
 * replica: one round runs at a time (an advisory lock), under the orders' row locks.
 */
export class ExceptionSweeper {
  private readonly logger = new Logger(ExceptionSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly useCase: ExceptionsUseCase,
    private readonly options: ExceptionSweeperOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep()
        .catch((err: Error) => this.logger.warn(`exception sweep failed, next round retries: ${err.message}`))
        .finally(() => (this.running = undefined));
    }, this.options.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async sweep(): Promise<void> {
    const unregistered = await this.useCase.sweepUnregistered(this.options.unregisteredGraceMs);
    if (unregistered > 0)
      this.logger.warn(`${unregistered} unregistered-result exception(s) opened or closed`);
    const stuck = await this.useCase.sweepStuck(this.options.stuckAfterExpiryMs);
    if (stuck > 0) this.logger.warn(`${stuck} order(s) stuck past their expiry: STUCK_PAST_EXPIRY opened`);
  }
}
