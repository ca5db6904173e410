import { z } from 'zod';
import { AlipayPlusNotifyPaymentSchema, AntomNotifyPaymentSchema } from '@app/alipayplus';

/**
 * The notify-gateway's endpoints (protocol.md §1.7, §2): a partner's signed notifyPayment and our ack.
 * The bodies are the partner's own schemas (libs/alipayplus), which the gateway parses with.
 */
export const NotifyRequestBodies = {
  alipayplus: AlipayPlusNotifyPaymentSchema.meta({ id: 'AlipayPlusNotifyPayment' }),
  antom: AntomNotifyPaymentSchema.meta({ id: 'AntomNotifyPayment' }),
} as const;

/** The signed-request headers of protocol.md §1.7 (request) and of our signed ack (response). */
export const NotifyRequestHeaders = z.object({
  'client-id': z.string().min(1).meta({ description: "The partner's client id." }),
  'request-time': z.string().min(1).meta({ description: 'When the partner signed the request.' }),
  signature: z
    .string()
    .min(1)
    .meta({ description: '`algorithm=RSA256,keyVersion=…,signature=…` over the exact bytes received.' }),
});

/** `{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}`: received, durable. */
export const NotifyAckSchema = z
  .object({
    result: z.object({
      resultCode: z.literal('SUCCESS'),
      resultStatus: z.literal('S'),
      resultMessage: z.literal('success'),
    }),
  })
  .meta({ id: 'NotifyAck' });

/** A refused notification: F (we refuse it) or U (we could not process it); either makes the peer re-send. */
export const NotifyRefusalSchema = z
  .object({
    result: z.object({
      resultCode: z.string().min(1).max(64),
      resultStatus: z.enum(['F', 'U']),
      resultMessage: z.string().max(256),
    }),
  })
  .meta({ id: 'NotifyRefusal' });

/** The refusal restricted to these codes and this result status. */
export const notifyRefusal = (status: 'F' | 'U', ...codes: [string, ...string[]]) =>
  z.object({
    result: z.object({
      resultCode: z.enum(codes),
      resultStatus: z.literal(status),
      resultMessage: z.string().max(256),
    }),
  });
