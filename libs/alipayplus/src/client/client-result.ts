import { SignatureFailureReason } from '../signing/signed-message';

export type TransportErrorReason = 'TIMEOUT' | 'NETWORK' | `HTTP_${number}`;

/**
 * The outcome of one call. Only `response` carries a body to act on; every other kind leaves the
 * outcome unknown, so the caller re-sends the same request (see `decideOnTransportError`, §3.1, §4.1).
 */
export type ClientResult<TBody> =
  | {
      readonly kind: 'response';
      readonly body: TBody;
      readonly rawBody: string;
      /** True when the response signature was checked; false only for an unsigned F/U reply (§1.6). */
      readonly verified: boolean;
    }
  /**
   * A reply we must not believe: badly signed, or claiming S without a signature (§1.6, §8). Reason
   * UNKNOWN_KEY_VERSION: signed with a keyVersion we hold no key for (the partner rotated its key and
   * ours is not added yet); `detail` names that version.
   */
  | { readonly kind: 'untrusted'; readonly reason: SignatureFailureReason; readonly detail?: string }
  | { readonly kind: 'transport-error'; readonly reason: TransportErrorReason; readonly detail?: string }
  /** Signed or acceptable, but not a readable response of this API (not UTF-8/JSON, fails the schema). */
  | { readonly kind: 'invalid-response'; readonly reason: string };

export type TransportError = Extract<ClientResult<never>, { kind: 'transport-error' }>;
export type Untrusted = Extract<ClientResult<never>, { kind: 'untrusted' }>;
export type InvalidResponse = Extract<ClientResult<never>, { kind: 'invalid-response' }>;
