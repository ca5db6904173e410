import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  API_PATHS,
  ApiOperation,
  CANCEL_PAYMENT_SCHEMAS,
  describeIssues,
  INQUIRY_PAYMENT_SCHEMAS,
  ORDER_NOT_EXIST,
  originFormTarget,
  readHeader,
  REQUEST_TRAFFIC_EXCEED_LIMIT,
  resolveApiPath,
  signResponse,
  UNKNOWN_EXCEPTION,
  verifyIncomingRequest,
} from '@app/alipayplus';
import { chance, intBetween, Random } from '../chaos/prng';
import { readBody, sendRaw } from '../http/http-io';
import type { PartnerEntry } from '../partners';
import type { PaymentBook, PaymentRecord } from '../payments/payment-book';
import type { TimerRegistry } from '../timers';
import type { ChaosSettings, SimulatorDialect, SimulatorStats } from '../types';
import {
  alipayPlusCancelAnswer,
  alipayPlusInquiryAnswer,
  antomCancelAnswer,
  antomInquiryAnswer,
  callFailure,
} from './answers';

export interface ApiRoute {
  readonly dialect: SimulatorDialect;
  readonly operation: ApiOperation;
}

/**
 * The paths served: inquiryPayment and cancelPayment/cancel of both dialects (protocol.md §0), plus the
 * Antom sandbox variants `/ams/sandbox/api/…` that the SDKs use for SANDBOX_ client IDs.
 */
export function apiRoutes(): Map<string, ApiRoute> {
  const routes = new Map<string, ApiRoute>();
  for (const dialect of ['alipayplus', 'antom'] as const) {
    for (const operation of ['inquiryPayment', 'cancelPayment'] as const) {
      routes.set(API_PATHS[dialect][operation], { dialect, operation });
      routes.set(resolveApiPath(dialect, operation, 'SANDBOX_'), { dialect, operation });
    }
  }
  return routes;
}

export interface ApiHandlerDeps {
  readonly partners: ReadonlyMap<string, PartnerEntry>;
  readonly book: PaymentBook;
  readonly chaos: () => ChaosSettings;
  /** The stream for request-level chaos (latency, 5xx, U). */
  readonly random: Random;
  readonly timers: TimerRegistry;
  readonly stats: SimulatorStats;
  readonly now: () => number;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
}

/** What to answer, decided after the latency (so the truth is read at answer time). */
type Answer =
  | { readonly kind: 'signed'; readonly entry: PartnerEntry; readonly body: unknown }
  | { readonly kind: 'unsigned'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'unavailable' };

/**
 * Answers inquiryPayment and cancelPayment/cancel as Alipay+/Antom would, with real signatures both ways:
 * the request is verified with the acquirer's key over its raw bytes (protocol.md §1.3), and every answer
 * is serialized once and signed with Alipay+'s key over the request path (§1.2, §1.6) — except a chaos 503,
 * which like a real gateway error has no signed body, and INVALID_CLIENT, which has no partner key to sign with.
 */
export class ApiHandler {
  constructor(private readonly deps: ApiHandlerDeps) {}

