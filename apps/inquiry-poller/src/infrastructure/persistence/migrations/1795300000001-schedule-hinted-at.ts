import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When an inquiry hint last moved the row. A hint moves an order at most once: hints come from
 * notifications nobody could verify, and each inquiry they cause counts against a partner's
 * inquiry budget (maxInquiries), which forged notifications must not be able to spend.
 */
export class ScheduleHintedAt1795300000001 implements MigrationInterface {
  name = 'ScheduleHintedAt1795300000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE inquiry_schedule ADD COLUMN hinted_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE inquiry_schedule DROP COLUMN hinted_at`);
  }
}
