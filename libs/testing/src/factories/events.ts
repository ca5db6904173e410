/**
 * Events for tests (issue #15 part 6): one typed builder per contract of libs/contracts, valid under
 * its schema by default (factories.spec.ts checks each), with any field overridden. Defaults are
 * fixed (no clock, no randomness), so a unit test sees the same event every run; an integration test
 * overrides the ids and times it needs. Event ids follow the producers' forms unless given.
 */
import type {
  ExceptionEventV1,
  InquiryHintV1,
  OrderCommandV1,
  OrderRegisteredV1,
  ResultObservedV1,
  StatusChangedV1,
} from '@app/contracts';
import { DEFAULT_AMOUNT, orderRegistration } from './orders';
import { APS_PARTNER } from './partners';

/** The instant of every default time. */
export const FACTORY_TIME = '2026-01-01T00:00:00.000Z';
/** The default expiry: an hour after FACTORY_TIME. */
export const FACTORY_EXPIRY = '2026-01-01T01:00:00.000Z';

const envelope = (eventId: string) => ({
  eventId,
  schemaVersion: 1 as const,
  occurredAt: FACTORY_TIME,
  clientId: APS_PARTNER.clientId,
});

/** payments.order-registered.v1 for the default order (see orderRegistration). */
export function orderRegisteredEvent(over: Partial<OrderRegisteredV1> = {}): OrderRegisteredV1 {
  const order = orderRegistration({ paymentExpiryTime: FACTORY_EXPIRY, ...over });
  return { ...envelope(`order:${order.paymentRequestId}`), ...order, ...over };
}

/** payments.result-observed.v1: by default a notified SUCCESS of the default order. */
export function resultObservedEvent(over: Partial<ResultObservedV1> = {}): ResultObservedV1 {
  const paymentRequestId = over.paymentRequestId ?? 'pr-1';
  const source = over.source ?? 'notify';
  const outcome = over.outcome ?? 'SUCCESS';
  const resultCode = over.resultCode ?? 'SUCCESS';
  return {
    ...envelope(`${source}:${paymentRequestId}:${outcome}:${resultCode}`),
    paymentRequestId,
    dialect: APS_PARTNER.dialect,
    source,
    outcome,
    resultCode,
    resultMessage: 'success',
    paymentId: `pay-${paymentRequestId}`,
    amount: DEFAULT_AMOUNT,
    paymentTime: FACTORY_TIME,
    ...over,
  };
}

/** payments.status-changed.v1: by default the registration (`init`, version 1) of the default order. */
export function statusChangedEvent(over: Partial<StatusChangedV1> = {}): StatusChangedV1 {
  const paymentRequestId = over.paymentRequestId ?? 'pr-1';
  const version = over.version ?? 1;
  return {
    ...envelope(`status:${paymentRequestId}:${version}`),
    paymentRequestId,
    orderNo: `order-${paymentRequestId}`,
    dialect: APS_PARTNER.dialect,
    from: null,
    to: 'init',
    source: 'registration',
    amount: DEFAULT_AMOUNT,
    paymentExpiryTime: FACTORY_EXPIRY,
    version,
    ...over,
  };
}

/** payments.exceptions.v1: by default exception 1 of the default order, opened for AMOUNT_MISMATCH. */
export function exceptionEvent(over: Partial<ExceptionEventV1> = {}): ExceptionEventV1 {
  const paymentRequestId = over.paymentRequestId ?? 'pr-1';
  const exceptionId = over.exceptionId ?? '1';
  const type = over.type ?? 'opened';
  return {
    ...envelope(`exception:${paymentRequestId}:${exceptionId}:${type}`),
    paymentRequestId,
    dialect: APS_PARTNER.dialect,
    exceptionId,
    type,
    reason: 'AMOUNT_MISMATCH',
    detail: 'the reported amount differs from the order',
    openedAt: FACTORY_TIME,
    orderStatus: 'init',
    ...over,
  };
}

/** payments.inquiry-hint.v1: "inquire about the default order now". */
export function inquiryHintEvent(over: Partial<InquiryHintV1> = {}): InquiryHintV1 {
  const paymentRequestId = over.paymentRequestId ?? 'pr-1';
  return {
    ...envelope(`hint:${paymentRequestId}`),
    paymentRequestId,
    dialect: APS_PARTNER.dialect,
    reason: 'notification failed verification',
    ...over,
  };
}

/** payments.order-commands.v1: checkout cancels the default order. */
export function orderCommandEvent(over: Partial<OrderCommandV1> = {}): OrderCommandV1 {
  const paymentRequestId = over.paymentRequestId ?? 'pr-1';
  return {
    ...envelope(`command:${paymentRequestId}:cancel`),
    paymentRequestId,
    dialect: APS_PARTNER.dialect,
    command: 'cancel',
    reason: 'closed in advance by checkout',
    ...over,
  };
}