  async handle(req: IncomingMessage, res: ServerResponse, route: ApiRoute, path: string): Promise<void> {
    if (req.method !== 'POST') {
      // Both operations are POST (protocol.md §1.3).
      sendRaw(res, 405, JSON.stringify(callFailure('F', 'METHOD_NOT_SUPPORTED')), { Allow: 'POST' });
      return;
    }
    const read = await readBody(req);
    if (!read.ok) {
      sendRaw(res, 413, JSON.stringify(callFailure('F', 'PARAM_ILLEGAL', 'request body too large')));
      return;
    }
    const clientId = readHeader(req.headers, 'client-id');
    const entry = clientId === undefined ? undefined : this.deps.partners.get(clientId);
    if (!entry) {
      await this.answerAfterLatency(res, path, () => ({
        kind: 'unsigned',
        status: 200,
        body: callFailure('F', 'INVALID_CLIENT', clientId ? 'unknown client-id' : 'client-id header missing'),
      }));
      return;
    }
    const signed = (body: unknown): Answer => ({ kind: 'signed', entry, body });

    const verification = verifyIncomingRequest({
      // A request line in absolute form (RFC 9112 §3.2.2) gives the whole URL as req.url; the client
      // signed only the path (and the query, where it signed one).
      path: originFormTarget(req.url ?? path),
      headers: req.headers,
      rawBody: read.body,
      publicKeys: entry.acquirerKeys,
    });
    if (!verification.ok) {
      this.deps.stats.rejectedSignatures += 1;
      this.deps.log('api.rejected-signature', {
        clientId: entry.partner.clientId,
        path,
        reason: verification.reason,
      });
      await this.answerAfterLatency(res, path, () =>
        signed(
          callFailure('F', 'INVALID_SIGNATURE', `signature verification failed: ${verification.reason}`),
        ),
      );
      return;
    }
    if (entry.partner.dialect !== route.dialect) {
      await this.answerAfterLatency(res, path, () =>
        signed(
          callFailure(
            'F',
            'INVALID_API',
            `client ${entry.partner.clientId} uses the ${entry.partner.dialect} API`,
          ),
        ),
      );
      return;
    }
    const schemas = route.operation === 'inquiryPayment' ? INQUIRY_PAYMENT_SCHEMAS : CANCEL_PAYMENT_SCHEMAS;
    const request = parseJson(read.body);
    const parsed = request.ok ? schemas[route.dialect].request.safeParse(request.value) : undefined;
    if (!parsed?.success) {
      const reason = parsed ? describeIssues(parsed.error) : 'body is not valid JSON';
      await this.answerAfterLatency(res, path, () => signed(callFailure('F', 'PARAM_ILLEGAL', reason)));
      return;
    }
    const ids = parsed.data as { paymentRequestId?: string; paymentId?: string };
    // Decided on arrival: the bucket counts requests as they come in (protocol.md §6).
    const withinLimit = entry.bucket.tryTake(this.deps.now());

    if (route.operation === 'inquiryPayment') {
      await this.inquiry(res, path, entry, ids, withinLimit, signed);
    } else {
      await this.cancel(res, path, entry, ids, withinLimit, signed);
    }
  }

  private async inquiry(
    res: ServerResponse,
    path: string,
    entry: PartnerEntry,
    ids: { paymentRequestId?: string; paymentId?: string },
    withinLimit: boolean,
    signed: (body: unknown) => Answer,
  ): Promise<void> {
    const record = this.find(entry, ids);
    this.deps.stats.inquiries += 1;
    if (record) record.inquiries += 1;
    // The caller must not ask about one payment twice at once (design.md §5: rows are claimed, one inquiry
    // per order at a time); the latency window is included, since the first answer is still outstanding.
    const tracked = record ?? this.unknownTracker(ids);
    if (tracked.inFlightInquiries > 0) {
      this.deps.stats.concurrentInquiryViolations += 1;
      this.deps.log('api.concurrent-inquiry', { clientId: entry.partner.clientId, ...ids });
    }
    tracked.inFlightInquiries += 1;
    try {
      await this.answerAfterLatency(res, path, () => {
        const chaos = this.chaosAnswer(entry, withinLimit, this.deps.chaos().inquiryUnknownRate);
        if (chaos) return chaos;
        // §3.1 / §3.2: an order Alipay+ does not know is F ORDER_NOT_EXIST.
        if (!record || this.unknownYet(record)) {
          return signed(callFailure('F', ORDER_NOT_EXIST, 'order does not exist'));
        }
        const { inquiryRefusal, antomPaymentStatus } = record.script.quirks;
        if (inquiryRefusal) return signed(callFailure('F', inquiryRefusal.resultCode));
        this.deps.book.refresh(record);
        const facts = this.deps.book.facts(record);
        if (entry.partner.dialect !== 'antom') return signed(alipayPlusInquiryAnswer(facts));
        return signed(withAntomStatusQuirk(antomInquiryAnswer(facts), antomPaymentStatus));
      });
    } finally {
      tracked.inFlightInquiries -= 1;
      if (!record) this.releaseUnknownTracker(ids, tracked);
    }
  }

