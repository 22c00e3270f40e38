// The benchmark itself, run in the page: times KMS operations through the JS API's `send`.
// It measures and returns numbers; it asserts nothing about speed. Every timed call is awaited
// and must succeed: an error aborts the run instead of timing the error path.
import init, { KmsSandbox, benchAesGcm } from './pkg/kms_web.js';
import { longTasks } from './longtasks.mjs';

const SANDBOX = { region: 'us-east-1', accountId: '111122223333' };

export async function runBench(config, log) {
  const cfg = {
    n: 20000, // calls per symmetric measurement, split into `rounds` timed rounds
    rounds: 5, // rounds per symmetric and asymmetric measurement: min, median and max are printed
    batch: 1000, // promises in flight in the batched variant
    warmup: 500,
    signN: 2000, // calls per Sign measurement
    sdkN: 2000, // calls per round through the official SDK client, and per round of its ceiling
    trailN: 20000, // calls per measurement of Encrypt with the CloudTrail event history on / off
    trailRounds: 3, // trailN * trailRounds calls on each side, in slices of trailSlice
    trailSlice: 10000, // calls per slice: on and off alternate slice by slice
    only: null, // e.g. "trail" or "symmetric,sign": run only these sections
    budgetMs: 20000, // a measurement stops early after this long, and reports what it did
    createKeyCounts: {
      SYMMETRIC_DEFAULT: 20, HMAC_256: 20, ECC_NIST_P256: 20, RSA_2048: 10, RSA_3072: 5, RSA_4096: 5,
    },
    ...config,
  };
  await init();
  const runs = (section) => !cfg.only || cfg.only.split(',').includes(section);
  const plaintext = bytes(100);
  const message = bytes(100);
  const results = { config: cfg, symmetric: [], ceiling: [], sdk: [], trail: [], sign: [], createKey: [], longTasks: [] };
  // Long tasks per section: a sequential or batched run of calls should never hold the main
  // thread for 50 ms (RSA key generation runs in WebCrypto, off it).
  const long = longTasks();
  const section = async (backend, name) => {
    const t = await long.take();
    results.longTasks.push({ backend, section: name, ...t, longestCallMs: longestCall });
    longestCall = 0;
  };

  const backends = [
    ['memory', () => KmsSandbox.memory({ ...SANDBOX })],
    ['indexeddb', () => KmsSandbox.open(`bench-${Date.now()}`, { ...SANDBOX })],
  ];
  // Chromium compiles wasm with a baseline compiler first and optimises hot functions later:
  // without two seconds of calls first, the first section measured the baseline code (memory
  // Encrypt at half the rate of the same calls a section later).
  if (runs('symmetric')) {
    const kms = await KmsSandbox.memory({ ...SANDBOX });
    const keyId = (await kms.send('CreateKey', {})).KeyMetadata.KeyId;
    const { CiphertextBlob } = await kms.send('Encrypt', { KeyId: keyId, Plaintext: plaintext });
    for (const t0 = performance.now(); performance.now() - t0 < 2000;) {
      await kms.send('Encrypt', { KeyId: keyId, Plaintext: plaintext });
      await kms.send('Decrypt', { CiphertextBlob });
    }
    benchAesGcm(20000, 100, 0);
  }
  for (const [backend, make] of backends) {
    const kms = await make();
    const keyId = (await kms.send('CreateKey', {})).KeyMetadata.KeyId;
    const { CiphertextBlob } = await kms.send('Encrypt', { KeyId: keyId, Plaintext: plaintext });
    const back = await kms.send('Decrypt', { CiphertextBlob });
    if (!equal(back.Plaintext, plaintext)) throw new Error(`${backend}: Decrypt did not return the plaintext`);

    const ops = {
      Encrypt: () => kms.send('Encrypt', { KeyId: keyId, Plaintext: plaintext }),
      Decrypt: () => kms.send('Decrypt', { CiphertextBlob }),
      GenerateDataKey: () => kms.send('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' }),
    };
    for (const [operation, call] of Object.entries(runs('symmetric') ? ops : {})) {
      for (const mode of ['sequential', 'batched']) {
        const r = await inRounds(cfg.rounds, cfg.n, cfg.budgetMs, (n, budgetMs) => (mode === 'sequential'
          ? sequential(call, n, cfg.warmup, budgetMs)
          : batched(call, n, cfg.batch, budgetMs)));
        // A round smaller than a batch (BENCH_QUICK) has that round's calls in flight.
        const inFlight = Math.min(cfg.batch, Math.ceil(cfg.n / cfg.rounds));
        const row = { backend, operation, mode: mode === 'batched' ? `batched x${inFlight}` : mode, ...r };
        results.symmetric.push(row);
        log(`[bench] ${backend} ${operation} ${row.mode}: ${fmtRate(r)}`);
      }
    }

    await section(backend, 'symmetric');
    if (runs('symmetric') && backend === 'memory') results.ceiling.push(...ceiling(cfg, log));
    if (runs('sdk')) results.sdk.push(...(await viaSdk(kms, keyId, CiphertextBlob, plaintext, backend, cfg, log)));
    await section(backend, 'sdk');
    if (runs('trail')) results.trail.push(...(await trailCost(kms, keyId, plaintext, backend, cfg, log)));
    await section(backend, 'trail');

    const signs = runs('sign') ? [['ECC_NIST_P256', 'ECDSA_SHA_256'], ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256']] : [];
    for (const [keySpec, algorithm] of signs) {
      const signKey = (await kms.send('CreateKey', { KeySpec: keySpec, KeyUsage: 'SIGN_VERIFY' })).KeyMetadata.KeyId;
      const input = { KeyId: signKey, Message: message, MessageType: 'RAW', SigningAlgorithm: algorithm };
      const r = await inRounds(cfg.rounds, cfg.signN, cfg.budgetMs,
        (n, budgetMs) => sequential(() => kms.send('Sign', input), n, Math.min(cfg.warmup, 50), budgetMs));
      results.sign.push({ backend, operation: 'Sign', keySpec, algorithm, ...r });
      log(`[bench] ${backend} Sign ${keySpec} ${algorithm}: ${fmtRate(r)}`);
    }
    if (runs('sign')) {
      const algorithm = 'RSAES_OAEP_SHA_256';
      const rsa = (await kms.send('CreateKey', { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata.KeyId;
      const sealed = await kms.send('Encrypt', { KeyId: rsa, Plaintext: plaintext, EncryptionAlgorithm: algorithm });
      const input = { KeyId: rsa, CiphertextBlob: sealed.CiphertextBlob, EncryptionAlgorithm: algorithm };
      const r = await inRounds(cfg.rounds, cfg.signN, cfg.budgetMs,
        (n, budgetMs) => sequential(() => kms.send('Decrypt', input), n, Math.min(cfg.warmup, 50), budgetMs));
      results.sign.push({ backend, operation: 'Decrypt', keySpec: 'RSA_2048', algorithm, ...r });
      log(`[bench] ${backend} Decrypt RSA_2048 ${algorithm}: ${fmtRate(r)}`);
    }
    await section(backend, 'sign');
  }

  // CreateKey, one key at a time, against an IndexedDB-backed sandbox.
  const kms = await KmsSandbox.open(`bench-createkey-${Date.now()}`, { ...SANDBOX });
  for (const [keySpec, count] of Object.entries(runs('createKey') ? cfg.createKeyCounts : {})) {
    const input = { KeySpec: keySpec };
    if (keySpec.startsWith('HMAC_')) input.KeyUsage = 'GENERATE_VERIFY_MAC';
    else if (keySpec !== 'SYMMETRIC_DEFAULT') input.KeyUsage = 'SIGN_VERIFY';
    const times = [];
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      await kms.send('CreateKey', input);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const row = { keySpec, count, medianMs: median(times), minMs: times[0], maxMs: times[times.length - 1] };
    results.createKey.push(row);
    log(`[bench] CreateKey ${keySpec}: median ${row.medianMs.toFixed(1)} ms of ${count}`);
  }
  await section('indexeddb', 'createKey');
  long.stop();
  return results;
}

// What recording costs: Encrypt with the event history on and off, in alternating slices of
// `trailSlice` calls (each pair in a new order), so that a change of the machine's load during the
// run falls on both sides alike. Each "on" slice ends by awaiting the write of its events
// (`flushEvents`), inside its timing: every event recorded is in IndexedDB when the clock stops.
// That wait is mostly IndexedDB's commit latency, paid once per slice, which a long-running
// caller does not wait for (events reach storage a moment after their calls); the cost without it
// is printed beside.
async function trailCost(kms, keyId, plaintext, backend, cfg, log) {
  const call = () => kms.send('Encrypt', { KeyId: keyId, Plaintext: plaintext });
  const rows = [];
  for (const mode of ['sequential', 'batched']) {
    const time = { on: 0, off: 0 };
    const calls = { on: 0, off: 0 };
    const slices = { on: [], off: [] };
    const tails = [];
    const perSlice = Math.min(cfg.trailSlice, cfg.trailN);
    // Untimed warm-up of both paths (the JIT, the queue, the first IndexedDB write).
    for (const on of [true, false]) {
      kms.trailEnabled = on;
      await sequential(call, Math.min(2000, perSlice), 0, cfg.budgetMs, () => kms.flushEvents());
    }
    const pairs = Math.max(1, Math.round((cfg.trailN * cfg.trailRounds) / perSlice));
    for (let pair = 0; pair < pairs; pair++) {
      for (const on of pair % 2 === 0 ? [true, false] : [false, true]) {
        kms.trailEnabled = on;
        await kms.flushEvents();
        const after = on ? () => kms.flushEvents() : undefined;
        const r = mode === 'sequential'
          ? await sequential(call, perSlice, 0, cfg.budgetMs, after)
          : await batched(call, perSlice, Math.min(cfg.batch, perSlice), cfg.budgetMs, after, false);
        const side = on ? 'on' : 'off';
        time[side] += r.seconds;
        calls[side] += r.calls;
        slices[side].push(r.opsPerSec);
        if (on) tails.push(r.afterMs);
      }
    }
    const waited = tails.reduce((a, b) => a + b, 0) / 1000;
    kms.trailEnabled = true;
    const on = calls.on / time.on, off = calls.off / time.off;
    const row = {
      backend, mode: mode === 'batched' ? `batched x${Math.min(cfg.batch, perSlice)}` : mode, calls: calls.on,
      rounds: pairs, onOpsPerSec: on, offOpsPerSec: off, costPercent: (100 * (off - on)) / off,
      medianCostPercent: 100 * (1 - median(sorted(slices.on)) / median(sorted(slices.off))),
      costWithoutWaitPercent: 100 * (1 - calls.on / (time.on - waited) / off),
      flushTailMs: tails.reduce((a, b) => a + b, 0) / tails.length,
    };
    rows.push(row);
    log(`[bench] ${backend} Encrypt ${row.mode} trail on ${Math.round(on)} ops/s, off ${Math.round(off)} ops/s: ` +
      `${row.costPercent.toFixed(1)}% over ${pairs} slice pairs (median of slices ${row.medianCostPercent.toFixed(1)}%; ` +
      `${row.costWithoutWaitPercent.toFixed(1)}% without the writes' wait; ` +
      `awaiting each slice's write took ${row.flushTailMs.toFixed(1)} ms)`);
  }
  // The events are there: the newest is an Encrypt.
  const { Events } = await kms.service('cloudtrail').send('LookupEvents', { MaxResults: 2 });
  if (!Events.some((e) => e.EventName === 'Encrypt')) throw new Error(`${backend}: no Encrypt event recorded`);
  return rows;
}

// The same calls through the official @aws-sdk/client-kms (bundled for this page by run.mjs) with
// the sandbox's requestHandler, beside the SDK's own ceiling: the same client configuration with a
// handler that answers the sandbox's own answer at once. Handler and ceiling rounds alternate, so
// a change in the machine's speed falls on both; each round's share is of its neighbour.
async function viaSdk(kms, keyId, blob, plaintext, backend, cfg, log) {
  const sdk = await import('./sdk/client-kms.js');
  const config = { region: SANDBOX.region, maxAttempts: 1, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'bench' } };
  const client = new sdk.KMSClient({ ...config, requestHandler: kms.requestHandler });
  const cannedClient = (answer) => {
    const body = new TextEncoder().encode(JSON.stringify(answer));
    const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': crypto.randomUUID() };
    return new sdk.KMSClient({
      ...config,
      requestHandler: {
        handle: async () => ({ response: { statusCode: 200, headers, body } }),
        updateHttpClientConfig() {},
        httpHandlerConfigs: () => ({}),
      },
    });
  };
  const b64 = (b) => btoa(String.fromCharCode(...b));
  const encrypt = new sdk.EncryptCommand({ KeyId: keyId, Plaintext: plaintext });
  const decrypt = new sdk.DecryptCommand({ CiphertextBlob: blob });
  const sealed = await client.send(encrypt);
  const opened = await client.send(decrypt);
  if (!equal(opened.Plaintext, plaintext)) throw new Error(`${backend}: Decrypt through the SDK did not return the plaintext`);
  const ops = [
    ['Encrypt', encrypt, { CiphertextBlob: b64(sealed.CiphertextBlob), KeyId: sealed.KeyId, EncryptionAlgorithm: sealed.EncryptionAlgorithm }],
    ['Decrypt', decrypt, { KeyId: opened.KeyId, Plaintext: b64(opened.Plaintext), EncryptionAlgorithm: opened.EncryptionAlgorithm }],
  ];
  const rows = [];
  for (const [operation, command, answer] of ops) {
    const ceilingClient = cannedClient(answer);
    const round = async (c, n) => sequential(() => c.send(command), n, Math.min(cfg.warmup, 200), cfg.budgetMs / cfg.rounds);
    const handler = [], ceiling = [], shares = [];
    for (let r = 0; r < cfg.rounds; r++) {
      const h = await round(client, cfg.sdkN), c = await round(ceilingClient, cfg.sdkN);
      handler.push(h.opsPerSec);
      ceiling.push(c.opsPerSec);
      shares.push(h.opsPerSec / c.opsPerSec);
    }
    const spread = (xs) => { const s = sorted(xs); return { min: s[0], median: median(s), max: s[s.length - 1] }; };
    const row = { backend, operation, calls: cfg.sdkN, rounds: cfg.rounds, sdkVersion: sdk.version,
      handler: spread(handler), ceiling: spread(ceiling), share: spread(shares) };
    rows.push(row);
    log(`[bench] ${backend} ${operation} through @aws-sdk/client-kms ${sdk.version}: median ${Math.round(row.handler.median)} ops/s, ` +
      `its ceiling ${Math.round(row.ceiling.median)} ops/s, share ${(100 * row.share.median).toFixed(0)}% ` +
      `(${(100 * row.share.min).toFixed(0)} to ${(100 * row.share.max).toFixed(0)}%)`);
  }
  return rows;
}

// What the same build's AES-256-GCM does alone, in this page: seals of 100 bytes with no
// additional data (the ceiling), and with the 145 bytes a sandbox ciphertext binds (key
// ARN, backing key id, no encryption context), in rounds of 20,000 after a warm-up round.
function ceiling(cfg, log) {
  const rows = [];
  for (const aadLen of [0, 145]) {
    benchAesGcm(2000, 100, aadLen);
    const rates = [];
    for (let round = 0; round < 5; round++) {
      const t0 = performance.now();
      benchAesGcm(cfg.n, 100, aadLen);
      rates.push(rate(cfg.n, performance.now() - t0).opsPerSec);
    }
    const s = sorted(rates);
    const row = { aadLen, calls: cfg.n, rounds: s.length, minOpsPerSec: s[0], medianOpsPerSec: median(s), maxOpsPerSec: s[s.length - 1] };
    rows.push(row);
    log(`[bench] raw AES-256-GCM seal, 100 bytes, ${aadLen} bytes AAD: median ${Math.round(row.medianOpsPerSec)} seals/s`);
  }
  return rows;
}

// The longest single call of the sequential runs since the section began (ms).
let longestCall = 0;

// `n` awaited calls one after the other, after `warmup` untimed ones; `after()` is awaited before
// the clock stops.
async function sequential(call, n, warmup, budgetMs, after) {
  for (let i = 0; i < warmup; i++) await call();
  if (after) await after();
  const t0 = performance.now();
  let calls = 0;
  while (calls < n) {
    const start = performance.now();
    await call();
    longestCall = Math.max(longestCall, performance.now() - start);
    calls++;
    if (calls % 256 === 0 && performance.now() - t0 > budgetMs) break;
  }
  const t1 = performance.now();
  if (after) await after();
  return { ...rate(calls, performance.now() - t0), afterMs: performance.now() - t1 };
}

// `n` calls as `rounds` timed rounds of `measure(calls, budgetMs)` (each warms up first), sharing
// the budget: the rounds' rates as min, median and max, so that runs on a noisy machine compare;
// `opsPerSec` is the median round's.
async function inRounds(rounds, n, budgetMs, measure) {
  const per = Math.max(1, Math.ceil(n / rounds));
  const done = [];
  for (let i = 0; i < rounds; i++) done.push(await measure(per, budgetMs / rounds));
  const rates = sorted(done.map((r) => r.opsPerSec));
  const mid = median(rates);
  const calls = done.reduce((a, r) => a + r.calls, 0);
  const seconds = done.reduce((a, r) => a + r.seconds, 0);
  return {
    calls, seconds, rounds, opsPerSec: mid,
    minOpsPerSec: rates[0], medianOpsPerSec: mid, maxOpsPerSec: rates[rates.length - 1],
  };
}

// `n` calls in rounds of `batch` started together and awaited with Promise.all; `after()` is
// awaited before the clock stops.
async function batched(call, n, batch, budgetMs, after, warmup = true) {
  if (warmup) await Promise.all(Array.from({ length: Math.min(batch, n) }, call));
  if (after) await after();
  const t0 = performance.now();
  let calls = 0;
  while (calls < n) {
    const k = Math.min(batch, n - calls);
    await Promise.all(Array.from({ length: k }, call));
    calls += k;
    if (performance.now() - t0 > budgetMs) break;
  }
  const t1 = performance.now();
  if (after) await after();
  return { ...rate(calls, performance.now() - t0), afterMs: performance.now() - t1 };
}

const rate = (calls, ms) => ({ calls, seconds: ms / 1000, opsPerSec: (calls * 1000) / ms });
// An `inRounds` result as one log line.
const fmtRate = (r) => `${Math.round(r.opsPerSec)} ops/s (median of ${r.rounds} rounds, ${Math.round(r.minOpsPerSec)} to ` +
  `${Math.round(r.maxOpsPerSec)}; ${r.calls} calls in ${r.seconds.toFixed(2)} s)`;
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (sorted) => {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
};
const bytes = (n) => crypto.getRandomValues(new Uint8Array(n));
const equal = (a, b) => a instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
