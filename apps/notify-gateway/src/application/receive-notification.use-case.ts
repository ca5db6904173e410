import { Logger } from '@nestjs/common';
import {
  buildFailureAckBody,
  Dialect,
  dialectSpec,
  parseNotification,
  verifySignedMessage,
} from '@app/alipayplus';
import type { Partner } from '@app/config';
import {
  auditCopy,
  encodeEvent,
  hashId,
  InquiryHintV1,
  notifyEventId,
  PaymentRequestIdSchema,
  reportedResultFields,
  ResultObservedV1,
  Topics,
} from '@app/contracts';
import { AckSigner } from './ack-signer';
import { EventPublisher } from './ports';

export interface IncomingNotification {
  dialect: Dialect;
  /** The request URI as received (path and query). */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  contentType: string | undefined;
  rawBody: Buffer | undefined;
  /** The body was over BODY_LIMIT_BYTES and was not kept. */
  bodyTooLarge?: boolean;
}

export interface NotifyAnswer {
  httpStatus: number;
  body: string;
  headers: Record<string, string>;
  /** For logs and metrics: S, or the result code of the refusal. */
  resultCode: string;
}

const header = (h: IncomingNotification['headers'], name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Every refusal the gateway answers, by result code (protocol.md §1.7, §2, §6): the ack's status and
 * the HTTP status. F: the notification is wrong as sent; U: we cannot take it now (a key we do not
 * hold yet, Kafka not writable). Either way nothing is published and the partner re-sends.
 */
export const REFUSALS = {
  INVALID_CLIENT: { httpStatus: 401, resultStatus: 'F' },
  MEDIA_TYPE_NOT_ACCEPTABLE: { httpStatus: 415, resultStatus: 'F' },
  PARAM_ILLEGAL: { httpStatus: 400, resultStatus: 'F' },
  INVALID_SIGNATURE: { httpStatus: 401, resultStatus: 'F' },
  UNKNOWN_EXCEPTION: { httpStatus: 503, resultStatus: 'U' },
} as const satisfies Record<string, { httpStatus: number; resultStatus: 'F' | 'U' }>;

export interface Refusal {
  readonly code: keyof typeof REFUSALS;
  /** Logged and sent as the ack's resultMessage: never key material, never body values. */
  readonly reason: string;
  /** Only a body over the size limit: 413 names the limit, the ack still says PARAM_ILLEGAL. */
  readonly httpStatus?: 413;
}

const refusal = (code: Refusal['code'], reason: string): Refusal => ({ code, reason });

/** The notification's own faults, before its signature is looked at. */
function checkRequest(n: IncomingNotification): Refusal | undefined {
  if (!n.contentType || !/^application\/json\b/i.test(n.contentType)) {
    return refusal('MEDIA_TYPE_NOT_ACCEPTABLE', 'content-type must be application/json');
  }
  if (n.bodyTooLarge) return { ...refusal('PARAM_ILLEGAL', 'body over the size limit'), httpStatus: 413 };
  if (!n.rawBody || n.rawBody.length === 0) return refusal('PARAM_ILLEGAL', 'empty body');
  return undefined;
}

/**
 * notifyPayment intake (design.md §6, §7; protocol.md §1.7, §2):
 * verify the signature over the raw bytes → validate the body → publish result-observed and wait until
 * Kafka has it (acks=all) → only then answer S. Every refusal has its own result code and publishes
 * nothing; a non-S answer makes Alipay+ re-send, so nothing is lost.
 */
export class ReceiveNotificationUseCase {
  private readonly logger = new Logger('notify');
  private partners = new Map<string, Partner>();

  constructor(
    partners: Partner[],
    private readonly producer: EventPublisher,
    private readonly signer: AckSigner,
    private readonly publishTimeoutMs: number,
  ) {
    this.replacePartners(partners);
  }

  /**
   * Puts reloaded partner settings in force (keys added or switched, issue 11 rows 1–3). One swap of
   * the map: a notification in flight keeps the partner it already looked up.
   */
  replacePartners(partners: readonly Partner[]): void {
    this.partners = new Map(partners.map((p) => [`${p.dialect}:${p.clientId}`, p]));
  }

  async handle(n: IncomingNotification): Promise<NotifyAnswer> {
    const clientId = header(n.headers, 'client-id');
    const partner = clientId ? this.partners.get(`${n.dialect}:${clientId}`) : undefined;
    if (!clientId || !partner) {
      const reason = clientId ? 'unknown client-id' : 'client-id header missing';
      return this.refuse(undefined, n, refusal('INVALID_CLIENT', reason));
    }
    const taken = checkRequest(n) ?? (await this.take(partner, clientId, n, n.rawBody!));
    if ('code' in taken) return this.refuse(partner, n, taken);
    // Signed over the URI the notification's own signature verified with (bare path or path+query,
    // protocol.md §1.7): the sender checks the ack against the URI it signed.
    const ack = this.signer.sign(partner, taken.signedPath, dialectSpec(partner.dialect).ack.body);
    return { httpStatus: 200, body: ack.body, headers: ack.headers, resultCode: 'S' };
  }

  /** Verifies, parses and publishes the notification; it is taken once Kafka has the event. */
  private async take(
    partner: Partner,
    clientId: string,
    n: IncomingNotification,
    rawBody: Buffer,
  ): Promise<Refusal | { readonly signedPath: string }> {
    const verification = verifySignedMessage({
      path: partner.notifyPath ?? n.path,
      clientId,
      time: header(n.headers, 'request-time'),
      rawBody,
      signatureHeader: header(n.headers, 'signature'),
      publicKeys: partner.peerPublicKeys,
    });
    if (!verification.ok && verification.reason === 'UNKNOWN_KEY_VERSION') {
      // Signed with a key we do not hold yet (the partner rotated before we added its new key): we
      // cannot judge it, so U, and the partner re-sends (seed 004) until a settings reload adds the
      // key. F would end its retries and lose the notification.
      this.hintInquiry(
        partner,
        rawBody,
        `notification signed with unknown keyVersion ${verification.detail}`,
      );
      const reason = `unknown keyVersion ${verification.detail ?? ''}: no public key of this partner has it yet`;
      return refusal('UNKNOWN_EXCEPTION', reason);
    }
    if (!verification.ok) {
      this.hintInquiry(partner, rawBody, `notification signature check failed: ${verification.reason}`);
      return refusal('INVALID_SIGNATURE', `signature check failed: ${verification.reason}`);
    }

    const parsed = parseNotification(n.dialect, rawBody);
    if (!parsed.ok) return refusal(parsed.code, parsed.reason);
    const obs = parsed.value;
    const event: ResultObservedV1 = {
      // The same notification re-sent has the same bytes, hence the same id: order-state keeps it once.
      eventId: notifyEventId(partner.clientId, rawBody),
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      clientId: partner.clientId,
      paymentRequestId: obs.paymentRequestId,
      dialect: n.dialect,
      source: 'notify',
      outcome: obs.outcome,
      resultCode: obs.resultCode,
      ...reportedResultFields(obs),
      rawBody: auditCopy(rawBody.toString('utf8')),
    };
    let value: string;
    try {
      value = encodeEvent(Topics.resultObserved, event);
    } catch (err) {
      return refusal('PARAM_ILLEGAL', (err as Error).message.split('\n')[0]);
    }
    try {
      await this.producer.publish(
        [{ topic: Topics.resultObserved, key: obs.paymentRequestId, value }],
        this.publishTimeoutMs,
      );
    } catch (err) {
      // Not durable, so not acknowledged: the sender re-sends (protocol.md §2.1) and nothing is lost.
      return refusal('UNKNOWN_EXCEPTION', `event not durable: ${(err as Error).message}`);
    }
    return { signedPath: verification.signedPath };
  }

  /**
   * design.md §7: a notification that fails verification changes nothing, but it may mean the payment
   * has a result we have not learnt yet: ask the poller to inquire now. The id comes from an unverified
   * body, so it can only ever cause a signed inquiry. Best effort: the answer never waits for it.
   */
  private hintInquiry(partner: Partner, rawBody: Buffer, reason: string): void {
    let paymentRequestId: unknown;
    try {
      paymentRequestId = (JSON.parse(rawBody.toString('utf8')) as { paymentRequestId?: unknown })
        .paymentRequestId;
    } catch {
      return;
    }
    if (!PaymentRequestIdSchema.safeParse(paymentRequestId).success) return;
    const hint: InquiryHintV1 = {
      eventId: `hint:${hashId(partner.clientId, rawBody)}`,
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      clientId: partner.clientId,
      paymentRequestId: paymentRequestId as string,
      dialect: partner.dialect,
      reason,
    };
    this.producer
      .publish(
        [
          {
            topic: Topics.inquiryHint,
            key: hint.paymentRequestId,
            value: encodeEvent(Topics.inquiryHint, hint),
          },
        ],
        this.publishTimeoutMs,
        // Unverified traffic: never allowed to crowd out results waiting for Kafka.
        { lowPriority: true },
      )
      .catch((err: Error) =>
        this.logger.warn(`inquiry hint for ${hint.paymentRequestId} not published: ${err.message}`),
      );
  }

  private refuse(partner: Partner | undefined, n: IncomingNotification, r: Refusal): NotifyAnswer {
    const { resultStatus, httpStatus: defaultStatus } = REFUSALS[r.code];
    const httpStatus = r.httpStatus ?? defaultStatus;
    const resultCode = r.code;
    this.logger.warn(`${n.dialect} notification refused: ${resultCode} (${r.reason})`);
    const body = buildFailureAckBody({ resultCode, resultStatus, resultMessage: r.reason });
    if (!partner)
      return { httpStatus, body, headers: { 'content-type': 'application/json; charset=UTF-8' }, resultCode };
    const signed = this.signer.sign(partner, this.signedPath(partner, n), body);
    return { httpStatus, body: signed.body, headers: signed.headers, resultCode };
  }

  private signedPath(partner: Partner, n: IncomingNotification): string {
    return partner.notifyPath ?? n.path.split('?')[0];
  }
}
