export {
  AmountSchema,
  DateTimeStringSchema,
  describeIssues,
  Id64Schema,
  LenientAmountSchema,
  NotifyResultSchema,
  InfoIdSchema,
  OptionalId64Schema,
  OptionalTextSchema,
  QuoteSchema,
  RESULT_STATUSES,
  ResultSchema,
  ResultStatusSchema,
  TransactionSchema,
} from './common.schema';
export type { Amount, NotifyResult, Result, ResultStatus } from './common.schema';
export * from './notify-payment.schema';
export * from './inquiry-payment.schema';
export * from './cancel-payment.schema';
export * from './api-paths';
export { buildFailureAckBody, NOTIFY_ACK_BODY } from './notify-ack';
export type { FailureAckInput } from './notify-ack';
export { parseNotification } from './parse-notification';
export type {
  NotificationObservation,
  NotificationOutcome,
  ParseNotificationResult,
} from './parse-notification';
