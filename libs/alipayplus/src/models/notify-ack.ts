import { AlipayPlusError } from '../errors';

/**
 * The acknowledgement body for a received notification, identical in both dialects (protocol.md §1.7).
 * It confirms receipt only, whatever the payment result was. Alipay+ requires the ack to be signed;
 * Antom does not (§1.7) — see `signResponse`.
 */
export const NOTIFY_ACK_BODY =
  '{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}';

export interface FailureAckInput {
  /** E.g. `PARAM_ILLEGAL`, `INVALID_SIGNATURE`, `UNKNOWN_EXCEPTION`; 1–64 characters (§6). */
  readonly resultCode: string;
  /** F (we refuse it) or U (we could not process it). Either makes the peer re-send (§2.1, §2.2). */
  readonly resultStatus: 'F' | 'U';
  /** Defaults to the code; cut to the 256-character limit (§6). */
  readonly resultMessage?: string;
}

/** Builds `{"result":{"resultCode":…,"resultStatus":"F"|"U","resultMessage":…}}` for a refused notification. */
export function buildFailureAckBody({ resultCode, resultStatus, resultMessage }: FailureAckInput): string {
  if (typeof resultCode !== 'string' || resultCode.length === 0 || resultCode.length > 64) {
    throw new AlipayPlusError('INVALID_ARGUMENT', 'resultCode must be 1-64 characters (protocol.md §6)');
  }
  if (resultStatus !== 'F' && resultStatus !== 'U') {
    throw new AlipayPlusError('INVALID_ARGUMENT', 'a failure ack must have resultStatus F or U');
  }
  const message = (resultMessage && resultMessage.length > 0 ? resultMessage : resultCode).slice(0, 256);
  return JSON.stringify({ result: { resultCode, resultStatus, resultMessage: message } });
}
