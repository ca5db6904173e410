import type { KeyObject } from 'node:crypto';
import type { Dialect } from '@app/alipayplus';

/*
 * The public shapes of the simulator. Other apps' integration tests and the e2e chaos suite are written
 * against these names: change them only together with those tests.
 */

/** The wire dialects the simulator plays: every one of libs/alipayplus `DIALECTS`. */
export type SimulatorDialect = Dialect;

export interface SimulatorPartner {
  clientId: string;
  dialect: SimulatorDialect;
  /** The simulator's (Alipay+'s) private key: signs its responses and its notifications. */
  privateKey: KeyObject;
  /** The keyVersion named in the Signature header of what the simulator signs. Default `1`. */
  keyVersion?: string;
  /** The acquirer's public key: verifies inquiry/cancel requests and Alipay+ notify acks. */
  acquirerPublicKey: KeyObject;
  /** Where notifications for this partner go, e.g. http://127.0.0.1:3001/alipayplus/notify (optional: no notifications without it). */
  notifyUrl?: string;
}

export interface TruthStep {
  atMs: number;
  status: 'PROCESSING' | 'SUCCESS' | 'FAIL';
  resultCode?: string;
}

export interface PaymentScript {
  paymentRequestId: string;
  clientId: string;
  dialect: SimulatorDialect;
  amount: { value: string; currency: string };
  /**
   * Truth over time relative to createPayment(): e.g. [{atMs:0,status:'PROCESSING'},{atMs:2000,status:'SUCCESS'}].
   * Never leaving PROCESSING = "never paid". FAIL takes a resultCode (default USER_BALANCE_NOT_ENOUGH;
   * ORDER_IS_CLOSED allowed). atMs is in simulated time (divided by timeScale for real time).
   */
  timeline: TruthStep[];
  /** Send notifyPayment when the truth becomes final (default true). Subject to chaos. */
  notify?: boolean;
  /** How the partner misbehaves for this payment (domain/payment-script.ts `QuirksSchema`). */
  quirks?: {
    cancelRefusal?: { resultCode: string };
    unknownUntilMs?: number;
    cancelUnknownUntilMs?: number;
    reportedAmount?: { value: string; currency: string } | null;
    antomPaymentStatus?: string;
    inquiryRefusal?: { resultCode: string };
  };
}

export interface ChaosSettings {
  /** Share of payments whose notification never arrives at all (all attempts lost). */
  notifyDropRate: number;
  /** Share of individual delivery attempts lost in the network (sender sees no ack → retries). */
  notifyAttemptLossRate: number;
  /** Share of notifications delivered twice (a second copy, same bytes). */
  notifyDuplicateRate: number;
  /** Random delay 0..max before the first attempt (in simulated ms) → reordering. */
  notifyMaxDelayMs: number;
  /** Share of inquiries answered result U UNKNOWN_EXCEPTION. */
  inquiryUnknownRate: number;
  /** Share of cancels answered result U UNKNOWN_EXCEPTION. */
  cancelUnknownRate: number;
  /** Share of inquiry/cancel requests answered HTTP 503 with no signed body. */
  http5xxRate: number;
  /** Response latency range (real ms) for inquiry/cancel. */
  latencyMs: [number, number];
  /** Per clientId token bucket for inquiry/cancel; over it → result U REQUEST_TRAFFIC_EXCEED_LIMIT (0 = off). */
  rateLimitPerSecond: number;
}

export type TruthStatus = 'PROCESSING' | 'SUCCESS' | 'FAIL' | 'CANCELLED';
export type ExpectedOrderStatus = 'success' | 'fail' | 'cancelled' | null;

export interface TruthView {
  paymentRequestId: string;
  clientId: string;
  dialect: SimulatorDialect;
  status: TruthStatus;
  /** SUCCESS, the fail code, PAYMENT_IN_PROCESS, or CANCELLED. */
  resultCode: string;
  /** Simulator-assigned. */
  paymentId: string;
  /** A cancel reversed a paid payment (protocol.md §4). */
  paidBeforeCancel: boolean;
  /**
   * What our order-state must end with: CANCELLED→cancelled; SUCCESS→success; FAIL+ORDER_IS_CLOSED→cancelled;
   * other FAIL→fail; PROCESSING→null (not final yet).
   */
  expectedOrderStatus: ExpectedOrderStatus;
  /** Delivery attempts made for this payment's notification (lost ones included, duplicate copies not). */
  notificationAttempts: number;
  notificationAcked: boolean;
  /** Signed, well-formed inquiries that named this payment (chaos answers included). */
  inquiries: number;
  /** Signed, well-formed cancels that named this payment (chaos answers included). */
  cancels: number;
}

export interface SimulatorStats {
  inquiries: number;
  cancels: number;
  /** HTTP notification requests that actually left the simulator (duplicate copies included, lost attempts not). */
  notificationsSent: number;
  /** Payments whose notification was acknowledged. */
  notificationsAcked: number;
  /** Times an inquiry for a payment started while another inquiry for the same payment was still being answered. */
  concurrentInquiryViolations: number;
  rejectedSignatures: number;
  rateLimited: number;
}

export interface SimulatorOptions {
  partners: SimulatorPartner[];
  chaos?: Partial<ChaosSettings>;
  /** Default 1; 60 makes 1 simulated minute 1 real second. */
  timeScale?: number;
  /** Seeds every random choice (chaos, IDs), so a run can be reproduced. Default 1. */
  seed?: number;
  /** 0 = a free port (the default). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Receives one JSON object per line. Default: silent. */
  logger?: (line: string) => void;
}
