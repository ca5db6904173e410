import { randomBytes } from 'crypto';
import { Partitioners } from 'kafkajs';
import type { PartitionerArgs } from 'kafkajs';
import { KeyPartitioner } from './key-partitioner';

const metadata = (n: number): PartitionerArgs['partitionMetadata'] =>
  Array.from({ length: n }, (_, i) => ({
    partitionId: i,
    leader: 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
  }));

/** Keys of every length 0..40 (each tail case), ids as the services make them, non-ASCII, binary. */
function corpus(): (string | Buffer)[] {
  const keys: (string | Buffer)[] = ['', 'a', 'ab', 'abc', 'abcd', 'abcde'];
  for (let len = 0; len <= 40; len++)
    keys.push('x'.repeat(len), randomBytes(len).toString('base64').slice(0, len));
  for (let i = 0; i < 2000; i++) keys.push(`bench-${i.toString(36)}-${randomBytes(4).toString('hex')}`);
  keys.push('PR-2026-000001', 'é', 'zażółć gęślą jaźń', '注文-42', '😀key', '\u007f\u0080', 'a\u0000b');
  for (let i = 0; i < 200; i++) keys.push(randomBytes(i % 37));
  // Bytes that are negative as Java bytes (>= 0x80) in every position of a 4-byte block.
  keys.push(Buffer.from([0xff, 0xfe, 0xfd, 0xfc, 0x80]), Buffer.from([0x80, 0x00, 0x00, 0xff]));
  return keys;
}

describe('KeyPartitioner', () => {
  it("puts every key in the partition kafkajs' DefaultPartitioner does (so ordering per key is unchanged)", () => {
    const ours = KeyPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (const n of [1, 2, 3, 6, 7, 12, 50]) {
      const partitionMetadata = metadata(n);
      for (const key of corpus()) {
        const args = { topic: 't', partitionMetadata, message: { key, value: 'v' } };
        expect({ key, partition: ours(args) }).toEqual({ key, partition: theirs(args) });
      }
    }
  });

  it("leaves a message with its partition set, or without a key, to kafkajs' own rules", () => {
    const ours = KeyPartitioner();
    const partitionMetadata = metadata(6);
    expect(ours({ topic: 't', partitionMetadata, message: { key: 'abc', value: 'v', partition: 4 } })).toBe(
      4,
    );
    const unkeyed = new Set(
      Array.from({ length: 12 }, () => ours({ topic: 't', partitionMetadata, message: { value: 'v' } })),
    );
    // Round robin, as kafkajs does for messages without a key.
    expect(unkeyed.size).toBe(6);
  });
});
