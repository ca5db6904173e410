import { randomBytes } from 'crypto';
import { Topics } from '@app/contracts';
import { waitFor } from '@app/testing';
import { KafkaCollector, testKafka } from '@app/testing/kafka-probes';
import { createTestDatabase } from '@app/testing/test-database';
import type { TestKeyPair } from '@app/testing/keys';
import { DEMO_PARTNERS, DemoPartner, Pipeline, PaymentSpec } from '@app/testing/pipeline';

/**
 * Issue 11 acceptance: the money-path exceptions, end to end. The whole system runs as real
 * processes (order-state, inquiry-poller, notify-gateway, the Alipay+ simulator) on real Kafka and
 * PostgreSQL. Each row of the table is scripted through the simulator's per-payment quirks,
 * for both dialects where the row applies, and each order must end in its final state or in exactly
 * one open exception with the row's reason. No paid payment is reversed without an anomaly, and no
 * order is left non-final without an open exception.
 */

const EXPIRY_MS = 8_000;
const APS = DEMO_PARTNERS.find((p) => p.dialect === 'alipayplus')!;
const AMS = DEMO_PARTNERS.find((p) => p.dialect === 'antom')!;
const FINAL = new Set(['success', 'fail', 'cancelled']);
/** Partners whose key the suite rotates (row 2), apart from the others. */
const ROT_APS: DemoPartner = { clientId: 'T_ROT_ACQP', dialect: 'alipayplus' };
const ROT_AMS: DemoPartner = { clientId: 'T_ROT_AMS', dialect: 'antom' };
/** Partners for whom we rotate our own key (row 3). */
const OURS_APS: DemoPartner = { clientId: 'T_OURKEY_ACQP', dialect: 'alipayplus' };
const OURS_AMS: DemoPartner = { clientId: 'T_OURKEY_AMS', dialect: 'antom' };

type Expect =
  | { status: 'success' | 'fail' | 'cancelled'; resultCode?: string; anomaly?: string; exception?: undefined }
  | { status: 'init' | 'cancelling' | 'cancelled'; exception: string; anomaly?: string; resultCode?: string };

interface Scenario {
  row: string;
  partner: DemoPartner;
  spec: Omit<PaymentSpec, 'paymentRequestId' | 'partner' | 'amount' | 'paymentExpiryTime'>;
  /** The order's end state; `unregistered`: there is no order, only its exception. */
  expect: Expect | { unregistered: true; exception: string };
  /** The simulator's truth at the end (a reversal shows as CANCELLED after SUCCESS). */
  truth?: { status: string; paidBeforeCancel?: boolean };
  /** The simulator must never have received a cancel for it. */
  noCancel?: boolean;
}

const NEVER_PAID = [{ atMs: 0, status: 'PROCESSING' as const }];
const PAID_AT = (atMs: number) => [
  { atMs: 0, status: 'PROCESSING' as const },
  { atMs, status: 'SUCCESS' as const },
];

const both = (make: (partner: DemoPartner) => Scenario): Scenario[] => [make(APS), make(AMS)];

