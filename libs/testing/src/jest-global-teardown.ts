// Jest global teardown of the `integration` project: purges the instance the global setup started
// (Jest runs it even when tests fail). KEEP_INFRA=1 only stops it, keeping data and logs to inspect.
import { STARTED_MARKER } from './jest-global-setup';
import { purgeInfra, stopInfra } from './local-infra';

export default async function globalTeardown(): Promise<void> {
  const instanceDir = process.env[STARTED_MARKER];
  if (!instanceDir) return;
  if (process.env.KEEP_INFRA === '1') {
    await stopInfra(instanceDir);
    console.log(`[infra] stopped; data and logs kept in ${instanceDir}`);
  } else {
    await purgeInfra(instanceDir);
  }
  delete process.env[STARTED_MARKER];
}
