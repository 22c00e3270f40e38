// Measures the console's release build: what the page downloads (gzip -9) and the time from
// navigation to an interactive key table in headless Chromium, served by tests/e2e/server.mjs.
//
//   node tests/e2e/measure.mjs [DIST_DIR]        (default <repo>/dist; build it first with
//                                                 `trunk build --release`)
//   RUNS=9 node tests/e2e/measure.mjs            runs per scenario (default 7)
//
// Size: the gzip -9 sizes of index.html and every .js, .wasm and .css file under dist/ (the
// wasm-bindgen snippets included), in two totals: the first load (what the page fetched by the
// time its key table was interactive, recorded in the warm-up visit) and what loads on first use
// (the second module with the CLI and Terraform).
// Load time, two scenarios, the HTTP cache off in every run:
//   first visit  - a fresh browser context (empty profile): the sandbox is created (HSM key,
//                  AWS managed keys);
//   return visit - one profile whose sandbox holds 12 customer managed keys, loaded again.
// "Interactive key table" = the customer managed keys table shows its rows (or its empty state)
// and its Create key button is enabled; the time is the page's performance.now() at that
// moment, i.e. since navigation start. Prints the median, min and max of each scenario.
import { readdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './helpers.mjs';
import { startServer } from './server.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const DIST = resolve(process.argv[2] || join(HERE, '../../dist'));
const RUNS = Number(process.env.RUNS || 7);

async function files(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await files(p)));
    else if (/\.(html|js|wasm|css)$/.test(e.name)) out.push(p);
  }
  return out;
}

async function sizes() {
  const rows = [];
  for (const f of await files(DIST)) {
    const body = await readFile(f);
    rows.push({ file: relative(DIST, f), raw: body.length, gzip: gzipSync(body, { level: 9 }).length });
  }
  rows.sort((a, b) => b.gzip - a.gzip);
  return rows;
}

// Records when the key table becomes interactive, from the first script that runs.
const PROBE = () => {
  const ready = () => {
    const table = document.querySelector('table[data-table=customer-managed]');
    if (!table || table.querySelector('.loading')) return false;
    if (!table.querySelector('tbody tr')) return false;
    const create = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Create key');
    return !!create && !create.disabled;
  };
  const check = () => {
    if (window.__tableReady === undefined && ready()) window.__tableReady = performance.now();
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
};

// One navigation in `context` with the HTTP cache off; returns the time to an interactive table.
async function loadOnce(context, url) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await page.addInitScript(PROBE);
  await page.goto(`${url}#/keys`);
  await page.waitForFunction(() => window.__tableReady !== undefined, null, { timeout: 30_000 });
  const ms = await page.evaluate(() => window.__tableReady);
  fetched = await page.evaluate(() => [location.pathname, ...performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)]);
  await page.close();
  return ms;
}
// The paths the last visit fetched.
let fetched = [];

async function firstVisit(browser, url) {
  const context = await browser.newContext();
  try {
    return await loadOnce(context, url);
  } finally {
    await context.close();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}, ${xs.length} runs)`;

const srv = await startServer({ dir: DIST });
const browser = await launchBrowser();
try {
  const url = `${srv.origin}/`;
  // Warm-up (the OS file cache, Chromium's own start-up), not counted.
  await firstVisit(browser, url);
  const rows = await sizes();
  const loaded = (r) => fetched.some((p) => p.endsWith(`/${r.file}`) || (r.file === 'index.html' && p.endsWith('/')));
  console.log(`dist: ${DIST}`);
  for (const [label, part] of [['first load', rows.filter(loaded)], ['on first use', rows.filter((r) => !loaded(r))]]) {
    console.log(`${label}:`);
    for (const r of part) console.log(`  ${r.file.padEnd(52)} ${String(r.raw).padStart(9)} B  gzip -9 ${String(r.gzip).padStart(8)} B`);
    const total = part.reduce((a, r) => ({ raw: a.raw + r.raw, gzip: a.gzip + r.gzip }), { raw: 0, gzip: 0 });
    console.log(`  ${'total'.padEnd(52)} ${String(total.raw).padStart(9)} B  gzip -9 ${String(total.gzip).padStart(8)} B (${(total.gzip / 1024).toFixed(1)} KiB)`);
  }
  const first = [];
  for (let i = 0; i < RUNS; i++) first.push(await firstVisit(browser, url));
  // One profile with 12 customer managed keys, visited again and again (cache off each time).
  const context = await browser.newContext();
  await loadOnce(context, url);
  const seed = await context.newPage();
  await seed.goto(`${url}#/keys`);
  await seed.waitForFunction(() => window.kms);
  await seed.evaluate(async () => {
    for (let i = 0; i < 12; i++) {
      const { KeyMetadata } = await window.kms.send('CreateKey', { Description: `measure ${i}` });
      await window.kms.send('CreateAlias', { AliasName: `alias/measure-${i}`, TargetKeyId: KeyMetadata.KeyId });
    }
  });
  await seed.close();
  const back = [];
  for (let i = 0; i < RUNS; i++) back.push(await loadOnce(context, url));
  await context.close();
  console.log(`navigation -> interactive key table, first visit (empty profile):  ${fmt(first)}`);
  console.log(`navigation -> interactive key table, return visit (12 keys):       ${fmt(back)}`);
} finally {
  await browser.close();
  await srv.close();
}
