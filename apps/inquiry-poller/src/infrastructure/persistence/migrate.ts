import { DataSource } from 'typeorm';
import { z } from 'zod';
import { loadConfig, databaseUrlSetting } from '@app/config';
import { inquiryPollerDataSourceOptions, runMigrations, INQUIRY_POLLER_MIGRATION_LOCK } from './data-source';

/** Applies the poller's migrations on their own (e.g. as a Kubernetes Job before a rollout). */
async function main() {
  const { DATABASE_URL } = loadConfig(
    'inquiry-poller migrate',
    z.object({ DATABASE_URL: databaseUrlSetting }),
  );
  const ds = new DataSource(inquiryPollerDataSourceOptions(DATABASE_URL, 2));
  await ds.initialize();
  try {
    await runMigrations(ds, INQUIRY_POLLER_MIGRATION_LOCK);
    console.log('inquiry-poller migrations applied');
  } finally {
    await ds.destroy();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
