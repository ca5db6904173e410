import { applyKafkajsIdleLoopFix, kafkajsRequestQueue } from './kafkajs-idle-loop';

/** A bare kafkajs RequestQueue (the real class), its timer observed. */
function queue() {
  const RequestQueue = kafkajsRequestQueue() as unknown as new (options: object) => {
    pending: unknown[];
    throttledUntil: number;
    throttleCheckTimeoutId: NodeJS.Timeout | null;
    checkPendingRequests(): void;
    scheduleCheckPendingRequests(): void;
    destroy(): void;
  };
  const logger = { debug: () => undefined, warn: () => undefined, error: () => undefined };
  return new RequestQueue({
    maxInFlightRequests: null,
    requestTimeout: 30_000,
    clientId: 't',
    broker: 'b',
    logger,
  });
}

describe('the kafkajs idle loop fix (tulios/kafkajs#1556)', () => {
  beforeAll(() => applyKafkajsIdleLoopFix());

  it('sets no timer when nothing is pending and nothing is throttled (kafkajs 2.2.4 set a 1 ms one, forever)', () => {
    const q = queue();
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('still re-checks pending requests, and a throttle, later', () => {
    const pending = queue();
    pending.pending.push({});
    pending.scheduleCheckPendingRequests();
    expect(pending.throttleCheckTimeoutId).not.toBeNull();
    pending.destroy();

    const throttled = queue();
    throttled.throttledUntil = Date.now() + 60_000;
    throttled.scheduleCheckPendingRequests();
    expect(throttled.throttleCheckTimeoutId).not.toBeNull();
    throttled.destroy();
  });

  it('patches the kafkajs it was written against (re-check the upstream code before changing this)', () => {
    // The replaced method is kafkajs 2.2.4's src/network/requestQueue scheduleCheckPendingRequests.
    expect((require('kafkajs/package.json') as { version: string }).version).toBe('2.2.4');
  });

  it('is in force once createKafkaClient has made a client (fresh modules, nothing applied before)', () => {
    jest.isolateModules(() => {
      const fresh = () =>
        (
          require('kafkajs/src/network/requestQueue') as {
            prototype: { scheduleCheckPendingRequests: unknown };
          }
        ).prototype.scheduleCheckPendingRequests;
      const upstream = fresh();
      const { createKafkaClient } = require('./kafka-client') as typeof import('./kafka-client');
      const logger = { log: () => undefined, error: () => undefined, warn: () => undefined };
      createKafkaClient({ brokers: ['127.0.0.1:1'], clientId: 't', logger });
      expect(fresh()).not.toBe(upstream);
    });
  });

  it('is applied once', () => {
    const method = kafkajsRequestQueue().prototype.scheduleCheckPendingRequests;
    applyKafkajsIdleLoopFix();
    expect(kafkajsRequestQueue().prototype.scheduleCheckPendingRequests).toBe(method);
  });
});
