// The scale run (BENCH_ONLY=scale): a stored sandbox with BENCH_SCALE_KEYS keys (100,000 by
// default, AWS's default per-Region key quota) and BENCH_SCALE_EVENTS events in its history, then
// what a fresh tab pays for it: `KmsSandbox.open`, ListKeys of 100, DescribeKey, the first and
// later Encrypt under a key, LookupEvents, an export of the whole sandbox, and the tab's memory.
//
// Building 100,000 keys one CreateKey at a time would take minutes of IndexedDB commits, so the
// sandbox is made the way an instructor would hand it out: one key is created and exported, the
// file's body is decrypted here with the same passphrase, its key record is copied under new key
// ids (each with new random material), and the file is sealed again and imported with the public
// `KmsSandbox.import`. The import goes through every check and wraps every key under a new HSM key,
// exactly as a real restore does. The events are then made by real Encrypt calls.
import init, { KmsSandbox } from './pkg/kms_web.js';
import { longTasks } from './longtasks.mjs';

const SANDBOX = { region: 'us-east-1', accountId: '111122223333' };
const NAME = 'bench-scale';
const PASSPHRASE = 'bench-scale-passphrase';

// Phase 1, in one tab: makes the sandbox `NAME` (replacing any left from an earlier run).
export async function buildScale(cfg, log) {
  await init();
  const keys = cfg.scaleKeys ?? 100000;
  const events = cfg.scaleEvents ?? 100000;
  const src = await KmsSandbox.memory({ ...SANDBOX });
  const template = (await src.send('CreateKey', { Description: 'scale' })).KeyMetadata.KeyId;
  const file = await src.export({ passphrase: PASSPHRASE });

  let t0 = performance.now();
  const { header, body, key } = await openFile(file, PASSPHRASE);
  const [copy] = body.keys.filter((k) => k.record.keyId === template || JSON.stringify(k).includes(template));
  const text = JSON.stringify(copy);
  body.keys = [];
  let first;
  const b64 = (b) => btoa(String.fromCharCode(...b));
  for (let i = 0; i < keys; i++) {
    const id = crypto.randomUUID();
    first ??= id;
    const k = JSON.parse(text.replaceAll(template, id));
    for (const backing of Object.keys(k.material)) k.material[backing] = b64(crypto.getRandomValues(new Uint8Array(32)));
    body.keys.push(k);
  }
  body.events = [];
  const sealed = await sealFile(header, body, key);
  log(`[bench] scale: a backup of ${keys.toLocaleString('en-US')} keys made in ${((performance.now() - t0) / 1000).toFixed(1)} s ` +
    `(${(sealed.length / 1e6).toFixed(1)} MB)`);

  const long = longTasks();
  await long.take();
  t0 = performance.now();
  const kms = await KmsSandbox.import(NAME, sealed, { passphrase: PASSPHRASE, replace: true, region: SANDBOX.region });
  const importS = (performance.now() - t0) / 1000;
  const importLongTasks = await long.take();
  long.stop();
  log(`[bench] scale: KmsSandbox.import of ${keys.toLocaleString('en-US')} keys took ${importS.toFixed(1)} s; ` +
    `long tasks ${JSON.stringify(importLongTasks)}`);

  const plaintext = crypto.getRandomValues(new Uint8Array(100));
  t0 = performance.now();
  for (let i = 0; i < events; i++) await kms.send('Encrypt', { KeyId: first, Plaintext: plaintext });
  await kms.flushEvents();
  const eventsS = (performance.now() - t0) / 1000;
  log(`[bench] scale: ${events.toLocaleString('en-US')} Encrypt calls recorded in ${eventsS.toFixed(1)} s`);
  return { keys, events, importSeconds: importS, importLongTasks, eventsSeconds: eventsS };
}

