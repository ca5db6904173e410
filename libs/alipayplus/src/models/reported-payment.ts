/** A value the peer may send as null, absent or empty: all three mean "not said" (protocol.md §6). */
export function present(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === '' ? undefined : value;
}

/** The payment fields a notification or an inquiry answer may carry, as they arrive (§2, §3). */
export interface PaymentFieldsOnWire {
  readonly paymentRequestId?: string | null;
  readonly paymentId?: string | null;
  readonly paymentAmount?: { readonly currency: string; readonly value: string } | null;
  readonly paymentTime?: string | null;
}

/** What those fields report, each left out when not said. */
export interface ReportedPayment {
  readonly paymentId?: string;
  readonly amount?: { readonly currency: string; readonly value: string };
  /** As received (ISO-8601, §6). */
  readonly paymentTime?: string;
}

/**
 * The one reading of the payment fields that notifications (§2) and inquiry answers (§3) share, in
 * every dialect: empty values are not said, and the amount is copied without the peer's extra keys.
 */
export function reportedPayment(fields: PaymentFieldsOnWire): ReportedPayment {
  const paymentId = present(fields.paymentId);
  const paymentTime = present(fields.paymentTime);
  return {
    ...(paymentId !== undefined ? { paymentId } : {}),
    ...(fields.paymentAmount
      ? { amount: { currency: fields.paymentAmount.currency, value: fields.paymentAmount.value } }
      : {}),
    ...(paymentTime !== undefined ? { paymentTime } : {}),
  };
}
