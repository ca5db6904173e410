/**
 * Whether the batch consumer still consumes. kafkajs gives up for good on some errors (a request the
 * broker refuses as non-retriable, a missing permission): the consumer leaves its group while the
 * process runs on. Health endpoints read this, so that Kubernetes restarts the pod.
 */
export class ConsumerHealth {
  private reason: string | null = null;

  /** Why the consumer stopped for good; null while it consumes. */
  get failure(): string | null {
    return this.reason;
  }

  markStopped(reason: string): void {
    this.reason = reason;
  }
}
