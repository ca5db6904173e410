import type { Admin, Kafka } from 'kafkajs';

/**
 * Whether the brokers answer, for readiness probes: one admin client kept for the purpose, asked for
 * the cluster's metadata at most once per `cacheMs` (probes of several replicas, every few seconds,
 * must not become load on the brokers). Never throws.
 */
export class KafkaReachability {
  private admin?: Admin;
  private last: { at: number; ok: boolean } | null = null;
  private inFlight: Promise<boolean> | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly cacheMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  async reachable(): Promise<boolean> {
    if (this.last && this.now() - this.last.at < this.cacheMs) return this.last.ok;
    this.inFlight ??= this.ask().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  private async ask(): Promise<boolean> {
    let ok: boolean;
    try {
      this.admin ??= this.kafka.admin({ retry: { retries: 0 } });
      await this.admin.connect();
      const cluster = await this.admin.describeCluster();
      ok = cluster.brokers.length > 0;
    } catch {
      ok = false;
      // A fresh client next time: a half-open one would keep failing after the brokers are back.
      await this.close();
    }
    this.last = { at: this.now(), ok };
    return ok;
  }
}
