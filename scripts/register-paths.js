// Resolves the @app/* path aliases of tsconfig.json against the compiled tree in dist/, so that
// `node -r ./scripts/register-paths.js dist/apps/<app>/src/main.js` runs what `npm run build` emitted.
const path = require('path');
const tsConfigPaths = require('tsconfig-paths');
const { compilerOptions } = require('../tsconfig.json');

// The @test/* aliases are for tests only (they let a test compose apps): never resolved at run time.
const paths = Object.fromEntries(
  Object.entries(compilerOptions.paths).filter(([alias]) => !alias.startsWith('@test/')),
);

tsConfigPaths.register({
  baseUrl: path.resolve(__dirname, '..', 'dist'),
  paths,
});
