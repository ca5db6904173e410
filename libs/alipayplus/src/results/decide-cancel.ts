import { Dialect } from '../dialect';
import { CancelPaymentResponseByDialect, dialectSpec } from '../dialects/registry';
import { CancelDecision } from './cancel-decision';

export { decideOnTransportError, NO_RESPONSE } from './cancel-decision';
export type { CancelDecision } from './cancel-decision';

/** Applies the cancel result table of the dialect (§4.1 Alipay+, §4.2 Antom: the same table). */
export function decideCancel<D extends Dialect>(
  dialect: D,
  response: CancelPaymentResponseByDialect[D],
): CancelDecision {
  return dialectSpec(dialect).cancelPayment.decide(response);
}
