import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

/**
 * The layer rules of .dependency-cruiser.cjs (issue #15 part 5), run by the real depcruise on a small
 * tree with the repository's config and tsconfig.json: every deliberate violation is reported under
 * its rule, and nothing else (the allowed cases stay quiet).
 */
const repo = path.resolve(__dirname, '..');
const depcruiseBin = path.join(repo, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const readJson = (file: string) => JSON.parse(readFileSync(path.join(repo, file), 'utf8'));

/** file -> its imports (each file also exports something, so that it is a module). */
const fixture: Record<string, string[]> = {
  'apps/alipayplus-simulator/src/index.ts': [],
  'apps/order-state/src/config.ts': [],
  'apps/order-state/src/application/register.ts': [],
  'apps/order-state/src/domain/order.ts': ['../application/register'],
  'apps/inquiry-poller/src/application/poll.ts': ['../../../order-state/src/config'],
  'apps/inquiry-poller/src/infrastructure/simulated.ts': ['@test/simulator'],
  'apps/inquiry-poller/src/infrastructure/helpers.ts': ['@app/testing'],
  'apps/inquiry-poller/src/poll.spec.ts': ['@app/testing', './application/poll'],
  'apps/inquiry-poller/test/bed.ts': ['@test/order-state/config', '@test/simulator', '@app/testing'],
  'apps/inquiry-poller/test/relative-bed.ts': ['../../order-state/src/config'],
  'libs/testing/src/index.ts': [],
  'libs/testing/src/simulator.spec.ts': ['@test/simulator'],
  'libs/kafka/src/index.ts': ['../../../apps/order-state/src/config'],
  'libs/kafka/src/dangling.ts': ['./not-there'],
  'scripts/dlq.ts': ['../libs/testing/src'],
  'scripts/demo.ts': ['@app/testing', '@test/simulator'],
  'bench/poller.bench.ts': ['../apps/alipayplus-simulator/src', '@app/testing'],
  'examples/ledger/main.ts': ['@test/simulator'],
};

const expected = [
  'domain-is-pure: apps/order-state/src/domain/order.ts -> apps/order-state/src/application/register.ts',
  'no-cross-app-imports: apps/inquiry-poller/src/application/poll.ts -> apps/order-state/src/config.ts',
  'no-cross-app-imports: apps/inquiry-poller/test/relative-bed.ts -> apps/order-state/src/config.ts',
  'test-aliases-in-tests-only: apps/inquiry-poller/src/infrastructure/simulated.ts -> apps/alipayplus-simulator/src/index.ts',
  'production-not-simulator: apps/inquiry-poller/src/infrastructure/simulated.ts -> apps/alipayplus-simulator/src/index.ts',
  'production-not-testing: apps/inquiry-poller/src/infrastructure/helpers.ts -> libs/testing/src/index.ts',
  'libs-not-apps: libs/kafka/src/index.ts -> apps/order-state/src/config.ts',
  'not-to-unresolvable: libs/kafka/src/dangling.ts -> ./not-there',
  'production-not-testing: scripts/dlq.ts -> libs/testing/src/index.ts',
  'test-aliases-in-tests-only: examples/ledger/main.ts -> apps/alipayplus-simulator/src/index.ts',
  'production-not-simulator: examples/ledger/main.ts -> apps/alipayplus-simulator/src/index.ts',
].sort();

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
}

describe('layer rules (.dependency-cruiser.cjs)', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'layer-rules-'));
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(readJson('tsconfig.json')));
    writeFileSync(
      path.join(dir, '.dependency-cruiser.cjs'),
      readFileSync(path.join(repo, '.dependency-cruiser.cjs')),
    );
    Object.entries(fixture).forEach(([file, imports], i) => {
      mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
      const lines = imports.map((spec, j) => `import * as m${j} from '${spec}';\nvoid m${j};`);
      writeFileSync(path.join(dir, file), [...lines, `export const value${i} = ${i};`, ''].join('\n'));
    });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const depcruise = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [
        depcruiseBin,
        '--config',
        '.dependency-cruiser.cjs',
        ...args,
        'apps',
        'libs',
        'scripts',
        'bench',
        'examples',
      ],
      { cwd: dir, encoding: 'utf8' },
    );

  it('reports each deliberate violation under its rule, and only those', () => {
    // (The json reporter exits 0 whatever it finds; the next test checks the exit code.)
    const run = depcruise('--output-type', 'json');
    const violations = (JSON.parse(run.stdout) as { summary: { violations: Violation[] } }).summary
      .violations;
    expect(violations.every((v) => v.rule.severity === 'error')).toBe(true);
    expect(violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort()).toEqual(expected);
  });

  it('fails the CI step with the rule name in its output', () => {
    const run = depcruise();
    expect(run.status).not.toBe(0);
    expect(run.stdout).toContain(
      'error no-cross-app-imports: apps/inquiry-poller/src/application/poll.ts → apps/order-state/src/config.ts',
    );
    expect(run.stdout).toContain(`${expected.length} dependency violations (${expected.length} errors`);
  });

  it('only the tests-only @test/* aliases point into apps/ (the rules let test code through them alone)', () => {
    const paths: Record<string, string[]> = readJson('tsconfig.json').compilerOptions.paths;
    const intoApps = Object.keys(paths).filter((alias) => paths[alias].some((t) => t.startsWith('apps/')));
    expect(intoApps.length).toBeGreaterThan(0);
    expect(intoApps.filter((alias) => !alias.startsWith('@test/'))).toEqual([]);
  });
});
