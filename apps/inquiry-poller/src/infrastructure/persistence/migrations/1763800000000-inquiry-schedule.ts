import { MigrationInterface, QueryRunner } from 'typeorm';

/** The poller's durable schedule (design.md §5): one row per order it has heard of. */
export class InquirySchedule1763800000000 implements MigrationInterface {
  name = 'InquirySchedule1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE inquiry_schedule (
        payment_request_id  varchar(64) PRIMARY KEY,
        client_id           varchar(64) NOT NULL,
        dialect             varchar(16) NOT NULL CHECK (dialect IN ('alipayplus', 'antom')),
        amount_value        numeric(20,0) NOT NULL CHECK (amount_value > 0),
        amount_currency     char(3) NOT NULL,
        payment_expiry_time timestamptz NOT NULL,
        registered_at       timestamptz NOT NULL,
        phase               varchar(8) NOT NULL CHECK (phase IN ('inquiry', 'cancel', 'done')),
        order_status        varchar(16) NOT NULL
                            CHECK (order_status IN ('init', 'cancelling', 'success', 'fail', 'cancelled')),
        last_version        integer NOT NULL CHECK (last_version > 0),
        next_due_at         timestamptz,
        lease_owner         varchar(100),
        lease_until         timestamptz,
        inquiry_attempts    integer NOT NULL DEFAULT 0,
        cancel_attempts     integer NOT NULL DEFAULT 0,
        cancel_requested_at timestamptz,
        last_attempt_at     timestamptz,
        last_result_code    varchar(64),
        attention_code      varchar(32),
        attention_detail    varchar(300),
        done_reason         varchar(16),
        created_at          timestamptz NOT NULL,
        updated_at          timestamptz NOT NULL,
        CHECK ((phase = 'done') = (next_due_at IS NULL)),
        CHECK ((phase = 'done') = (done_reason IS NOT NULL)),
        CHECK ((lease_owner IS NULL) = (lease_until IS NULL))
      )`);
    // The claim: due rows of one partner in due order. Done rows (tombstones) are not in it.
    await q.query(`CREATE INDEX inquiry_schedule_due ON inquiry_schedule (client_id, dialect, next_due_at)
                   WHERE phase <> 'done'`);
    // Pruning old tombstones.
    await q.query(
      `CREATE INDEX inquiry_schedule_tombstones ON inquiry_schedule (updated_at) WHERE phase = 'done'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE inquiry_schedule`);
  }
}