const SCENARIOS: Scenario[] = [
  // Row 4: the partner already closed the order: the cancel's ORDER_IS_CLOSED ends it cancelled.
  ...both((partner) => ({
    row: '4 cancel F ORDER_IS_CLOSED',
    partner,
    spec: {
      timeline: NEVER_PAID,
      notify: false,
      quirks: { cancelRefusal: { resultCode: 'ORDER_IS_CLOSED' } },
    },
    expect: { status: 'cancelled', resultCode: 'ORDER_IS_CLOSED' },
  })),
  // Row 5: the partner never had the order: closed, not confirmed by the partner.
  ...both((partner) => ({
    row: '5 cancel F ORDER_NOT_EXIST',
    partner,
    spec: { timeline: NEVER_PAID, notify: false, quirks: { unknownUntilMs: 3_600_000 } },
    expect: { status: 'cancelled', resultCode: 'ORDER_NOT_EXIST' },
  })),
  // Row 7, paid: the cancel is refused, an inquiry finds the payment paid: success, with an anomaly.
  ...both((partner) => ({
    row: '7 cancel refused, paid',
    partner,
    spec: {
      timeline: PAID_AT(EXPIRY_MS + 500),
      notify: false,
      quirks: { cancelRefusal: { resultCode: 'PROCESS_FAIL' } },
    },
    expect: { status: 'success', anomaly: 'cancel_refused_paid' },
  })),
  // Row 7, unpaid: the cancel is refused and nothing final can be learnt: an open exception.
  ...both((partner) => ({
    row: '7 cancel refused, truth unknown',
    partner,
    spec: {
      timeline: NEVER_PAID,
      notify: false,
      quirks: { cancelRefusal: { resultCode: 'CANCEL_WINDOW_EXCEED' } },
    },
    expect: { status: 'cancelling', exception: 'CANCEL_REFUSED' },
    truth: { status: 'PROCESSING' },
  })),
  // Row 9: money moved with another amount: no automatic cancel; a person decides.
  ...both((partner) => ({
    row: '9 amount mismatch',
    partner,
    spec: {
      timeline: PAID_AT(500),
      quirks: { reportedAmount: { value: '1', currency: partner.dialect === 'antom' ? 'PHP' : 'JPY' } },
    },
    expect: { status: 'init', exception: 'AMOUNT_MISMATCH', anomaly: 'amount_mismatch' },
    truth: { status: 'SUCCESS' },
    noCancel: true,
  })),
  // Row 10: a notification without an amount is confirmed by an inquiry answer that has it.
  ...both((partner) => ({
    row: '10 success without an amount',
    partner,
    spec: { timeline: PAID_AT(300), quirks: { reportedAmount: null } },
    expect: { status: 'success' },
    truth: { status: 'SUCCESS' },
    noCancel: true,
  })),
  // Row 11: an Antom answer without a readable paymentStatus is never the reason for a cancel.
  {
    row: '11 antom paymentStatus missing',
    partner: AMS,
    spec: { timeline: NEVER_PAID, notify: false, quirks: { antomPaymentStatus: 'missing' } },
    expect: { status: 'init', exception: 'INVALID_ANSWERS' },
    noCancel: true,
  },
  {
    row: '11 antom paymentStatus unknown',
    partner: AMS,
    spec: { timeline: NEVER_PAID, notify: false, quirks: { antomPaymentStatus: 'ON_HOLD' } },
    expect: { status: 'init', exception: 'INVALID_ANSWERS' },
    noCancel: true,
  },
  // Row 6: closed as unknown to the partner (row 5), then the payment succeeds after all: the cancel
  // is sent again (a reversal of a payment we closed), with an anomaly and an exception that the
  // reversal's success resolves.
  ...both((partner) => ({
    row: '6 success after an unconfirmed close',
    partner,
    spec: { timeline: PAID_AT(22_000), quirks: { unknownUntilMs: 21_000 } },
    expect: { status: 'cancelled', resultCode: 'ORDER_NOT_EXIST', anomaly: 'paid_after_close' },
    truth: { status: 'CANCELLED', paidBeforeCancel: true },
  })),
  // Row 15: money for an order nobody registered: an exception after the grace period.
  ...both((partner) => ({
    row: '15 result for an order never registered',
    partner,
    spec: { timeline: PAID_AT(300), register: false },
    expect: { unregistered: true as const, exception: 'UNREGISTERED_RESULT' },
    noCancel: true,
  })),
  // Row 2: the partner signs with a key version we do not hold yet. Nothing is refused for good
  // (notifications are answered U and re-sent) and nothing is cancelled: each order is held with
  // UNVERIFIED_ANSWERS until the key is added (the test after the rows).
  ...[ROT_APS, ROT_AMS].flatMap((partner): Scenario[] => [
    {
      row: '2 key we do not hold yet, paid',
      partner,
      spec: { timeline: PAID_AT(500) },
      expect: { status: 'init', exception: 'UNVERIFIED_ANSWERS' },
      noCancel: true,
    },
    {
      row: '2 key we do not hold yet, never paid',
      partner,
      spec: { timeline: NEVER_PAID, notify: false },
      expect: { status: 'init', exception: 'UNVERIFIED_ANSWERS' },
      noCancel: true,
    },
  ]),
  // Row 8: a SUCCESS while the order is cancelling (the cancel is still unknown) is overridden by the
  // cancel, and finance sees it as an anomaly; the cancel then reverses the payment at the partner.
  ...both((partner) => ({
    row: '8 success while cancelling',
    partner,
    spec: { timeline: PAID_AT(EXPIRY_MS + 2_500), quirks: { cancelUnknownUntilMs: EXPIRY_MS + 8_000 } },
    expect: { status: 'cancelled', anomaly: 'success_while_cancelling' },
    truth: { status: 'CANCELLED', paidBeforeCancel: true },
  })),
  // Row 12: the inquiry is refused for the user's KYC status: the payment failed.
  ...both((partner) => ({
    row: '12 inquiry F USER_KYC_NOT_QUALIFIED',
    partner,
    spec: {
      timeline: NEVER_PAID,
      notify: false,
      quirks: { inquiryRefusal: { resultCode: 'USER_KYC_NOT_QUALIFIED' } },
    },
    expect: { status: 'fail', resultCode: 'USER_KYC_NOT_QUALIFIED' },
    noCancel: true,
  })),
];

