import { EXCEPTION_FILTERS_METADATA } from '@nestjs/common/constants';
import { PassErrorsToTransportFilter } from '@app/kafka';
import { InquiryPollerConsumers } from './inquiry-poller.consumers';

// Without this filter Nest hands the batch consumer "Internal server error" instead of the database's
// error, and a message PostgreSQL refuses stalls its partition (libs/kafka/test/batch-consumer.int-spec.ts).
describe('InquiryPollerConsumers', () => {
  it('hands handler errors to the batch transport unchanged', () => {
    const filters = (Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, InquiryPollerConsumers) ??
      []) as unknown[];
    expect(filters.some((f) => f instanceof PassErrorsToTransportFilter)).toBe(true);
  });
});