  private async cancel(
    res: ServerResponse,
    path: string,
    entry: PartnerEntry,
    ids: { paymentRequestId?: string; paymentId?: string },
    withinLimit: boolean,
    signed: (body: unknown) => Answer,
  ): Promise<void> {
    const record = this.find(entry, ids);
    this.deps.stats.cancels += 1;
    if (record) record.cancels += 1;
    await this.answerAfterLatency(res, path, () => {
      // A chaos answer is given before the cancel is applied: the retry with the same paymentRequestId
      // then cancels it, which is what the idempotency of §4.1/§4.2 is for.
      const chaos = this.chaosAnswer(entry, withinLimit, this.deps.chaos().cancelUnknownRate);
      if (chaos) return chaos;
      if (!record || this.unknownYet(record)) {
        return signed(callFailure('F', ORDER_NOT_EXIST, 'order does not exist'));
      }
      const unknownUntil = record.script.quirks.cancelUnknownUntilMs;
      if (unknownUntil !== undefined && this.deps.book.elapsed(record) < unknownUntil) {
        return signed(callFailure('U', UNKNOWN_EXCEPTION, 'cancel result unknown'));
      }
      const refusal = record.script.quirks.cancelRefusal;
      if (refusal)
        return signed(callFailure('F', refusal.resultCode, `cancel refused: ${refusal.resultCode}`));
      const before = record.truth.status;
      this.deps.book.cancel(record);
      if (before !== 'CANCELLED') {
        this.deps.log('payment.cancelled', {
          paymentRequestId: record.script.paymentRequestId,
          from: before,
          paidBeforeCancel: record.truth.paidBeforeCancel,
        });
      }
      // Any state, a repeat included, answers S (§4.1 idempotent; §4.2 a paid payment is reversed).
      const facts = this.deps.book.facts(record);
      return signed(
        entry.partner.dialect === 'antom' ? antomCancelAnswer(facts) : alipayPlusCancelAnswer(facts),
      );
    });
  }

  /**
   * Gateway-level trouble, in this order: HTTP 503 without a signed body; U REQUEST_TRAFFIC_EXCEED_LIMIT
   * over the rate limit; U UNKNOWN_EXCEPTION (protocol.md §6: both U codes mean "retry the same request").
   * Both random draws always happen, so one answer does not shift the stream for the next request.
   */
  private chaosAnswer(entry: PartnerEntry, withinLimit: boolean, unknownRate: number): Answer | undefined {
    const unavailable = chance(this.deps.random, this.deps.chaos().http5xxRate);
    const unknown = chance(this.deps.random, unknownRate);
    if (unavailable) return { kind: 'unavailable' };
    if (!withinLimit) {
      this.deps.stats.rateLimited += 1;
      return {
        kind: 'signed',
        entry,
        body: callFailure('U', REQUEST_TRAFFIC_EXCEED_LIMIT, 'rate limit exceeded'),
      };
    }
    if (unknown)
      return { kind: 'signed', entry, body: callFailure('U', UNKNOWN_EXCEPTION, 'unknown exception') };
    return undefined;
  }