describe('money-path exceptions, end to end (real Kafka, PostgreSQL and the simulator)', () => {
  let db: { url: string; drop(): Promise<void> };
  let pipeline: Pipeline | undefined;
  const runId = `exc-${randomBytes(3).toString('hex')}`;
  const ids = new Map<Scenario, string>();
  const rotatedKeys = new Map<string, TestKeyPair>();
  const scenario = (row: string, dialect: 'alipayplus' | 'antom') =>
    [...ids.keys()].find((s) => s.row === row && s.partner.dialect === dialect)!;
  const idOf = (row: string, dialect: 'alipayplus' | 'antom') => ids.get(scenario(row, dialect))!;

  beforeAll(async () => {
    db = await createTestDatabase();
    pipeline = await Pipeline.start({
      kafkaBrokers: process.env.KAFKA_BROKERS!,
      databaseUrl: db.url,
      simSeed: 3,
      extraPartners: [ROT_APS, ROT_AMS, OURS_APS, OURS_AMS],
      env: {
        'inquiry-poller': {
          FIRST_INQUIRY_DELAY_MS: '1000',
          INQUIRY_INTERVALS_MS: '1000,2000',
          CANCEL_RETRY_INTERVALS_MS: '1000,2000',
          CANCEL_NOT_EXIST_GRACE_MS: '4000',
          CANCEL_REFUSED_INQUIRY_MS: '4000',
          RATE_LIMIT_PER_SECOND: '1000',
        },
        'order-state': {
          UNREGISTERED_RESULT_GRACE_MS: '3000',
          EXCEPTION_SWEEP_MS: '500',
          STUCK_AFTER_EXPIRY_MS: '120000',
        },
      },
    });
    for (const partner of [ROT_APS, ROT_AMS]) {
      rotatedKeys.set(partner.clientId, await pipeline.rotatePartnerKey(partner.clientId, '2'));
    }
    const expiry = new Date(Date.now() + EXPIRY_MS).toISOString();
    let n = 0;
    for (const s of SCENARIOS) {
      const paymentRequestId = `${runId}-${++n}`;
      ids.set(s, paymentRequestId);
      await pipeline.startPayment({
        ...s.spec,
        paymentRequestId,
        partner: s.partner,
        amount: { value: '1000', currency: s.partner.dialect === 'antom' ? 'PHP' : 'JPY' },
        paymentExpiryTime: expiry,
      });
    }
  }, 300_000);

  afterAll(async () => {
    await pipeline?.stop();
    await db?.drop();
  }, 120_000);

  const orderState = () => pipeline!.url('order-state');
  const getJson = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${orderState()}${path}`);
    return { status: res.status, body: (await res.json()) as T };
  };

  /** Whether the scenario reached its end state; the assertions below then say what differs. */
  async function settled(scenario: Scenario, id: string): Promise<boolean> {
    const want = scenario.expect;
    const open = await openException(id);
    if ('unregistered' in want) return open?.reason === want.exception;
    const { status, body } = await getJson<{ status: string }>(`/orders/${encodeURIComponent(id)}`);
    if (status !== 200 || body.status !== want.status) return false;
    if ((open?.reason ?? undefined) !== want.exception) return false;
    if (want.anomaly && !(await anomalyKinds(id)).includes(want.anomaly)) return false;
    if (scenario.truth) {
      const truth = await simTruth(id);
      if (Object.entries(scenario.truth).some(([k, v]) => truth[k as keyof typeof truth] !== v)) return false;
    }
    return true;
  }

  it.each(SCENARIOS.map((s) => [`row ${s.row} (${s.partner.dialect})`, s] as const))(
    '%s',
    async (_name, scenario) => {
      const id = ids.get(scenario)!;
      await waitFor(() => settled(scenario, id), {
        description: `${id} (row ${scenario.row}) to reach ${JSON.stringify(scenario.expect)}`,
        timeoutMs: 90_000,
        intervalMs: 250,
      }).catch(async (err) => {
        const order = await getJson(`/orders/${encodeURIComponent(id)}`);
        throw new Error(`${(err as Error).message}\norder: ${JSON.stringify(order.body).slice(0, 3000)}`);
      });
      const want = scenario.expect;
      const open = await openException(id);
      expect(open?.reason).toBe(want.exception);
      if (!('unregistered' in want)) {
        const { body: order } = await getJson<{ status: string; resultCode: string | null }>(
          `/orders/${encodeURIComponent(id)}`,
        );
        expect(order.status).toBe(want.status);
        if (want.resultCode) expect(order.resultCode).toBe(want.resultCode);
        if (want.anomaly) expect(await anomalyKinds(id)).toContain(want.anomaly);
      } else {
        expect((await getJson(`/orders/${encodeURIComponent(id)}`)).status).toBe(404);
      }
      const truth = await simTruth(id);
      if (scenario.truth) expect(truth).toMatchObject(scenario.truth);
      if (scenario.noCancel) expect(truth.cancels).toBe(0);
    },
    120_000,
  );

  /** The order's open exception, from GET /orders/:id (or GET /exceptions for an order never registered). */
  async function openException(id: string): Promise<{ id: string; reason: string } | undefined> {
    const { status, body } = await getJson<{ exceptions: { id: string; reason: string; open: boolean }[] }>(
      `/orders/${encodeURIComponent(id)}`,
    );
    if (status === 200) return body.exceptions.find((e) => e.open);
    const list = await getJson<{ id: string; paymentRequestId: string; reason: string }[]>(
      `/exceptions?open=true&limit=1000`,
    );
    return list.body.find((e) => e.paymentRequestId === id);
  }

  async function anomalyKinds(id: string): Promise<string[]> {
    const { body } = await getJson<{ kind: string }[]>(
      `/anomalies?paymentRequestId=${encodeURIComponent(id)}`,
    );
    return body.map((a) => a.kind);
  }

  async function simTruth(
    id: string,
  ): Promise<{ status: string; paidBeforeCancel: boolean; cancels: number; inquiries: number }> {
    const res = await fetch(
      `${pipeline!.url('alipayplus-simulator')}/sim/payments/${encodeURIComponent(id)}`,
    );
    return (await res.json()) as {
      status: string;
      paidBeforeCancel: boolean;
      cancels: number;
      inquiries: number;
    };
  }

  it('rows 1–2: once the new key is added by a settings reload (no restart), the held orders settle: paid → success, never paid → cancelled, and their exceptions close by themselves', async () => {
    for (const partner of [ROT_APS, ROT_AMS]) {
      pipeline!.addPartnerKey(partner.clientId, '2', rotatedKeys.get(partner.clientId)!);
    }
    for (const dialect of ['alipayplus', 'antom'] as const) {
      for (const [row, status] of [
        ['2 key we do not hold yet, paid', 'success'],
        ['2 key we do not hold yet, never paid', 'cancelled'],
      ] as const) {
        const id = idOf(row, dialect);
        await waitFor(
          async () => (await getJson<{ status: string }>(`/orders/${id}`)).body.status === status,
          {
            description: `${id} (${row}, ${dialect}) ${status} after the reload`,
            timeoutMs: 90_000,
            intervalMs: 250,
          },
        );
        expect(await openException(id)).toBeUndefined();
        const { body } = await getJson<{ exceptions: { reason: string; resolution: string }[] }>(
          `/orders/${id}`,
        );
        expect(body.exceptions).toEqual([
          expect.objectContaining({ reason: 'UNVERIFIED_ANSWERS', resolution: 'auto' }),
        ]);
      }
    }
  });

  const resolve = async (exceptionId: string, resolution: string, note: string) => {
    const res = await fetch(`${orderState()}/exceptions/${exceptionId}/resolve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resolution, by: 'e2e-operator', note }),
    });
    expect(res.status).toBe(200);
    return res.json() as Promise<{ resolution: string | null; resolvedBy: string | null; open: boolean }>;
  };

  it('row 14: an order whose status events arrive more than 72 h after its expiry is inquired at least once and settled', async () => {
    for (const partner of [APS, AMS]) {
      const id = `${runId}-late-${partner.dialect}`;
      const spec = {
        paymentRequestId: id,
        partner,
        amount: { value: '1000', currency: partner.dialect === 'antom' ? 'PHP' : 'JPY' },
        paymentExpiryTime: new Date(Date.now() - 73 * 3_600_000).toISOString(),
        timeline: [{ atMs: 0, status: 'SUCCESS' as const }],
        notify: false,
      };
      // The partner knows the payment before we register it: an order long expired is inquired at
      // once, and an inquiry that came first would (rightly) find nothing and lead to a cancel.
      await pipeline!.startPayment({ ...spec, register: false });
      await pipeline!.registerOrder(spec);
      await waitFor(
        async () => (await getJson<{ status: string }>(`/orders/${id}`)).body.status === 'success',
        {
          description: `${id} settled by an inquiry although it expired 73 h ago`,
          timeoutMs: 60_000,
          intervalMs: 250,
        },
      );
      expect((await simTruth(id)).inquiries).toBeGreaterThanOrEqual(1);
      expect((await getJson<{ resultSource: string }>(`/orders/${id}`)).body.resultSource).toBe('inquiry');
    }
  });

  it('row 3: we rotate our own key by a settings reload; the partner verifies our requests and acks with it', async () => {
    const rejectedBefore = (await pipeline!.simStats()).rejectedSignatures;
    for (const partner of [OURS_APS, OURS_AMS]) await pipeline!.rotateOurKey(partner.clientId, '2');
    const expiry = new Date(Date.now() + EXPIRY_MS).toISOString();
    const cases = [OURS_APS, OURS_AMS].flatMap((partner) => [
      {
        id: `${runId}-ourkey-paid-${partner.dialect}`,
        partner,
        timeline: PAID_AT(300),
        notify: true,
        want: 'success',
      },
      {
        id: `${runId}-ourkey-unpaid-${partner.dialect}`,
        partner,
        timeline: NEVER_PAID,
        notify: false,
        want: 'cancelled',
      },
    ]);
    for (const c of cases) {
      await pipeline!.startPayment({
        paymentRequestId: c.id,
        partner: c.partner,
        amount: { value: '1000', currency: c.partner.dialect === 'antom' ? 'PHP' : 'JPY' },
        paymentExpiryTime: expiry,
        timeline: c.timeline,
        notify: c.notify,
      });
    }
    for (const c of cases) {
      await waitFor(
        async () => (await getJson<{ status: string }>(`/orders/${c.id}`)).body.status === c.want,
        {
          description: `${c.id} ${c.want} with our new key`,
          timeoutMs: 90_000,
          intervalMs: 250,
        },
      );
    }
    // Inquiries, cancels and acks all verified at the partner: none was refused as badly signed.
    expect((await pipeline!.simStats()).rejectedSignatures).toBe(rejectedBefore);
  });

  it('a person resolves exceptions: accept an amount mismatch, reverse one, mark a refused cancel failed, re-inquire an invalid answer', async () => {
    // accept: the merchant keeps the payment with the amount that moved.
    const accepted = idOf('9 amount mismatch', 'alipayplus');
    const a = await resolve((await openException(accepted))!.id, 'accept', 'merchant accepts the amount');
    expect(a).toMatchObject({ resolution: 'accept', resolvedBy: 'e2e-operator', open: false });
    await waitFor(
      async () => (await getJson<{ status: string }>(`/orders/${accepted}`)).body.status === 'success',
      {
        description: 'accepted mismatch → success',
      },
    );
    expect((await getJson<{ resultCode: string }>(`/orders/${accepted}`)).body.resultCode).toBe(
      'MANUAL_ACCEPT',
    );

    // reverse: the poller sends the cancel; the paid payment is reversed at the partner.
    const reversed = idOf('9 amount mismatch', 'antom');
    await resolve((await openException(reversed))!.id, 'reverse', 'wrong amount: refund the customer');
    await waitFor(
      async () => (await getJson<{ status: string }>(`/orders/${reversed}`)).body.status === 'cancelled',
      {
        description: 'reversed mismatch → cancelled',
        timeoutMs: 60_000,
      },
    );
    expect(await simTruth(reversed)).toMatchObject({ status: 'CANCELLED', paidBeforeCancel: true });

    // mark failed: a refused cancel whose truth stays unknown.
    const refused = idOf('7 cancel refused, truth unknown', 'alipayplus');
    await resolve(
      (await openException(refused))!.id,
      'mark_failed',
      'partner confirmed by phone: never paid',
    );
    await waitFor(
      async () => (await getJson<{ status: string }>(`/orders/${refused}`)).body.status === 'fail',
      {
        description: 'marked failed → fail',
      },
    );
    const timeline = (
      await getJson<{ timeline: { source: string; note: string | null }[] }>(`/orders/${refused}`)
    ).body.timeline;
    expect(timeline.some((t) => t.source === 'operator' && /e2e-operator/.test(t.note ?? ''))).toBe(true);

    // re-inquire: the exception stays open and the partner is asked again.
    const invalid = idOf('11 antom paymentStatus missing', 'antom');
    const before = (await simTruth(invalid)).inquiries;
    const r = await resolve((await openException(invalid))!.id, 'reinquire', 'ask again');
    expect(r).toMatchObject({ open: true });
    await waitFor(async () => (await simTruth(invalid)).inquiries > before, {
      description: 'the re-inquiry reached the partner',
      timeoutMs: 30_000,
    });
    expect((await openException(invalid))?.reason).toBe('INVALID_ANSWERS');
  });

  it('closes an order in advance: POST /orders/:id/cancel, and the poller sends the cancel at once (seed 002)', async () => {
    const id = `${runId}-advance`;
    await pipeline!.startPayment({
      paymentRequestId: id,
      partner: APS,
      amount: { value: '1000', currency: 'JPY' },
      paymentExpiryTime: new Date(Date.now() + 10 * 60_000).toISOString(),
      timeline: NEVER_PAID,
      notify: false,
    });
    const first = await fetch(`${orderState()}/orders/${id}/cancel`, { method: 'POST' });
    expect(first.status).toBe(200);
    // Repeating it is idempotent: 200 while the order is cancelling. The poller sends the cancel at
    // once, so the order may already be cancelled when the repeat arrives; then the answer is
    // 409 ORDER_FINAL naming that status, never a second cancel (checked below) nor any other answer.
    const again = await fetch(`${orderState()}/orders/${id}/cancel`, { method: 'POST' });
    const againBody = (await again.json()) as { status?: string; code?: string; message?: string };
    if (again.status === 409) {
      expect(againBody).toMatchObject({ code: 'ORDER_FINAL', message: expect.stringContaining('cancelled') });
    } else {
      expect({ status: again.status, order: againBody.status }).toEqual({ status: 200, order: 'cancelling' });
    }
    await waitFor(
      async () => (await getJson<{ status: string }>(`/orders/${id}`)).body.status === 'cancelled',
      {
        description: 'closed in advance → cancelled',
        timeoutMs: 30_000,
      },
    );
    expect(await simTruth(id)).toMatchObject({ status: 'CANCELLED' });
    expect((await fetch(`${orderState()}/orders/${id}/cancel`, { method: 'POST' })).status).toBe(409);
  });

  it("row 13: while order-state is down at an order's expiry the poller sends no cancel and re-publishes CANCEL_REQUESTED at most once per interval; once order-state is back the order is cancelled", async () => {
    const id = `${runId}-outage`;
    const requests = await new KafkaCollector<{ paymentRequestId: string; outcome: string }>(testKafka(), [
      Topics.resultObserved,
    ]).start();
    try {
      await pipeline!.startPayment({
        paymentRequestId: id,
        partner: APS,
        amount: { value: '1000', currency: 'JPY' },
        paymentExpiryTime: new Date(Date.now() + 4_000).toISOString(),
        timeline: NEVER_PAID,
        notify: false,
      });
      const poller = pipeline!.url('inquiry-poller');
      await waitFor(async () => (await fetch(`${poller}/inquiries/${id}`)).status === 200, {
        description: `${id} in the poller's schedule`,
      });
      const stoppedAt = Date.now();
      await pipeline!.services.get('order-state')!.stop();
      const cancelRequests = () =>
        requests.where((m) => m.value.paymentRequestId === id && m.value.outcome === 'CANCEL_REQUESTED');
      await waitFor(async () => cancelRequests().length >= 3, {
        description: 'CANCEL_REQUESTED re-published while order-state is down',
        timeoutMs: 60_000,
        intervalMs: 250,
      });
      const downForMs = Date.now() - stoppedAt;
      // Never a cancel before order-state has moved the order to cancelling.
      expect((await simTruth(id)).cancels).toBe(0);
      // The first cancel interval here is 1 s: never more often than that (jitter at most 20 %).
      expect(cancelRequests().length).toBeLessThanOrEqual(Math.ceil(downForMs / 800) + 1);
      await pipeline!.startService('order-state');
      await waitFor(
        async () => (await getJson<{ status: string }>(`/orders/${id}`)).body.status === 'cancelled',
        {
          description: `${id} cancelled once order-state is back`,
          timeoutMs: 60_000,
          intervalMs: 250,
        },
      );
      expect(await simTruth(id)).toMatchObject({ status: 'CANCELLED' });
    } finally {
      await requests.stop();
    }
  });

  it("reverses no paid payment without an anomaly or a person's decision", async () => {
    for (const [s, id] of ids) {
      const truth = await simTruth(id);
      if (!truth.paidBeforeCancel) continue;
      const anomalies = await anomalyKinds(id);
      const { body } = await getJson<{ exceptions?: { resolution: string | null }[] }>(`/orders/${id}`);
      const reversedByPerson = (body.exceptions ?? []).some((e) => e.resolution === 'reverse');
      expect({ row: s.row, flagged: anomalies.length > 0 || reversedByPerson }).toEqual({
        row: s.row,
        flagged: true,
      });
    }
  });

  it('leaves no order of the run non-final without exactly one open exception', async () => {
    for (const [scenario, id] of ids) {
      const { body } = await getJson<{ status: string }>(`/orders/${encodeURIComponent(id)}`);
      if (FINAL.has(body.status)) continue;
      expect({ row: scenario.row, open: (await openException(id))?.reason }).toEqual({
        row: scenario.row,
        open: expect.any(String),
      });
    }
  });
});
