export { buildSignContent } from './sign-content';
export type { SignContentInput, SignedHttpMethod } from './sign-content';
export { loadPrivateKey, loadPublicKey } from './keys';
export { decodeSignatureValue, signContent, verifyContent } from './signature';
export { formatSignatureHeader, parseSignatureHeader, SIGNATURE_ALGORITHM } from './signature-header';
export type { FormatSignatureHeaderInput, ParsedSignatureHeader } from './signature-header';
export {
  candidateSignedPaths,
  selectVerificationKeys,
  signMessage,
  verifySignedMessage,
} from './signed-message';
export type {
  KeySelection,
  SignatureFailureReason,
  SignatureVerification,
  SignMessageInput,
  VerifySignedMessageInput,
  VersionedPublicKey,
} from './signed-message';
