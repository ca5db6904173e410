import { InMemoryOrderRepository, result } from '../../test/order-state-fakes';
import { ApplyObservationsUseCase } from './apply-observations.use-case';
import { ExceptionsUseCase, OPERATOR_STATUS_SOURCE } from './exceptions.use-case';

const MIN = 60_000;

function setup() {
  const orders = new InMemoryOrderRepository();
  return { sut: new ExceptionsUseCase(orders), orders, apply: new ApplyObservationsUseCase(orders) };
}

/** An order with an open AMOUNT_MISMATCH exception (id 1): the partner reported 999 for 1000 JPY. */
async function withMismatch() {
  const s = setup();
  s.orders.seedOrder();
  await s.apply.execute([result({ amount: { value: '999', currency: 'JPY' } })]);
  s.orders.tables.exceptionEvents = [];
  return s;
}

describe('ExceptionsUseCase.resolve: a person decides (issue 11)', () => {
  it('an unknown exception: not-found', async () => {
    const { sut } = setup();
    expect(await sut.resolve('404', { resolution: 'accept', by: 'ann' })).toEqual({ kind: 'not-found' });
  });

  it('accept: the order becomes success with what the partner reported, the exception closes, the timeline says who', async () => {
    const { sut, orders } = await withMismatch();
    expect(await sut.resolve('1', { resolution: 'accept', by: 'ann', note: 'merchant agreed' })).toEqual({
      kind: 'resolved',
      exceptionId: '1',
    });
    expect(orders.order('pr-1')).toMatchObject({
      status: 'success',
      version: 2,
      resultCode: 'MANUAL_ACCEPT',
      resultSource: 'operator',
      paymentId: 'PAY-1',
    });
    expect(orders.tables.statusEvents).toMatchObject([
      {
        eventId: 'status:pr-1:2',
        from: 'init',
        to: 'success',
        source: OPERATOR_STATUS_SOURCE,
        causeEventId: 'exception:1:2',
        paymentId: 'PAY-1',
        reportedAmount: { value: '999', currency: 'JPY' },
      },
    ]);
    expect(orders.tables.exceptionEvents).toMatchObject([
      {
        eventId: 'exception:1:2',
        type: 'resolved',
        resolution: 'accept',
        resolvedBy: 'ann',
        orderStatus: 'success',
      },
    ]);
    expect(orders.timelineOf('pr-1').at(-1)).toMatchObject({
      eventId: 'exception:1:2',
      source: 'operator',
      outcome: 'ACCEPT',
      effect: 'applied',
      statusAfter: 'success',
      note: 'exception 1 (AMOUNT_MISMATCH): accept by ann: merchant agreed',
    });
  });

  it('a resolved exception cannot be resolved again (EXCEPTION_RESOLVED); nothing changes', async () => {
    const { sut, orders } = await withMismatch();
    await sut.resolve('1', { resolution: 'mark_failed', by: 'ann' });
    expect(orders.order('pr-1')).toMatchObject({ status: 'fail', resultCode: 'MANUAL_MARK_FAILED' });
    const again = await sut.resolve('1', { resolution: 'accept', by: 'bob' });
    expect(again).toMatchObject({ kind: 'conflict', code: 'EXCEPTION_RESOLVED' });
    expect(orders.order('pr-1')).toMatchObject({ status: 'fail', version: 2 });
  });

  it('mark_failed on a final order is refused (ORDER_STATUS_FORBIDS) and the exception stays open', async () => {
    const { sut, orders } = await withMismatch();
    orders.tables.orders.get('pr-1')!.status = 'cancelled';
    expect(await sut.resolve('1', { resolution: 'mark_failed', by: 'ann' })).toMatchObject({
      kind: 'conflict',
      code: 'ORDER_STATUS_FORBIDS',
    });
    expect(orders.exceptionsOf('pr-1')).toMatchObject([{ resolvedAt: null, version: 1 }]);
    expect(orders.tables.exceptionEvents).toEqual([]);
  });

  it('reinquire keeps the exception open: an update naming who asked, and an informational timeline line', async () => {
    const { sut, orders } = await withMismatch();
    await sut.resolve('1', { resolution: 'reinquire', by: 'bob', note: 'again' });
    expect(orders.exceptionsOf('pr-1')).toMatchObject([{ resolvedAt: null, version: 2 }]);
    expect(orders.tables.exceptionEvents).toMatchObject([
      { type: 'updated', resolution: 'reinquire', resolvedBy: 'bob', note: 'again', resolvedAt: null },
    ]);
    expect(orders.timelineOf('pr-1').at(-1)).toMatchObject({ effect: 'informational', statusAfter: 'init' });
    expect(orders.order('pr-1')).toMatchObject({ status: 'init', version: 1 });
  });
});

describe('ExceptionsUseCase sweeps', () => {
  it('results parked past the grace for an order never registered open one UNREGISTERED_RESULT, once', async () => {
    const { sut, orders, apply } = setup();
    await apply.execute([result({ paymentRequestId: 'ghost' })]);
    expect(await sut.sweepUnregistered(10 * MIN)).toBe(0); // within the grace
    orders.advance(11 * MIN);
    expect(await sut.sweepUnregistered(10 * MIN)).toBe(1);
    expect(orders.exceptionsOf('ghost')).toMatchObject([
      {
        reason: 'UNREGISTERED_RESULT',
        detail:
          '1 result(s) for an order never registered, the latest SUCCESS of 1000 JPY: money without an order',
      },
    ]);
    expect(orders.tables.exceptionEvents).toMatchObject([{ type: 'opened', orderStatus: null }]);
    expect(await sut.sweepUnregistered(10 * MIN)).toBe(0);
  });

  it('closes an UNREGISTERED_RESULT whose order registered and has nothing parked left', async () => {
    const { sut, orders } = setup();
    orders.seedOrder();
    await orders.transaction((tx) =>
      tx.raiseException({
        paymentRequestId: 'pr-1',
        clientId: 'C1',
        dialect: 'alipayplus',
        reason: 'UNREGISTERED_RESULT',
        detail: 'd',
        evidence: { eventId: null, code: 'SUCCESS', source: 'notify', note: null },
      }),
    );
    expect(await sut.sweepUnregistered(10 * MIN)).toBe(1);
    expect(orders.exceptionsOf('pr-1')).toMatchObject([{ resolution: 'auto' }]);
  });

  it('an order non-final past its expiry plus the grace gets STUCK_PAST_EXPIRY, once; a final one does not', async () => {
    const { sut, orders } = setup();
    orders.seedOrder();
    orders.seedOrder({ paymentRequestId: 'pr-paid', status: 'success', version: 2 });
    expect(await sut.sweepStuck(10 * MIN)).toBe(0);
    orders.advance(12 * MIN);
    expect(await sut.sweepStuck(10 * MIN)).toBe(1);
    expect(orders.exceptionsOf('pr-1')).toMatchObject([{ reason: 'STUCK_PAST_EXPIRY' }]);
    expect(orders.exceptionsOf('pr-paid')).toEqual([]);
    expect(await sut.sweepStuck(10 * MIN)).toBe(0);
  });

  it('while another replica sweeps, this one does nothing', async () => {
    const { sut, orders } = setup();
    orders.seedOrder();
    orders.advance(12 * MIN);
    orders.sweepLockedElsewhere = true;
    expect(await sut.sweepStuck(10 * MIN)).toBe(0);
    expect(await sut.sweepUnregistered(10 * MIN)).toBe(0);
    expect(orders.tables.exceptions).toEqual([]);
  });
});
