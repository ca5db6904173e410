/**
 * Errors thrown by this library carry a stable `code` so callers branch on it, never on the message.
 * Throwing is reserved for programming/configuration mistakes (a bad key, an invalid outgoing request);
 * anything that arrives from the network is reported as a result value instead.
 */
export type AlipayPlusErrorCode =
  /** No key material was given (typically an unset environment variable). */
  | 'KEY_EMPTY'
  /** The material is not a parsable key of the expected kind (private vs public). */
  | 'KEY_INVALID'
  /** A parsable key we deliberately do not handle: encrypted PEM, or not an RSA key (protocol.md §1.4). */
  | 'KEY_UNSUPPORTED'
  /** An argument given by the caller violates the protocol (e.g. an outgoing request body, an ack code). */
  | 'INVALID_ARGUMENT';

export class AlipayPlusError extends Error {
  constructor(
    readonly code: AlipayPlusErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Raised by the key loaders. The message never contains any of the key material. */
export class KeyLoadError extends AlipayPlusError {
  constructor(code: 'KEY_EMPTY' | 'KEY_INVALID' | 'KEY_UNSUPPORTED', message: string) {
    super(code, message);
  }
}
