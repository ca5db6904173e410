export { signResponse } from './sign-response';
export type { SignResponseInput } from './sign-response';
export { originFormTarget, readHeader, verifyIncomingRequest } from './verify-incoming-request';
export type {
  IncomingHeaders,
  IncomingRequestVerification,
  VerifyIncomingRequestInput,
} from './verify-incoming-request';
