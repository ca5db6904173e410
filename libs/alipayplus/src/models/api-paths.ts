import { Dialect, DIALECTS } from '../dialect';
import { API_OPERATIONS, ApiOperation } from '../dialects/dialect-spec';
import { dialectSpec } from '../dialects/registry';

export type { ApiOperation } from '../dialects/dialect-spec';

/** Outgoing operations and their live paths per dialect (protocol.md §0), read from each dialect's spec. */
export const API_PATHS: Readonly<Record<Dialect, Readonly<Record<ApiOperation, string>>>> =
  Object.fromEntries(
    DIALECTS.map((d) => [d, Object.fromEntries(API_OPERATIONS.map((op) => [op, dialectSpec(d)[op].path]))]),
  ) as Record<Dialect, Record<ApiOperation, string>>;

/**
 * The path to call. A dialect with sandbox client IDs (Antom: `SANDBOX_…`) calls `/ams/sandbox/api`
 * instead of `/ams/api`, as every official SDK does (protocol.md §0, `adjustSandboxUrl`). Alipay+
 * paths are never rewritten.
 */
export function resolveApiPath(dialect: Dialect, operation: ApiOperation, clientId?: string): string {
  const spec = dialectSpec(dialect);
  const path = spec[operation].path;
  const sandbox = spec.sandbox;
  if (sandbox && clientId?.startsWith(sandbox.clientIdPrefix) && path.startsWith(sandbox.livePrefix)) {
    return sandbox.sandboxPrefix + path.slice(sandbox.livePrefix.length);
  }
  return path;
}
