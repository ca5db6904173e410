/** Stable codes for the mistakes a caller of the simulator can make; branch on `code`, never on the message. */
export type SimulatorErrorCode =
  /** The constructor options are unusable (no partner, a duplicate clientId, a bad timeScale, a bad notifyUrl). */
  | 'INVALID_OPTIONS'
  /** A PaymentScript fails validation (shape, amount, timeline order, a step after a final one). */
  | 'INVALID_SCRIPT'
  /** The script names a clientId no partner has, or a dialect other than that partner's. */
  | 'UNKNOWN_PARTNER'
  /** A payment with this paymentRequestId was already created. */
  | 'DUPLICATE_PAYMENT'
  /** A chaos setting is out of range. */
  | 'INVALID_CHAOS'
  /** start() was called twice. */
  | 'ALREADY_STARTED'
  /** The simulator was stopped; it cannot be used again. */
  | 'STOPPED';

export class SimulatorError extends Error {
  constructor(
    readonly code: SimulatorErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SimulatorError';
  }
}
