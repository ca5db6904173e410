import { z } from 'zod';
import { Topics, TopicName } from './topics';
import {
  DeadLetterV1Schema,
  ExceptionEventV1Schema,
  InquiryHintV1Schema,
  OrderCommandV1Schema,
  OrderRegisteredV1Schema,
  ResultObservedV1Schema,
  StatusChangedV1Schema,
} from './events';
import { fastAccepts } from './fast-paths';

/** One schema per topic: the single definition that producers, consumers and the published JSON Schemas share. */
export const TopicSchemas = {
  [Topics.orderRegistered]: OrderRegisteredV1Schema,
  [Topics.resultObserved]: ResultObservedV1Schema,
  [Topics.statusChanged]: StatusChangedV1Schema,
  [Topics.dlq]: DeadLetterV1Schema,
  [Topics.inquiryHint]: InquiryHintV1Schema,
  [Topics.exceptions]: ExceptionEventV1Schema,
  [Topics.orderCommands]: OrderCommandV1Schema,
} as const satisfies Record<TopicName, z.ZodType>;

export type EventOf<T extends TopicName> = z.infer<(typeof TopicSchemas)[T]>;

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Decodes and validates a consumed message value against its topic's schema. Never throws: a bad
 * message gets a reason, which the consumer dead-letters (design.md §6).
 */
export function decodeEvent<T extends TopicName>(
  topic: T,
  value: Buffer | string | null,
): DecodeResult<EventOf<T>> {
  if (value === null) return { ok: false, reason: 'empty message value' };
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: `value is not JSON: ${(err as Error).message}` };
  }
  // The hot events skip zod when a hand check is sure zod would return the same value (fast-paths.ts).
  if (fastAccepts(topic, json)) return { ok: true, value: json as EventOf<T> };
  const parsed = TopicSchemas[topic].safeParse(json);
  if (!parsed.success) return { ok: false, reason: `schema ${topic}: ${z.prettifyError(parsed.error)}` };
  return { ok: true, value: parsed.data as EventOf<T> };
}

/**
 * Why the event does not fit its topic's schema, or null when it does. For producers that build an
 * event from a partner's answer: an answer that cannot be told must be handled as a bad answer, not
 * retried as if Kafka were down.
 */
export function contractViolation<T extends TopicName>(topic: T, event: EventOf<T>): string | null {
  if (fastAccepts(topic, event)) return null;
  const parsed = TopicSchemas[topic].safeParse(event);
  return parsed.success ? null : z.prettifyError(parsed.error);
}

/** Validates before producing, so that nothing we publish would be dead-lettered by our own consumers. */
export function encodeEvent<T extends TopicName>(topic: T, event: EventOf<T>): string {
  if (fastAccepts(topic, event)) return JSON.stringify(event);
  const parsed = TopicSchemas[topic].safeParse(event);
  if (!parsed.success) {
    throw new Error(`refusing to publish an invalid ${topic} event: ${z.prettifyError(parsed.error)}`);
  }
  return JSON.stringify(parsed.data);
}

/** JSON Schema (draft 2020-12) of each topic, generated from the zod definitions above. */
export function jsonSchemas(): Record<TopicName, unknown> {
  const out = {} as Record<TopicName, unknown>;
  for (const [topic, schema] of Object.entries(TopicSchemas) as [TopicName, z.ZodType][]) {
    out[topic] = { $id: `urn:payments:${topic}`, title: topic, ...z.toJSONSchema(schema, { io: 'input' }) };
  }
  return out;
}
