import { NOTIFY_ACK_BODY, signMessage } from '@app/alipayplus';
import type { Partner } from '@app/config';

export interface SignedAck {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Alipay+ acks are signed with our key (protocol.md §1.7). RSA-2048 signing costs ~0.3 ms, so the
 * signature is not computed per request (design.md §8): the ack body is constant and Response-Time has
 * second precision, so one signature per (partner, path, body, second) serves every ack in that second.
 */
export class AckSigner {
  private readonly cache = new Map<string, { second: number; ack: SignedAck }>();

  sign(partner: Partner, path: string, body: string = NOTIFY_ACK_BODY, now = new Date()): SignedAck {
    if (!partner.privateKey) return { body, headers: { ...JSON_CONTENT } };
    // keyVersion too: after a reload that switches our key, the next ack is signed with the new one.
    const key = `${partner.dialect}|${partner.clientId}|${partner.keyVersion}|${path}|${body}`;
    const second = Math.floor(now.getTime() / 1000);
    const hit = this.cache.get(key);
    // The cached ack is frozen and handed out as is: no copy per request (issue 14).
    if (hit && hit.second === second) return hit.ack;

    const time = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const { signatureHeader } = signMessage({
      path,
      clientId: partner.clientId,
      time,
      body,
      privateKey: partner.privateKey,
      keyVersion: partner.keyVersion,
    });
    const headers = {
      ...JSON_CONTENT,
      'client-id': partner.clientId,
      'response-time': time,
      signature: signatureHeader,
    };
    const ack: SignedAck = Object.freeze({ body, headers: Object.freeze(headers) });
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(key, { second, ack });
    return ack;
  }
}

const JSON_CONTENT = { 'content-type': 'application/json; charset=UTF-8' } as const;
