import type { ObservationOutcome, OrderStatus } from '@app/contracts';

export type { ObservationOutcome, OrderStatus };

export const FINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['success', 'fail', 'cancelled']);

export const isFinal = (status: OrderStatus): boolean => FINAL_STATUSES.has(status);
