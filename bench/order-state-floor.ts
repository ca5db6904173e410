/**
 * The floor of order-state's work, for bench:order-state (issue 14 §3): the rows order-state writes
 * for N observations, written by hand-tuned set-based SQL straight from prepared arrays — no Kafka,
 * no decoding, no state machine, no Node work between the statements beyond passing the arrays.
 *
 * Per batch, one transaction, the same statements' shapes the real path needs at minimum:
 * lock the orders (SELECT … FOR UPDATE), insert the observations (with their raw body), move the
 * orders to success, insert one status-changed outbox row each; then the relay's share: read the
 * outbox rows and delete them. The CPU it costs (PostgreSQL's process tree plus this process) per
 * observation is the floor the candidate is compared with.
 */
import { Client } from 'pg';
import { CpuMeter, ownCpuMs, processTreeCpuMs } from '@app/testing/process-cpu';

export interface FloorResult {
  seconds: number;
  perSec: number;
  cpuUsPerObs: Record<string, number>;
  floorUsPerObs: number;
}

export interface PreparedObservation {
  eventId: string;
  paymentRequestId: string;
  rawBody: string;
  statusChangedPayload: string;
}

export async function measureFloor(
  databaseUrl: string,
  rows: PreparedObservation[],
  opts: { batchSize: number; postgresPid?: number; clientId: string },
): Promise<FloorResult> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  // Prepared once, outside the measured window: the arrays each statement receives.
  const batches: string[][][] = [];
  for (let i = 0; i < rows.length; i += opts.batchSize) {
    const b = rows.slice(i, i + opts.batchSize);
    batches.push([
      b.map((r) => r.eventId),
      b.map((r) => r.paymentRequestId),
      b.map((r) => r.rawBody),
      b.map((r) => r.statusChangedPayload),
    ]);
  }
  const meter = new CpuMeter({
    bench: ownCpuMs,
    ...(opts.postgresPid ? { postgres: () => processTreeCpuMs(opts.postgresPid!) } : {}),
  });
  meter.start();
  const started = performance.now();
  for (const [eventIds, ids, bodies, payloads] of batches) {
    await client.query('BEGIN');
    await client.query(
      `SELECT payment_request_id, status, version FROM payment_orders
        WHERE payment_request_id = ANY($1::text[]) ORDER BY payment_request_id FOR UPDATE`,
      [ids],
    );
    await client.query(
      `INSERT INTO payment_observations
         (event_id, payment_request_id, client_id, dialect, source, outcome, result_code, payment_id,
          amount_value, amount_currency, payment_time, raw_body, occurred_at, received_at, effect, status_after)
       SELECT t.event_id, t.pid, $4, 'alipayplus', 'notify', 'SUCCESS', 'SUCCESS', 'ALIPAY-' || t.pid,
              1000, 'USD', now(), t.raw_body, now(), now(), 'applied', 'success'
         FROM unnest($1::text[], $2::text[], $3::text[]) AS t(event_id, pid, raw_body)
       ON CONFLICT (event_id) DO NOTHING`,
      [eventIds, ids, bodies, opts.clientId],
    );
    await client.query(
      `UPDATE payment_orders o SET status = 'success', version = o.version + 1, result_code = 'SUCCESS',
              result_source = 'notify', payment_id = 'ALIPAY-' || o.payment_request_id, updated_at = now(),
              final_at = now()
         FROM unnest($1::text[]) AS t(pid) WHERE o.payment_request_id = t.pid`,
      [ids],
    );
    await client.query(
      `INSERT INTO outbox (event_id, topic, message_key, payload, created_at)
       SELECT 'status:' || t.pid, 'payments.status-changed.v1', t.pid, t.payload, now()
         FROM unnest($1::text[], $2::text[]) AS t(pid, payload)`,
      [ids, payloads],
    );
    await client.query('COMMIT');
    const out = await client.query<{ id: string }>(
      `SELECT id, topic, message_key, payload FROM outbox ORDER BY id LIMIT $1`,
      [ids.length],
    );
    await client.query(`DELETE FROM outbox WHERE id = ANY($1::bigint[])`, [out.rows.map((r) => r.id)]);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuMs = meter.stop();
  await client.end();
  const cpuUsPerObs = Object.fromEntries(
    Object.entries(cpuMs).map(([k, ms]) => [k, (ms * 1000) / rows.length]),
  );
  const floorUsPerObs = Object.values(cpuUsPerObs).reduce((a, b) => a + b, 0);
  return { seconds, perSec: rows.length / seconds, cpuUsPerObs, floorUsPerObs };
}
