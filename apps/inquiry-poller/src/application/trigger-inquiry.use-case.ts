import { Inject, Injectable, Logger } from '@nestjs/common';
import type { InquiryHintV1 } from '@app/contracts';
import { PollingLoop } from './polling-loop';
import { POLLER_SETTINGS, PollerSettings } from './poller-settings';
import { ForceInquiryResult, ScheduleRepository } from './ports';

/**
 * Inquiries on demand (issue 4 point 6). Both only ever move an existing row's due time forward: the
 * inquiry that follows is the usual signed, verified one, so an unverified hint can cause a signed
 * question but never a state change (design.md §7).
 */
@Injectable()
export class TriggerInquiryUseCase {
  private readonly logger = new Logger('TriggerInquiry');

  constructor(
    @Inject(POLLER_SETTINGS) private readonly settings: PollerSettings,
    private readonly schedule: ScheduleRepository,
    private readonly loop: PollingLoop,
  ) {}

  /** An operator asks for an inquiry now. */
  async force(paymentRequestId: string): Promise<ForceInquiryResult> {
    const result = await this.schedule.forceInquiry(paymentRequestId, this.settings.now());
    if (result.kind === 'scheduled') {
      this.logger.log(`${paymentRequestId}: inquiry forced by an operator`);
      this.loop.wake();
    }
    return result;
  }

  /**
   * payments.inquiry-hint.v1 (the gateway saw a notification it could not verify): orders we poll
   * are made due now, but never closer than HINT_MIN_GAP_MS to their previous inquiry, and at most
   * once per order, so forged notifications can neither flood the partner nor spend an order's
   * inquiry budget (MAX_INQUIRIES) and bring its cancel forward. A hint names the partner; orders of
   * another partner, and unknown orders, are ignored.
   */
  async hint(hints: readonly InquiryHintV1[]): Promise<number> {
    const moved = await this.schedule.hintInquiry(
      hints.map((h) => ({ paymentRequestId: h.paymentRequestId, clientId: h.clientId, dialect: h.dialect })),
      this.settings.now(),
      this.settings.hintMinGapMs,
    );
    if (moved > 0) this.loop.wake();
    return moved;
  }
}
