/**
 * The common `main` of our services: boot, then shut down gracefully on SIGTERM/SIGINT (Kubernetes
 * sends SIGTERM). A configuration error exits 1 with its message, which names the bad settings.
 */
export function runService(name: string, boot: () => Promise<{ close(): Promise<void> }>): void {
  boot().then(
    (service) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.error(JSON.stringify({ level: 'log', context: name, message: `${signal}: shutting down` }));
        service.close().then(
          () => process.exit(0),
          (err) => {
            console.error(`${name}: shutdown failed: ${(err as Error).stack ?? err}`);
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    },
    (err) => {
      console.error(`${name}: failed to start: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
