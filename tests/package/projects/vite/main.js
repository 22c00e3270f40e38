// The packed kms-sandbox and the AWS SDK, bundled by Vite for the browser; the shared suite runs
// in the page and leaves its results in window.__results for the driver (tests/package/run.mjs).
import * as sdk from '@aws-sdk/client-kms';
import * as pkg from 'kms-sandbox';
import { tests } from './suite.mjs';
import expected from './expected-snapshot.json';

const ctx = { pkg, sdk, expected, node: false };
const results = [];
for (const [name, fn] of tests(ctx)) {
  const start = performance.now();
  try {
    await fn();
    results.push({ name, ok: true, ms: performance.now() - start });
  } catch (e) {
    results.push({ name, ok: false, ms: performance.now() - start, error: String(e && e.stack || e) });
  }
}
document.getElementById('out').textContent = results.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.name}${r.error ? `\n${r.error}` : ''}`).join('\n');
window.__results = { results, snapshot: ctx.snapshot ?? null };
