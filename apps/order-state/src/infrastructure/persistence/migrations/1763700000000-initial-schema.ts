import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763700000000 implements MigrationInterface {
  name = 'InitialSchema1763700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE payment_orders (
        payment_request_id  varchar(64) PRIMARY KEY,
        client_id           varchar(64) NOT NULL,
        order_no            varchar(64) NOT NULL,
        dialect             varchar(16) NOT NULL CHECK (dialect IN ('alipayplus', 'antom')),
        amount_value        numeric(20,0) NOT NULL CHECK (amount_value > 0),
        amount_currency     char(3) NOT NULL,
        status              varchar(16) NOT NULL CHECK (status IN ('init', 'cancelling', 'success', 'fail', 'cancelled')),
        version             integer NOT NULL CHECK (version > 0),
        payment_expiry_time timestamptz NOT NULL,
        result_code         varchar(64),
        result_source       varchar(16),
        payment_id          varchar(64),
        registered_at       timestamptz NOT NULL,
        updated_at          timestamptz NOT NULL,
        final_at            timestamptz
      )`);
    // "Stuck" orders: non-final past their expiry.
    await q.query(`CREATE INDEX payment_orders_open_by_expiry ON payment_orders (payment_expiry_time)
                   WHERE status IN ('init', 'cancelling')`);
    await q.query(`CREATE INDEX payment_orders_status_registered ON payment_orders (status, registered_at)`);

    await q.query(`
      CREATE TABLE payment_observations (
        event_id            varchar(200) PRIMARY KEY,
        seq                 bigserial NOT NULL,
        payment_request_id  varchar(64) NOT NULL,
        source              varchar(16) NOT NULL,
        outcome             varchar(20) NOT NULL,
        result_code         varchar(64) NOT NULL,
        result_message      varchar(256),
        payment_id          varchar(64),
        amount_value        numeric(20,0),
        amount_currency     char(3),
        payment_time        timestamptz,
        raw_body            text,
        occurred_at         timestamptz NOT NULL,
        received_at         timestamptz NOT NULL,
        effect              varchar(20) NOT NULL,
        status_after        varchar(16),
        note                varchar(200)
      )`);
    await q.query(
      `CREATE INDEX payment_observations_timeline ON payment_observations (payment_request_id, seq)`,
    );
    await q.query(
      `CREATE INDEX payment_observations_parked ON payment_observations (payment_request_id) WHERE effect = 'parked'`,
    );

    await q.query(`
      CREATE TABLE anomalies (
        id                  bigserial PRIMARY KEY,
        payment_request_id  varchar(64) NOT NULL,
        kind                varchar(32) NOT NULL,
        event_id            varchar(200) NOT NULL,
        detail              jsonb NOT NULL,
        created_at          timestamptz NOT NULL,
        UNIQUE (event_id, kind)
      )`);
    await q.query(`CREATE INDEX anomalies_created ON anomalies (created_at)`);

    // A transport, not a record: the relay deletes a row once Kafka has it (the timeline is the
    // record). Event ids are unique by construction: (order, version) under the order's row lock.
    await q.query(`
      CREATE TABLE outbox (
        id            bigserial PRIMARY KEY,
        event_id      varchar(200) NOT NULL,
        topic         varchar(200) NOT NULL,
        message_key   varchar(64) NOT NULL,
        -- The event exactly as it will be published (validated JSON text): the relay forwards the bytes.
        payload       text NOT NULL,
        created_at    timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox`);
    await q.query(`DROP TABLE anomalies`);
    await q.query(`DROP TABLE payment_observations`);
    await q.query(`DROP TABLE payment_orders`);
  }
}
