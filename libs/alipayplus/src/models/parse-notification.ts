import { TextDecoder } from 'node:util';
import { Dialect } from '../dialect';
import { dialectSpec } from '../dialects/registry';
import { describeIssues } from './common.schema';
import { illegal, ParseNotificationResult } from './notification-observation';

export type {
  NotificationObservation,
  NotificationOutcome,
  ParseNotificationResult,
} from './notification-observation';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses and validates a notifyPayment body (the raw bytes, after its signature was verified) and
 * normalizes it with the dialect's reader (protocol.md §2.1 Alipay+, §2.2 Antom). Never throws:
 * malformed input comes back as PARAM_ILLEGAL with a reason. A status of U is refused because
 * notifications only carry final S/F.
 */
export function parseNotification(dialect: Dialect, rawBody: Buffer | string): ParseNotificationResult {
  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === 'string' ? rawBody : utf8.decode(rawBody));
  } catch (error) {
    const kind = error instanceof SyntaxError ? 'body is not valid JSON' : 'body is not valid UTF-8';
    return illegal(kind);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return illegal('body is not a JSON object');
  }
  const notification = dialectSpec(dialect).notification;
  const parsed = notification.schema.safeParse(json);
  if (!parsed.success) return illegal(describeIssues(parsed.error));
  return notification.read(parsed.data);
}
