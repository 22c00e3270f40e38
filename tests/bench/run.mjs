// Serves tests/bench/ (and the wasm-pack output at /pkg/) on 127.0.0.1, opens the page in
// headless Debian Chromium with playwright-core (never a downloaded browser), runs the benchmark
// and prints the results as tables. Run it through scripts/bench.sh, which builds the package.
//
// Environment: BENCH_PKG_DIR (required: the wasm-pack --target web output), BENCH_N, BENCH_ROUNDS, BENCH_BATCH,
// BENCH_SIGN_N, BENCH_SDK_N, BENCH_TRAIL_N, BENCH_TRAIL_ROUNDS,
// BENCH_TRAIL_SLICE, BENCH_BUDGET_S, BENCH_ONLY (sections to run:
// symmetric, sdk, trail, sign, createKey, comma-separated; `scale` is its own mode, run only when
// named: BENCH_ONLY=scale with BENCH_SCALE_KEYS, BENCH_SCALE_EVENTS, BENCH_SCALE_ROUNDS),
// BENCH_QUICK=1 (a short smoke run), BENCH_JSON (write results), BENCH_PROFILE (a Chromium
// profile directory to use and keep; with BENCH_SCALE_BUILD=0 the scale run measures the sandbox
// an earlier run built there), BENCH_CPUPROFILE (a file: the run, or the scale run's fresh tab, is
// profiled with Chromium's CPU profiler and the profile written there, for DevTools or
// tests/bench/profile-summary.mjs); BENCH_CPUPROFILE_BUILD (a file: the scale run's building tab,
// import included, is profiled there).
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const PKG_DIR = process.env.BENCH_PKG_DIR;
if (!PKG_DIR) throw new Error('BENCH_PKG_DIR is not set (run scripts/bench.sh)');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const config = {};
const num = (name) => (process.env[name] ? Number(process.env[name]) : undefined);
if (process.env.BENCH_QUICK === '1') {
  Object.assign(config, {
    n: 2000, batch: 1000, warmup: 100, signN: 200, sdkN: 300, budgetMs: 5000, trailN: 10000, trailRounds: 4,
    createKeyCounts: { SYMMETRIC_DEFAULT: 3, HMAC_256: 3, ECC_NIST_P256: 3, RSA_2048: 1, RSA_3072: 1, RSA_4096: 1 },
  });
}
for (const [key, env] of [['n', 'BENCH_N'], ['rounds', 'BENCH_ROUNDS'], ['batch', 'BENCH_BATCH'], ['signN', 'BENCH_SIGN_N'], ['sdkN', 'BENCH_SDK_N'],
  ['trailN', 'BENCH_TRAIL_N'], ['trailRounds', 'BENCH_TRAIL_ROUNDS'], ['trailSlice', 'BENCH_TRAIL_SLICE'],
  ['scaleKeys', 'BENCH_SCALE_KEYS'], ['scaleEvents', 'BENCH_SCALE_EVENTS'], ['scaleRounds', 'BENCH_SCALE_ROUNDS']]) {
  if (num(env) !== undefined) config[key] = num(env);
}
if (num('BENCH_BUDGET_S') !== undefined) config.budgetMs = num('BENCH_BUDGET_S') * 1000;
if (process.env.BENCH_ONLY) config.only = process.env.BENCH_ONLY;

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.json': 'application/json', '.ts': 'text/plain',
};

// The official @aws-sdk/client-kms for the page: the version the npm package resolves (its
// devDependency, the one tests/bench/node-sdk.mjs measures), bundled by the package's esbuild into
// one ES module, served at /sdk/client-kms.js.
const SDK_DIR = await mkdtemp(join(tmpdir(), 'kms-bench-sdk-'));
const runsSdk = !config.only || config.only.split(',').includes('sdk');
if (runsSdk) {
  const pkg = fileURLToPath(new URL('../../packages/kms-sandbox/', import.meta.url));
  execFileSync(join(pkg, 'node_modules/.bin/esbuild'), ['--bundle', '--format=esm', '--platform=browser', '--target=es2020',
    '--sourcefile=sdk-entry.js', `--outfile=${join(SDK_DIR, 'client-kms.js')}`, '--log-level=warning'], {
    cwd: pkg,
    input: "export { KMSClient, EncryptCommand, DecryptCommand } from '@aws-sdk/client-kms';\n"
      + "export { version } from '@aws-sdk/client-kms/package.json';\n",
    stdio: ['pipe', 'inherit', 'inherit'],
  });
}

