import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * The signing pool's worker compiled for a unit spec: Jest runs the TypeScript sources, a worker
 * thread runs JavaScript. It imports Node built-ins only, so the one file runs from anywhere.
 * `crashingWorkerFile` is the same worker behind a listener that ends the thread on a sign of the
 * content "crash", before the worker sees it (process.exit: a port's other listeners still get a
 * message whose first listener threw).
 */
export function buildSigningWorker(): { workerFile: string; crashingWorkerFile: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'signing-worker-'));
  const source = readFileSync(
    path.join(__dirname, '..', 'src', 'infrastructure', 'partners', 'signing-worker.ts'),
    'utf8',
  );
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  const workerFile = path.join(dir, 'signing-worker.js');
  const crashingWorkerFile = path.join(dir, 'crashing-worker.js');
  writeFileSync(workerFile, outputText);
  writeFileSync(
    crashingWorkerFile,
    `const { parentPort } = require('node:worker_threads');
     parentPort.on('message', (m) => {
       if (m.type === 'sign' && m.items.some((i) => Buffer.from(i.content).toString() === 'crash')) {
         process.exit(7);
       }
     });
     require('./signing-worker.js');`,
  );
  return { workerFile, crashingWorkerFile, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
