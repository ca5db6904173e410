import type { ExceptionReason, ExceptionResolution, OrderStatus } from '@app/contracts';
import { isFinal } from './order-status';

export type OperatorResolution = Exclude<ExceptionResolution, 'auto'>;

/**
 * What a person's resolution does (issue 11, "Exceptions as a first-class thing"):
 * - `move`: the order's new status (accept → success, mark_failed → fail), or none;
 * - `keepOpen`: reinquire leaves the exception open (the poller inquires once more on its event).
 */
export type ResolutionDecision =
  | { ok: true; move?: 'success' | 'fail'; keepOpen: boolean }
  | { ok: false; code: 'ORDER_STATUS_FORBIDS'; message: string };

/**
 * One table for every resolution, so the rules live in one place.
 * - accept: a non-final order becomes `success`. Also a PAID_AFTER_CLOSE order (`cancelled` by a
 *   close the partner never confirmed, then paid): the merchant keeps the payment instead of
 *   reversing it. Any other final order is refused: its truth is settled.
 * - mark_failed: a non-final order becomes `fail`; a final one is refused.
 * - reverse: the exception closes and the poller sends a cancel whatever the status (a reversal of
 *   a paid payment inside the cancel window); the order moves when the cancel's answer arrives.
 * - reinquire: always allowed while open.
 * An UNREGISTERED_RESULT has no order (`status` null): accept and mark_failed record the person's
 * decision about money without an order and close it; nothing else changes.
 */
export function decideResolution(
  status: OrderStatus | null,
  reason: ExceptionReason,
  resolution: OperatorResolution,
): ResolutionDecision {
  const refuse = (why: string): ResolutionDecision => ({
    ok: false,
    code: 'ORDER_STATUS_FORBIDS',
    message: why,
  });
  switch (resolution) {
    case 'reinquire':
      return { ok: true, keepOpen: true };
    case 'reverse':
      return { ok: true, keepOpen: false };
    case 'accept':
      if (status === null) return { ok: true, keepOpen: false };
      if (!isFinal(status)) return { ok: true, move: 'success', keepOpen: false };
      if (reason === 'PAID_AFTER_CLOSE' && status === 'cancelled') {
        return { ok: true, move: 'success', keepOpen: false };
      }
      return refuse(`the order is ${status}: accept needs a non-final order`);
    case 'mark_failed':
      if (status === null) return { ok: true, keepOpen: false };
      if (!isFinal(status)) return { ok: true, move: 'fail', keepOpen: false };
      return refuse(`the order is ${status}: mark_failed needs a non-final order`);
  }
}
