import type { ExceptionEventV1 } from '@app/contracts';
import { exceptionEvent } from '@app/testing/factories';
import { exceptionCommand } from './exception-commands';

const event = (over: Partial<ExceptionEventV1>) => exceptionEvent({ exceptionId: '42', ...over });

describe('exceptionCommand (payments.exceptions.v1 → what the poller does)', () => {
  it('opened PAID_AFTER_CLOSE → a reversal, named by the exception', () => {
    expect(exceptionCommand(event({ reason: 'PAID_AFTER_CLOSE', orderStatus: 'cancelled' }))).toEqual({
      kind: 'reverse',
      paymentRequestId: 'pr-1',
      reversalKey: '42',
    });
  });

  it('resolved reverse → a reversal of its own, even after the automatic one of the same exception', () => {
    expect(exceptionCommand(event({ type: 'resolved', resolution: 'reverse' }))).toEqual({
      kind: 'reverse',
      paymentRequestId: 'pr-1',
      reversalKey: '42-reverse',
    });
  });

  it.each(['updated', 'resolved'] as const)('%s reinquire → one inquiry now', (type) => {
    expect(exceptionCommand(event({ type, resolution: 'reinquire' }))).toEqual({
      kind: 'reinquire',
      paymentRequestId: 'pr-1',
    });
  });

  it.each([
    ['opened for another reason', event({ reason: 'UNVERIFIED_ANSWERS' })],
    ['resolved accept', event({ type: 'resolved', resolution: 'accept' })],
    ['resolved mark_failed', event({ type: 'resolved', resolution: 'mark_failed' })],
    ['resolved auto', event({ type: 'resolved', resolution: 'auto', reason: 'PAID_AFTER_CLOSE' })],
    ['updated without a resolution', event({ type: 'updated' })],
  ])('%s → nothing', (_label, e) => {
    expect(exceptionCommand(e)).toBeNull();
  });
});
