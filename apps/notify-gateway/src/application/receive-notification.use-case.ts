import { Logger } from '@nestjs/common';
import {
  buildFailureAckBody,
  Dialect,
  parseNotification,
  verifySignedMessage,
  NOTIFY_ACK_BODY,
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
    if (!partner) {
      return this.refuse(
        undefined,
        n,
        401,
        'F',
        'INVALID_CLIENT',
        clientId ? 'unknown client-id' : 'client-id header missing',
      );
    }
    if (!n.contentType || !/^application\/json\b/i.test(n.contentType)) {
      return this.refuse(
        partner,
        n,
        415,
        'F',
        'MEDIA_TYPE_NOT_ACCEPTABLE',
        'content-type must be application/json',
      );
    }
    if (n.bodyTooLarge) {
      return this.refuse(partner, n, 413, 'F', 'PARAM_ILLEGAL', 'body over the size limit');
    }
    if (!n.rawBody || n.rawBody.length === 0) {
      return this.refuse(partner, n, 400, 'F', 'PARAM_ILLEGAL', 'empty body');
    }

    const verification = verifySignedMessage({
      path: partner.notifyPath ?? n.path,
      clientId,
      time: header(n.headers, 'request-time'),
      rawBody: n.rawBody,
      signatureHeader: header(n.headers, 'signature'),
      publicKeys: partner.peerPublicKeys,
    });
    if (!verification.ok && verification.reason === 'UNKNOWN_KEY_VERSION') {
      // Signed with a key we do not hold yet (the partner rotated before we added its new key): we
      // cannot judge it, so U, and the partner re-sends (seed 004) until a settings reload adds the
      // key. F would end its retries and lose the notification.
      this.hintInquiry(
        partner,
        n.rawBody,
        `notification signed with unknown keyVersion ${verification.detail}`,
      );
      return this.refuse(
        partner,
        n,
        503,
        'U',
        'UNKNOWN_EXCEPTION',
        `unknown keyVersion ${verification.detail ?? ''}: no public key of this partner has it yet`,
      );
    }
    if (!verification.ok) {
      this.hintInquiry(partner, n.rawBody, `notification signature check failed: ${verification.reason}`);
      return this.refuse(
        partner,
        n,
        401,
        'F',
        'INVALID_SIGNATURE',
        `signature check failed: ${verification.reason}`,
      );
    }

    const parsed = parseNotification(n.dialect, n.rawBody);
    if (!parsed.ok) return this.refuse(partner, n, 400, 'F', parsed.code, parsed.reason);
    const obs = parsed.value;

    const event: ResultObservedV1 = {
      // The same notification re-sent has the same bytes, hence the same id: order-state keeps it once.
      eventId: notifyEventId(partner.clientId, n.rawBody),
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      clientId: partner.clientId,
      paymentRequestId: obs.paymentRequestId,
      dialect: n.dialect,
      source: 'notify',
      outcome: obs.outcome,
      resultCode: obs.resultCode,
      ...reportedResultFields(obs),
      rawBody: auditCopy(n.rawBody.toString('utf8')),
    };
    let value: string;
    try {
      value = encodeEvent(Topics.resultObserved, event);
    } catch (err) {
      return this.refuse(partner, n, 400, 'F', 'PARAM_ILLEGAL', (err as Error).message.split('\n')[0]);
    }

    try {
      await this.producer.publish(
        [{ topic: Topics.resultObserved, key: obs.paymentRequestId, value }],
        this.publishTimeoutMs,
      );
    } catch (err) {
      // Not durable, so not acknowledged: the sender re-sends (protocol.md §2.1) and nothing is lost.
      return this.refuse(
        partner,
        n,
        503,
        'U',
        'UNKNOWN_EXCEPTION',
        `event not durable: ${(err as Error).message}`,
      );
    }

    // Signed over the URI the notification's own signature verified with (bare path or path+query,
    // protocol.md §1.7): the sender checks the ack against the URI it signed.
    const ack = this.signer.sign(partner, verification.signedPath, NOTIFY_ACK_BODY);
    return { httpStatus: 200, body: ack.body, headers: ack.headers, resultCode: 'S' };
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

  private refuse(
    partner: Partner | undefined,
    n: IncomingNotification,
    httpStatus: number,
    resultStatus: 'F' | 'U',
    resultCode: string,
    reason: string,
  ): NotifyAnswer {
    this.logger.warn(`${n.dialect} notification refused: ${resultCode} (${reason})`);
    const body = buildFailureAckBody({ resultCode, resultStatus, resultMessage: reason });
    if (!partner)
      return { httpStatus, body, headers: { 'content-type': 'application/json; charset=UTF-8' }, resultCode };
    const signed = this.signer.sign(partner, this.signedPath(partner, n), body);
    return { httpStatus, body: signed.body, headers: signed.headers, resultCode };
  }

  private signedPath(partner: Partner, n: IncomingNotification): string {
    return partner.notifyPath ?? n.path.split('?')[0];
  }
}
