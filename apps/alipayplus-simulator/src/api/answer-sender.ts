import type { ServerResponse } from 'node:http';
import { REQUEST_TRAFFIC_EXCEED_LIMIT, signResponse, UNKNOWN_EXCEPTION } from '@app/alipayplus';
import { chance, intBetween, Random } from '../chaos/prng';
import { sendRaw } from '../http/http-io';
import type { PartnerEntry } from '../partners';
import type { TimerRegistry } from '../timers';
import type { ChaosSettings, SimulatorStats } from '../types';
import { callFailure } from './answers';

/** What to answer, decided after the latency (so the truth is read at answer time). */
export type Answer =
  | { readonly kind: 'signed'; readonly entry: PartnerEntry; readonly body: unknown }
  | { readonly kind: 'unsigned'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'unavailable' };

export const signed = (entry: PartnerEntry, body: unknown): Answer => ({ kind: 'signed', entry, body });

export interface AnswerSenderDeps {
  readonly chaos: () => ChaosSettings;
  readonly stats: SimulatorStats;
  readonly random: Random;
  readonly timers: TimerRegistry;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
}

/**
 * Waits the chaos latency, then decides and sends the answer. A signed answer is serialized once and
 * signed with Alipay+'s key over the request path (protocol.md §1.2, §1.6, §1.8 d); a chaos 503, like
 * a real gateway error, has no signed body.
 */
export async function answerAfterLatency(
  deps: AnswerSenderDeps,
  res: ServerResponse,
  path: string,
  decide: () => Answer,
): Promise<void> {
  const [min, max] = deps.chaos().latencyMs;
  const latency = intBetween(deps.random, min, max);
  // false: the simulator stopped meanwhile; its server closes the socket.
  if (!(await deps.timers.sleep(latency))) return;
  const answer = decide();
  logAnswer(deps, path, answer, latency);
  switch (answer.kind) {
    case 'unavailable':
      sendRaw(res, 503, JSON.stringify({ error: 'service unavailable' }), { 'Retry-After': '1' });
      return;
    case 'unsigned':
      sendRaw(res, answer.status, JSON.stringify(answer.body));
      return;
    case 'signed': {
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

function logAnswer(deps: AnswerSenderDeps, path: string, answer: Answer, latencyMs: number): void {
  if (answer.kind === 'unavailable') {
    deps.log('api.answer', { path, httpStatus: 503, latencyMs });
    return;
  }
  const { result } = answer.body as { result: { resultStatus: string; resultCode: string } };
  deps.log('api.answer', {
    path,
    ...(answer.kind === 'signed' ? { clientId: answer.entry.partner.clientId } : {}),
    resultStatus: result.resultStatus,
    resultCode: result.resultCode,
    latencyMs,
  });
}

/**
 * Gateway-level trouble, in this order: HTTP 503 without a signed body; U REQUEST_TRAFFIC_EXCEED_LIMIT
 * over the rate limit; U UNKNOWN_EXCEPTION (protocol.md §6: both U codes mean "retry the same request").
 * Both random draws always happen, so one answer does not shift the stream for the next request.
 */
export function chaosAnswer(
  deps: AnswerSenderDeps,
  entry: PartnerEntry,
  withinLimit: boolean,
  unknownRate: number,
): Answer | undefined {
  const unavailable = chance(deps.random, deps.chaos().http5xxRate);
  const unknown = chance(deps.random, unknownRate);
  if (unavailable) return { kind: 'unavailable' };
  if (!withinLimit) {
    deps.stats.rateLimited += 1;
    return signed(entry, callFailure('U', REQUEST_TRAFFIC_EXCEED_LIMIT, 'rate limit exceeded'));
  }
  if (unknown) return signed(entry, callFailure('U', UNKNOWN_EXCEPTION, 'unknown exception'));
  return undefined;
}
