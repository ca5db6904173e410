import { Logger } from '@nestjs/common';
import { buildFailureAckBody, type Dialect } from '@app/alipayplus';
import type { Partner } from '@app/config';
import { AckSigner } from '../../application/ack-signer';
import type { NotifyAnswer } from '../../application/receive-notification.use-case';

/** The result code of a notification refused because the gateway is shutting down. */
export const SHUTTING_DOWN = 'UNKNOWN_EXCEPTION';

/**
 * The gateway's shutdown state. Once `start()` is called (SIGTERM), a notification whose handling
 * begins from then on is not processed: it gets the protocol's U answer (signed for a partner we sign
 * for, Antom's unsigned shape otherwise), so that the sender re-sends it, to another replica, and
 * nothing is lost. Fastify's own answer while closing (`return503OnClosing`, a bare
 * `{"statusCode":503,…}`) is turned off in bootstrap so that such requests reach us. Notifications
 * already being handled finish normally: their event is written and acknowledged.
 */
export class Draining {
  private readonly logger = new Logger('notify');
  private closing = false;
  private partners = new Map<string, Partner>();

  constructor(
    partners: readonly Partner[],
    private readonly signer: AckSigner,
  ) {
    this.replacePartners(partners);
  }

  /** Kept in step with the use case's partners (settings reload). */
  replacePartners(partners: readonly Partner[]): void {
    this.partners = new Map(partners.map((p) => [`${p.dialect}:${p.clientId}`, p]));
  }

  start(): void {
    this.closing = true;
  }

  get active(): boolean {
    return this.closing;
  }

  /** The U answer for a notification that arrived during shutdown. */
  answer(
    dialect: Dialect,
    path: string,
    headers: Record<string, string | string[] | undefined>,
  ): NotifyAnswer {
    const raw = headers['client-id'];
    const clientId = Array.isArray(raw) ? raw[0] : raw;
    const partner = clientId ? this.partners.get(`${dialect}:${clientId}`) : undefined;
    this.logger.warn(
      `${dialect} notification refused: ${SHUTTING_DOWN} (SHUTTING_DOWN: the gateway is stopping)`,
    );
    const body = buildFailureAckBody({
      resultCode: SHUTTING_DOWN,
      resultStatus: 'U',
      resultMessage: 'the service is shutting down; send the notification again',
    });
    // Closed after the answer: the sender reconnects, to another replica, and the server's close
    // does not wait for this connection to go idle and time out.
    const base = { connection: 'close', 'content-type': 'application/json; charset=UTF-8' };
    if (!partner) return { httpStatus: 503, body, headers: base, resultCode: SHUTTING_DOWN };
    // Signed over the path a refusal is signed over (the configured notify path, else the bare path).
    const signed = this.signer.sign(partner, partner.notifyPath ?? path.split('?')[0], body);
    return {
      httpStatus: 503,
      body,
      headers: { ...signed.headers, connection: 'close' },
      resultCode: SHUTTING_DOWN,
    };
  }
}
