// `npm run infra -- <command>`: runs the harness CLI (libs/testing/src/infra/cli.ts) from its
// TypeScript sources, so it works on a fresh clone without `npm run build` and is never stale.
// Each .ts file is transpiled as it is required (no type check: `npm run typecheck` does that).
const fs = require('fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const compilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
  };
  module._compile(ts.transpileModule(source, { fileName: filename, compilerOptions }).outputText, filename);
};
require('../libs/testing/src/infra/cli.ts');
// Everything is loaded: let the compiler go (the watchdog lives long and should stay small).
delete require.extensions['.ts'];
delete require.cache[require.resolve('typescript')];
