import { InMemoryOrderRepository, registration, result, T0 } from '../../test/order-state-fakes';
import { ApplyObservationsUseCase } from './apply-observations.use-case';
import { DEFAULT_EXPIRY_MS, RegisterOrdersUseCase } from './register-orders.use-case';

function setup() {
  const orders = new InMemoryOrderRepository();
  return { sut: new RegisterOrdersUseCase(orders), orders, apply: new ApplyObservationsUseCase(orders) };
}

describe('RegisterOrdersUseCase: orders start in init, with the event that schedules the poller', () => {
  it('a new order is registered in init, version 1, with one status event from null', async () => {
    const { sut, orders } = setup();
    expect(await sut.execute([registration()])).toEqual([{ kind: 'registered', paymentRequestId: 'pr-1' }]);
    expect(orders.order('pr-1')).toMatchObject({ status: 'init', version: 1, orderNo: 'o-1' });
    expect(orders.tables.statusEvents).toMatchObject([
      {
        eventId: 'status:pr-1:1',
        from: null,
        to: 'init',
        source: 'registration',
        version: 1,
        causeEventId: null,
      },
    ]);
  });

  it('registering the same order again is a no-op; twice in one batch, once', async () => {
    const { sut, orders } = setup();
    expect(await sut.execute([registration(), registration()])).toEqual([
      { kind: 'registered', paymentRequestId: 'pr-1' },
      { kind: 'registered', paymentRequestId: 'pr-1' },
    ]);
    expect(await sut.execute([registration()])).toEqual([
      { kind: 'already-registered', paymentRequestId: 'pr-1' },
    ]);
    expect(orders.tables.statusEvents).toHaveLength(1);
    expect(orders.tables.anomalies).toEqual([]);
  });

  it('another order under the same id is refused as a conflict naming the differences, recorded as an anomaly', async () => {
    const { sut, orders } = setup();
    await sut.execute([registration()]);
    const again = registration({ eventId: 'r2', orderNo: 'o-2', amount: { value: '1000', currency: 'USD' } });
    expect(await sut.execute([again])).toEqual([
      { kind: 'conflict', paymentRequestId: 'pr-1', differences: ['orderNo', 'amount'] },
    ]);
    expect(orders.order('pr-1')).toMatchObject({ orderNo: 'o-1', amount: { currency: 'JPY' } });
    expect(orders.tables.anomalies).toMatchObject([
      { kind: 'registration_conflict', eventId: 'r2', detail: { differences: ['orderNo', 'amount'] } },
    ]);
  });

  it('the same amount written differently is the same order', async () => {
    const { sut } = setup();
    await sut.execute([registration()]);
    expect(await sut.execute([registration({ amount: { value: '01000', currency: 'JPY' } })])).toMatchObject([
      { kind: 'already-registered' },
    ]);
  });

  it('without paymentExpiryTime the payment expires one minute after the registration (protocol.md §5)', async () => {
    const { sut, orders } = setup();
    await sut.execute([registration({ paymentExpiryTime: null })]);
    expect(orders.order('pr-1')!.paymentExpiryTime).toBe(new Date(T0 + DEFAULT_EXPIRY_MS).toISOString());
  });

  it('results that came first are applied at registration, in arrival order, each with its own status event', async () => {
    const { sut, orders, apply } = setup();
    await apply.execute([result()]);
    expect(orders.timelineOf('pr-1')).toMatchObject([{ effect: 'parked' }]);
    await sut.execute([registration()]);
    expect(orders.order('pr-1')).toMatchObject({ status: 'success', version: 2 });
    expect(orders.timelineOf('pr-1')).toMatchObject([{ effect: 'applied', statusAfter: 'success' }]);
    expect(orders.tables.statusEvents.map((e) => [e.version, e.from, e.to])).toEqual([
      [1, null, 'init'],
      [2, 'init', 'success'],
    ]);
  });

  it("a parked result's UNREGISTERED_RESULT exception closes when its order registers (issue 11 row 15)", async () => {
    const { sut, orders, apply } = setup();
    await apply.execute([result()]);
    await orders.transaction((tx) =>
      tx.raiseException({
        paymentRequestId: 'pr-1',
        clientId: 'C1',
        dialect: 'alipayplus',
        reason: 'UNREGISTERED_RESULT',
        detail: 'money without an order',
        evidence: { eventId: 'notify:pr-1:SUCCESS', code: 'SUCCESS', source: 'notify', note: null },
      }),
    );
    await sut.execute([registration()]);
    expect(orders.exceptionsOf('pr-1')).toMatchObject([{ resolution: 'auto', resolvedBy: 'order-state' }]);
    expect(orders.tables.exceptionEvents).toMatchObject([{ type: 'resolved', orderStatus: 'success' }]);
  });
});
