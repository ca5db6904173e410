// Writes to the transactional outbox (design.md §4): one row per event, in the transaction of the
// change; infrastructure/messaging/outbox-relay.ts publishes them after the commit.
import type { EntityManager } from 'typeorm';
import { encodeEvent, Topics } from '@app/contracts';
import type { ExceptionEventV1, StatusChangedV1, TopicName } from '@app/contracts';
import { inSlices, MAX_ROWS_PER_STATEMENT, textArray, textParams } from './sql-text';

type OutboxTopic = typeof Topics.statusChanged | typeof Topics.exceptions;
type EventFor<T extends OutboxTopic> = T extends typeof Topics.statusChanged
  ? StatusChangedV1
  : ExceptionEventV1;

export async function insertOutboxRows<T extends OutboxTopic>(
  em: EntityManager,
  topic: T,
  events: readonly EventFor<T>[],
): Promise<void> {
  if (events.length === 0) return;
  if (events.length > MAX_ROWS_PER_STATEMENT) {
    return inSlices(events, (slice) => insertOutboxRows(em, topic, slice));
  }
  await em.query(
    // One round trip: the insert, then the notification that wakes the relay at commit (it also
    // polls, so a lost notification only delays).
    `WITH inserted AS (
       INSERT INTO outbox (event_id, topic, message_key, payload, created_at)
       SELECT t.event_id, $1, t.message_key, t.payload, now()
         FROM ROWS FROM (unnest($2::text[]), unnest($3::text[]), unnest(ARRAY[${textParams(4, events.length)}]::text[]))
              WITH ORDINALITY AS t(event_id, message_key, payload, ord)
        ORDER BY t.ord
     )
     SELECT pg_notify('payments_outbox', '')`,
    [
      topic,
      textArray(events.map((c) => c.eventId)),
      textArray(events.map((c) => c.paymentRequestId)),
      ...events.map((c) => encodeEvent(topic as TopicName, c as never)),
    ],
  );
}
