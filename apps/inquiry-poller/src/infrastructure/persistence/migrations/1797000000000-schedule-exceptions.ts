import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 11 (money-path exceptions):
 * - phase `verify`: inquiries after a cancel answer that did not settle the order, or on a person's
 *   re-inquiry, until `verify_until`, for `verify_reason`;
 * - `answer_doubt`: why the last answer was not believed (an order is never cancelled on it);
 * - `reported_attention`: the last exception cause published for the order (each goes out once);
 * - `reversal_of`: the exception whose reversal (a cancel whatever the status) the row carries.
 */
export class ScheduleExceptions1797000000000 implements MigrationInterface {
  name = 'ScheduleExceptions1797000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE inquiry_schedule
        DROP CONSTRAINT inquiry_schedule_phase_check,
        ADD CONSTRAINT inquiry_schedule_phase_check CHECK (phase IN ('inquiry', 'cancel', 'verify', 'done')),
        ADD COLUMN answer_doubt varchar(32),
        ADD COLUMN reported_attention varchar(32),
        ADD COLUMN verify_reason varchar(16),
        ADD COLUMN verify_until timestamptz,
        ADD COLUMN reversal_of varchar(40),
        ADD CONSTRAINT inquiry_schedule_verify_check
          CHECK ((phase = 'verify') = (verify_reason IS NOT NULL AND verify_until IS NOT NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM inquiry_schedule WHERE phase = 'verify'`);
    await q.query(`
      ALTER TABLE inquiry_schedule
        DROP CONSTRAINT inquiry_schedule_verify_check,
        DROP COLUMN answer_doubt,
        DROP COLUMN reported_attention,
        DROP COLUMN verify_reason,
        DROP COLUMN verify_until,
        DROP COLUMN reversal_of,
        DROP CONSTRAINT inquiry_schedule_phase_check,
        ADD CONSTRAINT inquiry_schedule_phase_check CHECK (phase IN ('inquiry', 'cancel', 'done'))`);
  }
}
