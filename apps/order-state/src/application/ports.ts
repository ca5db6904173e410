import type { ObservationSource, OrderStatus } from '@app/contracts';

/** What one committed batch did, for the metrics (counted only after the transaction commits). */
export interface AppliedOutcome {
  readonly observations: readonly {
    readonly source: ObservationSource | 'operator';
    readonly effect: string;
  }[];
  readonly transitions: readonly {
    readonly from: OrderStatus;
    readonly to: OrderStatus;
    readonly source: string;
  }[];
  readonly anomalies: readonly string[];
}

/**
 * Where order-state tells what it applied (GET /metrics). A port, so the use cases are tested
 * without a metrics registry; the adapter is infrastructure/metrics/order-state-metrics.ts.
 */
export abstract class OutcomeRecorder {
  abstract recordApplied(outcome: AppliedOutcome): void;
}

/** Records nothing (tests and tools that need no metrics). */
export class NoOutcomeRecorder extends OutcomeRecorder {
  recordApplied(): void {}
}
