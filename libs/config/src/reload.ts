/** Where a reload reports; a Nest LoggerService fits. */
export interface ReloadLogger {
  log(message: string): void;
  error(message: string): void;
}

export interface SettingsReload {
  /** Loads and applies now; false (the previous settings stay in force) when the new ones are invalid. */
  reload(): boolean;
  /** Stops listening for the signal. */
  close(): void;
}

export interface ReloadOnSignalOptions<T> {
  /** What is reloaded, for the log lines, e.g. "partner settings". */
  readonly what: string;
  /** Reads and validates the settings; throws (a ConfigError naming the setting) when they are invalid. */
  readonly load: () => T;
  /** Puts valid settings in force. Called only after `load` succeeded, so it never sees half a reload. */
  readonly apply: (settings: T) => void;
  readonly logger: ReloadLogger;
  /** SIGHUP by default: the usual "re-read your configuration" signal (`kill -HUP <pid>`). */
  readonly signal?: NodeJS.Signals;
}

/**
 * Reloads settings without a restart when the process receives SIGHUP (issue 11 rows 1–3: a partner's
 * new key is added, or our own key switched, by editing the settings and signalling the process).
 * Validation comes first: settings that fail it are not applied, the previous ones stay in force, and
 * the error names the setting (ConfigError messages never hold key material). A listener also keeps
 * Node from ending the process on SIGHUP, which is its default.
 */
export function reloadOnSignal<T>(options: ReloadOnSignalOptions<T>): SettingsReload {
  const signal = options.signal ?? 'SIGHUP';
  const reload = (): boolean => {
    let settings: T;
    try {
      settings = options.load();
    } catch (err) {
      options.logger.error(
        `${options.what} not reloaded, the previous settings stay in force: ${(err as Error).message}`,
      );
      return false;
    }
    options.apply(settings);
    options.logger.log(`${options.what} reloaded`);
    return true;
  };
  const onSignal = () => {
    reload();
  };
  process.on(signal, onSignal);
  return { reload, close: () => process.off(signal, onSignal) };
}
