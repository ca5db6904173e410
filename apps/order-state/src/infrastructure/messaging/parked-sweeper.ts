import { Logger } from '@nestjs/common';
import { ApplyObservationsUseCase } from '../../application/apply-observations.use-case';

/**
 * A result can be parked by a transaction that commits just after its order's registration looked for
 * parked results. The next result for that order applies it; this sweeper covers orders that get no
 * further result. Safe in every replica: it works under the same row locks as the consumer.
 */
export class ParkedSweeper {
  private readonly logger = new Logger(ParkedSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly useCase: ApplyObservationsUseCase,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.useCase
        .applyStrandedParked()
        .then((n) => {
          if (n > 0) this.logger.log(`applied parked results of ${n} order(s) registered meanwhile`);
        })
        .catch((err: Error) => this.logger.warn(`parked sweep failed, next round retries: ${err.message}`))
        .finally(() => (this.running = undefined));
    }, this.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
