import { DataSource } from 'typeorm';
import { z } from 'zod';
import { loadConfig, databaseUrlSetting } from '@app/config';
import { orderStateDataSourceOptions, runMigrations, ORDER_STATE_MIGRATION_LOCK } from './data-source';

/** `npm run migration:run`: applies order-state's migrations (e.g. as a Kubernetes Job before a rollout). */
async function main() {
  const { DATABASE_URL } = loadConfig('order-state migrate', z.object({ DATABASE_URL: databaseUrlSetting }));
  const ds = new DataSource(orderStateDataSourceOptions(DATABASE_URL, 2));
  await ds.initialize();
  try {
    await runMigrations(ds, ORDER_STATE_MIGRATION_LOCK);
    console.log('order-state migrations applied');
  } finally {
    await ds.destroy();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
