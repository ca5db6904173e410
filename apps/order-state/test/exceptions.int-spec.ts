import { randomBytes } from 'crypto';
import { Kafka, Producer } from 'kafkajs';
import {
  encodeEvent,
  ExceptionEventV1,
  ObservationOutcome,
  ObservationSource,
  ResultObservedV1,
  StatusChangedV1,
  Topics,
} from '@app/contracts';
import { waitFor } from '@app/testing';
import { createTestDatabase, queryRows } from '@app/testing/test-database';
import { KafkaCollector, testKafka } from '@app/testing/kafka-probes';
import { bootstrapOrderState, RunningOrderState } from '../src/bootstrap';
import { loadOrderStateConfig } from '../src/config';

type Exception = {
  id: string;
  paymentRequestId: string;
  clientId: string;
  dialect: string;
  reason: string;
  detail: string;
  open: boolean;
  resolution: string | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
  lastEvidence: { eventId: string | null; code: string; source: string };
  orderStatus: string | null;
  version: number;
};
type Order = {
  status: string;
  version: number;
  cancelRefused?: boolean;
  timeline: { eventId: string; effect: string; source: string; outcome: string; note: string | null }[];
  exceptions: Exception[];
};

/** Issue 11 (money-path exceptions), order-state's side, against the real Kafka broker and PostgreSQL. */
describe('order-state exceptions (real Kafka and PostgreSQL)', () => {
  const CLIENT_ID = `T_EXC_${randomBytes(3).toString('hex')}`;
  const groupId = `order-state-exc-${randomBytes(3).toString('hex')}`;
  let db: { url: string; drop(): Promise<void> };
  let app: RunningOrderState;
  let kafka: Kafka;
  let producer: Producer;
  let statusEvents: KafkaCollector<StatusChangedV1>;
  let exceptionEvents: KafkaCollector<ExceptionEventV1>;

  beforeAll(async () => {
    kafka = testKafka();
    db = await createTestDatabase();
    app = await bootstrapOrderState(
      loadOrderStateConfig({
        KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
        DATABASE_URL: db.url,
        HTTP_PORT: '0',
        OPERATOR_AUTH: 'disabled',
        KAFKA_GROUP_ID: groupId,
        OUTBOX_POLL_MS: '50',
        // Small, so that the sweeps happen within a test.
        UNREGISTERED_RESULT_GRACE_MS: '1500',
        STUCK_AFTER_EXPIRY_MS: '1000',
        EXCEPTION_SWEEP_MS: '200',
      }),
    );
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    statusEvents = await new KafkaCollector<StatusChangedV1>(kafka, [Topics.statusChanged]).start();
    exceptionEvents = await new KafkaCollector<ExceptionEventV1>(kafka, [Topics.exceptions]).start();
  });

  afterAll(async () => {
    await exceptionEvents?.stop();
    await statusEvents?.stop();
    await producer?.disconnect();
    await app?.close();
    await db?.drop();
  });

  const newId = (label: string) => `${label}-${randomBytes(6).toString('hex')}`;
  const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

  async function register(id: string, over: Record<string, unknown> = {}) {
    const res = await fetch(`${app.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        paymentRequestId: id,
        clientId: CLIENT_ID,
        orderNo: `o-${id}`,
        dialect: 'alipayplus',
        amount: { value: '1000', currency: 'USD' },
        // Far from expiry, so that the stuck sweeper (1 s here) leaves these orders alone.
        paymentExpiryTime: inAnHour(),
        ...over,
      }),
    });
    expect(res.status).toBe(201);
  }

  function observation(
    id: string,
    outcome: ObservationOutcome,
    source: ObservationSource = 'notify',
    over: Partial<ResultObservedV1> = {},
  ): ResultObservedV1 {
    return {
      eventId: `${source}:${id}:${outcome}:${randomBytes(3).toString('hex')}`,
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      clientId: CLIENT_ID,
      paymentRequestId: id,
      dialect: 'alipayplus',
      source,
      outcome,
      resultCode: outcome === 'SUCCESS' ? 'SUCCESS' : outcome === 'CLOSED' ? 'ORDER_IS_CLOSED' : outcome,
      amount: outcome === 'SUCCESS' ? { value: '1000', currency: 'USD' } : null,
      ...over,
    };
  }

  async function publish(...events: ResultObservedV1[]) {
    await producer.send({
      topic: Topics.resultObserved,
      acks: -1,
      messages: events.map((e) => ({
        key: e.paymentRequestId,
        value: encodeEvent(Topics.resultObserved, e),
      })),
    });
  }

  async function getOrder(id: string): Promise<Order> {
    return (await (await fetch(`${app.url}/orders/${id}`)).json()) as Order;
  }

  /** Waits until the order's timeline holds this many entries (every observation applied). */
  const applied = (id: string, n: number) =>
    waitFor(
      async () => {
        const o = await getOrder(id);
        return o.timeline?.length >= n ? o : undefined;
      },
      { description: `${n} timeline entries for ${id}` },
    );

  const exceptionsOf = async (id: string) => (await getOrder(id)).exceptions;

  const eventsOf = (id: string) =>
    exceptionEvents.where((m) => m.value.paymentRequestId === id).map((m) => m.value);
  const waitEvents = (id: string, types: string[]) =>
    waitFor(
      async () => {
        const found = eventsOf(id);
        return found.map((e) => e.type).join() === types.join() ? found : undefined;
      },
      { description: `exception events ${types.join()} for ${id} (have ${eventsOf(id).map((e) => e.type)})` },
    );
  const statusOf = (id: string) =>
    statusEvents.where((m) => m.value.paymentRequestId === id).map((m) => m.value);

  async function resolve(exceptionId: string, body: unknown) {
    const res = await fetch(`${app.url}/exceptions/${exceptionId}/resolve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Exception & { code?: string } };
  }

  it('an attention opens one exception, a second attention updates it (never two open), and it resolves by itself when the order becomes final', async () => {
    const id = newId('attn');
    await register(id);
    await publish(
      observation(id, 'PROCESSING', 'inquiry', {
        attention: { reason: 'UNVERIFIED_ANSWERS', detail: 'the last answer failed verification' },
      }),
    );
    await applied(id, 1);
    const [first] = await exceptionsOf(id);
    expect(first).toMatchObject({
      reason: 'UNVERIFIED_ANSWERS',
      open: true,
      clientId: CLIENT_ID,
      dialect: 'alipayplus',
      orderStatus: 'init',
    });
    const second = observation(id, 'PROCESSING', 'inquiry', {
      attention: { reason: 'INVALID_ANSWERS', detail: 'paymentStatus missing' },
    });
    await publish(second);
    await applied(id, 2);
    const after = await exceptionsOf(id);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({
      id: first.id,
      reason: 'INVALID_ANSWERS',
      detail: 'paymentStatus missing',
      open: true,
      lastEvidence: { eventId: second.eventId, source: 'inquiry' },
    });
    const open = await queryRows<{ n: string }>(
      db.url,
      `SELECT count(*)::text AS n FROM exceptions WHERE payment_request_id = $1 AND resolved_at IS NULL`,
      [id],
    );
    expect(open[0].n).toBe('1');

    await publish(observation(id, 'FAIL', 'inquiry'));
    await applied(id, 3);
    const [closed] = await exceptionsOf(id);
    expect(closed).toMatchObject({
      open: false,
      resolution: 'auto',
      resolvedBy: 'order-state',
      orderStatus: 'fail',
    });
    const events = await waitEvents(id, ['opened', 'updated', 'resolved']);
    expect(events.map((e) => [e.reason, e.exceptionId, e.eventId])).toEqual([
      ['UNVERIFIED_ANSWERS', first.id, `exception:${first.id}:1`],
      ['INVALID_ANSWERS', first.id, `exception:${first.id}:2`],
      ['INVALID_ANSWERS', first.id, `exception:${first.id}:3`],
    ]);
    expect(events[2]).toMatchObject({ resolution: 'auto', orderStatus: 'fail' });
  });

  it('a SUCCESS with another amount opens AMOUNT_MISMATCH; accept makes the order success with a status event that says so', async () => {
    const id = newId('amount');
    await register(id);
    await publish(
      observation(id, 'SUCCESS', 'notify', {
        amount: { value: '999', currency: 'USD' },
        paymentId: 'PAY-999',
        paymentTime: '2026-12-06T10:00:00.000Z',
      }),
    );
    await applied(id, 1);
    const order = await getOrder(id);
    expect(order.status).toBe('init');
    expect(order.exceptions).toEqual([expect.objectContaining({ reason: 'AMOUNT_MISMATCH', open: true })]);
    const anomalies = (await (await fetch(`${app.url}/anomalies?paymentRequestId=${id}`)).json()) as {
      kind: string;
    }[];
    expect(anomalies.map((a) => a.kind)).toEqual(['amount_mismatch']);

    const exc = order.exceptions[0];
    const res = await resolve(exc.id, { resolution: 'accept', by: 'ann', note: 'merchant confirmed 9.99' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      open: false,
      resolution: 'accept',
      resolvedBy: 'ann',
      orderStatus: 'success',
    });
    const after = await getOrder(id);
    expect(after).toMatchObject({ status: 'success', version: 2 });
    expect(after.timeline.at(-1)).toMatchObject({
      eventId: `exception:${exc.id}:2`,
      source: 'operator',
      outcome: 'ACCEPT',
      effect: 'applied',
    });
    expect(after.timeline.at(-1)!.note).toMatch(/accept by ann: merchant confirmed/);

    const changed = await waitFor(async () => statusOf(id).find((e) => e.to === 'success'), {
      description: `status event success for ${id}`,
    });
    expect(changed).toMatchObject({
      from: 'init',
      source: 'inquiry',
      resultCode: 'MANUAL_ACCEPT',
      causeEventId: `exception:${exc.id}:2`,
      // What was really paid, for the ledger.
      paymentId: 'PAY-999',
      paymentTime: '2026-12-06T10:00:00.000Z',
      reportedAmount: { value: '999', currency: 'USD' },
    });
    const events = await waitEvents(id, ['opened', 'resolved']);
    expect(events[1]).toMatchObject({
      resolution: 'accept',
      resolvedBy: 'ann',
      note: 'merchant confirmed 9.99',
    });

    // Resolved once: a second resolution is refused.
    const again = await resolve(exc.id, { resolution: 'mark_failed', by: 'bob' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('EXCEPTION_RESOLVED');
  });

  it('mark_failed, reverse and reinquire through the API, each with its event and a line in the timeline', async () => {
    const attention = { reason: 'CANCEL_REFUSED' as const, detail: 'cancel refused, truth unknown' };
    const [failId, reverseId] = [newId('markfail'), newId('reverse')];
    for (const id of [failId, reverseId]) {
      await register(id);
      await publish(observation(id, 'PROCESSING', 'inquiry', { attention }));
      await applied(id, 1);
    }
    const failExc = (await exceptionsOf(failId))[0];
    const reinquire = await resolve(failExc.id, { resolution: 'reinquire', by: 'ann', note: 'ask again' });
    expect(reinquire.status).toBe(200);
    expect(reinquire.body).toMatchObject({ open: true, resolution: null, version: 2 });
    const marked = await resolve(failExc.id, {
      resolution: 'mark_failed',
      by: 'ann',
      note: 'partner says failed',
    });
    expect(marked.status).toBe(200);
    expect((await getOrder(failId)).status).toBe('fail');
    const failEvents = await waitEvents(failId, ['opened', 'updated', 'resolved']);
    expect(failEvents[1]).toMatchObject({
      resolution: 'reinquire',
      resolvedBy: 'ann',
      note: 'ask again',
      resolvedAt: null,
    });
    expect(failEvents[2]).toMatchObject({ resolution: 'mark_failed', orderStatus: 'fail' });
    await waitFor(
      async () => statusOf(failId).some((e) => e.to === 'fail' && e.resultCode === 'MANUAL_MARK_FAILED'),
      { description: `status event fail for ${failId}` },
    );
    expect((await getOrder(failId)).timeline.map((t) => [t.source, t.outcome])).toEqual([
      ['inquiry', 'PROCESSING'],
      ['operator', 'REINQUIRE'],
      ['operator', 'MARK_FAILED'],
    ]);

    const revExc = (await exceptionsOf(reverseId))[0];
    const reversed = await resolve(revExc.id, { resolution: 'reverse', by: 'cy' });
    expect(reversed.status).toBe(200);
    expect(reversed.body).toMatchObject({ open: false, resolution: 'reverse', orderStatus: 'init' });
    const revEvents = await waitEvents(reverseId, ['opened', 'resolved']);
    expect(revEvents[1]).toMatchObject({ resolution: 'reverse', resolvedBy: 'cy' });
    expect((await getOrder(reverseId)).timeline.at(-1)).toMatchObject({
      source: 'operator',
      outcome: 'REVERSE',
    });
  });

  it.each([
    ['an unknown resolution', { resolution: 'refund', by: 'x' }],
    // `by` is optional now (the operator token's name is recorded), but never empty.
    ['an empty by', { resolution: 'accept', by: '' }],
    ['an unknown field', { resolution: 'accept', by: 'x', extra: 1 }],
    ['a note that is too long', { resolution: 'accept', by: 'x', note: 'n'.repeat(501) }],
  ])('POST /exceptions/:id/resolve refuses %s with 400 PARAM_ILLEGAL', async (_label, body) => {
    const res = await resolve('1', body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('PARAM_ILLEGAL');
  });

  it('an unknown exception is 404, a malformed id 400', async () => {
    const missing = await resolve('999999999', { resolution: 'accept', by: 'x' });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('EXCEPTION_NOT_EXIST');
    expect((await fetch(`${app.url}/exceptions/999999999`)).status).toBe(404);
    expect((await fetch(`${app.url}/exceptions/abc`)).status).toBe(400);
  });

  it('paid after an unconfirmed close: PAID_AFTER_CLOSE stays on the cancelled order, mark_failed is refused, the reversal resolves it', async () => {
    const id = newId('pac');
    await register(id);
    await publish(
      observation(id, 'CANCEL_REQUESTED', 'cancel'),
      observation(id, 'CLOSED', 'cancel', {
        resultCode: 'ORDER_NOT_EXIST',
        resultMessage: 'closed, not confirmed by the partner',
      }),
      observation(id, 'SUCCESS', 'notify'),
    );
    const order = await applied(id, 3);
    expect(order.status).toBe('cancelled');
    expect(order.exceptions).toEqual([expect.objectContaining({ reason: 'PAID_AFTER_CLOSE', open: true })]);
    const refused = await resolve(order.exceptions[0].id, { resolution: 'mark_failed', by: 'x' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('ORDER_STATUS_FORBIDS');

    await publish(observation(id, 'CANCELLED', 'cancel'));
    await applied(id, 4);
    expect((await exceptionsOf(id))[0]).toMatchObject({ open: false, resolution: 'auto' });
    const events = await waitEvents(id, ['opened', 'resolved']);
    expect(events[0]).toMatchObject({ reason: 'PAID_AFTER_CLOSE', orderStatus: 'cancelled' });
    const anomalies = (await (await fetch(`${app.url}/anomalies?paymentRequestId=${id}`)).json()) as {
      kind: string;
    }[];
    expect(anomalies.map((a) => a.kind)).toEqual(['paid_after_close']);
  });

  it('a refused cancel is remembered; CANCEL_REFUSED opens, and the paid answer settles success with cancel_refused_paid', async () => {
    const id = newId('refused');
    await register(id);
    await publish(
      observation(id, 'CANCEL_REQUESTED', 'cancel'),
      observation(id, 'CANCEL_FAILED', 'cancel', {
        resultCode: 'CANCEL_WINDOW_EXCEED',
        attention: { reason: 'CANCEL_REFUSED', detail: 'cancel refused: CANCEL_WINDOW_EXCEED' },
      }),
    );
    await applied(id, 2);
    const [row] = await queryRows<{ cancel_refused: boolean }>(
      db.url,
      `SELECT cancel_refused FROM payment_orders WHERE payment_request_id = $1`,
      [id],
    );
    expect(row.cancel_refused).toBe(true);
    expect((await exceptionsOf(id))[0]).toMatchObject({ reason: 'CANCEL_REFUSED', open: true });

    await publish(observation(id, 'SUCCESS', 'inquiry'));
    const order = await applied(id, 3);
    expect(order.status).toBe('success');
    expect(order.exceptions[0]).toMatchObject({ open: false, resolution: 'auto' });
    const anomalies = (await (await fetch(`${app.url}/anomalies?paymentRequestId=${id}`)).json()) as {
      kind: string;
    }[];
    expect(anomalies.map((a) => a.kind).sort()).toEqual(['cancel_failed', 'cancel_refused_paid']);
  });

  it('a SUCCESS without an amount waits; an inquiry SUCCESS with the amount confirms it', async () => {
    const id = newId('noamount');
    await register(id);
    await publish(observation(id, 'SUCCESS', 'notify', { amount: null }));
    const waiting = await applied(id, 1);
    expect(waiting.status).toBe('init');
    expect(waiting.timeline[0]).toMatchObject({ effect: 'awaiting_amount' });
    await publish(observation(id, 'SUCCESS', 'inquiry'));
    expect((await applied(id, 2)).status).toBe('success');
  });

  it('status-changed carries paymentId, paymentTime and the reported amount of the observation that caused it', async () => {
    const id = newId('fields');
    await register(id);
    const paymentTime = '2026-12-06T10:00:00.000Z';
    await publish(observation(id, 'SUCCESS', 'inquiry', { paymentId: 'PAY-42', paymentTime }));
    const changed = await waitFor(async () => statusOf(id).find((e) => e.to === 'success'), {
      description: `status event success for ${id}`,
    });
    expect(changed).toMatchObject({
      paymentId: 'PAY-42',
      paymentTime,
      reportedAmount: { value: '1000', currency: 'USD' },
    });
    const registered = statusOf(id).find((e) => e.to === 'init')!;
    expect(registered.paymentTime).toBeUndefined();
  });

  it('a result for an order never registered opens UNREGISTERED_RESULT after the grace; the registration resolves it', async () => {
    const id = newId('unreg');
    const success = observation(id, 'SUCCESS', 'notify', { paymentId: 'PAY-U' });
    await publish(success);
    const opened = await waitFor(
      async () => {
        const rows = (await (
          await fetch(`${app.url}/exceptions?reason=UNREGISTERED_RESULT&clientId=${CLIENT_ID}&open=true`)
        ).json()) as Exception[];
        return rows.find((r) => r.paymentRequestId === id);
      },
      { description: `UNREGISTERED_RESULT for ${id}` },
    );
    expect(opened).toMatchObject({
      clientId: CLIENT_ID,
      dialect: 'alipayplus',
      orderStatus: null,
      lastEvidence: { eventId: success.eventId, code: 'SUCCESS', source: 'notify' },
    });
    expect(opened.detail).toMatch(/money without an order/);
    expect((await fetch(`${app.url}/orders/${id}`)).status).toBe(404);

    await register(id);
    const order = await getOrder(id);
    expect(order.status).toBe('success');
    expect(order.exceptions).toEqual([
      expect.objectContaining({ id: opened.id, open: false, resolution: 'auto' }),
    ]);
    const events = await waitEvents(id, ['opened', 'resolved']);
    // No order when it opened: its status is null on the event, not a made-up `init`.
    expect(events.map((e) => [e.reason, e.orderStatus])).toEqual([
      ['UNREGISTERED_RESULT', null],
      ['UNREGISTERED_RESULT', 'success'],
    ]);
  });

  it("a person's resolution of UNREGISTERED_RESULT holds until a new result for that id is parked", async () => {
    const id = newId('unreg-resolved');
    await publish(observation(id, 'FAIL', 'notify'));
    const [opened] = await waitEvents(id, ['opened']);
    const res = await resolve(opened.exceptionId, {
      resolution: 'mark_failed',
      by: 'ann',
      note: 'no money moved',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ open: false, resolution: 'mark_failed', orderStatus: null });
    // A later sweep (it opens another id's exception) does not open this one again.
    const other = newId('unreg-other');
    await publish(observation(other, 'FAIL', 'notify'));
    await waitEvents(other, ['opened']);
    expect(eventsOf(id).map((e) => e.type)).toEqual(['opened', 'resolved']);
    // New evidence: a second result for the same id opens a new exception.
    await publish(observation(id, 'SUCCESS', 'notify'));
    const events = await waitEvents(id, ['opened', 'resolved', 'opened']);
    expect(events[2].exceptionId).not.toBe(opened.exceptionId);
    expect(events[2].detail).toMatch(/2 result\(s\).*latest SUCCESS/);
  });

  it('an UNREGISTERED_RESULT left open for an order that registered meanwhile is closed by the sweep', async () => {
    // The race: a sweep opens it just as the registration (which found no exception yet) commits.
    const id = newId('unreg-race');
    await register(id);
    await queryRows(
      db.url,
      `INSERT INTO exceptions (payment_request_id, client_id, dialect, reason, detail, opened_at, last_evidence,
                               last_evidence_at, version)
       VALUES ($1, $2, 'alipayplus', 'UNREGISTERED_RESULT', 'raced', now(), '{}'::jsonb, now(), 1)`,
      [id, CLIENT_ID],
    );
    const events = await waitEvents(id, ['resolved']);
    expect(events[0]).toMatchObject({
      reason: 'UNREGISTERED_RESULT',
      resolution: 'auto',
      orderStatus: 'init',
    });
    expect((await exceptionsOf(id))[0]).toMatchObject({ open: false, resolution: 'auto' });
  });

  it('an attention parked before its order registered opens the exception when the order registers', async () => {
    const id = newId('parked-attn');
    await publish(
      observation(id, 'PROCESSING', 'inquiry', {
        attention: { reason: 'UNVERIFIED_ANSWERS', detail: 'untrusted answer' },
      }),
    );
    await waitFor(
      async () =>
        (
          await queryRows<{ effect: string }>(
            db.url,
            `SELECT effect FROM payment_observations WHERE payment_request_id = $1`,
            [id],
          )
        )[0]?.effect === 'parked',
      { description: `${id} parked` },
    );
    await register(id);
    const exceptions = await exceptionsOf(id);
    expect(exceptions).toHaveLength(1);
    expect(exceptions[0]).toMatchObject({ reason: 'UNVERIFIED_ANSWERS', open: true, orderStatus: 'init' });
  });

  it('an order non-final past its expiry plus the setting gets STUCK_PAST_EXPIRY, once', async () => {
    const expired = () => ({ paymentExpiryTime: new Date(Date.now() - 2_000).toISOString() });
    const id = newId('stuck');
    await register(id, expired());
    const [opened] = await waitEvents(id, ['opened']);
    expect(opened).toMatchObject({ reason: 'STUCK_PAST_EXPIRY', orderStatus: 'init' });
    // A later sweep (it opens the next order's exception) leaves the open one alone.
    const later = newId('stuck-later');
    await register(later, expired());
    await waitEvents(later, ['opened']);
    const exceptions = await exceptionsOf(id);
    expect(exceptions).toHaveLength(1);
    expect(exceptions[0]).toMatchObject({ reason: 'STUCK_PAST_EXPIRY', open: true, version: 1 });
    expect(eventsOf(id)).toHaveLength(1);

    // A registered order within its expiry gets none.
    const fresh = newId('fresh');
    await register(fresh);
    const last = newId('stuck-last');
    await register(last, expired());
    await waitEvents(last, ['opened']);
    expect(await exceptionsOf(fresh)).toEqual([]);
  });

  it('POST /orders/:id/cancel moves init to cancelling once, refuses a final order, and 404s an unknown one', async () => {
    const id = newId('cancel');
    await register(id);
    const first = await fetch(`${app.url}/orders/${id}/cancel`, { method: 'POST' });
    expect(first.status).toBe(200);
    expect(((await first.json()) as Order).status).toBe('cancelling');
    const again = await fetch(`${app.url}/orders/${id}/cancel`, { method: 'POST' });
    expect(again.status).toBe(200);
    const order = (await again.json()) as Order;
    expect(order).toMatchObject({ status: 'cancelling', version: 2 });
    expect(order.timeline.map((t) => [t.source, t.outcome, t.effect])).toEqual([
      ['cancel', 'CANCEL_REQUESTED', 'applied'],
    ]);
    const changed = await waitFor(async () => statusOf(id).find((e) => e.to === 'cancelling'), {
      description: `status event cancelling for ${id}`,
    });
    expect(changed).toMatchObject({ from: 'init', source: 'cancel', causeEventId: `cancel-request:${id}` });

    await publish(observation(id, 'CANCELLED', 'cancel'));
    await applied(id, 2);
    const final = await fetch(`${app.url}/orders/${id}/cancel`, { method: 'POST' });
    expect(final.status).toBe(409);
    expect(((await final.json()) as { code: string }).code).toBe('ORDER_FINAL');
    expect((await fetch(`${app.url}/orders/${newId('nobody')}/cancel`, { method: 'POST' })).status).toBe(404);
  });

  it('a cancel command on payments.order-commands.v1 closes in advance like POST /orders/:id/cancel, once, and waits for an order not registered yet', async () => {
    const command = (id: string) => ({
      key: id,
      value: encodeEvent(Topics.orderCommands, {
        eventId: `checkout-cancel:${id}`,
        schemaVersion: 1,
        occurredAt: new Date().toISOString(),
        clientId: CLIENT_ID,
        paymentRequestId: id,
        dialect: 'alipayplus',
        command: 'cancel',
        reason: 'shopper left',
      }),
    });
    const registered = newId('command');
    await register(registered);
    const early = newId('command-early');
    // Twice for the registered order (a replayed command), once for an order that registers later.
    await producer.send({
      topic: Topics.orderCommands,
      acks: -1,
      messages: [command(registered), command(registered), command(early)],
    });
    await waitFor(async () => statusOf(registered).find((e) => e.to === 'cancelling'), {
      description: `cancelling for ${registered}`,
    });
    const order = await getOrder(registered);
    expect(order).toMatchObject({ status: 'cancelling', version: 2 });
    expect(order.timeline.map((t) => [t.source, t.outcome, t.effect])).toEqual([
      ['cancel', 'CANCEL_REQUESTED', 'applied'],
    ]);
    // The HTTP path is the same request: nothing more happens.
    expect((await fetch(`${app.url}/orders/${registered}/cancel`, { method: 'POST' })).status).toBe(200);
    expect((await getOrder(registered)).version).toBe(2);

    await register(early);
    await waitFor(async () => statusOf(early).find((e) => e.to === 'cancelling'), {
      description: `the parked command applied on ${early}'s registration`,
    });
  });

  it('lists exceptions by reason, partner, dialect, age and open, in keyset pages', async () => {
    const ids = [newId('list'), newId('list'), newId('list')];
    for (const id of ids) {
      await register(id);
      await publish(
        observation(id, 'PROCESSING', 'inquiry', { attention: { reason: 'INQUIRY_REFUSED', detail: 'd' } }),
      );
      await applied(id, 1);
    }
    const seen: string[] = [];
    let q = `reason=INQUIRY_REFUSED&clientId=${CLIENT_ID}&dialect=alipayplus&open=true&olderThanSeconds=0&limit=2`;
    for (let pages = 0; pages < 100; pages++) {
      const res = await fetch(`${app.url}/exceptions?${q}`);
      expect(res.status).toBe(200);
      const rows = (await res.json()) as Exception[];
      seen.push(...rows.map((r) => r.paymentRequestId));
      const next = res.headers.get('next-cursor');
      if (!next) break;
      q = `reason=INQUIRY_REFUSED&clientId=${CLIENT_ID}&open=true&limit=2&after=${next}`;
    }
    expect(seen.filter((s) => ids.includes(s))).toEqual(ids);
    expect(new Set(seen).size).toBe(seen.length);
    const none = (await (
      await fetch(`${app.url}/exceptions?reason=INQUIRY_REFUSED&clientId=${CLIENT_ID}&open=false`)
    ).json()) as Exception[];
    expect(none.filter((r) => ids.includes(r.paymentRequestId))).toEqual([]);
    const antom = (await (
      await fetch(`${app.url}/exceptions?clientId=${CLIENT_ID}&dialect=antom`)
    ).json()) as Exception[];
    expect(antom).toEqual([]);
    for (const bad of ['reason=SOMETHING', 'open=yes', 'after=abc', 'olderThanSeconds=', 'dialect=x']) {
      const res = await fetch(`${app.url}/exceptions?${bad}`);
      expect(res.status).toBe(400);
    }
  });
});
