/// <reference types="jest" />
// (Jest loads this file; the reference lets the build compile it with the rest of libs/testing.)
import { mkdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { conformingFetch, OpenApiConformance } from './openapi-conformance';

/**
 * Loaded by the integration project (jest.config.js, setupFilesAfterEnv): every response the specs
 * receive from one of our services through fetch (the specs, libs/testing's Pipeline and probes) is
 * checked against libs/contracts/published/openapi.json. A mismatch fails the test that received it
 * (in its afterEach; one received in a beforeAll fails the next test, or the file's afterAll). The
 * operations exercised are written to artifacts/openapi-coverage/<spec>.json.
 * Set OPENAPI_CONFORMANCE=off to run without it.
 */
if (process.env.OPENAPI_CONFORMANCE !== 'off') {
  const checker = new OpenApiConformance();
  const mismatches: string[] = [];
  const realFetch = globalThis.fetch;

  globalThis.fetch = conformingFetch(realFetch, checker, (result) => {
    if (result.errors.length === 0) return;
    const during = expect.getState().currentTestName ?? 'a beforeAll/afterAll hook';
    mismatches.push(`[received during: ${during}]\n${result.errors.join('\n')}`);
  });

  const failOnMismatches = () => {
    if (mismatches.length === 0) return;
    const report = mismatches.splice(0);
    throw new Error(
      `${report.length} response(s) do not match libs/contracts/published/openapi.json ` +
        `(fix the description in libs/contracts/src/http, then npm run contracts:generate):\n\n${report.join('\n\n')}`,
    );
  };

  afterEach(failOnMismatches);

  afterAll(() => {
    globalThis.fetch = realFetch;
    const testPath = expect.getState().testPath;
    if (testPath && checker.exercised.size > 0) {
      const dir = path.resolve(__dirname, '..', '..', '..', 'artifacts', 'openapi-coverage');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        path.join(dir, `${path.basename(testPath)}.json`),
        JSON.stringify(Object.fromEntries([...checker.exercised].sort()), null, 2) + '\n',
      );
    }
    failOnMismatches();
  });
}
