import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dead-letter archive (issue: operations, DLQ replay): every letter of `payments.dlq.v1`, kept
 * where people can list it, and each replay of it, with who did it. Letters are keyed by their own
 * event id (one per consumer group, topic, partition and offset), so a letter consumed twice is one row.
 */
export class DeadLetters1796100000000 implements MigrationInterface {
  name = 'DeadLetters1796100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE dead_letters (
        id               varchar(200) PRIMARY KEY,
        original_topic   varchar(249) NOT NULL,
        partition        integer      NOT NULL,
        "offset"         varchar(20)  NOT NULL,
        key              text,
        value            text,
        value_encoding   varchar(8)   NOT NULL CHECK (value_encoding IN ('utf8', 'base64')),
        value_truncated  boolean      NOT NULL DEFAULT false,
        reason           text         NOT NULL,
        consumer_group   varchar(200) NOT NULL,
        occurred_at      timestamptz  NOT NULL,
        received_at      timestamptz  NOT NULL DEFAULT now(),
        replay_count     integer      NOT NULL DEFAULT 0,
        last_replayed_at timestamptz,
        last_replayed_by varchar(100)
      )`);
    await q.query(`CREATE INDEX dead_letters_received ON dead_letters (received_at DESC, id DESC)`);
    await q.query(`CREATE INDEX dead_letters_topic ON dead_letters (original_topic, received_at DESC)`);
    await q.query(`
      CREATE TABLE dead_letter_replays (
        id             bigserial    PRIMARY KEY,
        dead_letter_id varchar(200) NOT NULL REFERENCES dead_letters (id),
        replayed_at    timestamptz  NOT NULL DEFAULT now(),
        replayed_by    varchar(100) NOT NULL,
        note           text
      )`);
    await q.query(`CREATE INDEX dead_letter_replays_letter ON dead_letter_replays (dead_letter_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dead_letter_replays`);
    await q.query(`DROP TABLE dead_letters`);
  }
}
