import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The timeline keeps which partner (client id, dialect) reported each observation, so that a result
 * parked before its order registered can still be checked against the order's partner. Rows written
 * before this migration have none, and are not checked.
 */
export class ObservationPartner1795300000000 implements MigrationInterface {
  name = 'ObservationPartner1795300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE payment_observations
        ADD COLUMN client_id varchar(64),
        ADD COLUMN dialect   varchar(16) CHECK (dialect IN ('alipayplus', 'antom'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payment_observations DROP COLUMN client_id, DROP COLUMN dialect`);
  }
}
