/**
 * kafkajs 2.2.4 keeps every broker connection's request queue polling itself every millisecond,
 * forever, once it has answered a request (tulios/kafkajs#1556, #1704, unfixed upstream):
 * `scheduleCheckPendingRequests` sets a timer even when nothing is pending and nothing is throttled,
 * with a negative delay (Node runs it after 1 ms), and the timer calls it again. A strace of an idle
 * replica counted ~1,450 event-loop wake-ups a second; most of its idle CPU (issue 14).
 *
 * This replaces that method with upstream's own logic plus the missing case: with nothing pending
 * and no throttle in force there is nothing to check later, so no timer. A request queued later
 * schedules its own check (push), and every answer checks the queue (fulfillRequest), as before.
 *
 * `createKafkaClient` applies it, so every service has it (the gateway and order-state wake up the
 * same way). It patches kafkajs's class for the whole process; `applyKafkajsIdleLoopFix` is idempotent.
 * Remove it when kafkajs ships the fix (re-check on every kafkajs upgrade: kafkajs-idle-loop.spec.ts
 * fails if the class it patches changes shape).
 */
interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's own interval for re-checking pending requests that could not be sent yet. */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;
const PATCHED = Symbol.for('payments.kafkajs-idle-loop-fix');

function scheduleCheckPendingRequests(this: RequestQueueLike): void {
  if (this.throttleCheckTimeoutId) return;
  let scheduleAt = this.throttledUntil - Date.now();
  if (this.pending.length > 0) scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL;
  else if (scheduleAt <= 0) return; // nothing waits and nothing is throttled: nothing to check
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, scheduleAt);
}

/** The kafkajs RequestQueue class (not part of its typed API). */
export function kafkajsRequestQueue(): { prototype: RequestQueueLike } {
  return require('kafkajs/src/network/requestQueue') as { prototype: RequestQueueLike };
}

export function applyKafkajsIdleLoopFix(): void {
  const proto = kafkajsRequestQueue().prototype as RequestQueueLike & { [PATCHED]?: true };
  if (proto[PATCHED]) return;
  proto.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  proto[PATCHED] = true;
}
