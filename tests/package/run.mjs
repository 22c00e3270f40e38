// Installs the packed kms-sandbox (a tarball from `npm pack`) into fresh temporary projects and
// runs each one's tests; run it through scripts/test-package.sh, which builds and packs first.
//
//   esm    a Node ES module project: node --test (the shared suite.mjs through @aws-sdk/client-kms),
//          and tsc --noEmit of check.ts (module nodenext, strict) against the installed package
//   cjs    a Node CommonJS project: node --test with require('kms-sandbox'), and tsc of check.cts
//   vite   a page built by Vite with the package and the SDK, run in headless Chromium (Debian's
//          /usr/bin/chromium through playwright-core): the same suite, plus IndexedDB
//   plain  the package as a plain ES module (an import map, no bundler) in headless Chromium
//
// Each deterministic snapshot must equal tests/package/expected-snapshot.json (UPDATE_SNAPSHOT=1
// writes it from the Node ESM run instead). Installs use `npm install --prefer-offline`: the npm
// cache, else the npm registry; nothing else is fetched. Prints one libtest-style
// "test result:" line per project. KEEP_PROJECTS=1 keeps the temporary projects.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const TARBALL = resolve(process.argv[2] ?? '');
if (!process.argv[2] || !existsSync(TARBALL)) throw new Error('usage: node run.mjs PATH/kms-sandbox-X.tgz');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const EXPECTED = join(HERE, 'expected-snapshot.json');
const UPDATE = process.env.UPDATE_SNAPSHOT === '1';
// The versions the projects install (in the npm cache after scripts/setup.sh: the repo's other
// folders use the same).
const SDK = '@aws-sdk/client-kms@3.1164.0';
const TYPESCRIPT = 'typescript@5.9.3';
const TYPES_NODE = '@types/node@20';
const VITE = process.env.KMS_TEST_VITE || 'vite@8.4.0';

const root = mkdtempSync(join(tmpdir(), 'kms-sandbox-package-'));
const log = (s) => console.log(`[test-package] ${s}`);
const results = []; // { project, passed, failed, seconds, note }

function run(cmd, args, cwd, { quiet = false } = {}) {
  return new Promise((ok) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    let out = '';
    const take = (d) => { out += d; };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code) => {
      if (!quiet || code !== 0) {
        // Indented, so that the suite counter of scripts/test.sh reads only this script's totals.
        process.stdout.write(out.split('\n').filter(Boolean).map((l) => `    | ${l}\n`).join(''));
      }
      ok({ code, out });
    });
  });
}

function project(name) {
  const dir = join(root, name);
  cpSync(join(HERE, 'projects', name), dir, { recursive: true });
  cpSync(join(HERE, 'suite.mjs'), join(dir, 'suite.mjs'));
  cpSync(EXPECTED, join(dir, 'expected-snapshot.json'));
  return dir;
}

async function install(name, dir, packages) {
  const start = Date.now();
  const r = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error',
    TARBALL, ...packages], dir, { quiet: true });
  log(`${name}: npm install ${packages.join(' ')} (and the tarball): ${((Date.now() - start) / 1000).toFixed(1)} s`);
  if (r.code !== 0) throw new Error(`npm install failed in ${name}`);
}

