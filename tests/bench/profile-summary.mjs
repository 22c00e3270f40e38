// Prints where a Chromium CPU profile (a .cpuprofile, e.g. from BENCH_CPUPROFILE) spent its time:
// the functions with the most self time, and with the most total time (self and callees).
// Usage: node tests/bench/profile-summary.mjs FILE [TOP]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const dt = new Map();
profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const name = (n) => n.callFrame.functionName || `(anonymous ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber})`;
const self = new Map();
const total = new Map();
for (const [id, us] of dt) {
  self.set(name(byId.get(id)), (self.get(name(byId.get(id))) ?? 0) + us);
  // Each function once per stack, however deep it recurses.
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const f = name(byId.get(at));
    if (seen.has(f)) continue;
    seen.add(f);
    total.set(f, (total.get(f) ?? 0) + us);
  }
}
const all = [...dt.values()].reduce((a, b) => a + b, 0);
const show = (title, m) => {
  console.log(`\n${title} (of ${(all / 1000).toFixed(0)} ms sampled)`);
  for (const [f, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / all).toFixed(1).padStart(5)}%  ${f.slice(0, 110)}`);
  }
};
show('self time', self);
show('total time', total);
