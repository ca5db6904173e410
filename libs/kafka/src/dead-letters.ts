import type { KafkaMessage } from 'kafkajs';
import { DeadLetterV1, encodeEvent, Topics, TopicName } from '@app/contracts';

/**
 * The most of a refused value a dead letter carries (base64 makes it 256 KiB at most): letters must
 * stay well under Kafka's 1 MB message limit, or the DLQ write fails and the consumer with it.
 */
export const DEAD_LETTER_VALUE_MAX_BYTES = 192 * 1024;

/** A message the consumer refuses, with why. */
export interface RefusedMessage {
  message: KafkaMessage;
  reason: string;
}

/**
 * The dead letters (payments.dlq.v1) of refused messages of one partition, ready to publish. The id
 * is deterministic: a replay of the same offset dead-letters it with the same id.
 */
export function deadLettersFor(
  groupId: string,
  topic: TopicName,
  partition: number,
  refused: readonly RefusedMessage[],
  now = new Date().toISOString(),
): { topic: typeof Topics.dlq; key: string; value: string }[] {
  return refused.map(({ message, reason }) => {
    const whole = message.value;
    const truncated = whole !== null && whole.length > DEAD_LETTER_VALUE_MAX_BYTES;
    const raw = truncated ? whole.subarray(0, DEAD_LETTER_VALUE_MAX_BYTES) : whole;
    const utf8 = raw ? raw.toString('utf8') : null;
    const isUtf8 = raw ? Buffer.from(utf8 ?? '', 'utf8').equals(raw) : true;
    const letter: DeadLetterV1 = {
      eventId: `dlq:${groupId}:${topic}:${partition}:${message.offset}`,
      schemaVersion: 1,
      occurredAt: now,
      originalTopic: topic,
      partition,
      offset: message.offset,
      key: message.key?.toString('utf8').slice(0, 1024) ?? null,
      value: raw ? (isUtf8 ? utf8 : raw.toString('base64')) : null,
      valueEncoding: isUtf8 ? 'utf8' : 'base64',
      ...(truncated ? { valueTruncated: true as const, valueBytes: whole.length } : {}),
      reason: reason.slice(0, 4000),
      consumerGroup: groupId,
    };
    return {
      topic: Topics.dlq,
      key: letter.key ?? `${topic}:${partition}`,
      value: encodeEvent(Topics.dlq, letter),
    };
  });
}
