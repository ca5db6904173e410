// Events for the subscriber's tests, valid under the contracts (encodeEvent checks them), built by
// the shared factories (libs/testing/src/factories) with this suite's partner and amounts.
import { encodeEvent, Topics, type ExceptionEventV1, type StatusChangedV1 } from '@app/contracts';
import { exceptionEvent as buildExceptionEvent, statusChangedEvent } from '@app/testing/factories';

const tenant = { clientId: 'CLIENT-1' };

/** Version `version` of a payment; `to` defaults to init for v1, success for v2, cancelled after. */
export function statusEvent(
  paymentRequestId: string,
  version: number,
  extra: Partial<StatusChangedV1> = {},
): StatusChangedV1 {
  const to = extra.to ?? (version === 1 ? 'init' : version === 2 ? 'success' : 'cancelled');
  return statusChangedEvent({
    ...tenant,
    paymentRequestId,
    version,
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, version)).toISOString(),
    from: version === 1 ? null : version === 2 ? 'init' : 'success',
    to,
    source: version === 1 ? 'registration' : 'notify',
    resultCode: version === 1 ? null : 'SUCCESS',
    amount: { value: '1250', currency: 'USD' },
    paymentExpiryTime: '2026-01-01T01:00:00Z',
    causeEventId: version === 1 ? null : `notify:${paymentRequestId}:${version}`,
    paymentId: to === 'success' ? `pay-${paymentRequestId}` : null,
    paymentTime: to === 'success' ? '2026-01-01T00:00:30Z' : null,
    ...extra,
  });
}

export function exceptionEvent(paymentRequestId: string, n: number): ExceptionEventV1 {
  return buildExceptionEvent({
    ...tenant,
    eventId: `exception:${paymentRequestId}:${n}`,
    occurredAt: '2026-01-01T00:10:00Z',
    paymentRequestId,
    dialect: 'antom',
    exceptionId: String(n),
    reason: 'CANCEL_UNKNOWN',
    detail: 'the cancel is still unknown',
    openedAt: '2026-01-01T00:10:00Z',
    orderStatus: 'cancelling',
  });
}

export const encodeStatus = (e: StatusChangedV1) => encodeEvent(Topics.statusChanged, e);
export const encodeException = (e: ExceptionEventV1) => encodeEvent(Topics.exceptions, e);
