#!/usr/bin/env node
// Prints the functions with the most self time in a V8 .cpuprofile: node scripts/cpu-profile-top.js FILE [N]
const { readFileSync } = require('fs');
const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const top = Number(process.argv[3] ?? 40);
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map();
let totalUs = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  totalUs += dt;
  const f = nodes.get(id).callFrame;
  const url = f.url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, '');
  const key = `${f.functionName || '(anonymous)'} ${url}:${f.lineNumber + 1}`;
  selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
});
console.log(`total ${(totalUs / 1000).toFixed(0)} ms sampled`);
for (const [key, us] of [...selfUs].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(
    `${(us / 1000).toFixed(0).padStart(8)} ms  ${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${key}`,
  );
}
