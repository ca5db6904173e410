import { jsonSchemas } from './registry';
import { Topics, TopicName } from './topics';

const DESCRIPTIONS: Record<TopicName, string> = {
  [Topics.orderRegistered]: 'An order to track until its final result (checkout → order-state).',
  [Topics.resultObserved]:
    'One observation of a payment result from notify, inquiry or cancel (gateway, poller → order-state).',
  [Topics.statusChanged]:
    'The authoritative change of an order status, with a per-order monotonic version (order-state → subscribers).',
  [Topics.dlq]: 'A message that could not be processed, with the reason (any consumer → people).',
  [Topics.inquiryHint]:
    'Inquire about this payment now; unverified, so it only ever causes a signed inquiry (gateway → poller).',
  [Topics.exceptions]:
    "An order's exception opened, updated or resolved (order-state → alerting, inquiry-poller, subscribers).",
  [Topics.orderCommands]:
    'A command for an order: cancel it in advance, as POST /orders/:id/cancel does (checkout → order-state).',
};

/** An AsyncAPI 3 document for every topic, built from the same zod definitions the code validates with. */
export function asyncApiDocument(): Record<string, unknown> {
  const schemas = jsonSchemas();
  const channels: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  for (const topic of Object.values(Topics)) {
    const name = topic.replace(/[^a-zA-Z0-9]/g, '_');
    messages[name] = {
      name: topic,
      contentType: 'application/json',
      description: DESCRIPTIONS[topic],
      bindings: { kafka: { key: { type: 'string', description: 'paymentRequestId' } } },
      payload: schemas[topic],
    };
    channels[name] = {
      address: topic,
      description: DESCRIPTIONS[topic],
      messages: { [name]: { $ref: `#/components/messages/${name}` } },
    };
    operations[`receive_${name}`] = { action: 'receive', channel: { $ref: `#/channels/${name}` } };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Payment-result pipeline events',
      version: '1.0.0',
      description:
        'Every event is keyed by paymentRequestId and carries eventId, schemaVersion, occurredAt and clientId.',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages },
  };
}
