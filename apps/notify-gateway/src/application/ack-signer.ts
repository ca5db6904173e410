import { NOTIFY_ACK_BODY, signMessage } from '@app/alipayplus';
import type { Partner } from '@app/config';

export interface SignedAck {
  body: string;
  headers: Record<string, string>;
}

/**
 * Alipay+ acks are signed with our key (protocol.md §1.7). RSA-2048 signing costs ~0.3 ms, so the
 * signature is not computed per request (design.md §8): the ack body is constant and Response-Time has
 * second precision, so one signature per (partner, path, body, second) serves every ack in that second.
 */
export class AckSigner {
  private readonly cache = new Map<string, { time: string; headers: Record<string, string> }>();

  sign(partner: Partner, path: string, body: string = NOTIFY_ACK_BODY, now = new Date()): SignedAck {
    const base = { 'content-type': 'application/json; charset=UTF-8' };
    if (!partner.privateKey) return { body, headers: base };
    const time = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    // keyVersion too: after a reload that switches our key, the next ack is signed with the new one.
    const key = `${partner.dialect}|${partner.clientId}|${partner.keyVersion}|${path}|${body}`;
    const hit = this.cache.get(key);
    if (hit && hit.time === time) return { body, headers: { ...base, ...hit.headers } };

    const { signatureHeader } = signMessage({
      path,
      clientId: partner.clientId,
      time,
      body,
      privateKey: partner.privateKey,
      keyVersion: partner.keyVersion,
    });
    const headers = { 'client-id': partner.clientId, 'response-time': time, signature: signatureHeader };
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(key, { time, headers });
    return { body, headers: { ...base, ...headers } };
  }
}
