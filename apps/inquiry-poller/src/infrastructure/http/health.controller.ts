import { Controller, Get, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { ConsumerHealth } from '@app/kafka';
import { PollerMetrics } from '../../application/poller-metrics';
import { POLLER_SETTINGS, PollerSettings } from '../../application/poller-settings';
import { PollingLoop } from '../../application/polling-loop';
import { ScheduleRepository } from '../../application/ports';

/** A loop that has not finished a cycle for this long is stuck (a cycle is a few queries). */
const STALLED_AFTER_MS = 60_000;

@Controller()
export class HealthController {
  constructor(
    @Inject(POLLER_SETTINGS) private readonly settings: PollerSettings,
    private readonly schedule: ScheduleRepository,
    private readonly loop: PollingLoop,
    private readonly metrics: PollerMetrics,
    private readonly consumer: ConsumerHealth,
  ) {}

  /**
   * 200 while the database answers, the status-changed consumer consumes and the claim loop turns;
   * 503 with the reason otherwise.
   */
  @Get('health')
  async health() {
    const body = {
      instance: this.settings.instanceId,
      partners: this.settings.targets.map((t) => t.key),
      callsInFlight: this.loop.callsInFlight,
      ...this.metrics.snapshot(),
    };
    const unavailable = (reason: string) =>
      new HttpException({ status: 'unavailable', code: reason, ...body }, HttpStatus.SERVICE_UNAVAILABLE);
    try {
      await this.schedule.ping();
    } catch {
      throw unavailable('DATABASE_UNAVAILABLE');
    }
    // Without the consumer no order is scheduled or ended any more.
    if (this.consumer.failure !== null) throw unavailable('CONSUMER_STOPPED');
    const last = this.metrics.lastCycleAt;
    if (!this.loop.isRunning || (last !== null && this.settings.now() - last > STALLED_AFTER_MS)) {
      throw unavailable('POLLING_STALLED');
    }
    return { status: 'ok', ...body };
  }
}