/** node --test in a project; counts from its TAP summary. */
async function nodeTests(name, dir, file) {
  const start = Date.now();
  const r = await run(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=tap', file], dir);
  const count = (k) => Number((r.out.match(new RegExp(`^# ${k} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  let [passed, failed] = [count('pass'), count('fail')];
  if (r.code !== 0 && failed === 0) failed = 1;
  results.push({ project: name, passed, failed, seconds: (Date.now() - start) / 1000 });
}

async function tsc(name, dir, tscBin) {
  const start = Date.now();
  const r = await run(process.execPath, [tscBin, '-p', join(dir, 'tsconfig.json')], dir);
  results.push({ project: `${name} types`, passed: r.code === 0 ? 1 : 0, failed: r.code === 0 ? 0 : 1, seconds: (Date.now() - start) / 1000 });
}

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
function serve(dir) {
  const server = createServer((req, res) => {
    const file = resolve(dir, '.' + decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/\/$/, '/index.html'));
    if (!file.startsWith(resolve(dir) + sep)) { res.writeHead(403).end(); return; }
    readFile(file).then((body) => res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end());
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

async function page(browser, name, dir) {
  const start = Date.now();
  const server = await serve(dir);
  const context = await browser.newContext();
  const tab = await context.newPage();
  const errors = [];
  tab.on('pageerror', (e) => errors.push(e.message));
  tab.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  let passed = 0, failed = 0, snapshot = null;
  try {
    await tab.goto(`http://127.0.0.1:${server.address().port}/`);
    await tab.waitForFunction(() => window.__results, null, { timeout: 180_000 });
    const out = await tab.evaluate(() => window.__results);
    for (const r of out.results) {
      console.log(`    | ${r.ok ? 'ok  ' : 'FAIL'} ${r.name}${r.ms !== undefined ? ` (${r.ms.toFixed(0)} ms)` : ''}`);
      if (!r.ok) console.log(r.error.split('\n').map((l) => `    |   ${l}`).join('\n'));
      if (r.ok) passed++; else failed++;
    }
    snapshot = out.snapshot;
  } catch (e) {
    failed++;
    console.log(`    | FAIL ${name}: ${e.message}\n${errors.map((l) => `    |   ${l}`).join('\n')}`);
  } finally {
    await context.close();
    server.close();
  }
  results.push({ project: name, passed, failed, seconds: (Date.now() - start) / 1000 });
  return snapshot;
}

let browser;
try {
  log(`projects in ${root}; package ${TARBALL}`);
  const esm = project('esm'), cjs = project('cjs'), vite = project('vite'), plain = project('plain');
  // The installs run side by side: mostly waiting on the npm cache.
  await Promise.all([
    install('esm', esm, [SDK, TYPESCRIPT, TYPES_NODE]),
    install('cjs', cjs, [SDK, TYPES_NODE]),
    install('vite', vite, [SDK, VITE]),
    install('plain', plain, []),
  ]);

  log('esm: node --test test.mjs');
  await nodeTests('esm', esm, 'test.mjs');
  log('cjs: node --test test.cjs');
  await nodeTests('cjs', cjs, 'test.cjs');
  const tscBin = join(esm, 'node_modules', 'typescript', 'bin', 'tsc');
  log('esm, cjs: tsc --noEmit (nodenext, strict) against the installed declarations');
  await tsc('esm', esm, tscBin);
  await tsc('cjs', cjs, tscBin);

  log(`vite: vite build (${VITE})`);
  const built = await run(process.execPath, [join(vite, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], vite);
  if (built.code !== 0) results.push({ project: 'vite build', passed: 0, failed: 1, seconds: 0 });

  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  log(`vite: the built page in headless Chromium ${browser.version()}`);
  let viteSnapshot = null;
  if (built.code === 0) viteSnapshot = await page(browser, 'vite', join(vite, 'dist'));
  log('plain: the package as a plain ES module (import map) in headless Chromium');
  await page(browser, 'plain', plain);

  // The snapshots, side by side (each suite already compared its own with the committed one).
  const snaps = { esm: join(esm, 'actual-snapshot.json'), cjs: join(cjs, 'actual-snapshot.json') };
  const found = Object.fromEntries(Object.entries(snaps).filter(([, f]) => existsSync(f))
    .map(([k, f]) => [k, readFileSync(f, 'utf8')]));
  if (viteSnapshot) found.vite = JSON.stringify(viteSnapshot, null, 2) + '\n';
  const distinct = new Set(Object.values(found));
  log(`deterministic snapshots: ${Object.keys(found).join(', ')} ${distinct.size === 1 ? 'are identical' : 'DIFFER'}`);
  if (UPDATE && found.esm) {
    writeFileSync(EXPECTED, found.esm);
    log(`wrote ${EXPECTED} (UPDATE_SNAPSHOT=1)`);
  }
} finally {
  await browser?.close();
  if (process.env.KEEP_PROJECTS === '1') log(`kept ${root}`);
  else rmSync(root, { recursive: true, force: true });
}

let failedAny = false;
for (const r of results) {
  const ok = r.failed === 0;
  failedAny ||= !ok;
  console.log(`test result: ${ok ? 'ok' : 'FAILED'}. ${r.passed} passed; ${r.failed} failed; 0 ignored; 0 measured; 0 filtered out; finished in ${r.seconds.toFixed(1)} s (${r.project})`);
}
process.exit(failedAny ? 1 : 0);