// Phase 2, in a fresh tab of the same profile: what opening and using the big sandbox costs.
export async function measureScale(cfg, log) {
  const wasm = await init();
  const rounds = cfg.scaleRounds ?? 200;
  const heap0 = performance.memory?.usedJSHeapSize ?? 0;
  const rawReadMs = await rawRead();
  log(`[bench] scale: reading every stored record straight from IndexedDB took ${rawReadMs.toFixed(0)} ms`);
  const long = longTasks();
  await long.take();
  let t0 = performance.now();
  const kms = await KmsSandbox.open(NAME, { ...SANDBOX });
  const openMs = performance.now() - t0;
  const openLongTasks = await long.take();
  log(`[bench] scale: KmsSandbox.open took ${openMs.toFixed(0)} ms`);

  // Every key id, in pages of 100 (the first page, and pages deep in the list).
  const ids = [];
  const pageMs = [];
  let marker;
  do {
    t0 = performance.now();
    const page = await kms.send('ListKeys', { Limit: 100, ...(marker ? { Marker: marker } : {}) });
    pageMs.push(performance.now() - t0);
    await breathe();
    for (const k of page.Keys) ids.push(k.KeyId);
    marker = page.NextMarker;
  } while (marker);
  const pick = () => ids[Math.floor(Math.random() * ids.length)];
  const phases = { listKeys: await long.take() };

  const describeMs = [];
  for (let i = 0; i < rounds; i++) {
    const id = pick();
    t0 = performance.now();
    await kms.send('DescribeKey', { KeyId: id });
    describeMs.push(performance.now() - t0);
    await breathe();
  }
  phases.describeKey = await long.take();
  const plaintext = crypto.getRandomValues(new Uint8Array(100));
  const firstMs = [];
  const laterMs = [];
  for (let i = 0; i < rounds; i++) {
    const id = pick();
    t0 = performance.now();
    await kms.send('Encrypt', { KeyId: id, Plaintext: plaintext });
    firstMs.push(performance.now() - t0);
    t0 = performance.now();
    await kms.send('Encrypt', { KeyId: id, Plaintext: plaintext });
    laterMs.push(performance.now() - t0);
    await breathe();
  }
  phases.encrypt = await long.take();
  t0 = performance.now();
  const { Events } = await kms.service('cloudtrail').send('LookupEvents', { MaxResults: 50 });
  const lookupMs = performance.now() - t0;

  phases.lookupEvents = await long.take();
  // Memory after the calls, before the export reads every key.
  const heap = performance.memory?.usedJSHeapSize ?? 0;
  const wasmBytes = wasm.memory.buffer.byteLength;
  // A backup of the whole sandbox, as an instructor would make one to hand out.
  t0 = performance.now();
  const file = await kms.export({ passphrase: PASSPHRASE });
  const exportMs = performance.now() - t0;
  const exportLongTasks = await long.take();
  // Wasm memory never shrinks: what the export took stays with the tab.
  const exportWasmBytes = wasm.memory.buffer.byteLength;
  log(`[bench] scale: export took ${exportMs.toFixed(0)} ms (${(file.length / 1e6).toFixed(1)} MB); ` +
    `long tasks ${JSON.stringify(exportLongTasks)}`);
  const callLongTasks = Object.values(phases).reduce(
    (a, b) => ({ count: a.count + b.count, maxMs: Math.max(a.maxMs, b.maxMs) }), { count: 0, maxMs: 0 });
  log(`[bench] scale: long tasks by phase ${JSON.stringify(phases)}`);
  long.stop();
  const row = {
    keys: ids.length, openMs, rawReadMs, openLongTasks, callLongTasks, lookupEventsMs: lookupMs, lookupEvents: Events.length,
    exportMs, exportBytes: file.length, exportLongTasks, exportWasmBytes,
    listKeys: spread(pageMs), describeKey: spread(describeMs),
    encryptFirstUse: spread(firstMs), encryptLater: spread(laterMs),
    jsHeapBytes: heap, jsHeapBeforeOpenBytes: heap0, wasmMemoryBytes: wasmBytes,
  };
  log(`[bench] scale: ${ids.length} keys listed; ListKeys of 100 median ${row.listKeys.median.toFixed(2)} ms, ` +
    `DescribeKey median ${row.describeKey.median.toFixed(3)} ms, Encrypt first use median ${row.encryptFirstUse.median.toFixed(3)} ms, ` +
    `later ${row.encryptLater.median.toFixed(3)} ms; JS heap ${(heap / 1e6).toFixed(0)} MB, wasm memory ${(wasmBytes / 1e6).toFixed(0)} MB`);
  return row;
}

