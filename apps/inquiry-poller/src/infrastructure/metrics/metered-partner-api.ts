import type { Counter, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import { ServiceMetrics, LAG_BUCKETS_SECONDS } from '@app/observability';
import type { PollerMetrics } from '../../application/poller-metrics';
import { PartnerApi } from '../../application/ports';
import type { CancelCallResult, InquiryCallResult } from '../../domain/next-step';

type CallResult = InquiryCallResult | CancelCallResult;

/** A partner's code as a label: bounded in length and alphabet, so a partner cannot blow up the series. */
const codeLabel = (code: string): string => (/^[A-Z0-9_]{1,48}$/.test(code) ? code : 'OTHER');

/** What a call answered, as the `result_code` label. */
function resultCode(call: CallResult): string {
  switch (call.kind) {
    case 'response':
      return codeLabel((call.body as { result: { resultCode: string } }).result.resultCode);
    case 'transport-error':
      return 'NO_RESPONSE';
    case 'untrusted':
      return 'UNTRUSTED_RESPONSE';
    case 'invalid-response':
      return 'INVALID_RESPONSE';
  }
}

const rateLimited = (call: CallResult): boolean =>
  (call.kind === 'response' &&
    (call.body as { result: { resultCode: string } }).result.resultCode === 'REQUEST_TRAFFIC_EXCEED_LIMIT') ||
  (call.kind === 'transport-error' && (call.reason === 'HTTP_429' || call.reason === 'HTTP_503'));

/** The poller's Prometheus series (GET /metrics), declared in one place. */
export class PollerPrometheus {
  readonly inquiries: Counter<'dialect' | 'result_code'>;
  readonly cancels: Counter<'dialect' | 'result_code'>;
  readonly untrusted: Counter<'dialect' | 'operation'>;
  readonly rateLimited: Counter<'dialect'>;
  readonly lateness: Histogram;

  constructor(
    readonly metrics: ServiceMetrics,
    counters: PollerMetrics,
    db: () => DataSource | undefined,
  ) {
    this.inquiries = metrics.counter('inquiries_total', 'inquiryPayment calls, by the call result code.', [
      'dialect',
      'result_code',
    ]);
    this.cancels = metrics.counter('cancels_total', 'cancelPayment/cancel calls, by the call result code.', [
      'dialect',
      'result_code',
    ]);
    this.untrusted = metrics.counter(
      'untrusted_answers_total',
      'Partner answers that failed verification (bad signature, unknown keyVersion).',
      ['dialect', 'operation'],
    );
    this.rateLimited = metrics.counter(
      'partner_rate_limited_total',
      'Partner answers asking us to slow down (REQUEST_TRAFFIC_EXCEED_LIMIT, HTTP 429/503).',
      ['dialect'],
    );
    this.lateness = metrics.histogram(
      'inquiry_lateness_seconds',
      'How late an inquiry starts: from its due time to the request going out.',
      [],
      LAG_BUCKETS_SECONDS,
    );
    counters.onInquiryStart((lagMs) => this.lateness.observe(Math.max(0, lagMs) / 1000));
    metrics.gauge(
      'inquiry_due_backlog',
      'Schedule rows due now and not leased (all replicas).',
      [],
      async (g) => {
        const source = db();
        if (!source) return;
        try {
          const [row] = (await source.query(
            `SELECT count(*)::int AS n FROM inquiry_schedule
            WHERE phase <> 'done' AND next_due_at <= now() AND (lease_until IS NULL OR lease_until <= now())`,
          )) as { n: number }[];
          g.set(row.n);
        } catch {
          // The database is down: keep the last value; readiness reports the outage.
        }
      },
    );
  }
}

/** The PartnerApi port, counting every call and its answer for the metrics. */
export class MeteredPartnerApi extends PartnerApi {
  constructor(
    private readonly inner: PartnerApi,
    private readonly prom: PollerPrometheus,
  ) {
    super();
  }

  async inquire(partnerKey: string, paymentRequestId: string, timeoutMs: number): Promise<InquiryCallResult> {
    const call = await this.inner.inquire(partnerKey, paymentRequestId, timeoutMs);
    this.count(partnerKey, 'inquiry', call);
    return call;
  }

  async cancel(partnerKey: string, paymentRequestId: string, timeoutMs: number): Promise<CancelCallResult> {
    const call = await this.inner.cancel(partnerKey, paymentRequestId, timeoutMs);
    this.count(partnerKey, 'cancel', call);
    return call;
  }

  private count(partnerKey: string, operation: 'inquiry' | 'cancel', call: CallResult): void {
    const dialect = partnerKey.split(':')[0];
    (operation === 'inquiry' ? this.prom.inquiries : this.prom.cancels).inc({
      dialect,
      result_code: resultCode(call),
    });
    if (call.kind === 'untrusted') this.prom.untrusted.inc({ dialect, operation });
    if (rateLimited(call)) this.prom.rateLimited.inc({ dialect });
  }
}
