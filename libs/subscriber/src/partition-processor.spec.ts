import { DeadLetterV1, StatusChangedV1 } from '@app/contracts';
import { encodeStatus, statusEvent } from '../test/fixtures';
import { BatchPayload, PartitionProcessor } from './partition-processor';
import { InMemoryVersionStore } from './store';
import { subscribeToPaymentStatus } from './subscribe';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A kafkajs eachBatch payload over these values (offsets 10, 11, …), recording what it was told. */
function fakeBatch(values: (string | null)[], running = () => true) {
  const resolved: string[] = [];
  const commits: string[] = [];
  const payload = {
    batch: {
      topic: 'payments.status-changed.v1',
      partition: 0,
      messages: values.map((v, i) => ({
        offset: String(10 + i),
        key: Buffer.from('k'),
        value: v === null ? null : Buffer.from(v),
      })),
    },
    resolveOffset: (o: string) => void resolved.push(o),
    commitOffsetsIfNecessary: async (offsets?: { topics: { partitions: { offset: string }[] }[] }) =>
      void commits.push(offsets!.topics[0].partitions[0].offset),
    heartbeat: async () => undefined,
    isRunning: running,
    isStale: () => false,
  } as unknown as BatchPayload;
  return { payload, resolved, commits };
}

function processorFor(handler: (e: StatusChangedV1, attempt: number) => Promise<void>, maxAttempts?: number) {
  const store = new InMemoryVersionStore();
  const letters: DeadLetterV1[] = [];
  const skipped: string[] = [];
  const processor = new PartitionProcessor<StatusChangedV1>({
    groupId: 'g',
    logger: quiet,
    retry: { initialDelayMs: 1, maxAttempts },
    sleep: async () => undefined,
    deadLetter: async (l) => void letters.push(...l),
    onSkipped: (e) => void skipped.push(e.eventId),
    kind: {
      decode: (value) => {
        try {
          return { ok: true, value: JSON.parse(value!.toString()) as StatusChangedV1 };
        } catch {
          return { ok: false, reason: 'value is not JSON' };
        }
      },
      describe: (e) => e.eventId,
      apply: (e, d) => store.applyVersion('g', e.paymentRequestId, e.version, () => handler(e, d.attempt)),
    },
  });
  return { processor, letters, skipped };
}

describe('PartitionProcessor', () => {
  it('calls the handler once per new version, in order, and commits after the last message', async () => {
    const seen: string[] = [];
    const { processor, skipped } = processorFor(async (e) => void seen.push(e.eventId));
    const [v1, v2, v3] = [1, 2, 3].map((v) => encodeStatus(statusEvent('p1', v)));
    const { payload, resolved, commits } = fakeBatch([
      v1,
      v1,
      v1,
      v3,
      v2,
      encodeStatus(statusEvent('p2', 1)),
    ]);
    await processor.process(payload);
    expect(seen).toEqual(['status:p1:1', 'status:p1:3', 'status:p2:1']);
    expect(skipped).toEqual(['status:p1:1', 'status:p1:1', 'status:p1:2']);
    expect(resolved).toEqual(['10', '11', '12', '13', '14', '15']);
    expect(commits).toEqual(['16']);
  });

  it('dead-letters what it cannot read and goes on', async () => {
    const seen: string[] = [];
    const { processor, letters } = processorFor(async (e) => void seen.push(e.eventId));
    const { payload, commits } = fakeBatch(['{oops', encodeStatus(statusEvent('p1', 1))]);
    await processor.process(payload);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ offset: '10', reason: 'value is not JSON', consumerGroup: 'g' });
    expect(seen).toEqual(['status:p1:1']);
    expect(commits).toEqual(['12']);
  });

  it('retries a handler that throws, then applies the event once', async () => {
    const attempts: number[] = [];
    const { processor, letters } = processorFor(async (_e, attempt) => {
      attempts.push(attempt);
      if (attempt < 3) throw new Error('database away');
    });
    const { payload, commits } = fakeBatch([encodeStatus(statusEvent('p1', 1))]);
    await processor.process(payload);
    expect(attempts).toEqual([1, 2, 3]);
    expect(letters).toEqual([]);
    expect(commits).toEqual(['11']);
  });

  it('dead-letters an event whose handler fails maxAttempts times', async () => {
    const { processor, letters } = processorFor(async () => {
      throw new Error('never works');
    }, 2);
    const { payload, commits } = fakeBatch([encodeStatus(statusEvent('p1', 1))]);
    await processor.process(payload);
    expect(letters[0].reason).toBe('the handler failed 2 time(s); last error: never works');
    expect(commits).toEqual(['11']);
  });

  it('commits only what is done when the consumer stops during a retry', async () => {
    let running = true;
    const { processor } = processorFor(async (e) => {
      if (e.paymentRequestId === 'p2') {
        running = false;
        throw new Error('database away');
      }
    });
    const { payload, commits } = fakeBatch(
      [encodeStatus(statusEvent('p1', 1)), encodeStatus(statusEvent('p2', 1))],
      () => running,
    );
    await processor.process(payload);
    expect(commits).toEqual(['11']);
  });

  it('commits the progress and passes the error on when the DLQ cannot be written', async () => {
    const { processor } = processorFor(async () => undefined);
    (processor as unknown as { options: { deadLetter: () => Promise<void> } }).options.deadLetter = () =>
      Promise.reject(new Error('kafka away'));
    const { payload, commits } = fakeBatch([encodeStatus(statusEvent('p1', 1)), 'bad']);
    await expect(processor.process(payload)).rejects.toThrow('kafka away');
    expect(commits).toEqual(['11']);
  });
});

describe('subscribeToPaymentStatus', () => {
  it('needs brokers or a kafka client', async () => {
    await expect(
      subscribeToPaymentStatus({
        groupId: 'g',
        store: new InMemoryVersionStore(),
        handler: async () => undefined,
      }),
    ).rejects.toThrow('give `brokers` or a `kafka` client');
  });
});
