import { DIALECTS } from '@app/alipayplus';
import { dialectCheckProblems, dialectChecksAfterMigrations } from '@app/testing/dialect-checks';
import {
  INQUIRY_POLLER_MIGRATION_LOCK,
  inquiryPollerDataSourceOptions,
} from '../src/infrastructure/persistence/data-source';

/**
 * The CHECK constraints the poller's schedule migration lists the dialects by name. A dialect added to `DIALECTS` makes this
 * fail until a new migration widens them (real PostgreSQL, migrated as in production).
 */
describe('inquiry-poller dialect CHECK constraints (real PostgreSQL)', () => {
  it('allow exactly the dialects of DIALECTS on every dialect column', async () => {
    const checks = await dialectChecksAfterMigrations(
      (url) => inquiryPollerDataSourceOptions(url, 2),
      INQUIRY_POLLER_MIGRATION_LOCK,
    );
    expect(checks.map((c) => c.table)).toEqual(['inquiry_schedule']);
    expect(dialectCheckProblems(checks, DIALECTS)).toEqual([]);
  });
});
