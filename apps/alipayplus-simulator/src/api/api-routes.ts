import {
  API_OPERATIONS,
  ApiOperation,
  Dialect,
  DIALECTS,
  dialectSpec,
  resolveApiPath,
} from '@app/alipayplus';

export interface ApiRoute {
  readonly dialect: Dialect;
  readonly operation: ApiOperation;
}

/**
 * The paths served: inquiryPayment and cancelPayment/cancel of every dialect (protocol.md §0), plus
 * the sandbox variants of a dialect that has them (Antom `/ams/sandbox/api/…`, which the SDKs use for
 * SANDBOX_ client IDs).
 */
export function apiRoutes(): Map<string, ApiRoute> {
  const routes = new Map<string, ApiRoute>();
  for (const dialect of DIALECTS) {
    const sandbox = dialectSpec(dialect).sandbox;
    for (const operation of API_OPERATIONS) {
      routes.set(resolveApiPath(dialect, operation), { dialect, operation });
      if (sandbox)
        routes.set(resolveApiPath(dialect, operation, sandbox.clientIdPrefix), { dialect, operation });
    }
  }
  return routes;
}
