// Layer rules (issue #15 part 5), checked in CI by `npm run lint:layers`:
//   depcruise --config .dependency-cruiser.cjs apps libs scripts bench examples
// Paths are relative to the repository root; the @app/* and @test/* aliases resolve through
// tsconfig.json, so a rule sees where an import lands, however it is written.
//
// Test code: *.spec.ts, *.int-spec.ts, *.e2e-spec.ts and every test/ folder. Harness code (the demo
// and the benchmarks) drives the whole system from outside, like a test; developer tools (below) are
// not deployed either. Everything else under
// apps/, libs/ (but libs/testing), scripts/ and examples/ is production code.
// Test-only composition (e.g. the poller's test bed, which runs order-state and the simulator) goes
// through the @test/* aliases: production code may not use them (rule below) and at run time
// scripts/register-paths.js never resolves them.
const TEST_CODE = ['\\.(spec|int-spec|e2e-spec)\\.ts$', '^(apps|libs)/[^/]+/test/', '^test/'];
const HARNESS = ['^bench/', '^scripts/demo\\.ts$'];
// Developer tools that are never deployed: the local Kafka/PostgreSQL harness CLI, and the settings
// reference generator (it reads every service's config schema, the simulator's too).
const DEV_TOOLS = ['^scripts/infra\\.js$', '^scripts/(generate-)?config-docs\\.ts$'];
const PRODUCTION = {
  path: '^(apps|libs|scripts|examples)/',
  pathNot: [...TEST_CODE, ...HARNESS, ...DEV_TOOLS, '^libs/testing/'],
};
const TEST_ALIAS = ['aliased-tsconfig-paths'];

module.exports = {
  forbidden: [
    {
      name: 'no-cross-app-imports',
      comment:
        'Apps never import each other: what two apps share lives in libs/. Test code may compose apps only through a @test/* alias.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/[^/]+/', pathNot: '^apps/$1/', dependencyTypesNot: TEST_ALIAS },
    },
    {
      name: 'test-aliases-in-tests-only',
      comment:
        'The @test/* aliases (which point into apps/) are for test code; production code never uses them.',
      severity: 'error',
      from: PRODUCTION,
      to: { path: '^apps/', dependencyTypes: TEST_ALIAS },
    },
    {
      name: 'domain-is-pure',
      comment: "domain/ never imports application/ or infrastructure/ (its own app's or any other).",
      severity: 'error',
      from: { path: '^apps/[^/]+/src/domain/' },
      to: { path: '(^|/)(application|infrastructure)/' },
    },
    {
      name: 'production-not-testing',
      comment: 'Production code never imports libs/testing (test helpers, local infrastructure, fixtures).',
      severity: 'error',
      from: PRODUCTION,
      to: { path: '^libs/testing/' },
    },
    {
      name: 'production-not-simulator',
      comment:
        'Production code never imports the Alipay+ simulator (apps/alipayplus-simulator), a test tool.',
      severity: 'error',
      from: { ...PRODUCTION, pathNot: [...PRODUCTION.pathNot, '^apps/alipayplus-simulator/'] },
      to: { path: '^apps/alipayplus-simulator/' },
    },
    {
      name: 'libs-not-apps',
      comment:
        'Libs never import apps (apps depend on libs, not the other way). Test code in a lib may reach an app only through a @test/* alias.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/', dependencyTypesNot: TEST_ALIAS },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve would hide a dependency from the rules above.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|\\.infra|\\.tmp)/' },
    // Type-only imports count: they couple layers as much as value imports do.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