  private async answerAfterLatency(res: ServerResponse, path: string, decide: () => Answer): Promise<void> {
    const [min, max] = this.deps.chaos().latencyMs;
    const latency = intBetween(this.deps.random, min, max);
    // false: the simulator stopped meanwhile; its server closes the socket.
    if (!(await this.deps.timers.sleep(latency))) return;
    const answer = decide();
    this.logAnswer(path, answer, latency);
    switch (answer.kind) {
      case 'unavailable':
        sendRaw(res, 503, JSON.stringify({ error: 'service unavailable' }), { 'Retry-After': '1' });
        return;
      case 'unsigned':
        sendRaw(res, answer.status, JSON.stringify(answer.body));
        return;
      case 'signed': {
        // Serialized once; these exact bytes are signed and sent (protocol.md §1.8 d).
        const body = JSON.stringify(answer.body);
        const { headers } = signResponse({
          path,
          clientId: answer.entry.partner.clientId,
          body,
          privateKey: answer.entry.signing.privateKey,
          keyVersion: answer.entry.signing.keyVersion,
        });
        sendRaw(res, 200, body, headers);
        return;
      }
    }
  }

  private logAnswer(path: string, answer: Answer, latencyMs: number): void {
    if (answer.kind === 'unavailable') {
      this.deps.log('api.answer', { path, httpStatus: 503, latencyMs });
      return;
    }
    const { result } = answer.body as { result: { resultStatus: string; resultCode: string } };
    this.deps.log('api.answer', {
      path,
      ...(answer.kind === 'signed' ? { clientId: answer.entry.partner.clientId } : {}),
      resultStatus: result.resultStatus,
      resultCode: result.resultCode,
      latencyMs,
    });
  }

  /**
   * The payment a request names, if it belongs to the calling client (another client's payment does not
   * exist for it). Antom: paymentId wins when both are given (§3.2, §4.2); Alipay+: paymentRequestId first.
   */
  private find(
    entry: PartnerEntry,
    ids: { paymentRequestId?: string; paymentId?: string },
  ): PaymentRecord | undefined {
    const byPaymentId = () => (ids.paymentId ? this.deps.book.getByPaymentId(ids.paymentId) : undefined);
    const byRequestId = () => (ids.paymentRequestId ? this.deps.book.get(ids.paymentRequestId) : undefined);
    const record =
      entry.partner.dialect === 'antom' ? (byPaymentId() ?? byRequestId()) : (byRequestId() ?? byPaymentId());
    return record && record.script.clientId === entry.partner.clientId ? record : undefined;
  }

  /** Quirk: the partner does not know this order yet (the pay request had not reached it). */
  private unknownYet(record: PaymentRecord): boolean {
    const until = record.script.quirks.unknownUntilMs;
    return until !== undefined && this.deps.book.elapsed(record) < until;
  }

  /** In-flight counters for inquiries about payments that do not exist (they can overlap too). */
  private readonly unknownInFlight = new Map<string, { inFlightInquiries: number }>();

  private unknownTracker(ids: { paymentRequestId?: string; paymentId?: string }): {
    inFlightInquiries: number;
  } {
    const key = `${ids.paymentRequestId ?? ''}|${ids.paymentId ?? ''}`;
    let tracker = this.unknownInFlight.get(key);
    if (!tracker) {
      tracker = { inFlightInquiries: 0 };
      this.unknownInFlight.set(key, tracker);
    }
    return tracker;
  }

  private releaseUnknownTracker(
    ids: { paymentRequestId?: string; paymentId?: string },
    tracker: { inFlightInquiries: number },
  ): void {
    if (tracker.inFlightInquiries === 0)
      this.unknownInFlight.delete(`${ids.paymentRequestId ?? ''}|${ids.paymentId ?? ''}`);
  }
}

/** Quirk: an Antom answer whose paymentStatus is another value than the truth's, or missing. */
function withAntomStatusQuirk(
  answer: ReturnType<typeof antomInquiryAnswer>,
  status: string | undefined,
): ReturnType<typeof antomInquiryAnswer> {
  if (status === undefined) return answer;
  if (status === 'missing') {
    const { paymentStatus: _dropped, ...rest } = answer;
    return rest;
  }
  return { ...answer, paymentStatus: status };
}

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}
