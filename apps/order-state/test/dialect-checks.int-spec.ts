import { DIALECTS } from '@app/alipayplus';
import { dialectCheckProblems, dialectChecksAfterMigrations } from '@app/testing/dialect-checks';
import {
  ORDER_STATE_MIGRATION_LOCK,
  orderStateDataSourceOptions,
} from '../src/infrastructure/persistence/data-source';

/**
 * The CHECK constraints order-state's migrations list the dialects by name. A dialect added to `DIALECTS` makes this
 * fail until a new migration widens them (real PostgreSQL, migrated as in production).
 */
describe('order-state dialect CHECK constraints (real PostgreSQL)', () => {
  it('allow exactly the dialects of DIALECTS on every dialect column', async () => {
    const checks = await dialectChecksAfterMigrations(
      (url) => orderStateDataSourceOptions(url, 2),
      ORDER_STATE_MIGRATION_LOCK,
    );
    expect(checks.map((c) => c.table)).toEqual(['exceptions', 'payment_observations', 'payment_orders']);
    expect(dialectCheckProblems(checks, DIALECTS)).toEqual([]);
  });
});
