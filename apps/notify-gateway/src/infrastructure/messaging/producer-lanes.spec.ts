import type { OutgoingMessage } from '@app/kafka';
import { laneOf, ProducerLanes, type Lane } from './producer-lanes';

class RecordingLane implements Lane {
  readonly keys: string[] = [];
  publish(messages: OutgoingMessage[]): Promise<void> {
    this.keys.push(...messages.map((m) => m.key));
    return Promise.resolve();
  }
}

const message = (key: string): OutgoingMessage => ({ topic: 't', key, value: '{}' });

describe('ProducerLanes', () => {
  it('sends every event of one payment through the same lane, in publish order', async () => {
    const lanes = [new RecordingLane(), new RecordingLane(), new RecordingLane()];
    const sut = new ProducerLanes(lanes);
    const keys = Array.from({ length: 300 }, (_, i) => `pr-${i % 50}`);
    for (const key of keys) await sut.publish([message(key)], 1000);

    for (const key of new Set(keys)) {
      const holding = lanes.filter((lane) => lane.keys.includes(key));
      expect(holding).toHaveLength(1);
      expect(holding[0].keys.filter((k) => k === key)).toHaveLength(keys.filter((k) => k === key).length);
    }
  });

  it('spreads payments over all lanes', async () => {
    const lanes = [new RecordingLane(), new RecordingLane()];
    const sut = new ProducerLanes(lanes);
    for (let i = 0; i < 1000; i++) await sut.publish([message(`gwb-${i.toString(36)}`)], 1000);
    for (const lane of lanes) expect(lane.keys.length).toBeGreaterThan(400);
  });

  it('keeps a multi-message publish together, on the lane of its first key', async () => {
    const lanes = [new RecordingLane(), new RecordingLane()];
    const sut = new ProducerLanes(lanes);
    const first = Array.from({ length: 100 }, (_, i) => `k${i}`).find((k) => laneOf(k, 2) === 1)!;
    await sut.publish([message(first), message('other-a'), message('other-b')], 1000);
    expect(lanes[1].keys).toEqual([first, 'other-a', 'other-b']);
    expect(lanes[0].keys).toEqual([]);
  });

  it('passes a failure of its lane to the caller', async () => {
    const failing: Lane = { publish: () => Promise.reject(new Error('KAFKA_PUBLISH_TIMEOUT')) };
    await expect(new ProducerLanes([failing]).publish([message('a')], 1)).rejects.toThrow(
      'KAFKA_PUBLISH_TIMEOUT',
    );
  });

  it('refuses to be built without a lane', () => {
    expect(() => new ProducerLanes([])).toThrow('at least one lane');
  });
});

describe('laneOf', () => {
  it('is stable and in range', () => {
    for (const count of [1, 2, 3, 8]) {
      for (const key of ['', 'a', 'pr-1', '支付-1', 'x'.repeat(64)]) {
        const lane = laneOf(key, count);
        expect(lane).toBe(laneOf(key, count));
        expect(lane).toBeGreaterThanOrEqual(0);
        expect(lane).toBeLessThan(count);
      }
    }
  });
});
