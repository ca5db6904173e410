import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/*
 * Test-only access to the vectors in the `shared` folder that sits beside the repository root
 * (protocol.md §1.9). The root is the nearest ancestor holding package.json whose sibling
 * `shared/vectors` exists, so moving a spec file does not break the lookup.
 */

export interface AntomNotifyVector {
  readonly method: 'POST';
  readonly path: string;
  readonly clientId: string;
  readonly requestTime: string;
  readonly signatureHeaderValue: string;
  readonly signature: string;
  readonly alipayPublicKeyBase64X509: string;
  readonly body: string;
  readonly expectedValid: boolean;
  readonly mutatedCases: ReadonlyArray<{
    readonly change: string;
    readonly path?: string;
    readonly body?: string;
    readonly expectedValid: boolean;
  }>;
}

export function sharedVectorPath(fileName: string, from: string = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, '..', 'shared', 'vectors', fileName);
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`shared vector ${fileName} not found above ${from}`);
    dir = parent;
  }
}

export function loadAntomNotifyVector(): AntomNotifyVector {
  return JSON.parse(readFileSync(sharedVectorPath('antom-notify-2019.json'), 'utf8')) as AntomNotifyVector;
}
