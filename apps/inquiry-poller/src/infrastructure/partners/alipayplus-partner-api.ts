import { AlipayPlusClient, CallNotSentError, ContentSigner, signContent } from '@app/alipayplus';
import type { Dialect } from '@app/contracts';
import type { KeyObject } from 'node:crypto';
import { CallNotMadeError, PartnerApi } from '../../application/ports';
import type { CancelCallResult, InquiryCallResult } from '../../domain/next-step';
import type { PolledPartner } from '../../config';
import type { FetchLike } from './keep-alive-fetch';
import { SigningPool, SigningPoolError } from './signing-pool';
import { SigningRoute } from './signing-route';

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
 * comes back as `untrusted`, never as a response. With a signing pool, requests are signed on its
 * threads (SIGNING_THREADS), which hold our keys by partner key, when the main thread is busy
 * (SigningRoute), and on this thread otherwise. A call whose request could not be signed (in time)
 * rejects with CallNotMadeError: nothing was sent.
 */
export class AlipayPlusPartnerApi extends PartnerApi {
  private clients = new Map<string, AlipayPlusClient<Dialect>>();

  constructor(
    partners: readonly PolledPartner[],
    private readonly fetchImpl?: FetchLike,
    private readonly signingPool?: SigningPool,
    private readonly route: SigningRoute = new SigningRoute(),
  ) {
    super();
    this.replacePartners(partners);
  }

  /** Signatures made on this thread and on the pool's threads so far. */
  get signatures(): { readonly inline: number; readonly threads: number } {
    return this.route.counts;
  }

  /**
   * Puts reloaded partner settings in force (issue 11 rows 1–3): the partner's active keys and our
   * current signing key. One swap of the map; a call in flight finishes with the client it started with.
   */
  replacePartners(partners: readonly PolledPartner[]): void {
    // Before the new clients exist: a signature they ask for is made with the key they name.
    this.signingPool?.setKeys(new Map(partners.map((p) => [p.key, p.partner.privateKey])));
    const clients = new Map<string, AlipayPlusClient<Dialect>>();
    for (const { key, partner } of partners) {
      clients.set(
        key,
        new AlipayPlusClient<Dialect>({
          baseUrl: partner.apiBaseUrl,
          dialect: partner.dialect,
          clientId: partner.clientId,
          privateKey: partner.privateKey,
          peerPublicKeys: partner.peerPublicKeys,
          keyVersion: partner.keyVersion,
          ...(this.fetchImpl ? { fetchImpl: this.fetchImpl as typeof fetch } : {}),
          ...(this.signingPool ? { signer: this.signer(key, partner.privateKey, this.signingPool) } : {}),
        }),
      );
    }
    this.clients = clients;
  }

  inquire(partnerKey: string, paymentRequestId: string, timeoutMs: number): Promise<InquiryCallResult> {
    return this.client(partnerKey).inquiryPayment({ paymentRequestId }, { timeoutMs }).catch(notMade);
  }

  /** The same paymentRequestId every time: the cancel's idempotency key (protocol.md §4.1, §4.2). */
  cancel(partnerKey: string, paymentRequestId: string, timeoutMs: number): Promise<CancelCallResult> {
    return this.client(partnerKey).cancelPayment({ paymentRequestId }, { timeoutMs }).catch(notMade);
  }

  /** On the pool's threads when the main thread is busy, else here: the same signature either way. */
  private signer(key: string, privateKey: KeyObject, pool: SigningPool): ContentSigner {
    return (content, { deadline }) => {
      if (this.route.offload()) return pool.sign(key, content, deadline);
      try {
        return Promise.resolve(signContent(content, privateKey));
      } catch {
        // The key cannot sign (configuration): the code only, an OpenSSL message may carry key detail.
        return Promise.reject(new SigningPoolError('SIGNING_FAILED', `key ${key}`));
      }
    };
  }

  private client(partnerKey: string): AlipayPlusClient<Dialect> {
    const client = this.clients.get(partnerKey);
    // Rows are only ever claimed for configured partners, so this is a programming error.
    if (!client) throw new UnknownPartnerError(partnerKey);
    return client;
  }
}

/** A failure to sign (a thread gone, the pool closed, no signature in time) as CallNotMadeError. */
function notMade(err: unknown): never {
  if (err instanceof SigningPoolError || err instanceof CallNotSentError) {
    throw new CallNotMadeError(err.code, err.message);
  }
  throw err;
}
