/// <reference types="jest" />
// (Jest loads this file; the reference lets the build compile it with the rest of libs/testing.)
import { mkdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { conformingFetch, ConformanceResult, OpenApiConformance } from './openapi-conformance';

/**
 * Loaded by the integration project (jest.config.js, setupFilesAfterEnv): every response the specs
 * receive from one of our services is checked against libs/contracts/published/openapi.json, through
 * fetch (the specs, libs/testing's Pipeline and probes) and through the pages of a Playwright browser
 * (the console e2e). A mismatch fails the test that received it (in its afterEach; one received in a
 * beforeAll fails the next test, or the file's afterAll). The operations exercised are written to
 * artifacts/openapi-coverage/<spec>.json. Set OPENAPI_CONFORMANCE=off to run without it.
 */
if (process.env.OPENAPI_CONFORMANCE !== 'off') {
  const checker = new OpenApiConformance();
  const mismatches: string[] = [];
  const pending = new Set<Promise<void>>();
  const realFetch = globalThis.fetch;

  const report = (result: ConformanceResult) => {
    if (result.errors.length === 0) return;
    const during = expect.getState().currentTestName ?? 'a beforeAll/afterAll hook';
    mismatches.push(`[received during: ${during}]\n${result.errors.join('\n')}`);
  };
  globalThis.fetch = conformingFetch(realFetch, checker, report);

  // Playwright is heavy to load: wrapped only when a spec requires it.
  jest.doMock('playwright-core', () => {
    const actual = jest.requireActual<typeof import('playwright-core')>('playwright-core');
    const launch = actual.chromium.launch.bind(actual.chromium);
    actual.chromium.launch = async (...args) => watchBrowser(await launch(...args));
    return actual;
  });

  const watchBrowser = (browser: import('playwright-core').Browser) => {
    const newPage = browser.newPage.bind(browser);
    browser.newPage = async (...args) => {
      const page = await newPage(...args);
      page.on('response', (res) => {
        if (!checker.covers(res.url())) return;
        const check = res
          .text()
          .then((body) => {
            const result = checker.check({
              method: res.request().method(),
              url: res.url(),
              status: res.status(),
              contentType: res.headers()['content-type'] ?? null,
              body,
            });
            if (result) report(result);
          })
          .catch(() => undefined) // the page went away before its body was read
          .finally(() => pending.delete(check));
        pending.add(check);
      });
      return page;
    };
    return browser;
  };

  const failOnMismatches = async () => {
    await Promise.all([...pending]);
    if (mismatches.length === 0) return;
    const found = mismatches.splice(0);
    throw new Error(
      `${found.length} response(s) do not match libs/contracts/published/openapi.json ` +
        `(fix the description in libs/contracts/src/http, then npm run contracts:generate):\n\n${found.join('\n\n')}`,
    );
  };

  afterEach(failOnMismatches);

  afterAll(async () => {
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
    await failOnMismatches();
  });
}
