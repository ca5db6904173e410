import { DataSource } from 'typeorm';
import type { Dialect } from '@app/contracts';
import { createTestDatabase } from '@app/testing/test-database';
import { planStatusChanges, StatusChange, TransitionContext } from '../src/domain/schedule-transitions';
import { Completion } from '../src/application/ports';
import {
  INQUIRY_POLLER_MIGRATION_LOCK,
  inquiryPollerDataSourceOptions,
  runMigrations,
} from '../src/infrastructure/persistence/data-source';
import { InquiryScheduleRepository } from '../src/infrastructure/persistence/inquiry-schedule.repository';

/** The schedule table's SQL against the real PostgreSQL: claims, leases, fencing, versions, triggers. */
describe('InquiryScheduleRepository (real PostgreSQL)', () => {
  const T0 = Date.now();
  let db: { url: string; drop(): Promise<void> };
  let ds: DataSource;
  let sut: InquiryScheduleRepository;
  let seq = 0;

  const ctx = (now = T0): TransitionContext => ({
    now,
    policyFor: () => ({
      firstInquiryDelayMs: 0,
      inquiryIntervalsMs: [1000],
      jitterRatio: 0,
      maxInquiries: null,
      maxInquiriesAction: 'cancel',
      cancelRetryIntervalsMs: [1000],
      cancelNotExistGraceMs: 1000,
      cancelRefusedInquiryMs: 1000,
    }),
    random: () => 0.5,
  });
  const change = (id: string, to: StatusChange['to'], version: number, clientId = 'C1'): StatusChange => ({
    paymentRequestId: id,
    clientId,
    dialect: 'alipayplus',
    amount: { value: '1000', currency: 'JPY' },
    expiresAt: T0 + 60_000,
    to,
    version,
    occurredAt: T0 - 1000,
  });
  const apply = (changes: StatusChange[], now = T0) =>
    sut.applyStatusChanges(
      changes.map((c) => c.paymentRequestId),
      (existing) => planStatusChanges(existing, changes, ctx(now)).writes,
    );
  const claim = (limit: number, now = T0, clientId = 'C1') =>
    sut.claimDue({ clientId, dialect: 'alipayplus', limit, now, leaseMs: 30_000, leaseToken: `t#${++seq}` });
  const reschedule = (id: string, token: string, at: number): Completion => ({
    paymentRequestId: id,
    leaseToken: token,
    phase: 'inquiry',
    nextDueAt: at,
    inquiryAttempts: 1,
    cancelAttempts: 0,
    lastAttemptAt: T0,
    lastResultCode: 'PAYMENT_IN_PROCESS',
    attention: null,
    doneReason: null,
    answerDoubt: null,
    reportedAttention: null,
    verifyReason: null,
    verifyUntil: null,
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await new DataSource(inquiryPollerDataSourceOptions(db.url, 8)).initialize();
    await runMigrations(ds, INQUIRY_POLLER_MIGRATION_LOCK);
    sut = new InquiryScheduleRepository(ds);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('concurrent claims never hand out the same row, and a leased row is not claimed again', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `race-${i}`);
    await apply(ids.map((id) => change(id, 'init', 1, 'RACE')));
    const batches = await Promise.all(Array.from({ length: 8 }, () => claim(40, T0, 'RACE')));
    const claimed = batches.flat().map((e) => e.paymentRequestId);
    expect(claimed).toHaveLength(200);
    expect(new Set(claimed).size).toBe(200);
    expect(await claim(1000, T0 + 1000, 'RACE')).toEqual([]);
    // Once the lease has run out (a replica died), the rows are claimable again.
    expect(await claim(1000, T0 + 31_000, 'RACE')).toHaveLength(200);
  });

  it('claims only due rows, in due order, and returns the due time for the lag', async () => {
    await apply([change('due-a', 'init', 1, 'ORDER'), change('due-b', 'init', 1, 'ORDER')]);
    const [a] = await claim(1, T0, 'ORDER');
    expect(a.paymentRequestId).toMatch(/^due-/);
    expect(a.dueAt).toBe(T0 - 1000);
    await sut.complete([reschedule(a.paymentRequestId, a.leaseToken, T0 + 5000)]);
    const [b] = await claim(5, T0, 'ORDER');
    expect(b.paymentRequestId).not.toBe(a.paymentRequestId);
    expect(await claim(5, T0 + 4999, 'ORDER')).toEqual([]);
    expect((await claim(5, T0 + 5000, 'ORDER')).map((e) => e.paymentRequestId)).toEqual([a.paymentRequestId]);
  });

  it('the next due time is the earliest strictly after the given time, of open rows of that partner', async () => {
    const next = (after: number, clientId = 'NEXT') => sut.nextDueAfter(clientId, 'alipayplus', after);
    await apply([change('next-a', 'init', 1, 'NEXT'), change('next-b', 'init', 1, 'NEXT')]);
    await apply([change('next-other', 'init', 1, 'NEXT2')]);
    expect(await next(T0 - 2000)).toBe(T0 - 1000);
    // Rows due by then (claimable, leased or held back) are not upcoming: nothing to wait for.
    expect(await next(T0)).toBeNull();
    const [a, b] = await claim(2, T0, 'NEXT');
    await sut.complete([reschedule(a.paymentRequestId, a.leaseToken, T0 + 5000)]);
    await sut.complete([reschedule(b.paymentRequestId, b.leaseToken, T0 + 3000)]);
    expect(await next(T0)).toBe(T0 + 3000);
    expect(await next(T0 + 3000)).toBe(T0 + 5000);
    expect(await next(T0 + 5000)).toBeNull();
    // A done row is never due again.
    await apply([change(b.paymentRequestId, 'success', 2, 'NEXT')]);
    expect(await next(T0)).toBe(T0 + 5000);
    // Other partners' rows are not this partner's.
    expect(await next(T0 - 2000, 'NEXT2')).toBe(T0 - 1000);
    expect(await next(T0 - 2000, 'NOBODY')).toBeNull();
  });

  it('claims and reads the next due time in one statement, as claimDue then nextDueAfter would', async () => {
    const peek = (limit: number, now: number) =>
      sut.claimDueAndPeek({
        clientId: 'PEEK',
        dialect: 'alipayplus',
        limit,
        now,
        leaseMs: 30_000,
        leaseToken: `t#${++seq}`,
      });
    // Nothing at all: nothing claimed, nothing upcoming.
    expect(await peek(5, T0)).toEqual({ claimed: [], nextDueAt: null });
    await apply(['peek-a', 'peek-b', 'peek-c'].map((id) => change(id, 'init', 1, 'PEEK')));
    // A claim that fills its limit leaves the next due time unread (null), as the port's default does.
    const full = await peek(2, T0);
    expect(full.claimed).toHaveLength(2);
    expect(full.nextDueAt).toBeNull();
    const [a, b] = full.claimed;
    await sut.complete([reschedule(a.paymentRequestId, a.leaseToken, T0 + 5000)]);
    await sut.complete([reschedule(b.paymentRequestId, b.leaseToken, T0 + 3000)]);
    // Room left: the third row is claimed and the earliest later due time comes with it.
    const rest = await peek(5, T0);
    expect(rest.claimed.map((e) => e.paymentRequestId)).toEqual(
      ['peek-a', 'peek-b', 'peek-c'].filter((id) => id !== a.paymentRequestId && id !== b.paymentRequestId),
    );
    expect(rest.claimed[0]).toMatchObject({ dueAt: T0 - 1000, leaseUntil: T0 + 30_000 });
    expect(rest.nextDueAt).toBe(T0 + 3000);
    expect(rest.nextDueAt).toBe(await sut.nextDueAfter('PEEK', 'alipayplus', T0));
    // Nothing due now, something later: no rows, the due time alone.
    expect(await peek(5, T0 + 1000)).toEqual({ claimed: [], nextDueAt: T0 + 3000 });
    expect((await peek(5, T0 + 3000)).claimed.map((e) => e.paymentRequestId)).toEqual([b.paymentRequestId]);
  });

  it('a completion applies only while the row still carries its lease token', async () => {
    await apply([change('fence', 'init', 1, 'FENCE')]);
    const [entry] = await claim(1, T0, 'FENCE');
    expect(await sut.complete([reschedule('fence', 'someone-else#1', T0 + 9999)])).toBe(0);
    expect(await sut.complete([reschedule('fence', entry.leaseToken, T0 + 2000)])).toBe(1);
    // The lease is released by the completion: a second, late copy is fenced out too.
    expect(await sut.complete([reschedule('fence', entry.leaseToken, T0 + 9999)])).toBe(0);
    expect(await sut.find('fence')).toMatchObject({
      nextDueAt: new Date(T0 + 2000).toISOString(),
      leased: false,
      inquiryAttempts: 1,
      lastResultCode: 'PAYMENT_IN_PROCESS',
    });
  });

  it('a final status revokes the lease of the call in flight, and no version goes backwards', async () => {
    await apply([change('final', 'init', 1, 'FINAL')]);
    const [entry] = await claim(1, T0, 'FINAL');
    await apply([change('final', 'success', 2, 'FINAL')]);
    expect(await sut.complete([reschedule('final', entry.leaseToken, T0 + 2000)])).toBe(0);
    await apply([change('final', 'init', 1, 'FINAL')]);
    expect(await sut.find('final')).toMatchObject({
      phase: 'done',
      doneReason: 'ORDER_FINAL',
      lastVersion: 2,
    });
    expect(await claim(10, T0 + 60_000, 'FINAL')).toEqual([]);
  });

  it('inserting the same new orders from two transactions at once keeps one row each', async () => {
    const changes = Array.from({ length: 50 }, (_, i) => change(`dup-${i}`, 'init', 1, 'DUP'));
    await Promise.all([apply(changes), apply(changes), apply([...changes].reverse())]);
    const rows = await ds.query(`SELECT count(*)::int AS n FROM inquiry_schedule WHERE client_id = 'DUP'`);
    expect(rows[0].n).toBe(50);
  });

  it('force and hint move only orders in the inquiry phase, a hint never closer than the gap', async () => {
    await apply([change('trig', 'init', 1, 'TRIG')]);
    const [entry] = await claim(1, T0, 'TRIG');
    await sut.complete([reschedule('trig', entry.leaseToken, T0 + 600_000)]);
    const hint = (paymentRequestId: string, clientId = 'TRIG', dialect: Dialect = 'alipayplus') => ({
      paymentRequestId,
      clientId,
      dialect,
    });

    // Another partner's hint about this order, or one in the other dialect, moves nothing.
    expect(await sut.hintInquiry([hint('trig', 'OTHER'), hint('trig', 'TRIG', 'antom')], T0, 5000)).toBe(0);
    expect(await sut.hintInquiry([hint('trig'), hint('absent')], T0, 5000)).toBe(1);
    // last_attempt_at was T0: the hint brings the inquiry to T0 + 5 s, not to now.
    expect((await sut.find('trig'))?.nextDueAt).toBe(new Date(T0 + 5000).toISOString());
    // A hint moves an order once: forged notifications cannot spend its inquiry budget.
    const [again] = await claim(1, T0 + 5000, 'TRIG');
    await sut.complete([reschedule('trig', again.leaseToken, T0 + 600_000)]);
    expect(await sut.hintInquiry([hint('trig')], T0 + 60_000, 5000)).toBe(0);
    expect((await sut.find('trig'))?.nextDueAt).toBe(new Date(T0 + 600_000).toISOString());

    expect(await sut.forceInquiry('trig', T0 + 100)).toEqual({ kind: 'scheduled', inFlight: false });
    expect((await sut.find('trig'))?.nextDueAt).toBe(new Date(T0 + 100).toISOString());
    expect(await sut.forceInquiry('absent', T0)).toEqual({ kind: 'not-found' });

    await apply([change('trig', 'cancelling', 2, 'TRIG')]);
    expect(await sut.forceInquiry('trig', T0)).toEqual({ kind: 'cancelling' });
    await apply([change('trig-c', 'init', 1, 'TRIG'), change('trig-c', 'cancelling', 2, 'TRIG')]);
    expect(await sut.hintInquiry([hint('trig-c')], T0 + 999_999, 0)).toBe(0);
    await apply([change('trig', 'cancelled', 3, 'TRIG')]);
    expect(await sut.forceInquiry('trig', T0)).toEqual({ kind: 'done', doneReason: 'ORDER_FINAL' });
  });

  it('marks a cancel as requested only under its lease', async () => {
    await apply([change('cxl', 'init', 1, 'CXL')]);
    const [entry] = await claim(1, T0, 'CXL');
    await sut.complete([{ ...reschedule('cxl', entry.leaseToken, T0), phase: 'cancel' }]);
    const [cancel] = await claim(1, T0, 'CXL');
    expect(cancel.phase).toBe('cancel');
    expect(await sut.markCancelRequested('cxl', 'wrong#1', T0)).toBe(false);
    expect(await sut.markCancelRequested('cxl', cancel.leaseToken, T0)).toBe(true);
    expect((await sut.find('cxl'))?.cancelRequestedAt).toBe(new Date(T0).toISOString());
  });

  it('prunes tombstones older than the retention, and nothing else', async () => {
    await apply([change('old-tomb', 'success', 2, 'PRUNE'), change('open', 'init', 1, 'PRUNE')]);
    expect(await sut.pruneTombstones(Date.now() - 60_000, 100)).toBe(0);
    const pruned = await sut.pruneTombstones(Date.now() + 60_000, 10_000);
    expect(pruned).toBeGreaterThanOrEqual(1);
    expect(await sut.find('old-tomb')).toBeNull();
    expect(await sut.find('open')).not.toBeNull();
  });

  it('keeps the verify phase, the answer doubt and the reported attention of a completion (issue 11)', async () => {
    await apply([change('ver', 'init', 1, 'VER')]);
    const [entry] = await claim(1, T0, 'VER');
    await sut.complete([
      {
        ...reschedule('ver', entry.leaseToken, T0),
        phase: 'verify',
        verifyReason: 'CANCEL_NOT_EXIST',
        verifyUntil: T0 + 60_000,
        answerDoubt: 'UNVERIFIED_ANSWERS',
        reportedAttention: 'UNVERIFIED_ANSWERS',
      },
    ]);
    const [verifying] = await claim(1, T0, 'VER');
    expect(verifying).toMatchObject({
      phase: 'verify',
      verifyReason: 'CANCEL_NOT_EXIST',
      verifyUntil: T0 + 60_000,
      answerDoubt: 'UNVERIFIED_ANSWERS',
      reportedAttention: 'UNVERIFIED_ANSWERS',
    });
    // A later completion without a report keeps the reported attention; the doubt is written as given.
    await sut.complete([{ ...reschedule('ver', verifying.leaseToken, T0), phase: 'inquiry' }]);
    const [again] = await claim(1, T0, 'VER');
    expect(again).toMatchObject({
      phase: 'inquiry',
      verifyReason: null,
      answerDoubt: null,
      reportedAttention: 'UNVERIFIED_ANSWERS',
    });
  });

  it('a final status ends a row in the verify phase (its verify fields cleared)', async () => {
    await apply([change('ver-end', 'init', 1, 'VEREND'), change('ver-end', 'cancelling', 2, 'VEREND')]);
    const [entry] = await claim(1, T0, 'VEREND');
    await sut.complete([
      {
        ...reschedule('ver-end', entry.leaseToken, T0),
        phase: 'verify',
        verifyReason: 'CANCEL_REFUSED',
        verifyUntil: T0 + 60_000,
      },
    ]);
    await apply([change('ver-end', 'success', 3, 'VEREND')]);
    expect(await sut.find('ver-end')).toMatchObject({ phase: 'done', doneReason: 'ORDER_FINAL' });
  });

  it('a reversal moves any row to the cancel phase, due now, its lease revoked, once per exception', async () => {
    await apply([change('rev', 'init', 1, 'REV'), change('rev', 'cancelled', 2, 'REV')]);
    expect(await sut.requestReversal('rev', '7', T0)).toBe('applied');
    const [entry] = await claim(1, T0, 'REV');
    expect(entry).toMatchObject({ phase: 'cancel', reversalOf: '7', cancelAttempts: 0, doneReason: null });
    // A re-delivered event for the same exception changes nothing; another exception reverses again.
    expect(await sut.requestReversal('rev', '7', T0)).toBe('ignored');
    expect(await sut.requestReversal('rev', '8', T0)).toBe('applied');
    expect(await sut.find('rev')).toMatchObject({ leased: false, phase: 'cancel', reversalOf: '8' });
    expect(await sut.requestReversal('nobody', '9', T0)).toBe('not-found');
  });

  it('a re-inquiry makes an open row due now and sends a done row to verify (REINQUIRE); not a cancelling one', async () => {
    await apply([
      change('re-done', 'init', 1, 'REQ'),
      change('re-done', 'success', 2, 'REQ'),
      change('re-open', 'init', 1, 'REQ2'),
      change('re-cxl', 'cancelling', 2, 'REQ3'),
    ]);
    expect(await sut.reinquire('re-done', T0 + 5)).toBe('applied');
    const [done] = await claim(1, T0 + 5, 'REQ');
    expect(done).toMatchObject({ phase: 'verify', verifyReason: 'REINQUIRE', verifyUntil: T0 + 5 });
    expect(await sut.reinquire('re-open', T0 - 5000)).toBe('applied');
    expect((await sut.find('re-open'))?.nextDueAt).toBe(new Date(T0 - 5000).toISOString());
    expect(await sut.reinquire('re-cxl', T0)).toBe('ignored');
    expect(await sut.reinquire('nobody', T0)).toBe('not-found');
  });
});
