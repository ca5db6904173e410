import { randomBytes } from 'crypto';
import { DataSource } from 'typeorm';
import { encodeEvent, ResultObservedV1, Topics } from '@app/contracts';
import { createTestDatabase, queryRows } from '@app/testing/test-database';
import { ApplyObservationsUseCase } from '../src/application/apply-observations.use-case';
import { PostgresOrderRepository } from '../src/infrastructure/persistence/postgres-order-repository';
import {
  orderStateDataSourceOptions,
  ORDER_STATE_MIGRATION_LOCK,
  runMigrations,
} from '../src/infrastructure/persistence/data-source';

/**
 * The batch apply path on its own, against the real PostgreSQL: a batch too large for one statement
 * (raw bodies and outbox payloads go one bind parameter each, 65,535 at most) is applied whole, and
 * awkward text survives byte for byte.
 */
describe('ApplyObservationsUseCase (real PostgreSQL)', () => {
  const CLIENT_ID = 'T_APPLY';
  let db: { url: string; drop(): Promise<void> };
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(orderStateDataSourceOptions(db.url, 2));
    await ds.initialize();
    await runMigrations(ds, ORDER_STATE_MIGRATION_LOCK);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it("plans with order-state's session settings (random_page_cost 1.1: batch lookups by key use the indexes)", async () => {
    const [row] = (await ds.query('SHOW random_page_cost')) as { random_page_cost: string }[];
    expect(row.random_page_cost).toBe('1.1');
  });

  it('applies a batch larger than one statement can carry, keeping every raw body and payload exact and in order', async () => {
    // Above 65,535 − 14 parameters: without the split the statement could not be sent at all.
    const n = 65_600;
    const tag = randomBytes(4).toString('hex');
    const ids = Array.from({ length: n }, (_, i) => `big-${tag}-${i.toString().padStart(6, '0')}`);
    await ds.query(
      `INSERT INTO payment_orders (payment_request_id, client_id, order_no, dialect, amount_value, amount_currency,
                                   status, version, payment_expiry_time, registered_at, updated_at)
       SELECT id, $2, 'o-' || id, 'alipayplus', 1000, 'USD', 'init', 1, now() + interval '1 hour', now(), now()
         FROM unnest($1::text[]) AS id`,
      [ids, CLIENT_ID],
    );
    // Quotes, backslashes, braces, commas, a newline, a tab and non-ASCII: everything a text[]
    // literal would have to escape.
    const rawOf = (i: number) =>
      JSON.stringify({ n: i, s: `q"uote\\back{brace},comma\nline\ttab ünï ${'x'.repeat(i % 50)}` });
    const events: ResultObservedV1[] = ids.map((id, i) => ({
      eventId: `notify:${id}`,
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      clientId: CLIENT_ID,
      paymentRequestId: id,
      dialect: 'alipayplus',
      source: 'notify',
      outcome: 'SUCCESS',
      resultCode: 'SUCCESS',
      resultMessage: 'say "ok"',
      amount: { value: '1000', currency: 'USD' },
      rawBody: i % 97 === 0 ? null : rawOf(i),
    }));

    const summary = await new ApplyObservationsUseCase(new PostgresOrderRepository(ds)).execute(events);
    expect(summary).toMatchObject({ received: n, duplicates: 0, transitions: n, anomalies: 0 });

    const timeline = await queryRows<{
      payment_request_id: string;
      raw_body: string | null;
      result_message: string;
    }>(db.url, `SELECT payment_request_id, raw_body, result_message FROM payment_observations ORDER BY seq`);
    expect(timeline).toHaveLength(n);
    const mismatched = timeline.filter(
      (row, i) =>
        row.payment_request_id !== ids[i] ||
        row.raw_body !== (i % 97 === 0 ? null : rawOf(i)) ||
        row.result_message !== 'say "ok"',
    );
    expect(mismatched).toEqual([]);

    const outbox = await queryRows<{ event_id: string; message_key: string; payload: string }>(
      db.url,
      `SELECT event_id, message_key, payload FROM outbox ORDER BY id`,
    );
    expect(outbox).toHaveLength(n);
    expect(outbox.map((r) => r.message_key)).toEqual(ids);
    expect(outbox.map((r) => r.event_id)).toEqual(ids.map((id) => `status:${id}:2`));
    for (const row of [outbox[0], outbox[19_999], outbox[20_000], outbox[n - 1]]) {
      const payload = JSON.parse(row.payload);
      expect(payload).toMatchObject({
        paymentRequestId: row.message_key,
        from: 'init',
        to: 'success',
        version: 2,
      });
      // The payload is the encoded event exactly as the relay will forward it.
      expect(row.payload).toBe(encodeEvent(Topics.statusChanged, payload));
    }

    const [orders] = await queryRows<{ n: string }>(
      db.url,
      `SELECT count(*) AS n FROM payment_orders WHERE status = 'success' AND version = 2`,
    );
    expect(Number(orders.n)).toBe(n);

    // The same batch again changes nothing.
    const replay = await new ApplyObservationsUseCase(new PostgresOrderRepository(ds)).execute(events);
    expect(replay).toMatchObject({ received: n, duplicates: n, transitions: 0 });
  });
});
