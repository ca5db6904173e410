import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Money-path exceptions (issue 11): every order ends final or with exactly one open exception that
 * a person can list and resolve.
 * - `exceptions`: one row per exception; the partial unique index keeps one open per order. A new cause
 *   for an order with an open exception updates that row (reason, detail, evidence). `version` counts
 *   the changes of a row: each change is one `payments.exceptions.v1` event, id `exception:<id>:<version>`.
 *   UNREGISTERED_RESULT rows have no order row (the id and partner come from the parked result).
 * - `payment_orders.cancel_refused`: the partner refused this order's cancel (row 7), so a later
 *   SUCCESS is taken (the cancel did not happen) instead of being overridden by it.
 * - `payment_observations.attention`: the observer's attention (reason, detail), kept so that a parked
 *   observation still opens its exception when the order registers.
 */
export class Exceptions1796000000000 implements MigrationInterface {
  name = 'Exceptions1796000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE exceptions (
        id                  bigserial PRIMARY KEY,
        payment_request_id  varchar(64) NOT NULL,
        client_id           varchar(64) NOT NULL,
        dialect             varchar(16) NOT NULL CHECK (dialect IN ('alipayplus', 'antom')),
        reason              varchar(32) NOT NULL CHECK (reason IN ('UNVERIFIED_ANSWERS', 'INVALID_ANSWERS',
                              'INQUIRY_REFUSED', 'CANCEL_REFUSED', 'CANCEL_UNKNOWN', 'AMOUNT_MISMATCH',
                              'UNREGISTERED_RESULT', 'PAID_AFTER_CLOSE', 'STUCK_PAST_EXPIRY')),
        detail              varchar(500) NOT NULL,
        opened_at           timestamptz NOT NULL,
        last_evidence       jsonb NOT NULL,
        last_evidence_at    timestamptz NOT NULL,
        resolved_at         timestamptz,
        resolved_by         varchar(100),
        resolution          varchar(16) CHECK (resolution IN ('accept', 'reverse', 'mark_failed', 'auto')),
        resolution_note     varchar(500),
        version             integer NOT NULL CHECK (version > 0),
        CHECK ((resolved_at IS NULL) = (resolution IS NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX exceptions_one_open_per_order ON exceptions (payment_request_id) WHERE resolved_at IS NULL`,
    );
    await q.query(`CREATE INDEX exceptions_by_order ON exceptions (payment_request_id, id)`);
    await q.query(
      `CREATE INDEX exceptions_open_by_reason ON exceptions (reason, id) WHERE resolved_at IS NULL`,
    );
    await q.query(`ALTER TABLE payment_orders ADD COLUMN cancel_refused boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE payment_observations ADD COLUMN attention jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payment_observations DROP COLUMN attention`);
    await q.query(`ALTER TABLE payment_orders DROP COLUMN cancel_refused`);
    await q.query(`DROP TABLE exceptions`);
  }
}
