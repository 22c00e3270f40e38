// Test helpers that reach the browser directly, bypassing kms-web: raw IndexedDB reads and
// WebCrypto. Self-contained (wasm-bindgen copies only this file into the test page).

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function openRaw(dbName) {
  const db = await request(indexedDB.open(dbName));
  db.onversionchange = () => db.close();
  return db;
}

// The event history (store `events`) changes a moment after each call, as its events are
// written: rawValues and rawSnapshot read the records and meta only, rawEvents the events.
const HISTORY = "events";

/** Every value of the object stores of database `dbName` but the event history. */
export async function rawValues(dbName) {
  const db = await openRaw(dbName);
  try {
    const out = [];
    for (const name of Array.from(db.objectStoreNames).filter((n) => n !== HISTORY)) {
      const tx = db.transaction(name, "readonly");
      out.push(...(await request(tx.objectStore(name).getAll())));
    }
    return out;
  } finally {
    db.close();
  }
}

/** One value of `store` in database `dbName`. */
export async function rawGet(dbName, store, key) {
  const db = await openRaw(dbName);
  try {
    return await request(db.transaction(store, "readonly").objectStore(store).get(key));
  } finally {
    db.close();
  }
}

/** Names of the IndexedDB databases of this origin. */
export async function databaseNames() {
  return (await indexedDB.databases()).map((d) => d.name);
}

/**
 * Every byte sequence reachable in a structured value: typed arrays and ArrayBuffers as their
 * bytes, strings as their UTF-8 bytes, and property names too. Walks objects, arrays, maps
 * and sets.
 */
export function byteSequences(value) {
  const out = [];
  const seen = new Set();
  const enc = new TextEncoder();
  const walk = (v) => {
    if (v === null || v === undefined) return;
    if (typeof v === "string") { out.push(enc.encode(v)); return; }
    if (typeof v !== "object") { out.push(enc.encode(String(v))); return; }
    if (seen.has(v)) return;
    seen.add(v);
    if (v instanceof ArrayBuffer) { out.push(new Uint8Array(v.slice(0))); return; }
    if (ArrayBuffer.isView(v)) { out.push(new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength))); return; }
    if (typeof CryptoKey !== "undefined" && v instanceof CryptoKey) { walk(v.algorithm); walk(v.usages); return; }
    if (v instanceof Map) { for (const [k, x] of v) { walk(k); walk(x); } return; }
    if (v instanceof Set) { for (const x of v) walk(x); return; }
    if (v instanceof Date) { out.push(enc.encode(v.toISOString())); return; }
    for (const k of Object.keys(v)) { out.push(enc.encode(k)); walk(v[k]); }
  };
  walk(value);
  return out;
}

/** Whether `crypto.subtle.exportKey(format, key)` rejects (it must for the HSM key). */
export async function exportRejects(key, format) {
  try {
    await crypto.subtle.exportKey(format, key);
    return false;
  } catch (e) {
    return true;
  }
}

/** ECDSA signature: DER Ecdsa-Sig-Value -> raw r || s of `size` bytes each (what WebCrypto takes). */
function derToRaw(der, size) {
  let i = 2;
  if (der[1] & 0x80) i = 2 + (der[1] & 0x7f);
  const int = () => {
    if (der[i] !== 0x02) throw new Error("not a DER INTEGER");
    const len = der[i + 1];
    let bytes = der.slice(i + 2, i + 2 + len);
    i += 2 + len;
    while (bytes.length > size && bytes[0] === 0) bytes = bytes.slice(1);
    const out = new Uint8Array(size);
    out.set(bytes, size - bytes.length);
    return out;
  };
  const r = int(), s = int();
  const raw = new Uint8Array(2 * size);
  raw.set(r, 0);
  raw.set(s, size);
  return raw;
}

