import type { IncomingHeaders, VersionedPublicKey } from '@app/alipayplus';
import type { SigningKey } from '../partners';
import { chance, intBetween, Random } from '../chaos/prng';
import type { TimerRegistry } from '../timers';
import type { ChaosSettings, SimulatorDialect } from '../types';
import {
  AttemptOutcome,
  judgeAck,
  PreparedNotification,
  prepareNotification,
  sendNotification,
} from './notify-attempt';
import { nextRetryDelayMs } from './retry-schedule';

/** A duplicate copy follows its original "shortly after": 0.1–1 s of simulated time. */
export const DUPLICATE_DELAY_RANGE_MS: readonly [number, number] = [100, 1_000];

/** One payment's notification, from its first attempt to its ack or its last retry. */
export interface NotificationJob {
  readonly paymentRequestId: string;
  readonly dialect: SimulatorDialect;
  readonly clientId: string;
  readonly notifyUrl: URL;
  /**
   * The partner's signing key at the time of an attempt: each attempt is signed afresh, so attempts
   * after a key rotation carry the new key and its keyVersion, as Alipay+'s would.
   */
  readonly signingKey: () => SigningKey;
  /** The acquirer's keys at the time of an ack (keys added at runtime count at once). */
  readonly acquirerPublicKeys: () => readonly VersionedPublicKey[];
  /** Serialized once; every attempt and the duplicate send exactly these bytes. */
  readonly body: string;
  /** This payment's own random stream (chaos stays reproducible per payment). */
  readonly random: Random;
  /** An attempt was made (lost or not). */
  onAttempt(): void;
  /** The notification was acknowledged. */
  onAcked(): void;
  /** Nothing more will be sent for this payment (acked, given up, dropped, or stopped). */
  onFinished(): void;
}

/** Chaos decided once, when the notification becomes due. All draws happen every time, keeping the stream aligned. */
export interface NotificationFate {
  readonly dropped: boolean;
  readonly duplicated: boolean;
  /** Simulated ms before the first attempt. */
  readonly initialDelayMs: number;
  /** Simulated ms between the first delivered copy and its duplicate. */
  readonly duplicateDelayMs: number;
}

export function decideFate(random: Random, chaos: ChaosSettings): NotificationFate {
  return {
    dropped: chance(random, chaos.notifyDropRate),
    duplicated: chance(random, chaos.notifyDuplicateRate),
    initialDelayMs: intBetween(random, 0, chaos.notifyMaxDelayMs),
    duplicateDelayMs: intBetween(random, DUPLICATE_DELAY_RANGE_MS[0], DUPLICATE_DELAY_RANGE_MS[1]),
  };
}

export interface DispatcherDeps {
  readonly timers: TimerRegistry;
  readonly chaos: () => ChaosSettings;
  /** Simulated ms per real ms. */
  readonly timeScale: number;
  readonly stopSignal: AbortSignal;
  /** An HTTP notification request left the simulator (an original attempt or a duplicate copy). */
  readonly onSent: () => void;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
  readonly fetchImpl?: typeof fetch;
}

/**
 * Delivers notifyPayment the way Alipay+ does (protocol.md §2.1): sign, POST, wait up to 5 s for a valid
 * ack, otherwise retry on the seed 004 schedule (1 s, 3 s, 30 s, 1 min, 2 min, … 15 attempts). Chaos
 * drops whole notifications, loses single attempts, duplicates a delivery and delays the first attempt.
 * A notification already under way keeps going after a cancel: Alipay+ decided it, and a late success
 * after our own cancel is exactly what the pipeline must survive (§2.1 "late arrival after your own cancel").
 */
export class NotificationDispatcher {
  constructor(private readonly deps: DispatcherDeps) {}

