import { Partitioners } from 'kafkajs';
import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

/**
 * kafkajs' DefaultPartitioner (Kafka's Java partitioner: murmur2 of the key's bytes, positive, modulo
 * the partition count), with the hash in 32-bit integer arithmetic. kafkajs 2.2.4 computes it with
 * its Long class (several objects per 4 bytes of key) and a Buffer per string key, which showed in
 * bench:order-state's profile (the outbox relay publishes every status event with its order's key).
 * Same partition for every key (key-partitioner.spec.ts compares the two over a corpus), so ordering
 * per key is unchanged. A message without a key, or with its partition set, goes to kafkajs' own.
 */
export const KeyPartitioner: ICustomPartitioner = () => {
  const kafkajsDefault = Partitioners.DefaultPartitioner();
  return (args: PartitionerArgs) => {
    const { message, partitionMetadata } = args;
    if (message.partition != null || message.key == null) return kafkajsDefault(args);
    return (murmur2(message.key) & 0x7fffffff) % partitionMetadata.length;
  };
};

const M = 0x5bd1e995;

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2) of a key's UTF-8 bytes. */
export function murmur2(key: Buffer | string): number {
  const data = Buffer.isBuffer(key) ? key : asciiOrUtf8(String(key));
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = at(data, i4) | (at(data, i4 + 1) << 8) | (at(data, i4 + 2) << 16) | (at(data, i4 + 3) << 24) | 0;
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & ~3;
  const rest = length & 3;
  if (rest === 3) h ^= at(data, tail + 2) << 16;
  if (rest >= 2) h ^= at(data, tail + 1) << 8;
  if (rest >= 1) h = Math.imul(h ^ at(data, tail), M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** An ASCII key is its own UTF-8 bytes (read with charCodeAt); any other goes through a Buffer. */
function asciiOrUtf8(key: string): string | Buffer {
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) > 0x7f) return Buffer.from(key, 'utf8');
  return key;
}

const at = (data: string | Buffer, i: number): number =>
  typeof data === 'string' ? data.charCodeAt(i) : data[i];
