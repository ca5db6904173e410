import {
  Controller,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  NotFoundException,
  Param,
  Post,
} from '@nestjs/common';
import { z } from 'zod';
import { InquiryParams } from '@app/contracts/http/inquiries';
import { RequireRole } from '@app/operator-auth';
import { ScheduleRepository } from '../../application/ports';
import { TriggerInquiryUseCase } from '../../application/trigger-inquiry.use-case';

function parseId(id: string): string {
  const parsed = InquiryParams.shape.paymentRequestId.safeParse(id);
  if (!parsed.success) {
    throw new HttpException(
      { code: 'PARAM_ILLEGAL', message: `paymentRequestId: ${z.prettifyError(parsed.error)}` },
      HttpStatus.BAD_REQUEST,
    );
  }
  return parsed.data;
}

/** Operator endpoints over the schedule (issue 4 point 6). */
@Controller('inquiries')
export class InquiriesController {
  constructor(
    private readonly trigger: TriggerInquiryUseCase,
    private readonly schedule: ScheduleRepository,
  ) {}

  /**
   * Inquire now. 202 INQUIRY_SCHEDULED (the poller takes it at its next claim); 404 ORDER_NOT_EXIST
   * (not in the schedule); 409 ORDER_CANCELLING (its cancel is under way, no more inquiries) or
   * 409 ORDER_FINAL (nothing left to ask).
   */
  @Post(':paymentRequestId')
  @HttpCode(HttpStatus.ACCEPTED)
  @RequireRole('operator')
  async force(@Param('paymentRequestId') raw: string) {
    const paymentRequestId = parseId(raw);
    const result = await this.trigger.force(paymentRequestId);
    switch (result.kind) {
      case 'scheduled':
        return { code: 'INQUIRY_SCHEDULED', paymentRequestId, inFlight: result.inFlight };
      case 'not-found':
        throw new NotFoundException({
          code: 'ORDER_NOT_EXIST',
          message: `${paymentRequestId} is not in the schedule`,
        });
      case 'cancelling':
        throw new HttpException(
          { code: 'ORDER_CANCELLING', message: `${paymentRequestId} is being cancelled; no more inquiries` },
          HttpStatus.CONFLICT,
        );
      case 'done':
        throw new HttpException(
          {
            code: 'ORDER_FINAL',
            message: `${paymentRequestId} needs no more inquiries (${result.doneReason})`,
          },
          HttpStatus.CONFLICT,
        );
    }
  }

  /** Where an order stands in the schedule. */
  @Get(':paymentRequestId')
  @RequireRole('viewer')
  async get(@Param('paymentRequestId') raw: string) {
    const paymentRequestId = parseId(raw);
    const view = await this.schedule.find(paymentRequestId);
    if (!view)
      throw new NotFoundException({
        code: 'ORDER_NOT_EXIST',
        message: `${paymentRequestId} is not in the schedule`,
      });
    return view;
  }
}
