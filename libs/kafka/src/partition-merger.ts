/**
 * Gathers the partition batches kafkajs hands to `eachBatch` in one event-loop turn — the batches of
 * one fetch, which kafkajs starts on its workers all at once — into one call of `run`, with the shares
 * in the order they came. Every `add` of the turn settles with that call.
 *
 * Why (issue 14 §4): a fetch over 6 partitions at a light rate returned 6 batches of 2–3 messages,
 * each applied in its own transaction and committed with its own offset request; the next fetch
 * waits for the slowest of them. One transaction and one offset commit per fetch instead cut the
 * database round trips and the Kafka requests per message, and with them the wait of a message that
 * arrives meanwhile.
 */
export class PartitionMerger<S> {
  private pending?: { shares: S[]; done: Promise<void> };

  constructor(private readonly run: (shares: S[]) => Promise<void>) {}

  add(share: S): Promise<void> {
    if (!this.pending) {
      const shares: S[] = [];
      const done = new Promise<void>((resolve, reject) => {
        setImmediate(() => {
          this.pending = undefined;
          this.run(shares).then(resolve, reject);
        });
      });
      this.pending = { shares, done };
    }
    this.pending.shares.push(share);
    return this.pending.done;
  }
}
