import { TextDecoder } from 'node:util';
import { Dialect } from '../dialect';
import { describeIssues, NotifyResult } from './common.schema';
import { ORDER_IS_CLOSED } from '../results/result-codes';
import {
  ANTOM_NOTIFY_TYPES,
  AlipayPlusNotifyPaymentSchema,
  AntomNotifyPayment,
  AntomNotifyPaymentSchema,
  AntomNotifyType,
} from './notify-payment.schema';

/** What a notification says about the payment, in dialect-neutral terms. */
export type NotificationOutcome = 'SUCCESS' | 'FAIL' | 'CLOSED' | 'PROCESSING';

export interface NotificationObservation {
  readonly paymentRequestId: string;
  readonly paymentId?: string;
  readonly outcome: NotificationOutcome;
  /** The result code as sent (`SUCCESS`, a failure reason such as `USER_BALANCE_NOT_ENOUGH`, …). */
  readonly resultCode: string;
  readonly resultMessage?: string;
  readonly amount?: { readonly currency: string; readonly value: string };
  /** As received (ISO-8601, §6). */
  readonly paymentTime?: string;
}

export type ParseNotificationResult =
  | { readonly ok: true; readonly value: NotificationObservation }
  /** PARAM_ILLEGAL is the code to put in the failure ack (§6). The reason never echoes body values. */
  | { readonly ok: false; readonly code: 'PARAM_ILLEGAL'; readonly reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function illegal(reason: string): ParseNotificationResult {
  return { ok: false, code: 'PARAM_ILLEGAL', reason };
}

function present(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === '' ? undefined : value;
}

/**
 * A final result: S → SUCCESS; F with ORDER_IS_CLOSED → CLOSED (closed/cancelled, §3.1, §6); any other
 * F → FAIL with the code as the reason (§2.1). Only the status decides success, never the code (§6).
 */
function finalOutcome(result: NotifyResult): NotificationOutcome {
  if (result.resultStatus === 'S') return 'SUCCESS';
  return result.resultCode === ORDER_IS_CLOSED ? 'CLOSED' : 'FAIL';
}

function antomOutcome(body: AntomNotifyPayment & { notifyType: AntomNotifyType }): NotificationOutcome {
  // PAYMENT_PENDING with S means "user completed, final result still to come", not success (§2.2).
  if (body.notifyType === 'PAYMENT_PENDING' && body.result.resultStatus === 'S') return 'PROCESSING';
  return finalOutcome(body.result);
}

function observe(
  fields: {
    paymentRequestId: string;
    paymentId?: string | null;
    paymentAmount?: { currency: string; value: string } | null;
    paymentTime?: string | null;
  },
  result: NotifyResult,
  outcome: NotificationOutcome,
): NotificationObservation {
  const paymentId = present(fields.paymentId);
  const resultMessage = present(result.resultMessage);
  const paymentTime = present(fields.paymentTime);
  return {
    paymentRequestId: fields.paymentRequestId,
    ...(paymentId !== undefined ? { paymentId } : {}),
    outcome,
    resultCode: result.resultCode,
    ...(resultMessage !== undefined ? { resultMessage } : {}),
    ...(fields.paymentAmount
      ? { amount: { currency: fields.paymentAmount.currency, value: fields.paymentAmount.value } }
      : {}),
    ...(paymentTime !== undefined ? { paymentTime } : {}),
  };
}

function isAntomNotifyType(value: string): value is AntomNotifyType {
  return (ANTOM_NOTIFY_TYPES as readonly string[]).includes(value);
}

/**
 * Parses and validates a notifyPayment body (the raw bytes, after its signature was verified) and
 * normalizes it (protocol.md §2.1 Alipay+, §2.2 Antom). Never throws: malformed input comes back as
 * PARAM_ILLEGAL with a reason. A status of U is refused because notifications only carry final S/F.
 */
export function parseNotification(dialect: Dialect, rawBody: Buffer | string): ParseNotificationResult {
  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === 'string' ? rawBody : utf8.decode(rawBody));
  } catch (error) {
    const kind = error instanceof SyntaxError ? 'body is not valid JSON' : 'body is not valid UTF-8';
    return illegal(kind);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return illegal('body is not a JSON object');
  }

  if (dialect === 'alipayplus') {
    const parsed = AlipayPlusNotifyPaymentSchema.safeParse(json);
    if (!parsed.success) return illegal(describeIssues(parsed.error));
    const body = parsed.data;
    return { ok: true, value: observe(body, body.paymentResult, finalOutcome(body.paymentResult)) };
  }

  const parsed = AntomNotifyPaymentSchema.safeParse(json);
  if (!parsed.success) return illegal(describeIssues(parsed.error));
  const body = parsed.data;
  if (!isAntomNotifyType(body.notifyType)) {
    // A different notification (capture, refund, …) must not be read as a payment result.
    return illegal(`notifyType: unsupported value, expected one of ${ANTOM_NOTIFY_TYPES.join('|')}`);
  }
  return {
    ok: true,
    value: observe(body, body.result, antomOutcome({ ...body, notifyType: body.notifyType })),
  };
}