// Lets the page run its other tasks between two timed calls (outside their timing): a loop of
// awaited calls that each answer at once would otherwise be one long task of the bench's own.
// (scheduler.yield, or a message to itself: nested setTimeout waits at least 4 ms.)
function breathe() {
  if (globalThis.scheduler?.yield) return scheduler.yield();
  return new Promise((ok) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => ok();
    channel.port2.postMessage(0);
  });
}

// The floor under `open`: one getAll of the sandbox's records, in a connection closed after.
async function rawRead() {
  const name = (await indexedDB.databases()).map((d) => d.name).find((n) => n.endsWith(NAME));
  const db = await new Promise((ok, fail) => {
    const r = indexedDB.open(name);
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
  const t0 = performance.now();
  await new Promise((ok) => { db.transaction('records').objectStore('records').getAll().onsuccess = ok; });
  const ms = performance.now() - t0;
  db.close();
  return ms;
}

// min, median, max and count of a list of times (ms).
function spread(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const m = s.length >> 1;
  return { count: s.length, min: s[0], median: s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2, max: s[s.length - 1] };
}

// The backup file format of crates/kms-web/src/backup.rs (version 2): a JSON header line, then
// the body in chunks of chunkSize bytes, each sealed with AES-256-GCM under PBKDF2-SHA-256 of
// the passphrase, the header's bytes as AAD, nonce = the 7-byte prefix, the chunk's index (4
// bytes, big-endian) and 1 on the last chunk, 0 before.
async function openFile(file, passphrase) {
  const end = file.indexOf(10);
  const headerBytes = file.slice(0, end);
  const header = JSON.parse(new TextDecoder().decode(headerBytes));
  const key = await derive(passphrase, header);
  const size = header.cipher.chunkSize + 16;
  const sealed = file.subarray(end + 1);
  const count = Math.ceil(sealed.length / size);
  const parts = [];
  for (let i = 0; i < count; i++) {
    parts.push(new Uint8Array(await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: chunkNonce(header, i, i === count - 1), additionalData: headerBytes },
      key, sealed.subarray(i * size, (i + 1) * size))));
  }
  const body = await new Blob(parts).text();
  return { header, body: JSON.parse(body), key };
}

async function sealFile(header, body, key) {
  const prefix = crypto.getRandomValues(new Uint8Array(7));
  const next = { ...header, cipher: { ...header.cipher, noncePrefix: btoa(String.fromCharCode(...prefix)) } };
  const headerBytes = new TextEncoder().encode(JSON.stringify(next));
  const plain = new TextEncoder().encode(JSON.stringify(body));
  const size = next.cipher.chunkSize;
  const count = Math.ceil(plain.length / size);
  const parts = [headerBytes, new Uint8Array([10])];
  for (let i = 0; i < count; i++) {
    parts.push(new Uint8Array(await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: chunkNonce(next, i, i === count - 1), additionalData: headerBytes },
      key, plain.subarray(i * size, (i + 1) * size))));
  }
  return new Uint8Array(await new Blob(parts).arrayBuffer());
}

function chunkNonce(header, index, last) {
  const nonce = new Uint8Array(12);
  nonce.set(unb64(header.cipher.noncePrefix));
  new DataView(nonce.buffer).setUint32(7, index);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

async function derive(passphrase, header) {
  const base = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: unb64(header.kdf.salt), iterations: header.kdf.iterations },
    base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
