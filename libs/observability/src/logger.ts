import { ConsoleLogger, LogLevel } from '@nestjs/common';

const LEVELS: Record<string, LogLevel[]> = {
  debug: ['debug', 'log', 'warn', 'error', 'fatal'],
  info: ['log', 'warn', 'error', 'fatal'],
  warn: ['warn', 'error', 'fatal'],
  error: ['error', 'fatal'],
};

/**
 * One JSON object per line (what log shippers on Kubernetes expect), with the app name. Secrets are
 * never passed to the logger in the first place; this only formats.
 */
export function createLogger(app: string, level = process.env.LOG_LEVEL ?? 'info'): ConsoleLogger {
  return new ConsoleLogger(app, {
    json: process.env.LOG_FORMAT !== 'text',
    logLevels: LEVELS[level] ?? LEVELS.info,
    colors: false,
  });
}
