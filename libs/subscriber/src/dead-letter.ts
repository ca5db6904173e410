import type { DeadLetterV1 } from './contracts';

/**
 * The most of a refused value a letter carries: letters must stay well under Kafka's 1 MB message
 * limit, or the DLQ write fails (and the subscriber with it). The whole value stays at its topic,
 * partition and offset for the topic's retention.
 */
export const DEAD_LETTER_VALUE_MAX_BYTES = 192 * 1024;

export interface RefusedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

/**
 * The payments.dlq.v1 letter for a message the subscriber cannot use, with the reason. Its id is
 * deterministic, so a replay of the same offset writes the same letter (downstream dedupes by id).
 */
export function deadLetterFor(
  message: RefusedMessage,
  reason: string,
  groupId: string,
  now: Date = new Date(),
): DeadLetterV1 {
  const whole = message.value;
  const truncated = whole !== null && whole.length > DEAD_LETTER_VALUE_MAX_BYTES;
  const raw = whole && truncated ? whole.subarray(0, DEAD_LETTER_VALUE_MAX_BYTES) : whole;
  const utf8 = raw ? raw.toString('utf8') : null;
  const isUtf8 = raw ? Buffer.from(utf8 ?? '', 'utf8').equals(raw) : true;
  return {
    eventId: `dlq:${groupId}:${message.topic}:${message.partition}:${message.offset}`,
    schemaVersion: 1,
    occurredAt: now.toISOString(),
    originalTopic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: message.key?.toString('utf8').slice(0, 1024) ?? null,
    value: raw ? (isUtf8 ? utf8 : raw.toString('base64')) : null,
    valueEncoding: isUtf8 ? 'utf8' : 'base64',
    ...(truncated ? { valueTruncated: true as const, valueBytes: whole.length } : {}),
    reason: reason.slice(0, 4000),
    consumerGroup: groupId,
  };
}
