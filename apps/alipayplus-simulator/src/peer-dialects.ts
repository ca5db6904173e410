import type {
  CancelPaymentResponseByDialect,
  Dialect,
  InquiryPaymentResponseByDialect,
  NotifyPaymentByDialect,
} from '@app/alipayplus';
import {
  alipayPlusCancelAnswer,
  alipayPlusInquiryAnswer,
  antomCancelAnswer,
  antomInquiryAnswer,
  PaymentFacts,
} from './api/answers';
import type { PaymentQuirks } from './domain/payment-script';
import { alipayPlusNotifyBody, antomNotifyBody, NotifiedFacts } from './notifications/notification-body';

/**
 * The partner's side of one wire dialect, as the simulator plays it: what it answers and notifies,
 * typed with that dialect's own bodies (libs/alipayplus `DIALECT_SPECS` has our side of each).
 */
export interface PeerDialect<D extends Dialect> {
  /** The answer to an inquiry about a payment the partner knows (protocol.md §3). */
  inquiryAnswer(facts: PaymentFacts, quirks: PaymentQuirks): InquiryPaymentResponseByDialect[D];
  /** The S answer to a cancel, in any state (§4). */
  cancelAnswer(facts: PaymentFacts): CancelPaymentResponseByDialect[D];
  /** The notifyPayment body of a payment that turned final (§2). */
  notifyBody(facts: NotifiedFacts): NotifyPaymentByDialect[D];
  /** The ID that finds the payment when a request names both. */
  readonly idFirst: 'paymentId' | 'paymentRequestId';
}

/** Quirk: an Antom answer whose paymentStatus is another value than the truth's, or missing. */
function withAntomStatusQuirk(
  answer: ReturnType<typeof antomInquiryAnswer>,
  status: string | undefined,
): ReturnType<typeof antomInquiryAnswer> {
  if (status === undefined) return answer;
  if (status === 'missing') {
    const { paymentStatus: _dropped, ...rest } = answer;
    return rest;
  }
  return { ...answer, paymentStatus: status };
}

/** One entry per dialect of libs/alipayplus `DIALECTS`: the compiler names a dialect without one. */
export const PEER_DIALECTS: { readonly [D in Dialect]: PeerDialect<D> } = {
  alipayplus: {
    inquiryAnswer: (facts) => alipayPlusInquiryAnswer(facts),
    cancelAnswer: alipayPlusCancelAnswer,
    notifyBody: alipayPlusNotifyBody,
    // Alipay+: paymentRequestId first (§3.1, §4.1).
    idFirst: 'paymentRequestId',
  },
  antom: {
    inquiryAnswer: (facts, quirks) =>
      withAntomStatusQuirk(antomInquiryAnswer(facts), quirks.antomPaymentStatus),
    cancelAnswer: antomCancelAnswer,
    notifyBody: antomNotifyBody,
    // Antom: paymentId wins when both are given (§3.2, §4.2).
    idFirst: 'paymentId',
  },
};

/** The partner's side of `dialect`, with its bodies typed loosely. */
export function peerDialect(dialect: Dialect): PeerDialect<Dialect> {
  return PEER_DIALECTS[dialect];
}

/**
 * The notification body as the bytes that will travel. Serialized once per payment: every retry and
 * every duplicate re-sends exactly these bytes (protocol.md §1.8 d; seed 004 "retry the same request").
 */
export function serializeNotification(dialect: Dialect, facts: NotifiedFacts): string {
  return JSON.stringify(peerDialect(dialect).notifyBody(facts));
}
