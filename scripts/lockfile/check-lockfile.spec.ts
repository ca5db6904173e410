import * as fs from 'fs';
import * as path from 'path';

// Plain CommonJS on purpose: .ci/run runs it before `npm ci`, when no package is installed yet.
const { findLockfileProblems, lockfileVerdict, resolveEntry } = require('./check-lockfile.js');

const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const fixture = () => read(path.join(__dirname, 'fixtures', 'hand-edited.package-lock.json'));

describe('lockfile check', () => {
  it('refuses a hand-added placeholder without a version and an optional binding with no entry', () => {
    expect(findLockfileProblems(fixture())).toEqual([
      'entry "node_modules/unrs-resolver/node_modules/@unrs/resolver-binding-darwin-arm64" has no version',
      'optional dependency "@unrs/resolver-binding-win32-x64-msvc" of "node_modules/unrs-resolver" has no entry of its own',
    ]);
  });

  it('says it in one sentence that names the fix', () => {
    const verdict: string = lockfileVerdict(fixture());
    expect(verdict.split(/\.\s/)).toHaveLength(1);
    expect(verdict).toMatch(/^package-lock\.json is incomplete/);
    expect(verdict).toContain('npm install --package-lock-only');
  });

  it('refuses a dependency that resolves to nothing, and a file without a packages map', () => {
    const lock = fixture();
    lock.packages['node_modules/unrs-resolver'].dependencies = { 'napi-postinstall': '^0.3.0' };
    expect(findLockfileProblems(lock)).toContain(
      'dependency "napi-postinstall" of "node_modules/unrs-resolver" has no entry of its own',
    );
    expect(findLockfileProblems({ lockfileVersion: 1, dependencies: {} })).toHaveLength(1);
  });

  it('resolves like Node: nested first, then each parent, then the root', () => {
    const packages = { 'node_modules/a': {}, 'node_modules/b/node_modules/a': {}, 'node_modules/c': {} };
    expect(resolveEntry(packages, 'node_modules/b', 'a')).toBe('node_modules/b/node_modules/a');
    expect(resolveEntry(packages, 'node_modules/b/node_modules/x', 'c')).toBe('node_modules/c');
    expect(resolveEntry(packages, 'node_modules/c', 'd')).toBeUndefined();
  });

  it('accepts links without a version, and the project lockfile as npm wrote it', () => {
    const lock = fixture();
    delete lock.packages['node_modules/unrs-resolver/node_modules/@unrs/resolver-binding-darwin-arm64'];
    lock.packages['node_modules/unrs-resolver'].optionalDependencies = {};
    lock.packages['node_modules/local'] = { resolved: 'libs/local', link: true };
    expect(findLockfileProblems(lock)).toEqual([]);
    expect(findLockfileProblems(read(path.join(__dirname, '..', '..', 'package-lock.json')))).toEqual([]);
  });
});
