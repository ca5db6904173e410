import type { z } from 'zod';
import type { Result } from '../models/common.schema';
import type { ParseNotificationResult } from '../models/notification-observation';
import type { CancelDecision } from '../results/cancel-decision';
import type { InquiryDecision } from '../results/inquiry-decision';

/** Outgoing operations (protocol.md §0). Both are POST. */
export const API_OPERATIONS = ['inquiryPayment', 'cancelPayment'] as const;
export type ApiOperation = (typeof API_OPERATIONS)[number];

/** What every answer of an outgoing call carries: the call's own result (§6). */
export interface CallResponse {
  readonly result: Result;
}

/** One outgoing call of a dialect: where it goes and what goes both ways. */
export interface ApiCall<TRequest, TResponse extends CallResponse> {
  /** The live path (§0). */
  readonly path: string;
  /** Our request; validated before it is signed and sent. */
  readonly request: z.ZodType<TRequest>;
  /** The peer's answer, once its signature is checked (§1.6). */
  readonly response: z.ZodType<TResponse>;
}

/**
 * Everything that differs between the wire dialects (protocol.md §0–§4), in one value per dialect
 * (`dialects/<name>.ts`), collected in `DIALECT_SPECS`. Signing (§1) is the same for all and is not here.
 *
 * The functions are written as methods on purpose: a method's parameter is checked both ways, so each
 * dialect's spec, typed with its own bodies, fits `DialectSpec` with the default (any-body) parameters
 * that `Record<Dialect, DialectSpec>` asks for.
 */
export interface DialectSpec<
  TInquiryRequest = unknown,
  TInquiryResponse extends CallResponse = CallResponse,
  TCancelRequest = unknown,
  TCancelResponse extends CallResponse = CallResponse,
  TNotification = unknown,
> {
  /** How people call it, in logs and messages. */
  readonly title: string;
  /** Sandbox client IDs call other paths (Antom, §0 `adjustSandboxUrl`); absent: paths never change. */
  readonly sandbox?: {
    readonly clientIdPrefix: string;
    readonly livePrefix: string;
    readonly sandboxPrefix: string;
  };
  readonly inquiryPayment: ApiCall<TInquiryRequest, TInquiryResponse> & {
    /** The inquiry decision table (§3). */
    decide(response: TInquiryResponse): InquiryDecision;
  };
  readonly cancelPayment: ApiCall<TCancelRequest, TCancelResponse> & {
    /** The cancel result table (§4). */
    decide(response: TCancelResponse): CancelDecision;
    /**
     * A cancel still U after `afterRetries` retries: the dialect asks a person to act (`advice`), and
     * the caller keeps retrying (§4.2). Absent: retry until it succeeds, nothing to report (§4.1).
     */
    readonly stillUnknown?: { readonly afterRetries: number; readonly advice: string };
  };
  /** notifyPayment, received (§2). */
  readonly notification: {
    readonly schema: z.ZodType<TNotification>;
    /** A body that fits the schema, read as an observation, or refused as PARAM_ILLEGAL. */
    read(body: TNotification): ParseNotificationResult;
  };
  /** Our answer to a notification (§1.7). */
  readonly ack: {
    /** The body of a received notification's ack. */
    readonly body: string;
    /** `required`: the peer only takes a signed ack, so we must hold a private key to answer. */
    readonly signature: 'required' | 'optional';
  };
}
