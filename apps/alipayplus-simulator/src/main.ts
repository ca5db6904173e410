import { runService } from '@app/observability/run-service';
import { loadSimulatorConfig } from './config';
import { AlipayPlusSimulator } from './simulator';

/**
 * The standalone simulator (demo, docker-compose, e2e chaos suite). Settings: see config.ts
 * (SIM_PORT, SIM_HOST, SIM_PARTNERS_FILE, SIM_TIME_SCALE, SIM_SEED, SIM_CHAOS_JSON). Logs one JSON
 * object per line on stdout; stops gracefully on SIGTERM/SIGINT (runService).
 */
runService('alipayplus-simulator', async () => {
  const config = loadSimulatorConfig();
  const simulator = new AlipayPlusSimulator({
    ...config,
    logger: (line) => process.stdout.write(`${line}\n`),
  });
  await simulator.start();
  return { close: () => simulator.stop() };
});
