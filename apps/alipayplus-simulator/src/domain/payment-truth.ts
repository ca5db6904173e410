import { ORDER_IS_CLOSED, PAYMENT_IN_PROCESS, SUCCESS } from '@app/alipayplus';
import type { ExpectedOrderStatus, TruthStatus } from '../types';
import type { ScriptStep } from './payment-script';

/*
 * What Alipay+ knows about one payment, as a pure function of the script and the simulated time since the
 * payment was created. The simulator, its inquiry answers and its notifications all read this one value.
 */

/** The result code of a cancelled payment in TruthView (the wire answers say ORDER_IS_CLOSED, §3.1). */
export const CANCELLED_CODE = 'CANCELLED';

export interface TruthState {
  readonly status: TruthStatus;
  /** SUCCESS, the failure code, PAYMENT_IN_PROCESS or CANCELLED. */
  readonly resultCode: string;
  /** Index of the first timeline step not applied yet. */
  readonly nextStep: number;
  /** Simulated ms (since creation) at which SUCCESS/FAIL was reached. */
  readonly finalAtSimMs?: number;
  /** Simulated ms (since creation) of the first successful cancel. */
  readonly cancelledAtSimMs?: number;
  /** A cancel reversed a payment that had succeeded (protocol.md §4.1, §4.2: full refund). */
  readonly paidBeforeCancel: boolean;
}

export function initialTruth(): TruthState {
  return { status: 'PROCESSING', resultCode: PAYMENT_IN_PROCESS, nextStep: 0, paidBeforeCancel: false };
}

export interface Advance {
  readonly state: TruthState;
  /** The truth became SUCCESS or FAIL during this advance: time to notify (protocol.md §2.1). */
  readonly becameFinal: boolean;
}

/**
 * Applies every timeline step due at `elapsedSimMs`. A final or cancelled payment no longer follows its
 * script: after a cancel "the buyer can no longer pay" (protocol.md §4.2), so later scripted steps are void.
 */
export function advanceTruth(
  state: TruthState,
  timeline: readonly ScriptStep[],
  elapsedSimMs: number,
): Advance {
  let current = state;
  let becameFinal = false;
  while (current.status === 'PROCESSING' && current.nextStep < timeline.length) {
    const step = timeline[current.nextStep];
    if (step.atMs > elapsedSimMs) break;
    const nextStep = current.nextStep + 1;
    if (step.status === 'PROCESSING') {
      current = { ...current, nextStep };
    } else {
      current = {
        ...current,
        status: step.status,
        resultCode: step.status === 'SUCCESS' ? SUCCESS : (step.resultCode as string),
        nextStep,
        finalAtSimMs: step.atMs,
      };
      becameFinal = true;
    }
  }
  return { state: current, becameFinal };
}

/**
 * A successful cancel (protocol.md §4): whatever the state, the payment ends CANCELLED — a paid one is
 * reversed (paidBeforeCancel), a pending one can no longer be paid, a failed one is closed. Cancelling
 * again is idempotent: the state and its cancel time do not change (§4.1 "same ID ⇒ processed once").
 * The caller advances the truth to the same moment first, so a success that was due is seen as paid.
 */
export function cancelTruth(state: TruthState, elapsedSimMs: number): TruthState {
  if (state.status === 'CANCELLED') return state;
  return {
    ...state,
    status: 'CANCELLED',
    resultCode: CANCELLED_CODE,
    cancelledAtSimMs: elapsedSimMs,
    paidBeforeCancel: state.status === 'SUCCESS',
  };
}

/** Simulated ms of the next step still to apply, or undefined when the script has nothing more to say. */
export function nextStepDueAt(state: TruthState, timeline: readonly ScriptStep[]): number | undefined {
  if (state.status !== 'PROCESSING') return undefined;
  return timeline[state.nextStep]?.atMs;
}

/** The script will still turn this payment SUCCESS or FAIL (so a notification is still to come). */
export function willBecomeFinal(state: TruthState, timeline: readonly ScriptStep[]): boolean {
  if (state.status !== 'PROCESSING') return false;
  return timeline.slice(state.nextStep).some((step) => step.status !== 'PROCESSING');
}

/**
 * The order status our pipeline must end with (design.md §4): a cancel → cancelled; SUCCESS → success;
 * FAIL ORDER_IS_CLOSED → cancelled (closed, §3.1); any other FAIL → fail; PROCESSING → null (not final).
 */
export function expectedOrderStatus(status: TruthStatus, resultCode: string): ExpectedOrderStatus {
  switch (status) {
    case 'CANCELLED':
      return 'cancelled';
    case 'SUCCESS':
      return 'success';
    case 'FAIL':
      return resultCode === ORDER_IS_CLOSED ? 'cancelled' : 'fail';
    case 'PROCESSING':
      return null;
  }
}
