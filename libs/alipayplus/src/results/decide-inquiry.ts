import { Dialect } from '../dialect';
import { dialectSpec, InquiryPaymentResponseByDialect } from '../dialects/registry';
import { InquiryDecision } from './inquiry-decision';

export type { FinalPaymentOutcome, InquiryDecision } from './inquiry-decision';

/** Applies the inquiry decision table of the dialect (§3.1 Alipay+, §3.2 Antom). */
export function decideInquiry<D extends Dialect>(
  dialect: D,
  response: InquiryPaymentResponseByDialect[D],
): InquiryDecision {
  return dialectSpec(dialect).inquiryPayment.decide(response);
}
