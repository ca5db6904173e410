// Builds @payments/subscriber as a package of its own, in <repo>/dist/packages/subscriber:
//   node libs/subscriber/scripts/pack.js          # build the package directory
//   node libs/subscriber/scripts/pack.js --pack   # and `npm pack` it into dist/packages/
// then `npm publish dist/packages/subscriber` (or the tarball) to the internal registry.
//
// The event contracts (libs/contracts: the zod schemas the producers validate with) are compiled
// into the package, so a subscriber validates with exactly the schemas of the version it installs.
// In the monorepo the library imports them through the `@app/contracts` alias; here that one import
// (src/contracts.ts) is pointed at the compiled copy.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const here = path.resolve(__dirname, '..');
const root = path.resolve(here, '..', '..');
const out = path.join(root, 'dist', 'packages', 'subscriber');

fs.rmSync(out, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', path.join(here, 'tsconfig.pack.json')],
  {
    stdio: 'inherit',
  },
);

const bridge = path.join(out, 'lib', 'subscriber', 'src');
for (const file of ['contracts.js', 'contracts.d.ts']) {
  const p = path.join(bridge, file);
  const text = fs.readFileSync(p, 'utf8');
  fs.writeFileSync(p, text.replace(/(["'])@app\/contracts\1/g, '$1../../contracts/src$1'));
}

// Nothing else may reach outside the package.
const leaks = [];
const walk = (dir) => {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p);
    else if (/(["'])@app\//.test(fs.readFileSync(p, 'utf8'))) leaks.push(path.relative(out, p));
  }
};
walk(path.join(out, 'lib'));
if (leaks.length > 0) {
  console.error(`monorepo aliases left in: ${leaks.join(', ')}`);
  process.exit(1);
}

const manifest = JSON.parse(fs.readFileSync(path.join(here, 'package.json'), 'utf8'));
delete manifest.scripts;
fs.writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
fs.copyFileSync(path.join(here, 'README.md'), path.join(out, 'README.md'));
console.log(`@payments/subscriber ${manifest.version} built in ${path.relative(process.cwd(), out) || '.'}`);

if (process.argv.includes('--pack')) {
  execFileSync('npm', ['pack', '--pack-destination', path.dirname(out)], { cwd: out, stdio: 'inherit' });
}