/** Verifies a KMS signature with WebCrypto and the SPKI from GetPublicKey. */
export async function webcryptoVerify(spki, algorithm, message, signature) {
  let importAlg, verifyAlg, sig = signature;
  switch (algorithm) {
    case "RSASSA_PSS_SHA_256":
      importAlg = { name: "RSA-PSS", hash: "SHA-256" };
      verifyAlg = { name: "RSA-PSS", saltLength: 32 };
      break;
    case "RSASSA_PKCS1_V1_5_SHA_256":
      importAlg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
      verifyAlg = { name: "RSASSA-PKCS1-v1_5" };
      break;
    case "ECDSA_SHA_256":
      importAlg = { name: "ECDSA", namedCurve: "P-256" };
      verifyAlg = { name: "ECDSA", hash: "SHA-256" };
      sig = derToRaw(signature, 32);
      break;
    case "ECDSA_SHA_384":
      importAlg = { name: "ECDSA", namedCurve: "P-384" };
      verifyAlg = { name: "ECDSA", hash: "SHA-384" };
      sig = derToRaw(signature, 48);
      break;
    case "ECDSA_SHA_512":
      importAlg = { name: "ECDSA", namedCurve: "P-521" };
      verifyAlg = { name: "ECDSA", hash: "SHA-512" };
      sig = derToRaw(signature, 66);
      break;
    case "ED25519_SHA_512":
      // KMS's Ed25519 signature is the raw 64 bytes of RFC 8032, as WebCrypto's.
      importAlg = { name: "Ed25519" };
      verifyAlg = { name: "Ed25519" };
      break;
    default:
      throw new Error(`no WebCrypto mapping for ${algorithm}`);
  }
  const key = await crypto.subtle.importKey("spki", spki, importAlg, false, ["verify"]);
  return crypto.subtle.verify(verifyAlg, key, sig, message);
}

/** RSA-OAEP encryption with WebCrypto under the SPKI from GetPublicKey. */
export async function webcryptoOaepEncrypt(spki, hash, plaintext) {
  const key = await crypto.subtle.importKey("spki", spki, { name: "RSA-OAEP", hash }, false, ["encrypt"]);
  return new Uint8Array(await crypto.subtle.encrypt({ name: "RSA-OAEP" }, key, plaintext));
}

