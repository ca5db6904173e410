#!/usr/bin/env node
// Checks package-lock.json before `npm ci` runs (.ci/run), with nothing but Node itself, so that a
// lockfile that npm would reject, or half-install, fails with one clear sentence instead of npm's
// "Invalid Version:". It refuses:
//   - an entry under "packages" without a version (a hand-added placeholder; npm's arborist calls
//     semver on it and dies), links excepted;
//   - a dependency or optional dependency of an entry that resolves to no entry at all (npm ci then
//     says the lockfile is out of sync, or skips another platform's binding without a trace).
// The fix is always the same: let npm write the file (`npm install --package-lock-only`).
'use strict';
const fs = require('fs');
const path = require('path');

const REFRESH = 'npm install --package-lock-only --ignore-scripts --no-audit --no-fund';

/** Node's resolution inside a lockfile: <from>/node_modules/<name>, then each parent's, then the root's. */
function resolveEntry(packages, from, name) {
  let dir = from;
  for (;;) {
    const candidate = (dir ? `${dir}/` : '') + `node_modules/${name}`;
    if (Object.prototype.hasOwnProperty.call(packages, candidate)) return candidate;
    if (!dir) return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut < 0 ? '' : dir.slice(0, cut);
  }
}

/** Every problem of a parsed lockfile, as short strings; empty when npm ci can trust it. */
function findLockfileProblems(lock) {
  if (!lock || typeof lock !== 'object' || typeof lock.packages !== 'object' || lock.packages === null) {
    return ['it has no "packages" map (lockfileVersion 2 or 3 is required)'];
  }
  const packages = lock.packages;
  const problems = [];
  for (const [key, entry] of Object.entries(packages)) {
    if (key === '') continue; // the project itself
    if (!entry || typeof entry !== 'object') {
      problems.push(`entry "${key}" is not an object`);
      continue;
    }
    if (entry.link === true) continue;
    if (typeof entry.version !== 'string' || entry.version.trim() === '') {
      problems.push(`entry "${key}" has no version`);
    }
  }
  for (const [key, entry] of Object.entries(packages)) {
    if (!entry || typeof entry !== 'object' || entry.link === true) continue;
    for (const field of ['dependencies', 'optionalDependencies']) {
      for (const name of Object.keys(entry[field] ?? {})) {
        if (!resolveEntry(packages, key, name)) {
          const what = field === 'optionalDependencies' ? 'optional dependency' : 'dependency';
          problems.push(`${what} "${name}" of "${key || '(root)'}" has no entry of its own`);
        }
      }
    }
  }
  return problems;
}

/** The one sentence .ci/run prints, or undefined when the lockfile is sound. */
function lockfileVerdict(lock, file = 'package-lock.json') {
  const problems = findLockfileProblems(lock);
  if (problems.length === 0) return undefined;
  const shown =
    problems.slice(0, 3).join('; ') + (problems.length > 3 ? `; and ${problems.length - 3} more` : '');
  return `${file} is incomplete and npm ci would refuse it (${shown}): regenerate it with \`${REFRESH}\` instead of editing it by hand.`;
}

module.exports = { findLockfileProblems, lockfileVerdict, resolveEntry, REFRESH };

if (require.main === module) {
  const file = process.argv[2] ?? path.join(__dirname, '..', '..', 'package-lock.json');
  let lock;
  try {
    lock = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    console.error(`${file} cannot be read as JSON (${err.message}): regenerate it with \`${REFRESH}\`.`);
    process.exit(1);
  }
  const verdict = lockfileVerdict(lock, path.basename(file));
  if (verdict) {
    console.error(verdict);
    process.exit(1);
  }
  console.log(`${path.basename(file)}: ${Object.keys(lock.packages).length - 1} entries, all complete`);
}
