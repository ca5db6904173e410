import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  describeIssues,
  dialectSpec,
  ORDER_NOT_EXIST,
  originFormTarget,
  readHeader,
  UNKNOWN_EXCEPTION,
  verifyIncomingRequest,
} from '@app/alipayplus';
import type { Random } from '../chaos/prng';
import { readBody, sendRaw } from '../http/http-io';
import type { PartnerEntry } from '../partners';
import type { PaymentBook, PaymentRecord } from '../payments/payment-book';
import { peerDialect } from '../peer-dialects';
import type { TimerRegistry } from '../timers';
import type { ChaosSettings, SimulatorStats } from '../types';
import { Answer, answerAfterLatency, chaosAnswer, signed } from './answer-sender';
import { callFailure } from './answers';
import type { ApiRoute } from './api-routes';
import { InFlightInquiries } from './in-flight-inquiries';

export { apiRoutes } from './api-routes';
export type { ApiRoute } from './api-routes';

type PaymentIds = { paymentRequestId?: string; paymentId?: string };

/** One signed, well-formed request of a known partner, being answered. */
interface Call {
  readonly res: ServerResponse;
  readonly path: string;
  readonly entry: PartnerEntry;
  readonly ids: PaymentIds;
  readonly withinLimit: boolean;
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

/**
 * Answers inquiryPayment and cancelPayment/cancel as Alipay+/Antom would, with real signatures both ways:
 * the request is verified with the acquirer's key over its raw bytes (protocol.md §1.3), and every answer
 * is serialized once and signed with Alipay+'s key over the request path (§1.2, §1.6) — except a chaos 503,
 * which like a real gateway error has no signed body, and INVALID_CLIENT, which has no partner key to sign with.
 */
export class ApiHandler {
  private readonly inFlight = new InFlightInquiries();

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
      await answerAfterLatency(this.deps, res, path, () => ({
        kind: 'unsigned',
        status: 200,
        body: callFailure('F', 'INVALID_CLIENT', clientId ? 'unknown client-id' : 'client-id header missing'),
      }));
      return;
    }

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
      await answerAfterLatency(this.deps, res, path, () =>
        signed(
          entry,
          callFailure('F', 'INVALID_SIGNATURE', `signature verification failed: ${verification.reason}`),
        ),
      );
      return;
    }
    if (entry.partner.dialect !== route.dialect) {
      await answerAfterLatency(this.deps, res, path, () =>
        signed(
          entry,
          callFailure(
            'F',
            'INVALID_API',
            `client ${entry.partner.clientId} uses the ${entry.partner.dialect} API`,
          ),
        ),
      );
      return;
    }
    const request = parseJson(read.body);
    const schema = dialectSpec(route.dialect)[route.operation].request;
    const parsed = request.ok ? schema.safeParse(request.value) : undefined;
    if (!parsed?.success) {
      const reason = parsed ? describeIssues(parsed.error) : 'body is not valid JSON';
      await answerAfterLatency(this.deps, res, path, () =>
        signed(entry, callFailure('F', 'PARAM_ILLEGAL', reason)),
      );
      return;
    }
    const ids = parsed.data as PaymentIds;
    // Decided on arrival: the bucket counts requests as they come in (protocol.md §6).
    const withinLimit = entry.bucket.tryTake(this.deps.now());

    const call: Call = { res, path, entry, ids, withinLimit };
    await (route.operation === 'inquiryPayment' ? this.inquiry(call) : this.cancel(call));
  }

  private async inquiry({ res, path, entry, ids, withinLimit }: Call): Promise<void> {
    const record = this.find(entry, ids);
    this.deps.stats.inquiries += 1;
    if (record) record.inquiries += 1;
    // The caller must not ask about one payment twice at once (design.md §5: rows are claimed, one inquiry
    // per order at a time); the latency window is included, since the first answer is still outstanding.
    const tracked = record ?? this.inFlight.unknown(ids);
    if (tracked.inFlightInquiries > 0) {
      this.deps.stats.concurrentInquiryViolations += 1;
      this.deps.log('api.concurrent-inquiry', { clientId: entry.partner.clientId, ...ids });
    }
    tracked.inFlightInquiries += 1;
    try {
      await answerAfterLatency(this.deps, res, path, () => {
        const gate = this.before(entry, record, withinLimit, this.deps.chaos().inquiryUnknownRate);
        if (gate.kind !== 'known') return gate;
        const { quirks } = gate.record.script;
        if (quirks.inquiryRefusal) return signed(entry, callFailure('F', quirks.inquiryRefusal.resultCode));
        this.deps.book.refresh(gate.record);
        const facts = this.deps.book.facts(gate.record);
        return signed(entry, peerDialect(entry.partner.dialect).inquiryAnswer(facts, quirks));
      });
    } finally {
      tracked.inFlightInquiries -= 1;
      if (!record) this.inFlight.release(ids, tracked);
    }
  }

  private async cancel({ res, path, entry, ids, withinLimit }: Call): Promise<void> {
    const record = this.find(entry, ids);
    this.deps.stats.cancels += 1;
    if (record) record.cancels += 1;
    await answerAfterLatency(this.deps, res, path, () => {
      // A chaos answer is given before the cancel is applied: the retry with the same paymentRequestId
      // then cancels it, which is what the idempotency of §4.1/§4.2 is for.
      const gate = this.before(entry, record, withinLimit, this.deps.chaos().cancelUnknownRate);
      if (gate.kind !== 'known') return gate;
      const known = gate.record;
      const { cancelUnknownUntilMs: unknownUntil, cancelRefusal: refusal } = known.script.quirks;
      if (unknownUntil !== undefined && this.deps.book.elapsed(known) < unknownUntil) {
        return signed(entry, callFailure('U', UNKNOWN_EXCEPTION, 'cancel result unknown'));
      }
      if (refusal) {
        return signed(entry, callFailure('F', refusal.resultCode, `cancel refused: ${refusal.resultCode}`));
      }
      const before = known.truth.status;
      this.deps.book.cancel(known);
      if (before !== 'CANCELLED') {
        this.deps.log('payment.cancelled', {
          paymentRequestId: known.script.paymentRequestId,
          from: before,
          paidBeforeCancel: known.truth.paidBeforeCancel,
        });
      }
      // Any state, a repeat included, answers S (§4.1 idempotent; §4.2 a paid payment is reversed).
      const facts = this.deps.book.facts(known);
      return signed(entry, peerDialect(entry.partner.dialect).cancelAnswer(facts));
    });
  }

  /**
   * What both operations answer before looking at the payment: gateway-level chaos, then F
   * ORDER_NOT_EXIST for an order the partner does not know (yet) (§3.1, §3.2, §4); else the known
   * payment, to answer about.
   */
  private before(
    entry: PartnerEntry,
    record: PaymentRecord | undefined,
    withinLimit: boolean,
    unknownRate: number,
  ): Answer | { readonly kind: 'known'; readonly record: PaymentRecord } {
    const chaos = chaosAnswer(this.deps, entry, withinLimit, unknownRate);
    if (chaos) return chaos;
    if (!record || this.unknownYet(record)) {
      return signed(entry, callFailure('F', ORDER_NOT_EXIST, 'order does not exist'));
    }
    return { kind: 'known', record };
  }

  /**
   * The payment a request names, if it belongs to the calling client (another client's payment does not
   * exist for it). When both IDs are given, the dialect says which wins (Antom: paymentId, §3.2, §4.2).
   */
  private find(entry: PartnerEntry, ids: PaymentIds): PaymentRecord | undefined {
    const byPaymentId = () => (ids.paymentId ? this.deps.book.getByPaymentId(ids.paymentId) : undefined);
    const byRequestId = () => (ids.paymentRequestId ? this.deps.book.get(ids.paymentRequestId) : undefined);
    const record =
      peerDialect(entry.partner.dialect).idFirst === 'paymentId'
        ? (byPaymentId() ?? byRequestId())
        : (byRequestId() ?? byPaymentId());
    return record && record.script.clientId === entry.partner.clientId ? record : undefined;
  }

  /** Quirk: the partner does not know this order yet (the pay request had not reached it). */
  private unknownYet(record: PaymentRecord): boolean {
    const until = record.script.quirks.unknownUntilMs;
    return until !== undefined && this.deps.book.elapsed(record) < until;
  }
}

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}
