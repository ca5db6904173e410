/**
 * `apps/alipayplus-simulator` — plays Alipay+ (and Antom) toward our services, with real signing both ways.
 * In-process: `new AlipayPlusSimulator({...}).start()`; standalone: `main.ts` (admin API under /sim/).
 */
export { AlipayPlusSimulator } from './simulator';
export type {
  ChaosSettings,
  ExpectedOrderStatus,
  PaymentScript,
  SimulatorDialect,
  SimulatorOptions,
  SimulatorPartner,
  SimulatorStats,
  TruthStatus,
  TruthStep,
  TruthView,
} from './types';
export { SimulatorError } from './errors';
export type { SimulatorErrorCode } from './errors';
export { NO_CHAOS } from './chaos/chaos-settings';
export { fullRetrySchedule, NOTIFY_MAX_ATTEMPTS, nextRetryDelayMs } from './notifications/retry-schedule';
