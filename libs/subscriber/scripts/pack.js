// Builds @payments/subscriber as a package of its own:
//   node libs/subscriber/scripts/pack.js            # → dist/packages/payments-subscriber-<version>.tgz
//   node libs/subscriber/scripts/pack.js --keep DIR # also leaves the unpacked package in DIR
// then `npm publish dist/packages/payments-subscriber-<version>.tgz` to the internal registry.
// The package is staged in a temporary directory: a second package.json named @payments/subscriber
// under the repository would collide in Jest's module map.
//
// The event contracts (libs/contracts: the zod schemas the producers validate with) are compiled
// into the package, so a subscriber validates with exactly the schemas of the version it installs.
// In the monorepo the library imports them through the `@app/contracts` alias; here that one import
// (src/contracts.ts) is pointed at the compiled copy.
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const here = path.resolve(__dirname, '..');
const root = path.resolve(here, '..', '..');
const keepAt = process.argv.indexOf('--keep');
const keep = keepAt > 0 ? path.resolve(process.argv[keepAt + 1]) : null;
const out = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'payments-subscriber-'));
const destination = path.join(root, 'dist', 'packages');

try {
  fs.rmSync(out, { recursive: true, force: true });
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const tsconfig = path.join(here, 'tsconfig.pack.json');
  execFileSync(process.execPath, [tsc, '-p', tsconfig, '--outDir', path.join(out, 'lib')], {
    stdio: 'inherit',
  });

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
  if (leaks.length > 0) throw new Error(`monorepo aliases left in: ${leaks.join(', ')}`);

  const manifest = JSON.parse(fs.readFileSync(path.join(here, 'package.json'), 'utf8'));
  delete manifest.scripts;
  fs.writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.copyFileSync(path.join(here, 'README.md'), path.join(out, 'README.md'));

  fs.mkdirSync(destination, { recursive: true });
  execFileSync('npm', ['pack', '--pack-destination', destination], {
    cwd: out,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tarball = path.join(destination, `payments-subscriber-${manifest.version}.tgz`);
  console.log(keep ? `${tarball} (unpacked in ${out})` : tarball);
} finally {
  if (!keep) fs.rmSync(out, { recursive: true, force: true });
}
