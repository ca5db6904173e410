import type { Kafka } from 'kafkajs';
import { BatchConsumer } from './batch-consumer';
import type { BatchConsumerOptions } from './batch-consumer-options';

/** The consumer settings BatchConsumer hands to kafkajs (the fetch behaviour itself is kafkajs's). */
function consumerConfig(over: Partial<BatchConsumerOptions>): Record<string, unknown> {
  let seen: Record<string, unknown> = {};
  const kafka = {
    consumer: (config: Record<string, unknown>) => ((seen = config), {}),
  } as unknown as Kafka;
  new BatchConsumer(kafka, {
    groupId: 'spec',
    handlers: {},
    deadLetters: {} as BatchConsumerOptions['deadLetters'],
    logger: { log: () => undefined, error: () => undefined, warn: () => undefined },
    ...over,
  });
  return seen;
}

describe('BatchConsumer: fetch settings', () => {
  it("leaves kafkajs's fetch defaults (1 byte, 5 s) when none are given", () => {
    const config = consumerConfig({});
    expect(config).not.toHaveProperty('minBytes');
    expect(config).not.toHaveProperty('maxWaitTimeInMs');
    expect(config).toMatchObject({ groupId: 'spec' });
  });

  it('asks the broker to hold a fetch for minBytes, up to maxWaitMs', () => {
    expect(consumerConfig({ fetch: { minBytes: 65_536, maxWaitMs: 100 } })).toMatchObject({
      groupId: 'spec',
      minBytes: 65_536,
      maxWaitTimeInMs: 100,
    });
  });
});