/** Hex of the bytes of a typed array or ArrayBuffer. */
function hex(v) {
  const b = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** A canonical text of a structured value (bytes as hex, keys sorted), to compare snapshots. */
function canonical(v) {
  if (v === null || v === undefined || typeof v !== "object") return JSON.stringify(v) ?? "undefined";
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return `bytes:${hex(v)}`;
  if (v instanceof Date) return `date:${v.toISOString()}`;
  if (typeof CryptoKey !== "undefined" && v instanceof CryptoKey) {
    return `CryptoKey(${canonical(v.algorithm)},${v.extractable},${canonical(v.usages)},${v.type})`;
  }
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`;
}

/** The [key, record object] of each line of a chunk's events (see kms-web's trail.rs). */
function eventLines(text) {
  const out = [];
  let previous = null; // the text of the record before
  for (const line of text.split("\n").filter((l) => l !== "")) {
    const [key, value] = JSON.parse(line);
    if (typeof value === "string") {
      // [key, requestID]: the record before, with this event's time and ids (the key has them).
      const spans = ["eventTime", "requestID", "eventID"].map((name, i) => {
        const at = i === 0 ? previous.indexOf(`"${name}":`) : previous.lastIndexOf(`"${name}":`);
        const start = previous.indexOf(":", at) + 1;
        return [start, previous.indexOf('"', start + 1) + 1];
      });
      const time = new Date(Number(key.slice(0, 15))).toISOString().replace(".000Z", "Z");
      const values = [time, value, key.slice(35)].map((v) => JSON.stringify(v));
      previous = previous.slice(0, spans[0][0]) + values[0] + previous.slice(spans[0][1], spans[1][0]) + values[1] +
        previous.slice(spans[1][1], spans[2][0]) + values[2] + previous.slice(spans[2][1]);
    } else {
      previous = line.slice(line.indexOf(",") + 1, -1);
    }
    out.push([key, JSON.parse(previous)]);
  }
  return out;
}

/**
 * The event history of database `dbName` as stored: `{ chunks, events, eventKeys, count }`.
 * `chunks` are the raw values (one per write), in key order; `events` every event in them, as its
 * CloudTrail record, with their keys in `eventKeys`; `count` the stored count of events.
 */
export async function rawEvents(dbName) {
  const db = await openRaw(dbName);
  try {
    const store = db.transaction(HISTORY, "readonly").objectStore(HISTORY);
    const chunksOnly = IDBKeyRange.upperBound(":", true);
    const [chunks, count] = await Promise.all([request(store.getAll(chunksOnly)), request(store.get("count"))]);
    const entries = chunks.flatMap((c) => eventLines(c.events));
    return {
      chunks,
      events: entries.map(([, event]) => event),
      eventKeys: entries.map(([key]) => key),
      count: count ? count.count : 0,
    };
  } finally {
    db.close();
  }
}

/**
 * Every (store, key, value) of database `dbName` but the event history as one canonical text:
 * equal texts mean equal contents, byte for byte.
 */
export async function rawSnapshot(dbName) {
  const db = await openRaw(dbName);
  try {
    const lines = [];
    for (const name of Array.from(db.objectStoreNames).filter((n) => n !== HISTORY).sort()) {
      const store = db.transaction(name, "readonly").objectStore(name);
      const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
      keys.forEach((k, i) => lines.push(`${name} ${canonical(k)} ${canonical(values[i])}`));
    }
    return lines.join("\n");
  } finally {
    db.close();
  }
}

/** `sandbox.send(operation, input)`, called from JavaScript on a `KmsSandbox` object. */
export function jsSend(sandbox, operation, input) {
  return sandbox.send(operation, input);
}

/** The `KmsSandbox` class of a `KmsSandbox` object (for its static open/memory/list/delete). */
export function classOf(sandbox) {
  return sandbox.constructor;
}

/** `object[method](...args)`. */
export function callMethod(object, method, args) {
  return object[method](...args);
}

/**
 * Starts a `setTimeout(0)` chain that records when the page's event loop gets to run.
 * `stop()` returns `{ ticks, maxGapMs }`: how many times it ran, and the longest stretch it
 * could not.
 */
// Collects the page's uncaught errors (a throwing timer callback among them); returns the
// function that stops collecting and answers their messages.
export function watchErrors() {
  const seen = [];
  const listener = (e) => seen.push(String(e.message || e.error));
  globalThis.addEventListener("error", listener);
  return () => {
    globalThis.removeEventListener("error", listener);
    return seen;
  };
}
export function startTicker() {
  let ticks = 0, maxGapMs = 0, last = performance.now(), running = true;
  const tick = () => {
    if (!running) return;
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
    ticks++;
    setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  return {
    stop() {
      running = false;
      maxGapMs = Math.max(maxGapMs, performance.now() - last);
      return { ticks, maxGapMs };
    },
  };
}

/** What WebCrypto reads from an RSA SubjectPublicKeyInfo: `{ modulusLength, publicExponent }`. */
export async function rsaSpkiInfo(spki) {
  const key = await crypto.subtle.importKey("spki", spki, { name: "RSA-PSS", hash: "SHA-256" }, true, ["verify"]);
  return { modulusLength: key.algorithm.modulusLength, publicExponent: Array.from(key.algorithm.publicExponent) };
}

// ---- fault injection (tests/browser/faults.rs) ------------------------------------------------------------

/** Every record of database `dbName` as [storageKey, value] pairs. */
export async function rawRecords(dbName) {
  const db = await openRaw(dbName);
  try {
    const store = db.transaction("records", "readonly").objectStore("records");
    const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
    return keys.map((k, i) => [k, values[i]]);
  } finally {
    db.close();
  }
}

async function update(dbName, change) {
  const db = await openRaw(dbName);
  try {
    const tx = db.transaction("records", "readwrite");
    const done = new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onabort = () => reject(tx.error); });
    await change(tx.objectStore("records"));
    await done;
  } finally {
    db.close();
  }
}

/** Flips one bit of the first wrapped material of the record under `storageKey`. */
export function corruptMaterial(dbName, storageKey) {
  return update(dbName, async (store) => {
    const value = await request(store.get(storageKey));
    const list = value.material || value.secrets;
    list[0].ciphertext[3] ^= 1;
    store.put(value, storageKey);
  });
}

/**
 * Moves the summary stored beside the key record `storageKey` (`key/<region>/<id>`) to stand
 * beside `toStorageKey`, a key record that is not there: the key is left without a summary and
 * the summary without a key. With `keep`, copies it.
 */
export function moveSummary(dbName, storageKey, toStorageKey, keep) {
  const summary = (k) => k.replace(/^key\//, "summary/");
  return update(dbName, async (store) => {
    const value = await request(store.get(summary(storageKey)));
    if (!keep) store.delete(summary(storageKey));
    store.put(value, summary(toStorageKey));
  });
}

/** Replaces the record under `storageKey` with something that is not a record. */
export function scribble(dbName, storageKey) {
  return update(dbName, async (store) => { store.put({ format: 2, kind: "key", rev: 1, record: 42 }, storageKey); });
}

/**
 * Copies the key record under `from` to `to`; with `newKeyId`, its record is edited to say it
 * is that key (key id and ARN), as someone moving material by hand would.
 */
export function moveRecord(dbName, from, to, newKeyId) {
  return update(dbName, async (store) => {
    const value = await request(store.get(from));
    if (newKeyId) {
      // Format 3 stores the record as JSON text, format 2 as an object.
      const text = typeof value.record === "string";
      const record = text ? JSON.parse(value.record) : value.record;
      const old = record.key_id;
      record.key_id = newKeyId;
      record.arn = record.arn.replace(old, newKeyId);
      value.record = text ? JSON.stringify(record) : record;
    }
    store.put(value, to);
  });
}

/**
 * Rewrites database `dbName` as the build of layout 2 stored it: each record's serde form as an
 * object (format 2), not JSON text, and `schema` 2 in meta.
 */
export async function toLayout2(dbName) {
  const db = await openRaw(dbName);
  try {
    const tx = db.transaction(["records", "meta"], "readwrite");
    const done = new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onabort = () => reject(tx.error); });
    const records = tx.objectStore("records");
    const [keys, values] = await Promise.all([request(records.getAllKeys()), request(records.getAll())]);
    keys.forEach((k, i) => {
      const value = values[i];
      // Layout 2 kept no key summaries.
      if (k.startsWith("summary/")) { records.delete(k); return; }
      value.format = 2;
      value.record = JSON.parse(value.record);
      records.put(value, k);
    });
    tx.objectStore("meta").put({ version: 2 }, "schema");
    await done;
  } finally {
    db.close();
  }
}

/** Sets the stored revision of the record under `storageKey`. */
export function setRecordRev(dbName, storageKey, rev) {
  return update(dbName, async (store) => {
    const value = await request(store.get(storageKey));
    value.rev = rev;
    store.put(value, storageKey);
  });
}

/**
 * Opens `dbName` at `version` (creating the stores of that version) and keeps the connection,
 * ignoring `versionchange`, as a tab of an older build that does not let go would.
 */
export async function holdOpen(dbName, version) {
  const req = indexedDB.open(dbName, version);
  req.onupgradeneeded = () => {
    for (const s of ["records", "meta", "events"]) if (!req.result.objectStoreNames.contains(s)) req.result.createObjectStore(s);
  };
  return await request(req);
}

export function closeDb(db) {
  db.close();
}

/** Deletes database `dbName` from this connection (not through the sandbox). */
export function deleteDb(dbName) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(dbName);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
  });
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Writes database `dbName` as the build before layout 2 wrote it: IndexedDB version 2 (stores
 * records, meta, events), no `schema` or `rev` in meta, records of format 1 whose material is
 * wrapped by a new HSM key with additional data `kms-sandbox/hsm/v1\n<ARN>\n<backing key id>`.
 * `records`: [[storageKey, kind, record, [[backingKeyId, materialBytes], ...]], ...].
 * Resolves with the open connection when `hold` (for the blocked upgrade test), else closes it.
 */
export async function writeLegacyDb(dbName, accountId, records, hold) {
  const db = await holdOpen(dbName, 2);
  const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  const values = [];
  for (const [storageKey, kind, record, items] of records) {
    const value = { format: 1, kind, record };
    if (kind === "key") {
      value.material = [];
      for (const [id, material] of items) {
        const iv = crypto.getRandomValues(new Uint8Array(12));
        const aad = new TextEncoder().encode(`kms-sandbox/hsm/v1\n${record.arn}\n${id}`);
        const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad, tagLength: 128 }, key, material);
        value.material.push({ backingKeyId: id, iv, ciphertext: new Uint8Array(ct) });
      }
    }
    values.push([storageKey, value]);
  }
  const tx = db.transaction(["records", "meta"], "readwrite");
  const done = new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onabort = () => reject(tx.error); });
  tx.objectStore("meta").put(key, "hsm");
  tx.objectStore("meta").put({ format: 1, accountId, created: new Date(), clockOffsetMs: 0 }, "settings");
  for (const [k, v] of values) tx.objectStore("records").put(v, k);
  await done;
  if (hold) return db;
  db.close();
  return null;
}

/** Runs the async functions together; resolves with their results in order. */
export function all(promises) {
  return Promise.all(promises);
}

/** The stored layout version and revision of `dbName`: { schema, rev, version }. */
export async function rawMeta(dbName) {
  const db = await openRaw(dbName);
  try {
    const meta = db.transaction("meta", "readonly").objectStore("meta");
    const [schema, rev] = await Promise.all([request(meta.get("schema")), request(meta.get("rev"))]);
    return { schema: schema && schema.version, rev: rev && rev.rev, version: db.version };
  } finally {
    db.close();
  }
}

/** A WebCrypto ECDH key pair on `namedCurve`: its SPKI and its private key (to derive with). */
export async function webcryptoEcdhPeer(namedCurve) {
  const pair = await crypto.subtle.generateKey({ name: "ECDH", namedCurve }, true, ["deriveBits"]);
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey));
  return { spki, privateKey: pair.privateKey };
}

/** WebCrypto ECDH: `bits` of the shared secret between `privateKey` and the SPKI `peerSpki`. */
export async function webcryptoEcdhDerive(privateKey, peerSpki, namedCurve, bits) {
  const peer = await crypto.subtle.importKey("spki", peerSpki, { name: "ECDH", namedCurve }, false, []);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: "ECDH", public: peer }, privateKey, bits));
}
