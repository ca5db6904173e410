import { randomBytes } from 'crypto';
import { encodeEvent, ExceptionEventV1, StatusChangedV1, Topics } from '@app/contracts';
import { waitFor } from '@app/testing';
import { exceptionEvent as buildExceptionEvent, statusChangedEvent } from '@app/testing/factories';
import { PollerTestBed, TestPartner } from './poller-test-bed';
import { answer, ScriptedPartner } from './scripted-partner';

const pending = () =>
  answer('SUCCESS', 'S', { paymentResult: { resultCode: 'PAYMENT_IN_PROCESS', resultStatus: 'U' } });
const paid = (id: string) =>
  answer('SUCCESS', 'S', {
    paymentResult: { resultCode: 'SUCCESS', resultStatus: 'S' },
    paymentRequestId: id,
    paymentAmount: { currency: 'JPY', value: '1000' },
  });

/**
 * Issue 11, the poller's side, on real Kafka and PostgreSQL with order-state: cancel answers that are
 * not S (rows 4, 5, 7), answers we cannot believe (rows 2, 11), failure codes (row 12), late events
 * (row 14), the seed features (close in advance, limit the polling time) and exception events
 * (reversal, re-inquiry).
 */
describe('inquiry-poller money-path exceptions (real Kafka and PostgreSQL)', () => {
  let scriptedAps: ScriptedPartner;
  let scriptedAms: ScriptedPartner;
  const aps: TestPartner = { clientId: 'T_MP_APS', dialect: 'alipayplus' };
  const scrAps: TestPartner = {
    clientId: 'T_MP_SCR_APS',
    dialect: 'alipayplus',
    apiBaseUrl: () => scriptedAps.url,
    policy: { cancelNotExistGraceMs: 1500, cancelRefusedInquiryMs: 1500 },
  };
  const scrAms: TestPartner = {
    clientId: 'T_MP_SCR_AMS',
    dialect: 'antom',
    apiBaseUrl: () => scriptedAms.url,
  };
  const impostor: TestPartner = { clientId: 'T_MP_WRONG_KEY', dialect: 'alipayplus', wrongPeerKey: true };
  const waiting: TestPartner = {
    clientId: 'T_MP_WAIT',
    dialect: 'alipayplus',
    policy: { maxInquiries: 1, maxInquiriesAction: 'wait' },
  };
  const bed = new PollerTestBed([aps, scrAps, scrAms, impostor, waiting]);

  beforeAll(async () => {
    await bed.start();
    // Signed with the simulator's key, which the poller holds for every partner but the impostor.
    scriptedAps = new ScriptedPartner(scrAps.clientId, bed.partnerPrivateKeyBase64);
    scriptedAms = new ScriptedPartner(scrAms.clientId, bed.partnerPrivateKeyBase64);
    await scriptedAps.start();
    await scriptedAms.start();
    await bed.startPoller('money');
  });

  afterAll(async () => {
    await bed.stop();
    await scriptedAps?.stop();
    await scriptedAms?.stop();
  });

  const eventIds = async (id: string) => (await bed.order(id)).timeline.map((t) => t.eventId);
  const rowWith = (
    id: string,
    check: (r: NonNullable<Awaited<ReturnType<typeof bed.scheduleRow>>>) => boolean,
  ) =>
    waitFor(
      async () => {
        const r = await bed.scheduleRow(id);
        return r && check(r) ? r : undefined;
      },
      { description: `schedule row of ${id}`, timeoutMs: 30_000 },
    );
  async function produce(topic: string, key: string, value: Buffer | string) {
    const producer = bed.kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic, messages: [{ key, value }] });
    } finally {
      await producer.disconnect();
    }
  }
  const statusChanged = (id: string, partner: TestPartner, over: Partial<StatusChangedV1>) =>
    produce(
      Topics.statusChanged,
      id,
      encodeEvent(
        Topics.statusChanged,
        statusChangedEvent({
          occurredAt: new Date().toISOString(),
          clientId: partner.clientId,
          paymentRequestId: id,
          dialect: partner.dialect,
          paymentExpiryTime: new Date(Date.now() + 600_000).toISOString(),
          ...over,
        }),
      ),
    );
  const exceptionEvent = (id: string, over: Partial<ExceptionEventV1>) =>
    produce(
      Topics.exceptions,
      id,
      encodeEvent(
        Topics.exceptions,
        buildExceptionEvent({
          eventId: `exception:${id}:${randomBytes(3).toString('hex')}`,
          occurredAt: new Date().toISOString(),
          clientId: aps.clientId,
          paymentRequestId: id,
          exceptionId: String(Date.now() % 1_000_000),
          type: 'resolved',
          openedAt: new Date().toISOString(),
          orderStatus: 'success',
          ...over,
        }),
      ),
    );
  const processing = { timeline: [{ atMs: 0, status: 'PROCESSING' as const }] };

  it('row 4: a cancel answered F ORDER_IS_CLOSED publishes CLOSED and the order ends cancelled', async () => {
    const id = await bed.createOrder(scrAps, 'closed', { ...processing, expiresInMs: 2500 });
    scriptedAps.script(id, { inquiry: pending, cancel: () => answer('ORDER_IS_CLOSED', 'F') });
    const order = await bed.waitForOrderStatus(id, 'cancelled');
    expect(order.timeline).toContainEqual(
      expect.objectContaining({ eventId: `cancel:${id}:CLOSED`, outcome: 'CLOSED', effect: 'applied' }),
    );
    expect(await rowWith(id, (r) => r.phase === 'done')).toMatchObject({ done_reason: expect.any(String) });
  });

  it('row 5: cancel F ORDER_NOT_EXIST → re-inquired over the grace window, then CLOSED "not confirmed"', async () => {
    // Unscripted: the partner answers ORDER_NOT_EXIST to every inquiry and cancel.
    const id = await bed.createOrder(scrAps, 'noorder', { ...processing, expiresInMs: 2500 });
    const order = await bed.waitForOrderStatus(id, 'cancelled');
    // Done by our own completion, or by order-state's `cancelled` when it overtook the completion
    // (the final status fences it out): either way nothing is left to do.
    const row = await rowWith(id, (r) => r.phase === 'done');
    expect(['CLOSED_NO_ORDER', 'ORDER_FINAL']).toContain(row.done_reason);
    expect(order.timeline).toContainEqual(
      expect.objectContaining({ eventId: `cancel:${id}:CLOSED`, effect: 'applied' }),
    );
    // Inquired after the cancel's answer, within the grace window, and no second cancel.
    const calls = scriptedAps.sequence(id);
    expect(calls.indexOf('cancel')).toBeLessThan(calls.length - 1);
    expect(calls.slice(calls.indexOf('cancel') + 1)).toEqual(expect.arrayContaining(['inquiry']));
    expect(calls.filter((c) => c === 'cancel')).toHaveLength(1);
  });

  it('row 7: a refused cancel publishes CANCEL_FAILED, inquires, and opens CANCEL_REFUSED when no final answer comes', async () => {
    const id = await bed.createOrder(scrAps, 'refused', { ...processing, expiresInMs: 2500 });
    scriptedAps.script(id, { inquiry: pending, cancel: () => answer('PROCESS_FAIL', 'F') });
    const row = await rowWith(id, (r) => r.done_reason === 'CANCEL_REFUSED');
    expect(row.reported_attention).toBe('CANCEL_REFUSED');
    await waitFor(async () => (await eventIds(id)).includes(`attention:${id}:CANCEL_REFUSED`), {
      description: `CANCEL_REFUSED told to order-state for ${id}`,
    });
    expect(await eventIds(id)).toContain(`cancel:${id}:CANCEL_FAILED`);
    expect(scriptedAps.calls(id).cancels).toBe(1);
  });

  it('row 7: a refused cancel whose inquiry then finds the payment paid publishes SUCCESS', async () => {
    const id = await bed.createOrder(scrAps, 'refusedpaid', { ...processing, expiresInMs: 2500 });
    scriptedAps.script(id, {
      inquiry: () => (scriptedAps.calls(id).cancels > 0 ? paid(id) : pending()),
      cancel: () => answer('CANCEL_WINDOW_EXCEED', 'F'),
    });
    // RESULT_OBSERVED, or ORDER_FINAL when order-state settles the order on it first.
    await rowWith(id, (r) => r.phase === 'done');
    await waitFor(async () => (await eventIds(id)).includes(`inquiry:${id}:SUCCESS:SUCCESS`), {
      description: `SUCCESS told to order-state for ${id}`,
    });
    expect(await eventIds(id)).toContain(`cancel:${id}:CANCEL_FAILED`);
  });

  it('row 2: an order whose answers fail verification is held at its expiry, never cancelled, UNVERIFIED_ANSWERS opened', async () => {
    const id = await bed.createOrder(impostor, 'held', {
      timeline: [{ atMs: 0, status: 'SUCCESS' }],
      expiresInMs: 2000,
    });
    await rowWith(id, (r) => r.reported_attention === 'UNVERIFIED_ANSWERS');
    const inquiries = bed.sim.truth(id)!.inquiries;
    // Still inquired after the expiry, at the last pace; no cancel ever.
    await waitFor(async () => bed.sim.truth(id)!.inquiries >= inquiries + 2, {
      description: `${id} inquired on while held`,
      timeoutMs: 30_000,
    });
    expect(bed.sim.truth(id)!.cancels).toBe(0);
    expect(await bed.scheduleRow(id)).toMatchObject({ phase: 'inquiry', answer_doubt: 'UNVERIFIED_ANSWERS' });
    const order = await bed.order(id);
    expect(order.status).toBe('init');
    expect(order.timeline).toContainEqual(
      expect.objectContaining({ eventId: `attention:${id}:UNVERIFIED_ANSWERS`, outcome: 'PROCESSING' }),
    );
  });

  it('row 11: an Antom answer without paymentStatus is invalid: held (no cancel), INVALID_ANSWERS; a later valid answer settles it', async () => {
    const id = await bed.createOrder(scrAms, 'nostatus', { ...processing, expiresInMs: 2000 });
    let valid = false;
    scriptedAms.script(id, {
      inquiry: () =>
        valid
          ? answer('SUCCESS', 'S', {
              paymentStatus: 'SUCCESS',
              paymentRequestId: id,
              paymentAmount: { currency: 'JPY', value: '1000' },
            })
          : answer('SUCCESS', 'S'),
    });
    await rowWith(
      id,
      (r) => r.reported_attention === 'INVALID_ANSWERS' && r.answer_doubt === 'INVALID_ANSWERS',
    );
    expect(scriptedAms.calls(id).cancels).toBe(0);
    valid = true;
    await bed.waitForOrderStatus(id, 'success');
    expect(scriptedAms.calls(id).cancels).toBe(0);
  });

  it('row 12: inquiry F USER_KYC_NOT_QUALIFIED ends the order fail', async () => {
    const id = await bed.createOrder(scrAps, 'kyc', { ...processing, expiresInMs: 60_000 });
    scriptedAps.script(id, { inquiry: () => answer('USER_KYC_NOT_QUALIFIED', 'F') });
    const order = await bed.waitForOrderStatus(id, 'fail');
    expect(order.timeline).toContainEqual(
      expect.objectContaining({ eventId: `inquiry:${id}:FAIL:USER_KYC_NOT_QUALIFIED`, effect: 'applied' }),
    );
    expect(scriptedAps.calls(id).cancels).toBe(0);
  });

  it('row 14: an `init` arriving more than 72 h after its expiry is inquired and settled', async () => {
    const id = `late-${randomBytes(5).toString('hex')}`;
    bed.sim.createPayment({
      paymentRequestId: id,
      clientId: aps.clientId,
      dialect: 'alipayplus',
      amount: { value: '1000', currency: 'JPY' },
      timeline: [{ atMs: 0, status: 'SUCCESS' }],
      notify: false,
    });
    const longAgo = Date.now() - 73 * 3_600_000;
    await statusChanged(id, aps, {
      occurredAt: new Date(longAgo - 60_000).toISOString(),
      paymentExpiryTime: new Date(longAgo).toISOString(),
    });
    await rowWith(id, (r) => r.done_reason === 'RESULT_OBSERVED');
    expect(bed.sim.truth(id)!.inquiries).toBeGreaterThanOrEqual(1);
    expect(bed.sim.truth(id)!.cancels).toBe(0);
  });

  it('close in advance: `cancelling` for an order still inquiring sends the cancel at once', async () => {
    const id = await bed.createOrder(aps, 'advance', { ...processing, expiresInMs: 600_000 });
    await rowWith(id, (r) => r.phase === 'inquiry');
    await statusChanged(id, aps, { from: 'init', to: 'cancelling', source: 'cancel', version: 2 });
    await waitFor(async () => bed.sim.truth(id)!.status === 'CANCELLED', {
      description: `${id} cancelled at the partner`,
      timeoutMs: 15_000,
    });
    await rowWith(id, (r) => r.phase === 'done');
  });

  it("limit the polling time ('wait'): after MAX_INQUIRIES no inquiry until the expiry, then the cancel", async () => {
    const id = await bed.createOrder(waiting, 'waits', { ...processing, expiresInMs: 4000 });
    await bed.waitForOrderStatus(id, 'cancelled');
    // One inquiry within the budget, one at the expiry (which may spare a cancel), then the cancel.
    expect(bed.sim.truth(id)!.inquiries).toBe(2);
    expect(bed.sim.truth(id)!.status).toBe('CANCELLED');
  });

  it('exceptions: `resolved`/`reverse` sends a cancel for a paid order (a reversal); `reinquire` inquires a done row once', async () => {
    const id = await bed.createOrder(aps, 'reverse', { timeline: [{ atMs: 0, status: 'SUCCESS' }] });
    await bed.waitForOrderStatus(id, 'success');
    await rowWith(id, (r) => r.phase === 'done');

    const inquiries = bed.sim.truth(id)!.inquiries;
    await exceptionEvent(id, { type: 'updated', resolution: 'reinquire' });
    await waitFor(async () => bed.sim.truth(id)!.inquiries > inquiries, { description: `${id} re-inquired` });
    await rowWith(id, (r) => r.phase === 'done' && r.done_reason === 'RESULT_OBSERVED');
    expect(bed.sim.truth(id)!.cancels).toBe(0);

    await exceptionEvent(id, { type: 'resolved', resolution: 'reverse', exceptionId: '4242' });
    await waitFor(async () => bed.sim.truth(id)!.status === 'CANCELLED', {
      description: `${id} reversed at the partner`,
    });
    expect(bed.sim.truth(id)!.paidBeforeCancel).toBe(true);
    await waitFor(async () => (await eventIds(id)).includes(`reversal:${id}:4242-reverse:CANCELLED`), {
      description: `the reversal told to order-state for ${id}`,
    });
  });
});