  start(job: NotificationJob): void {
    const fate = decideFate(job.random, this.deps.chaos());
    if (fate.dropped) {
      // Modelled as never sent: the receiver's view of "every attempt lost" without 15 rounds of retries.
      this.deps.log('notify.dropped', { paymentRequestId: job.paymentRequestId });
      job.onFinished();
      return;
    }
    const state = { attempts: 0, sequenceDone: false, duplicatePending: false, duplicateScheduled: false };
    const finishIfDone = () => {
      if (state.sequenceDone && !state.duplicatePending) job.onFinished();
    };

    const sendDuplicate = (prepared: PreparedNotification) => {
      state.duplicatePending = true;
      this.deps.timers.after(this.toRealMs(fate.duplicateDelayMs), () => {
        this.deps.onSent();
        void sendNotification({
          prepared,
          judge: (response) => this.judge(job, prepared, response),
          stopSignal: this.deps.stopSignal,
          fetchImpl: this.deps.fetchImpl,
        }).then((outcome) => {
          this.deps.log('notify.duplicate', { paymentRequestId: job.paymentRequestId, ...describe(outcome) });
          state.duplicatePending = false;
          finishIfDone();
        });
      });
    };

    const attempt = async () => {
      state.attempts += 1;
      job.onAttempt();
      const prepared = prepareNotification({
        notifyUrl: job.notifyUrl,
        clientId: job.clientId,
        body: job.body,
        ...job.signingKey(),
      });
      let outcome: AttemptOutcome;
      if (chance(job.random, this.deps.chaos().notifyAttemptLossRate)) {
        // Lost on the way: the sender sees no answer. Its 5 s wait is folded into the retry delay rather
        // than spent in real time, so lossy runs stay fast.
        outcome = { kind: 'no-ack', reason: 'LOST' };
      } else {
        this.deps.onSent();
        if (fate.duplicated && !state.duplicateScheduled) {
          // A network-level duplicate: the same request (headers and bytes) arrives a second time.
          state.duplicateScheduled = true;
          sendDuplicate(prepared);
        }
        outcome = await sendNotification({
          prepared,
          judge: (response) => this.judge(job, prepared, response),
          stopSignal: this.deps.stopSignal,
          fetchImpl: this.deps.fetchImpl,
        });
      }
      this.deps.log('notify.attempt', {
        paymentRequestId: job.paymentRequestId,
        attempt: state.attempts,
        ...describe(outcome),
      });
      if (outcome.kind === 'acked') job.onAcked();
      const retryDelay = outcome.kind === 'no-ack' ? nextRetryDelayMs(state.attempts) : null;
      if (retryDelay === null) {
        if (outcome.kind === 'no-ack') {
          this.deps.log('notify.gave-up', {
            paymentRequestId: job.paymentRequestId,
            attempts: state.attempts,
          });
        }
        state.sequenceDone = true;
        finishIfDone();
        return;
      }
      this.deps.timers.after(this.toRealMs(retryDelay), runAttempt);
    };
    // sendNotification never throws; this guards against a programming error leaving idle() waiting forever.
    const runAttempt = () => {
      attempt().catch((error: unknown) => {
        this.deps.log('notify.error', {
          paymentRequestId: job.paymentRequestId,
          error: error instanceof Error ? error.message : String(error),
        });
        state.sequenceDone = true;
        finishIfDone();
      });
    };

    this.deps.timers.after(this.toRealMs(fate.initialDelayMs), runAttempt);
  }

  private judge(
    job: NotificationJob,
    prepared: PreparedNotification,
    response: { httpStatus: number; headers: IncomingHeaders; rawBody: Buffer },
  ): AttemptOutcome {
    return judgeAck({
      dialect: job.dialect,
      httpStatus: response.httpStatus,
      headers: response.headers,
      rawBody: response.rawBody,
      signedPath: prepared.signedPath,
      clientId: job.clientId,
      acquirerPublicKeys: job.acquirerPublicKeys(),
    });
  }

  private toRealMs(simulatedMs: number): number {
    return simulatedMs / this.deps.timeScale;
  }
}

function describe(outcome: AttemptOutcome): Record<string, unknown> {
  if (outcome.kind === 'no-ack') {
    return {
      outcome: 'no-ack',
      reason: outcome.reason,
      ...(outcome.detail ? { detail: outcome.detail } : {}),
    };
  }
  return { outcome: outcome.kind };
}
