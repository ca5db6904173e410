import { queryRows } from './test-database';
import type { TruthView } from './pipeline';

export interface OrderOutcome {
  paymentRequestId: string;
  status: string;
  resultSource: string | null;
  version: number;
  latencyMs: number | null;
}

export interface PipelineReport {
  payments: number;
  byStatus: Record<string, number>;
  bySource: Record<string, number>;
  /** Orders whose final status differs from what the simulator's truth dictates (must be 0). */
  mismatches: number;
  mismatchSamples: { paymentRequestId: string; status: string; expected: string | null; truth: string }[];
  /** Orders not final yet. */
  pending: number;
  p50Ms: number;
  p99Ms: number;
}

/** Reads the orders of this run from order-state's table. */
export async function loadOutcomes(databaseUrl: string, ids: string[]): Promise<OrderOutcome[]> {
  const rows = await queryRows<{
    payment_request_id: string;
    status: string;
    result_source: string | null;
    version: number;
    latency_ms: string | null;
  }>(
    databaseUrl,
    `SELECT payment_request_id, status, result_source, version,
            (extract(epoch FROM (final_at - registered_at)) * 1000)::bigint AS latency_ms
       FROM payment_orders WHERE payment_request_id = ANY($1::text[])`,
    [ids],
  );
  return rows.map((r) => ({
    paymentRequestId: r.payment_request_id,
    status: r.status,
    resultSource: r.result_source,
    version: r.version,
    latencyMs: r.latency_ms === null ? null : Number(r.latency_ms),
  }));
}

export const countFinal = async (databaseUrl: string, ids: string[]): Promise<number> =>
  Number(
    (
      await queryRows<{ n: string }>(
        databaseUrl,
        `SELECT count(*) AS n FROM payment_orders
          WHERE payment_request_id = ANY($1::text[]) AND status IN ('success', 'fail', 'cancelled')`,
        [ids],
      )
    )[0].n,
  );

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/**
 * Compares every order with the simulator's truth. Latency is from the order's registration (the
 * payment's start) to its final status.
 */
export function buildReport(
  ids: string[],
  outcomes: OrderOutcome[],
  truths: Map<string, TruthView>,
): PipelineReport {
  const byId = new Map(outcomes.map((o) => [o.paymentRequestId, o]));
  const byStatus: Record<string, number> = {};
  const bySource: Record<string, number> = {};
  const mismatchSamples: PipelineReport['mismatchSamples'] = [];
  let mismatches = 0;
  let pending = 0;
  const latencies: number[] = [];
  for (const id of ids) {
    const o = byId.get(id);
    const status = o?.status ?? 'missing';
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (!o || !['success', 'fail', 'cancelled'].includes(o.status)) {
      pending++;
    } else {
      const source = o.resultSource ?? 'unknown';
      bySource[source] = (bySource[source] ?? 0) + 1;
      if (o.latencyMs !== null) latencies.push(o.latencyMs);
    }
    const truth = truths.get(id);
    const expected = truth?.expectedOrderStatus ?? null;
    if (!truth || expected !== status) {
      mismatches++;
      if (mismatchSamples.length < 20)
        mismatchSamples.push({ paymentRequestId: id, status, expected, truth: truth?.status ?? 'none' });
    }
  }
  latencies.sort((a, b) => a - b);
  return {
    payments: ids.length,
    byStatus,
    bySource,
    mismatches,
    mismatchSamples,
    pending,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
