// Two tiers (style.md): `unit` specs sit beside the code and need nothing running;
// `integration` specs talk to the real Kafka broker and PostgreSQL that the global setup starts
// (or to KAFKA_BROKERS / DATABASE_URL when both are set).
const { compilerOptions } = require('./tsconfig.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  const from = '^' + alias.replace('/*', '/(.*)') + '$';
  moduleNameMapper[from] = '<rootDir>/' + target.replace('/*', '/$1');
}

const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testEnvironment: 'node',
  moduleNameMapper,
  rootDir: __dirname,
};

module.exports = {
  // Global (Jest ignores it per project): integration tests wait on real brokers and databases.
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,scripts,deploy}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/jest-global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/jest-global-teardown.ts',
      // Every response from our services is checked against the published OpenAPI document (issue 16).
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/openapi-conformance.setup.ts'],
    },
  ],
};
