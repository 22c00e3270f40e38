// The benchmark itself, run in the page: times KMS operations through the JS API's `send`.
// It measures and returns numbers; it asserts nothing about speed. Every timed call is awaited
// and must succeed: an error aborts the run instead of timing the error path.
import init, { KmsSandbox } from './pkg/kms_web.js';

const SANDBOX = { region: 'us-east-1', accountId: '111122223333' };

export async function runBench(config, log) {
  const cfg = {
    n: 20000, // calls per symmetric measurement
    batch: 1000, // promises in flight in the batched variant
    warmup: 500,
    signN: 2000, // calls per Sign measurement
    trailN: 20000, // calls per measurement of Encrypt with the CloudTrail event history on / off
    trailRounds: 3, // on/off pairs (alternating which goes first); the table shows their means
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
  const results = { config: cfg, symmetric: [], trail: [], sign: [], createKey: [] };

  const backends = [
    ['memory', () => KmsSandbox.memory({ ...SANDBOX })],
    ['indexeddb', () => KmsSandbox.open(`bench-${Date.now()}`, { ...SANDBOX })],
  ];
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
        const r = mode === 'sequential'
          ? await sequential(call, cfg.n, cfg.warmup, cfg.budgetMs)
          : await batched(call, cfg.n, cfg.batch, cfg.budgetMs);
        const row = { backend, operation, mode: mode === 'batched' ? `batched x${cfg.batch}` : mode, ...r };
        results.symmetric.push(row);
        log(`[bench] ${backend} ${operation} ${row.mode}: ${fmtRate(r)}`);
      }
    }

    if (runs('trail')) results.trail.push(...(await trailCost(kms, keyId, plaintext, backend, cfg, log)));

    const signs = runs('sign') ? [['ECC_NIST_P256', 'ECDSA_SHA_256'], ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256']] : [];
    for (const [keySpec, algorithm] of signs) {
      const signKey = (await kms.send('CreateKey', { KeySpec: keySpec, KeyUsage: 'SIGN_VERIFY' })).KeyMetadata.KeyId;
      const input = { KeyId: signKey, Message: message, MessageType: 'RAW', SigningAlgorithm: algorithm };
      const r = await sequential(() => kms.send('Sign', input), cfg.signN, Math.min(cfg.warmup, 50), cfg.budgetMs);
      results.sign.push({ backend, keySpec, algorithm, ...r });
      log(`[bench] ${backend} Sign ${keySpec} ${algorithm}: ${fmtRate(r)}`);
    }
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
  return results;
}

// What recording every call in the CloudTrail event history costs symmetric Encrypt: the same
// calls on the same sandbox with `trailEnabled` on and off, in `trailRounds` alternating pairs.
// With the history on, the timing includes writing every recorded event to IndexedDB
// (`flushEvents()` before the clock stops), so it is the cost of durable events.
async function trailCost(kms, keyId, plaintext, backend, cfg, log) {
  const call = () => kms.send('Encrypt', { KeyId: keyId, Plaintext: plaintext });
  const flush = () => kms.flushEvents();
  const rows = [];
  for (const mode of ['sequential', 'batched']) {
    const runs = { on: [], off: [] };
    const tails = [];
    for (let round = 0; round < cfg.trailRounds; round++) {
      const order = round % 2 === 0 ? [true, false] : [false, true];
      for (const on of order) {
        kms.trailEnabled = on;
        await flush();
        const after = on ? flush : undefined;
        const r = mode === 'sequential'
          ? await sequential(call, cfg.trailN, cfg.warmup, cfg.budgetMs, after)
          : await batched(call, cfg.trailN, cfg.batch, cfg.budgetMs, after);
        runs[on ? 'on' : 'off'].push(r.opsPerSec);
        if (on) tails.push(r.afterMs);
      }
    }
    kms.trailEnabled = true;
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const on = mean(runs.on), off = mean(runs.off);
    const row = {
      backend, mode: mode === 'batched' ? `batched x${cfg.batch}` : mode, calls: cfg.trailN,
      rounds: cfg.trailRounds, onOpsPerSec: on, offOpsPerSec: off, costPercent: (100 * (off - on)) / off,
      onRuns: runs.on, offRuns: runs.off, flushTailMs: mean(tails),
    };
    rows.push(row);
    log(`[bench] ${backend} Encrypt ${row.mode} trail on ${Math.round(on)} ops/s, off ${Math.round(off)} ops/s: ` +
      `${row.costPercent.toFixed(1)}% (runs on ${runs.on.map(Math.round)}, off ${runs.off.map(Math.round)}; ` +
      `the last write took ${row.flushTailMs.toFixed(1)} ms of each run)`);
  }
  // The events are there: the newest is an Encrypt.
  const { Events } = await kms.service('cloudtrail').send('LookupEvents', { MaxResults: 2 });
  if (!Events.some((e) => e.EventName === 'Encrypt')) throw new Error(`${backend}: no Encrypt event recorded`);
  return rows;
}

// `n` awaited calls one after the other, after `warmup` untimed ones; `after()` is awaited before
// the clock stops.
async function sequential(call, n, warmup, budgetMs, after) {
  for (let i = 0; i < warmup; i++) await call();
  if (after) await after();
  const t0 = performance.now();
  let calls = 0;
  while (calls < n) {
    await call();
    calls++;
    if (calls % 256 === 0 && performance.now() - t0 > budgetMs) break;
  }
  const t1 = performance.now();
  if (after) await after();
  return { ...rate(calls, performance.now() - t0), afterMs: performance.now() - t1 };
}

// `n` calls in rounds of `batch` started together and awaited with Promise.all; `after()` is
// awaited before the clock stops.
async function batched(call, n, batch, budgetMs, after) {
  await Promise.all(Array.from({ length: Math.min(batch, n) }, call)); // warm-up round
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
const fmtRate = (r) => `${Math.round(r.opsPerSec)} ops/s (${r.calls} calls in ${r.seconds.toFixed(2)} s)`;
const median = (sorted) => {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
};
const bytes = (n) => crypto.getRandomValues(new Uint8Array(n));
const equal = (a, b) => a instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
