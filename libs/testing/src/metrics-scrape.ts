/**
 * Reads a service's GET /metrics and sums each named series over its labels (what `curl /metrics`
 * shows a person, in one number per metric). Used by the demo to show that the metrics move.
 */
export async function scrapeTotals(
  baseUrl: string,
  names: readonly string[],
): Promise<Record<string, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const totals: Record<string, number> = {};
  for (const name of names) {
    totals[name] = text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  }
  return totals;
}

/** The series the demo reports per service (issue: operations, "curl /metrics … non-zero values"). */
export const DEMO_METRICS = {
  'notify-gateway': [
    'notify_received_total',
    'notify_ack_duration_seconds_count',
    'kafka_publish_duration_seconds_count',
  ],
  'order-state': [
    'observations_applied_total',
    'order_transitions_total',
    'orders_final_total',
    'kafka_consumer_messages_total',
    'outbox_pending',
  ],
  'inquiry-poller': [
    'inquiries_total',
    'cancels_total',
    'inquiry_lateness_seconds_count',
    'kafka_consumer_messages_total',
  ],
} as const;
