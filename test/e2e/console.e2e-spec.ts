import { randomBytes } from 'crypto';
import { mkdirSync } from 'fs';
import * as path from 'path';
import { Browser, chromium, Page } from 'playwright-core';
import { Topics } from '@app/contracts';
import { repoRoot, waitFor } from '@app/testing';
import { testKafka } from '@app/testing/kafka-probes';
import { createTestDatabase } from '@app/testing/test-database';
import { DEMO_PARTNERS, Pipeline } from '@app/testing/pipeline';

/**
 * Issue 12 acceptance: the ops console in a real headless Chromium (Debian's package, driven by
 * playwright-core). A pipeline runs with an open exception (an amount mismatch), a stuck order (an
 * Antom payment whose answers have no readable status, held past its expiry) and a dead letter. An
 * operator signs in with a token, resolves the exception, re-inquires the stuck order and replays
 * the dead letter, and sees each result on the page. The last screen is kept as
 * artifacts/console.png.
 */
const CHROMIUM = '/usr/bin/chromium';
const EXPIRY_MS = 6_000;
const OPERATOR = `operator-${randomBytes(12).toString('hex')}`;
const VIEWER = `viewer-${randomBytes(12).toString('hex')}`;
const APS = DEMO_PARTNERS.find((p) => p.dialect === 'alipayplus')!;
const AMS = DEMO_PARTNERS.find((p) => p.dialect === 'antom')!;

