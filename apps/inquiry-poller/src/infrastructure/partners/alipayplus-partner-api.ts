import { AlipayPlusClient } from '@app/alipayplus';
import type { Dialect } from '@app/contracts';
import { PartnerApi } from '../../application/ports';
import type { CancelCallResult, InquiryCallResult } from '../../domain/next-step';
import type { PolledPartner } from '../../config';
import type { FetchLike } from './keep-alive-fetch';

export class UnknownPartnerError extends Error {
  readonly code = 'UNKNOWN_PARTNER';
  constructor(partnerKey: string) {
    super(`no client for partner ${partnerKey}`);
    this.name = 'UnknownPartnerError';
  }
}

/**
 * The partners' open APIs through libs/alipayplus: every request is signed with our key and every
 * response verified with the partner's (protocol.md §1.6) — an unsigned or badly signed S answer
 * comes back as `untrusted`, never as a response.
 */
export class AlipayPlusPartnerApi extends PartnerApi {
  private readonly clients = new Map<string, AlipayPlusClient<Dialect>>();

  constructor(partners: readonly PolledPartner[], fetchImpl?: FetchLike) {
    super();
    for (const { key, partner } of partners) {
      this.clients.set(
        key,
        new AlipayPlusClient<Dialect>({
          baseUrl: partner.apiBaseUrl,
          dialect: partner.dialect,
          clientId: partner.clientId,
          privateKey: partner.privateKey,
          peerPublicKey: partner.peerPublicKey,
          keyVersion: partner.keyVersion,
          ...(fetchImpl ? { fetchImpl: fetchImpl as typeof fetch } : {}),
        }),
      );
    }
  }

  inquire(partnerKey: string, paymentRequestId: string, timeoutMs: number): Promise<InquiryCallResult> {
    return this.client(partnerKey).inquiryPayment({ paymentRequestId }, { timeoutMs });
  }

  /** The same paymentRequestId every time: the cancel's idempotency key (protocol.md §4.1, §4.2). */
  cancel(partnerKey: string, paymentRequestId: string, timeoutMs: number): Promise<CancelCallResult> {
    return this.client(partnerKey).cancelPayment({ paymentRequestId }, { timeoutMs });
  }

  private client(partnerKey: string): AlipayPlusClient<Dialect> {
    const client = this.clients.get(partnerKey);
    // Rows are only ever claimed for configured partners, so this is a programming error.
    if (!client) throw new UnknownPartnerError(partnerKey);
    return client;
  }
}
