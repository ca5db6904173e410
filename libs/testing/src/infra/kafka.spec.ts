import { kafkaConfig, newClusterId, waitUntilReady } from './kafka';

describe('Kafka config', () => {
  it('is a single-node KRaft broker+controller on the instance ports, topics created explicitly', () => {
    const text = kafkaConfig({ kafka: 24001, kafkaController: 24002, postgres: 24003 }, '/i/kafka/data');

    expect(text).toContain('process.roles=broker,controller\n');
    expect(text).toContain('controller.quorum.voters=1@127.0.0.1:24002\n');
    expect(text).toContain('listeners=PLAINTEXT://127.0.0.1:24001,CONTROLLER://127.0.0.1:24002\n');
    expect(text).toContain('advertised.listeners=PLAINTEXT://127.0.0.1:24001\n');
    expect(text).toContain('log.dirs=/i/kafka/data\n');
    expect(text).toContain('offsets.topic.replication.factor=1\n');
    expect(text).toContain('auto.create.topics.enable=false\n');
  });

  it('has a base64url cluster id that never starts with "-" (StorageTool would take it for an option)', () => {
    const draws = [Buffer.from([0xfb, ...Array(15).fill(1)]), Buffer.from(Array(16).fill(2))];

    const id = newClusterId(() => draws.shift()!);

    expect(id).toBe(Buffer.from(Array(16).fill(2)).toString('base64url'));
    expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});

describe('Kafka readiness', () => {
  /** A fake clock that the pauses advance. */
  const clock = () => {
    let t = 0;
    return { now: () => t, pause: async (ms: number) => void (t += ms) };
  };

  it('retries the probe until it succeeds', async () => {
    const c = clock();
    let calls = 0;

    await waitUntilReady({
      probe: async () => {
        if (++calls < 3) throw new Error('not yet');
      },
      isAlive: () => true,
      timeoutMs: 10_000,
      ...c,
    });

    expect(calls).toBe(3);
  });

  it('fails after the timeout with the last error', async () => {
    const c = clock();
    let calls = 0;
    const probe = async () => {
      calls++;
      throw Object.assign(new Error(`attempt ${calls}`), { name: 'KafkaJSConnectionError' });
    };

    await expect(waitUntilReady({ probe, isAlive: () => true, timeoutMs: 1000, ...c })).rejects.toThrow(
      /^not ready after 1s; last error: KafkaJSConnectionError: attempt \d+$/,
    );
  });

  it('fails at once when the broker process exits, even while a probe hangs', async () => {
    const c = clock();
    let alive = true;

    const ready = waitUntilReady({
      probe: () => new Promise<void>(() => (alive = false)),
      isAlive: () => alive,
      timeoutMs: 60_000,
      ...c,
    });

    await expect(ready).rejects.toThrow('the process exited');
  });
});
