import { InMemoryOrderRepository, RecordingOutcomes, result, T0 } from '../../test/order-state-fakes';
import { ApplyObservationsUseCase } from './apply-observations.use-case';

function setup() {
  const orders = new InMemoryOrderRepository();
  const recorder = new RecordingOutcomes();
  return { sut: new ApplyObservationsUseCase(orders, recorder), orders, recorder };
}

describe('ApplyObservationsUseCase: a batch of results in one transaction (design.md §4, §6)', () => {
  it('a SUCCESS moves an init order to success: timeline row, order row and one status event, committed together', async () => {
    const { sut, orders, recorder } = setup();
    orders.seedOrder();
    const summary = await sut.execute([result()]);
    expect(summary).toEqual({ received: 1, duplicates: 0, parked: 0, transitions: 1, anomalies: 0 });
    expect(orders.order('pr-1')).toMatchObject({
      status: 'success',
      version: 2,
      resultCode: 'SUCCESS',
      resultSource: 'notify',
      paymentId: 'PAY-1',
      finalAt: orders.now,
    });
    expect(orders.timelineOf('pr-1')).toMatchObject([
      { eventId: 'notify:pr-1:SUCCESS', effect: 'applied', statusAfter: 'success' },
    ]);
    expect(orders.tables.statusEvents).toMatchObject([
      {
        eventId: 'status:pr-1:2',
        from: 'init',
        to: 'success',
        version: 2,
        source: 'notify',
        causeEventId: 'notify:pr-1:SUCCESS',
        paymentId: 'PAY-1',
        reportedAmount: { value: '1000', currency: 'JPY' },
        paymentTime: new Date(T0 + 1000).toISOString(),
      },
    ]);
    expect(recorder.applied).toEqual([
      {
        observations: [{ source: 'notify', effect: 'applied' }],
        transitions: [{ from: 'init', to: 'success', source: 'notify' }],
        anomalies: [],
      },
    ]);
  });

  it('a replayed batch changes nothing: every event is a duplicate, no second transition or status event', async () => {
    const { sut, orders, recorder } = setup();
    orders.seedOrder();
    await sut.execute([result()]);
    const replay = await sut.execute([result(), result()]);
    expect(replay).toEqual({ received: 2, duplicates: 2, parked: 0, transitions: 0, anomalies: 0 });
    expect(orders.order('pr-1')).toMatchObject({ status: 'success', version: 2 });
    expect(orders.timelineOf('pr-1')).toHaveLength(1);
    expect(orders.tables.statusEvents.map((e) => e.eventId)).toEqual(['status:pr-1:2']);
    expect(recorder.applied[1]).toEqual({ observations: [], transitions: [], anomalies: [] });
  });

  it('the same event twice in one batch is applied once; two results of one order are folded in arrival order', async () => {
    const { sut, orders } = setup();
    orders.seedOrder();
    const summary = await sut.execute([
      result({
        eventId: 'e1',
        outcome: 'CANCEL_REQUESTED',
        resultCode: 'CANCEL_REQUESTED',
        source: 'cancel',
      }),
      result({
        eventId: 'e1',
        outcome: 'CANCEL_REQUESTED',
        resultCode: 'CANCEL_REQUESTED',
        source: 'cancel',
      }),
      result({ eventId: 'e2', outcome: 'CANCELLED', resultCode: 'SUCCESS', source: 'cancel' }),
    ]);
    expect(summary).toMatchObject({ received: 3, duplicates: 1, transitions: 2 });
    expect(orders.tables.statusEvents.map((e) => [e.eventId, e.from, e.to])).toEqual([
      ['status:pr-1:2', 'init', 'cancelling'],
      ['status:pr-1:3', 'cancelling', 'cancelled'],
    ]);
  });

  it('a result for an order not registered yet is parked: stored, no status event', async () => {
    const { sut, orders } = setup();
    const summary = await sut.execute([result({ paymentRequestId: 'pr-early' })]);
    expect(summary).toMatchObject({ parked: 1, transitions: 0 });
    expect(orders.timelineOf('pr-early')).toMatchObject([{ effect: 'parked', statusAfter: null }]);
    expect(orders.tables.statusEvents).toEqual([]);
  });

  it('conflicting final results: the order stays, the timeline says conflict, an anomaly is recorded', async () => {
    const { sut, orders, recorder } = setup();
    orders.seedOrder({ status: 'success', version: 2 });
    const summary = await sut.execute([result({ eventId: 'late-fail', outcome: 'FAIL', resultCode: 'X' })]);
    expect(summary).toMatchObject({ transitions: 0, anomalies: 1 });
    expect(orders.order('pr-1')).toMatchObject({ status: 'success', version: 2 });
    expect(orders.tables.anomalies).toMatchObject([
      { paymentRequestId: 'pr-1', kind: 'conflict', eventId: 'late-fail' },
    ]);
    expect(orders.tables.statusEvents).toEqual([]);
    expect(recorder.applied[0].anomalies).toEqual(['conflict']);
  });

  it('a result from another partner than the order was registered with moves nothing (partner_mismatch)', async () => {
    const { sut, orders } = setup();
    orders.seedOrder();
    await sut.execute([result({ clientId: 'OTHER' })]);
    expect(orders.order('pr-1')).toMatchObject({ status: 'init', version: 1 });
    expect(orders.tables.anomalies).toMatchObject([{ kind: 'partner_mismatch' }]);
    expect(orders.timelineOf('pr-1')).toMatchObject([{ effect: 'partner_mismatch' }]);
  });

  it('a SUCCESS of another amount opens an AMOUNT_MISMATCH exception with its event; the order stays init', async () => {
    const { sut, orders } = setup();
    orders.seedOrder();
    await sut.execute([result({ amount: { value: '999', currency: 'JPY' } })]);
    expect(orders.order('pr-1')).toMatchObject({ status: 'init', version: 1 });
    expect(orders.exceptionsOf('pr-1')).toMatchObject([
      { reason: 'AMOUNT_MISMATCH', version: 1, resolvedAt: null },
    ]);
    expect(orders.tables.exceptionEvents).toMatchObject([
      { eventId: 'exception:1:1', type: 'opened', reason: 'AMOUNT_MISMATCH', orderStatus: 'init' },
    ]);
  });

  it('an open exception closes by itself (auto) once the order settles', async () => {
    const { sut, orders } = setup();
    orders.seedOrder();
    await sut.execute([
      result({
        eventId: 'attention',
        outcome: 'PROCESSING',
        resultCode: 'U',
        attention: { reason: 'UNVERIFIED_ANSWERS', detail: 'd' },
      }),
    ]);
    expect(orders.exceptionsOf('pr-1')).toMatchObject([{ reason: 'UNVERIFIED_ANSWERS', resolvedAt: null }]);
    await sut.execute([result()]);
    expect(orders.exceptionsOf('pr-1')).toMatchObject([
      { resolution: 'auto', resolvedBy: 'order-state', version: 2 },
    ]);
    expect(orders.tables.exceptionEvents.map((e) => [e.type, e.orderStatus])).toEqual([
      ['opened', 'init'],
      ['resolved', 'success'],
    ]);
  });

  it('a failure mid-way rolls the whole batch back and counts nothing', async () => {
    const { sut, orders, recorder } = setup();
    orders.seedOrder();
    orders.failOn = 'enqueueStatusEvents';
    await expect(sut.execute([result()])).rejects.toThrow('spec: enqueueStatusEvents fails');
    expect(orders.order('pr-1')).toMatchObject({ status: 'init', version: 1 });
    expect(orders.timelineOf('pr-1')).toEqual([]);
    expect(recorder.applied).toEqual([]);
    // The redelivery then applies it.
    orders.failOn = undefined;
    expect(await sut.execute([result()])).toMatchObject({ transitions: 1 });
  });

  describe('close in advance (POST /orders/:id/cancel, payments.order-commands.v1 cancel)', () => {
    it('an init order becomes cancelling; asking again is a duplicate of the same event id', async () => {
      const { sut, orders } = setup();
      orders.seedOrder();
      expect(await sut.requestCancel('pr-1')).toEqual({ kind: 'cancelling' });
      expect(await sut.requestCancel('pr-1')).toEqual({ kind: 'cancelling' });
      expect(orders.order('pr-1')).toMatchObject({ status: 'cancelling', version: 2 });
      expect(orders.timelineOf('pr-1').map((t) => t.eventId)).toEqual(['cancel-request:pr-1']);
      expect(orders.tables.statusEvents).toMatchObject([{ to: 'cancelling', source: 'cancel' }]);
    });

    it('unknown order: not-found; final order: refused with its status, nothing written', async () => {
      const { sut, orders } = setup();
      expect(await sut.requestCancel('nope')).toEqual({ kind: 'not-found' });
      orders.seedOrder({ status: 'success', version: 2 });
      expect(await sut.requestCancel('pr-1')).toEqual({ kind: 'final', status: 'success' });
      expect(orders.tables.timeline).toEqual([]);
    });

    it("checkout's cancel command and the HTTP cancel share one event id: applied once whichever comes first", async () => {
      const { sut, orders } = setup();
      orders.seedOrder();
      const cmd = {
        paymentRequestId: 'pr-1',
        clientId: 'C1',
        dialect: 'alipayplus' as const,
        reason: 'user left',
      };
      expect(await sut.applyCancelCommands([cmd])).toMatchObject({ transitions: 1 });
      expect(orders.timelineOf('pr-1')[0].resultMessage).toBe(
        'cancel requested by checkout (payments.order-commands.v1): user left',
      );
      expect(await sut.requestCancel('pr-1')).toEqual({ kind: 'cancelling' });
      expect(await sut.applyCancelCommands([cmd])).toMatchObject({ duplicates: 1, transitions: 0 });
      expect(orders.tables.statusEvents).toHaveLength(1);
    });
  });

  it('parked results of an order registered meanwhile are applied by the sweep (stranded parked)', async () => {
    const { sut, orders } = setup();
    await sut.execute([result()]); // parked: no order yet
    orders.seedOrder(); // registered by a transaction that did not see the parked result
    expect(await sut.applyStrandedParked()).toBe(1);
    expect(orders.order('pr-1')).toMatchObject({ status: 'success', version: 2 });
    expect(orders.timelineOf('pr-1')).toMatchObject([{ effect: 'applied' }]);
    expect(await sut.applyStrandedParked()).toBe(0);
  });
});