describe('ops console in headless Chromium (real Kafka, PostgreSQL, the pipeline and the simulator)', () => {
  let db: { url: string; drop(): Promise<void> };
  let pipeline: Pipeline | undefined;
  let browser: Browser | undefined;
  const runId = `console-${randomBytes(3).toString('hex')}`;
  const mismatch = `${runId}-mismatch`;
  const stuck = `${runId}-stuck`;
  const poisonKey = `${runId}-poison`;

  const api = async <T>(p: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${pipeline!.url('order-state')}${p}`, {
      ...init,
      headers: { authorization: `Bearer ${OPERATOR}`, ...(init.headers ?? {}) },
    });
    return (await res.json()) as T;
  };
  const openReason = async (id: string) =>
    (await api<{ exceptions?: { open: boolean; reason: string }[] }>(`/orders/${id}`)).exceptions?.find(
      (e) => e.open,
    )?.reason;

  beforeAll(async () => {
    db = await createTestDatabase();
    pipeline = await Pipeline.start({
      kafkaBrokers: process.env.KAFKA_BROKERS!,
      databaseUrl: db.url,
      operatorToken: OPERATOR,
      env: {
        'order-state': {
          OPERATOR_AUTH: 'enabled',
          OPERATOR_TOKENS_JSON: JSON.stringify([
            { name: 'otto-operator', token: OPERATOR, role: 'operator' },
            { name: 'vera-viewer', token: VIEWER, role: 'viewer' },
          ]),
        },
        'inquiry-poller': {
          FIRST_INQUIRY_DELAY_MS: '500',
          INQUIRY_INTERVALS_MS: '1000,2000',
          CANCEL_RETRY_INTERVALS_MS: '1000,2000',
        },
      },
    });
    const expiry = new Date(Date.now() + EXPIRY_MS).toISOString();
    await pipeline.startPayment({
      paymentRequestId: mismatch,
      partner: APS,
      amount: { value: '1000', currency: 'JPY' },
      paymentExpiryTime: expiry,
      timeline: [{ atMs: 200, status: 'SUCCESS' }],
      quirks: { reportedAmount: { value: '999', currency: 'JPY' } },
    });
    await pipeline.startPayment({
      paymentRequestId: stuck,
      partner: AMS,
      amount: { value: '1000', currency: 'PHP' },
      paymentExpiryTime: expiry,
      timeline: [{ atMs: 0, status: 'PROCESSING' }],
      notify: false,
      quirks: { antomPaymentStatus: 'missing' },
    });
    // A message no consumer can read: it becomes a dead letter.
    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({
      topic: Topics.resultObserved,
      acks: -1,
      messages: [{ key: poisonKey, value: '{}' }],
    });
    await producer.disconnect();

    await waitFor(async () => (await openReason(mismatch)) === 'AMOUNT_MISMATCH', {
      description: 'the amount mismatch exception',
      timeoutMs: 60_000,
    });
    await waitFor(
      async () => (await openReason(stuck)) === 'INVALID_ANSWERS' && Date.parse(expiry) < Date.now(),
      {
        description: 'the stuck order held past its expiry with INVALID_ANSWERS',
        timeoutMs: 60_000,
      },
    );
    await waitFor(
      async () =>
        (await api<{ items: { key: string }[] }>('/dead-letters?limit=500')).items.some(
          (l) => l.key === poisonKey,
        ),
      { description: 'the dead letter archived', timeoutMs: 60_000 },
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Root in CI; and no background traffic to hosts this machine cannot reach.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await pipeline?.stop();
    await db?.drop();
  }, 120_000);

  async function signIn(token: string): Promise<Page> {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('dialog', (dialog) => void dialog.accept('checked with the merchant'));
    await page.goto(`${pipeline!.url('order-state')}/console`);
    await page.fill('input[name=token]', token);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=who]');
    return page;
  }

  const notice = (page: Page) => page.locator('[data-testid=notice]');

  it('refuses a wrong token on the sign-in page', async () => {
    const page = await browser!.newPage();
    await page.goto(`${pipeline!.url('order-state')}/console`);
    await page.fill('input[name=token]', 'not-a-token-of-ours-at-all');
    await page.click('button[type=submit]');
    await page.getByText('UNAUTHENTICATED').waitFor();
    await page.close();
  });

  it('a viewer sees the exceptions but no resolve buttons', async () => {
    const page = await signIn(VIEWER);
    expect(await page.locator('[data-testid=who]').textContent()).toContain('vera-viewer · viewer');
    await page.click('nav button:has-text("Exceptions")');
    await page.locator(`[data-testid=exceptions] tr:has-text("${mismatch}")`).waitFor();
    expect(await page.locator('[data-testid=exceptions] button').count()).toBe(0);
    await page.close();
  });

  it('an operator resolves the exception, re-inquires the stuck order and replays the dead letter, seeing each result', async () => {
    const page = await signIn(OPERATOR);
    // The first view: orders by status, and the stuck order.
    await page.locator('[data-testid=status-cards]').waitFor();
    const stuckRow = page.locator(`[data-testid=stuck-orders] tr:has-text("${stuck}")`);
    await stuckRow.waitFor();

    // Resolve: accept the amount mismatch.
    await page.click('nav button:has-text("Exceptions")');
    const row = page.locator(`[data-testid=exceptions] tr:has-text("${mismatch}")`);
    await row.locator('button[data-resolution=accept]').click();
    await notice(page).getByText(`(${mismatch}): accept: done`).waitFor();
    await row.waitFor({ state: 'detached' });
    await waitFor(async () => (await api<{ status: string }>(`/orders/${mismatch}`)).status === 'success', {
      description: 'the accepted order is success',
    });

    // Re-inquire the stuck order from the orders view; the partner is asked again.
    const sim = `${pipeline!.url('alipayplus-simulator')}/sim/payments/${stuck}`;
    const before = ((await (await fetch(sim)).json()) as { inquiries: number }).inquiries;
    await page.click('nav button:has-text("Orders")');
    await stuckRow.locator('button:has-text("Re-inquire")').click();
    await notice(page).getByText(`Re-inquiry requested for ${stuck}: done`).waitFor();
    await waitFor(
      async () => ((await (await fetch(sim)).json()) as { inquiries: number }).inquiries > before,
      {
        description: 'the re-inquiry reached the partner',
        timeoutMs: 30_000,
      },
    );

    // The stuck order's timeline, with the partner's raw bodies for an operator.
    await stuckRow.locator('a').click();
    await page.locator('[data-testid=timeline]').waitFor();
    expect(await page.locator('[data-testid=order-status]').textContent()).toContain('init');
    await page.locator('[data-testid=timeline] tr:has-text("operator")').first().waitFor();

    // Replay the dead letter.
    await page.click('nav button:has-text("Dead letters")');
    const letter = page.locator(`[data-testid=dead-letters] tr:has-text("${Topics.resultObserved}")`).first();
    await letter.locator('button:has-text("Replay")').click();
    await notice(page)
      .getByText(/Replayed .* to payments\.result-observed\.v1: done/)
      .waitFor();
    await page.locator('[data-testid=dead-letters]').getByText('(last by otto-operator)').first().waitFor();

    await page.click('nav button:has-text("Exceptions")');
    await page.locator(`[data-testid=exceptions] tr:has-text("${stuck}")`).waitFor();
    const dir = path.join(repoRoot(), 'artifacts');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, 'console.png'), fullPage: true });
    await page.close();
  });
});
