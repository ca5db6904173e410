/**
 * The common `main` of our services: boot, then shut down gracefully on SIGTERM/SIGINT (Kubernetes
 * sends SIGTERM). A configuration error exits 1 with its message, which names the bad settings.
 *
 * The signal handlers are in place before booting starts. Without them a SIGTERM during boot (a pod
 * deleted while it starts, a test stopping a service as soon as it answers its probe, before the last
 * step of boot has returned) would take the default action: killed on the spot, exit by signal, no
 * clean close. With them, a stop asked for during boot waits for boot to finish (at most
 * `bootStopWaitMs`, default 5 s) and then closes; a boot still unfinished by then (say Kafka is
 * unreachable) is given up with exit code 143, as the signal would have, so a stop is never stuck.
 */
export interface ServiceProcess {
  on(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  exit(code: number): void;
}

export function runService(
  name: string,
  boot: () => Promise<{ close(): Promise<void> }>,
  proc: ServiceProcess = process,
  bootStopWaitMs = 5000,
): void {
  let service: { close(): Promise<void> } | undefined;
  let stopSignal: string | undefined;
  const close = (running: { close(): Promise<void> }) =>
    running.close().then(
      () => proc.exit(0),
      (err) => {
        console.error(`${name}: shutdown failed: ${(err as Error).stack ?? err}`);
        proc.exit(1);
      },
    );
  const stop = (signal: string) => {
    if (stopSignal) return;
    stopSignal = signal;
    const when = service ? '' : ' (once booted)';
    console.error(
      JSON.stringify({ level: 'log', context: name, message: `${signal}: shutting down${when}` }),
    );
    if (service) {
      void close(service);
      return;
    }
    const giveUp = setTimeout(() => {
      if (service) return;
      console.error(`${name}: still booting ${bootStopWaitMs} ms after ${signal}: stopped without a close`);
      proc.exit(143);
    }, bootStopWaitMs);
    giveUp.unref();
  };
  proc.on('SIGTERM', () => stop('SIGTERM'));
  proc.on('SIGINT', () => stop('SIGINT'));
  boot().then(
    (booted) => {
      service = booted;
      if (stopSignal) void close(booted);
    },
    (err) => {
      console.error(`${name}: failed to start: ${err instanceof Error ? err.message : String(err)}`);
      proc.exit(1);
    },
  );
}
