type PaymentIds = { paymentRequestId?: string; paymentId?: string };

/**
 * In-flight counters for inquiries about payments that do not exist (they can overlap too); a known
 * payment keeps its own counter on its record.
 */
export class InFlightInquiries {
  private readonly unknownInFlight = new Map<string, { inFlightInquiries: number }>();

  unknown(ids: PaymentIds): { inFlightInquiries: number } {
    const key = keyOf(ids);
    let tracker = this.unknownInFlight.get(key);
    if (!tracker) {
      tracker = { inFlightInquiries: 0 };
      this.unknownInFlight.set(key, tracker);
    }
    return tracker;
  }

  release(ids: PaymentIds, tracker: { inFlightInquiries: number }): void {
    if (tracker.inFlightInquiries === 0) this.unknownInFlight.delete(keyOf(ids));
  }
}

const keyOf = (ids: PaymentIds) => `${ids.paymentRequestId ?? ''}|${ids.paymentId ?? ''}`;
