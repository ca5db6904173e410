// Resolves the @app/* path aliases of tsconfig.json against the compiled tree in dist/, so that
// `node -r ./scripts/register-paths.js dist/apps/<app>/src/main.js` runs what `npm run build` emitted.
const path = require('path');
const tsConfigPaths = require('tsconfig-paths');
const { compilerOptions } = require('../tsconfig.json');

tsConfigPaths.register({
  baseUrl: path.resolve(__dirname, '..', 'dist'),
  paths: compilerOptions.paths,
});