// A tiny static server: / is tests/bench/, /pkg/ is the wasm-pack output, /sdk/ the SDK bundle.
// Nothing outside them.
function serve(req, res) {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const [base, rel] = path.startsWith('/pkg/') ? [PKG_DIR, path.slice(5)]
    : path.startsWith('/sdk/') ? [SDK_DIR, path.slice(5)] : [BENCH_DIR, path.slice(1) || 'index.html'];
  const file = resolve(base, rel);
  if (!file.startsWith(resolve(base) + sep)) { res.writeHead(403).end(); return; }
  readFile(file).then(
    (body) => res.writeHead(200, { 'content-type': MIME[extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' }).end(body),
    () => res.writeHead(404).end('not found'),
  );
}

const server = createServer(serve);
// A kept profile's IndexedDB belongs to its origin: the same port each run.
await new Promise((ok) => server.listen(process.env.BENCH_PROFILE ? 47123 : 0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${server.address().port}/`;

// A persistent profile on disk, so IndexedDB is the real on-disk store (an incognito context
// would keep it in memory).
// BENCH_PROFILE: a profile directory to use and keep (so a scale sandbox built once can be
// measured again with BENCH_SCALE_BUILD=0).
const keptProfile = process.env.BENCH_PROFILE;
const profile = keptProfile ?? (await mkdtemp(join(tmpdir(), 'kms-bench-profile-')));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--enable-precise-memory-info', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => console.error(m.text()));
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  await page.goto(url);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 30000 });
  const version = context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent));
  console.error(`[bench] ${url} in Chromium ${version}; config ${JSON.stringify(config)}`);
  const scale = (config.only ?? '').split(',').includes('scale');
  const rest = { ...config, only: (config.only ?? '').split(',').filter((s) => s !== 'scale').join(',') || null };
  const profiler = process.env.BENCH_CPUPROFILE && !scale ? await startProfile(page) : null;
  const results = scale && !rest.only
    ? { symmetric: [], ceiling: [], sdk: [], trail: [], sign: [], createKey: [] }
    : await page.evaluate((cfg) => window.runBench(cfg), rest);
  if (profiler) await profiler.stop();
  if (scale) {
    // Built in this tab, then measured in a fresh one, as a learner's reload would open it.
    const building = process.env.BENCH_SCALE_BUILD !== '0';
    const importProfiler = building && process.env.BENCH_CPUPROFILE_BUILD
      ? await startProfile(page, process.env.BENCH_CPUPROFILE_BUILD) : null;
    results.scaleBuild = building
      ? await page.evaluate((cfg) => window.buildScale(cfg), config)
      : { events: NaN, importSeconds: NaN };
    if (importProfiler) await importProfiler.stop();
    await page.close();
    const fresh = await context.newPage();
    fresh.on('console', (m) => console.error(m.text()));
    fresh.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
    await fresh.goto(url);
    await fresh.waitForFunction(() => window.benchReady === true, null, { timeout: 30000 });
    const profiler = process.env.BENCH_CPUPROFILE ? await startProfile(fresh) : null;
    results.scale = await fresh.evaluate((cfg) => window.measureScale(cfg), config);
    if (profiler) await profiler.stop();
  }
  results.chromium = version;
  if (process.env.BENCH_JSON) await writeFile(process.env.BENCH_JSON, JSON.stringify(results, null, 2));
  print(results);
} finally {
  await context?.close();
  server.close();
  if (!keptProfile) await rm(profile, { recursive: true, force: true });
  await rm(SDK_DIR, { recursive: true, force: true });
}

// Chromium's CPU profiler on `page` until stop(), which writes the profile to `file`.
async function startProfile(page, file = process.env.BENCH_CPUPROFILE) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  return {
    stop: async () => {
      const { profile } = await cdp.send('Profiler.stop');
      await writeFile(file, JSON.stringify(profile));
    },
  };
}

function print(r) {
  const n = (x, d = 0) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const table = (title, head, rows, left) => {
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
    const line = (cells) => cells.map((c, i) => (i < left ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
    if (rows.length === 0) return;
    console.log(`\n${title}`);
    console.log(line(head));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const row of rows) console.log(line(row));
  };
  console.log(`\nKMS Sandbox benchmark (release wasm, headless Chromium ${r.chromium})`);
  table('Symmetric key, 100-byte plaintext, through send() (ops/s of each round)',
    ['backend', 'operation', 'mode', 'calls', 'rounds', 'min', 'median', 'max'],
    r.symmetric.map((x) => [x.backend, x.operation, x.mode, n(x.calls), x.rounds, n(x.minOpsPerSec), n(x.medianOpsPerSec), n(x.maxOpsPerSec)]), 3);
  // The issue's ratio: sequential Encrypt and Decrypt through send() against the raw seal.
  const raw = (r.ceiling ?? []).find((c) => c.aadLen === 0);
  table('Ceiling: the same build\'s AES-256-GCM alone in the page (100-byte plaintext, rounds of seals)',
    ['additional data', 'calls', 'rounds', 'min seals/s', 'median', 'max'],
    (r.ceiling ?? []).map((c) => [`${c.aadLen} bytes`, n(c.calls), c.rounds, n(c.minOpsPerSec), n(c.medianOpsPerSec), n(c.maxOpsPerSec)]), 1);
  if (raw) {
    table('send() against the raw seal (sequential awaited calls, median round; target: at least a third)',
      ['backend', 'operation', 'ops/s', 'of raw'],
      r.symmetric.filter((x) => x.mode === 'sequential' && x.operation !== 'GenerateDataKey')
        .map((x) => [x.backend, x.operation, n(x.opsPerSec), `${n((100 * x.opsPerSec) / raw.medianOpsPerSec, 1)}%`]), 2);
  }
  const sdkRows = r.sdk ?? [];
  table(`Through the official @aws-sdk/client-kms${sdkRows[0] ? ` ${sdkRows[0].sdkVersion}` : ''} with the sandbox's requestHandler, `
    + 'beside the SDK\'s ceiling (the same client, a handler that answers at once); sequential awaited calls, ops/s of each round, '
    + 'rounds alternating (target: at least 90% of the ceiling)',
    ['backend', 'operation', 'calls', 'rounds', 'handler min', 'median', 'max', 'ceiling min', 'median', 'max', 'share min', 'median', 'max'],
    sdkRows.map((x) => [x.backend, x.operation, n(x.calls), x.rounds, n(x.handler.min), n(x.handler.median), n(x.handler.max),
      n(x.ceiling.min), n(x.ceiling.median), n(x.ceiling.max), ...[x.share.min, x.share.median, x.share.max].map((v) => `${n(100 * v)}%`)]), 2);
  table('CloudTrail event history: symmetric Encrypt through send(), recording on vs off (trailEnabled)',
    ['backend', 'mode', 'calls on', 'slice pairs', 'on ops/s', 'off ops/s', 'cost', 'median slice cost', 'cost without the writes\' wait'],
    r.trail.map((x) => [x.backend, x.mode, n(x.calls), x.rounds, n(x.onOpsPerSec), n(x.offOpsPerSec), `${n(x.costPercent, 1)}%`,
      `${n(x.medianCostPercent, 1)}%`, `${n(x.costWithoutWaitPercent, 1)}%`]), 2);
  table('Asymmetric private-key operations (Sign of a RAW 100-byte message; Decrypt of 100 bytes), sequential awaited calls (ops/s of each round)',
    ['backend', 'operation', 'key spec', 'algorithm', 'calls', 'rounds', 'min', 'median', 'max'],
    r.sign.map((x) => [x.backend, x.operation, x.keySpec, x.algorithm, n(x.calls), x.rounds, n(x.minOpsPerSec, 1), n(x.medianOpsPerSec, 1), n(x.maxOpsPerSec, 1)]), 4);
  table('CreateKey against an IndexedDB-backed sandbox (one at a time)',
    ['key spec', 'keys', 'median ms', 'min ms', 'max ms'],
    r.createKey.map((x) => [x.keySpec, x.count, n(x.medianMs, 1), n(x.minMs, 1), n(x.maxMs, 1)]), 1);
  // A run of awaited calls that each answer at once (in a microtask) is one task however many
  // calls it makes: the long tasks count what the bench's own loops hold; the longest single
  // call is what a call costs the page.
  table('Main thread per section: the longest single call of the sequential runs, and long tasks (over 50 ms, including the bench loop\'s own)',
    ['backend', 'section', 'longest call ms', 'long tasks', 'longest task ms'],
    (r.longTasks ?? []).map((x) => [x.backend, x.section, n(x.longestCallMs, 1), x.count, n(x.maxMs)]), 2);
  if (r.scale) {
    const s = r.scale;
    const ms = (x) => [n(x.count), n(x.min, 3), n(x.median, 3), n(x.max, 3)];
    const lt = (x) => `${x.count} (longest ${n(x.maxMs)} ms)`;
    console.log(`\nScale: ${n(s.keys)} keys and ${n(r.scaleBuild.events)} events; import took ${n(r.scaleBuild.importSeconds, 1)} s` +
      (r.scaleBuild.importLongTasks ? ` (long tasks: ${lt(r.scaleBuild.importLongTasks)})` : ''));
    console.log(`KmsSandbox.open in a fresh tab: ${n(s.openMs)} ms (a bare IndexedDB getAll of the records: ${n(s.rawReadMs)} ms); LookupEvents of 50: ${n(s.lookupEventsMs, 1)} ms`);
    console.log(`long tasks (over 50 ms) during open: ${lt(s.openLongTasks)}; during the calls after: ${lt(s.callLongTasks)}`);
    if (s.exportMs !== undefined) {
      console.log(`export of the whole sandbox: ${n(s.exportMs)} ms, ${n(s.exportBytes / 1e6, 1)} MB; long tasks: ${lt(s.exportLongTasks)}; ` +
        `wasm linear memory after it ${n(s.exportWasmBytes / 1e6, 1)} MB`);
    }
    console.log(`memory after: JS heap ${n(s.jsHeapBytes / 1e6, 1)} MB (before open ${n(s.jsHeapBeforeOpenBytes / 1e6, 1)} MB), wasm linear memory ${n(s.wasmMemoryBytes / 1e6, 1)} MB`);
    table('Scale: calls against the big sandbox (ms)', ['call', 'calls', 'min', 'median', 'max'], [
      ['ListKeys Limit 100 (every page)', ...ms(s.listKeys)], ['DescribeKey (random key)', ...ms(s.describeKey)],
      ['Encrypt, first use of a key', ...ms(s.encryptFirstUse)], ['Encrypt, same key again', ...ms(s.encryptLater)],
    ], 1);
  }
}
