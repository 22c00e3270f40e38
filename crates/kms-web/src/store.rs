//! The durable store: one IndexedDB database per named sandbox.
//!
//! Database `kms-sandbox/<name>` (or `kms-sandbox@<path>#<name>` for a deployment under a
//! sub-path: [`db_name`]) holds four object stores: `records` (one value per KMS key, alias and
//! IAM record, keyed by [`Change::storage_key`]), `meta` (the HSM key under `hsm`, the sandbox's
//! settings under `settings`, the layout version under `schema`, the sandbox-wide revision under
//! `rev`), `log` (which storage keys each revision changed, the last [`LOG_KEEP`] revisions) and
//! `events` (the CloudTrail event history, see [`crate::trail`]). A key record is stored as its
//! serde form's JSON text (which skips the secret material) plus each backing key's material
//! wrapped by the [`Hsm`]; this module never writes a plaintext secret.
//!
//! Writes are optimistic: [`Store::commit`] writes one operation's changes, the next revision
//! and its log entry in one readwrite transaction, which first checks that the stored revision
//! is the one the caller's engine reflects. If another tab (or worker, or a second connection in
//! this page) committed in between, nothing is written and the caller reloads what changed
//! ([`Store::changes_since`]) and computes again. Any failed request aborts the whole
//! transaction (no `preventDefault` on its errors), so it commits all of its records or none,
//! and [`Store::commit`] returns only once it fired `complete`.
//!
//! Each wrapped secret is bound, by its AES-GCM additional data, to the record's storage key,
//! Region, key id, ARN and revision ([`Binding`]): a record moved to another key id, edited by
//! hand or given another revision fails to unwrap and is reported as damaged
//! ([`Damage`]), while the rest of the sandbox opens.
//!
//! An event is stored as the serde form of its [`kms_core::trail::StoredEvent`], unwrapped: the
//! engine's records carry no secret. Events are written in batches, and each batch is stored as
//! one value (a chunk): one IndexedDB put per event would cost several times what an Encrypt
//! does. A chunk's key is its newest event's key, and an event's key starts with its zero-padded
//! `eventTime`, so key order is time order: the newest are read with a reverse cursor, and the
//! retention rule deletes a key range ([`append_events`], [`read_events`]).

use crate::hsm::{Binding, Hsm, Wrapped};
use crate::webcrypto::describe;
use js_sys::{Array, Object, Reflect, Uint8Array};
use kms_core::{AliasRecord, Change, IamRecord, KeyRecord, KeySummary, Record, Secret};
use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, IdbDatabase, IdbFactory, IdbTransaction};

/// Every sandbox database of a deployment at the origin's root path starts with this.
pub(crate) const DB_PREFIX: &str = "kms-sandbox/";
/// Databases of a deployment under a sub-path: `kms-sandbox@<path>#<name>`.
const SCOPED_PREFIX: &str = "kms-sandbox@";
/// 2 added the `events` store, 3 the `log` store, 4 came with layout 3, 5 with layout 4
/// (`idbOpen` creates missing stores on upgrade; the upgrade closes connections of older builds,
/// which would write the old layout or not read the new one).
const DB_VERSION: u32 = 5;
const RECORDS: &str = "records";
const META: &str = "meta";
pub(crate) const EVENTS: &str = "events";
const LOG: &str = "log";
const HSM_KEY: &str = "hsm";
const SETTINGS_KEY: &str = "settings";
/// The layout version of the database's records, checked on open (see [`SCHEMA`]).
const SCHEMA_KEY: &str = "schema";
/// The layout this build reads and writes. 1 (no `schema` in `meta`): records of format 1,
/// wrapped with additional data of key ARN and backing key id only. 2: records of format 2 with
/// a revision, wrapped under a [`Binding`]. 3: records of format 2 or 3. A sandbox of layout 1
/// is migrated on open; one of layout 2 is marked 3 (its records are read as they are, and
/// written in format 3 when they change). 4: layout 3, and beside each key record its
/// [`KeySummary`] (`summary/<region>/<key id>`, JSON text), written in the same transaction; a
/// sandbox of layout 1 to 3 gets them on open.
const SCHEMA: u32 = 4;
/// The layout the steps before the summaries leave (see [`SCHEMA`]).
const SCHEMA_UNSUMMARISED: u32 = 3;
/// Where a key's summary is stored: `summary/<region>/<key id>` beside `key/<region>/<key id>`.
const SUMMARY_PREFIX: &str = "summary/";
/// Format of the records of layout 1.
const FORMAT_LEGACY: u32 = 1;
/// Format 2: the record is its serde form as a JavaScript object. Still read; and the format of
/// the stored settings.
const FORMAT: u32 = 2;
/// Format 3, what this build writes: the record is its serde form's JSON text. IndexedDB
/// hands back one string much faster than an object of some forty fields: opening 100,000
/// keys spent a third of its time there.
const FORMAT_TEXT: u32 = 3;
/// The storage key a change of the settings (the clock) is logged under.
pub(crate) const SETTINGS_CHANGE: &str = "meta/settings";
/// Long loops (reading 100,000 records) give the page its main thread back this often, so that
/// no task runs longer than the 50 ms a user notices.
const SLICE_MS: f64 = 30.0;

/// Where a long loop is in its slice of the main thread ([`SLICE_MS`]).
pub(crate) struct Pacer(f64);

impl Pacer {
    pub(crate) fn new() -> Pacer {
        Pacer(js_sys::Date::now())
    }

    /// Yields to the page (a new task) once the slice is used up.
    pub(crate) async fn tick(&mut self) {
        if js_sys::Date::now() - self.0 >= SLICE_MS {
            // The promise only ever resolves.
            let _ = JsFuture::from(next_task()).await;
            self.0 = js_sys::Date::now();
        }
    }
}

/// A whole read of a sandbox of more keys than this reads their summaries only ([`KeySummary`]),
/// and a key's record when a request first names it; any other read of more key records than
/// this leaves their secrets wrapped until first use ([`KeyRecord::sealed`]). A smaller one reads
/// and unwraps them all, so that a damaged record is reported at once.
const EAGER_KEYS: usize = 1_000;

thread_local! {
    static EAGER_KEYS_NOW: std::cell::Cell<usize> = const { std::cell::Cell::new(EAGER_KEYS) };
}

fn eager_keys() -> usize {
    EAGER_KEYS_NOW.with(std::cell::Cell::get)
}

/// Test hook: reads of more than `n` records leave key secrets sealed (for the tests of the
/// sealed path on a small sandbox); `None` restores [`EAGER_KEYS`].
#[cfg(feature = "test-hooks")]
pub fn test_set_eager_keys(n: Option<usize>) {
    EAGER_KEYS_NOW.with(|c| c.set(n.unwrap_or(EAGER_KEYS)));
}

/// How many records a whole read asks IndexedDB for at once: one page is decoded in one task
/// (a few milliseconds), while the database reads the next.
const READ_PAGE: u32 = 500;

thread_local! {
    static READ_PAGE_NOW: std::cell::Cell<u32> = const { std::cell::Cell::new(READ_PAGE) };
}

/// Test hook: whole reads come in pages of `n` records (`None`: [`READ_PAGE`]), for the tests
/// of a read of many pages on a small sandbox.
#[cfg(feature = "test-hooks")]
pub fn test_set_read_page(n: Option<u32>) {
    READ_PAGE_NOW.with(|c| c.set(n.unwrap_or(READ_PAGE).max(1)));
}

/// How long an open waits for connections of an older build to let it upgrade the database.
const BLOCKED_MS: u32 = 2_000;

// The IndexedDB event plumbing, as promises. It is a few lines of JavaScript because each
// request needs two one-shot callbacks; writing them as Rust closures would leak the one that
// never fires.
#[wasm_bindgen(inline_js = r#"
export function idbOpen(factory, name, version, stores, blockedMs) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const req = factory.open(name, version);
    req.onupgradeneeded = () => {
      const db = req.result;
      for (const s of stores) if (!db.objectStoreNames.contains(s)) db.createObjectStore(s);
    };
    req.onsuccess = () => {
      const db = req.result;
      if (settled) { db.close(); return; }
      settled = true;
      // Let KmsSandbox.delete and upgrades (here or in another tab) proceed: close instead of
      // blocking them. Later writes then fail, and the sandbox answers KMSInternalException.
      db.onversionchange = () => { db.close(); db.kmsSandboxClosed = true; };
      db.onclose = () => { db.kmsSandboxClosed = true; };
      resolve(db);
    };
    req.onerror = (e) => {
      e.preventDefault();
      if (!settled) { settled = true; reject(req.error); }
    };
    // Another connection holds an older version open and does not close when asked: give it a
    // moment, then answer (the request stays queued; if it succeeds later, it is closed).
    req.onblocked = () => {
      setTimeout(() => {
        if (settled) return;
        settled = true;
        reject(new DOMException("another tab or worker holds this sandbox open with an older build of KMS Sandbox and does not let it upgrade the database: close or reload that tab, then open the sandbox again", "BlockedError"));
      }, blockedMs);
    };
  });
}
export function idbRequest(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = (e) => { e.preventDefault(); e.stopPropagation(); reject(req.error); };
  });
}
export function idbTransaction(db, stores, mode) {
  return mode === "readwrite" ? db.transaction(stores, mode, { durability: "strict" }) : db.transaction(stores, mode);
}
// Resolves on complete, rejects on abort. A failed request aborts the transaction (its error
// event is not cancelled), so nothing of it is written.
export function idbDone(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error || new DOMException("The transaction was aborted.", "AbortError"));
  });
}
export function idbDelete(factory, name) {
  return new Promise((resolve, reject) => {
    const req = factory.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = (e) => { e.preventDefault(); reject(req.error); };
  });
}
const LOG_KEEP = 1000;
// Puts the [key, value] pairs into `store` a chunk at a time, each chunk queued when the first
// put of the one before succeeds (the transaction stays active in its callbacks): one loop of
// 100,000 puts held the main thread for seconds. `fail(e)` is called if a put throws.
const PUT_CHUNK = 1000;
function putAll(store, pairs, fail, from = 0) {
  try {
    const end = Math.min(from + PUT_CHUNK, pairs.length);
    for (let i = from; i < end; i++) {
      const req = store.put(pairs[i][1], pairs[i][0]);
      if (i === from && end < pairs.length) req.onsuccess = () => putAll(store, pairs, fail, end);
    }
  } catch (e) {
    fail(e);
  }
}
// One change set: if the stored revision is not `expected`, writes nothing and resolves
// { conflict: true, rev }; else writes every put and delete of records, the meta puts, the next
// revision and its log entry (`logKeys`) in one transaction and resolves { rev } on complete.
// Any failed request aborts the whole transaction and rejects. `inject` (tests only): "abort" or
// "quota" fails it after everything is queued.
export function idbCommit(db, expected, puts, deletes, metaPuts, logKeys, inject) {
  return new Promise((resolve, reject) => {
    let tx;
    try {
      tx = db.transaction(["records", "meta", "log"], "readwrite", { durability: "strict" });
    } catch (e) {
      reject(e);
      return;
    }
    let outcome = null, failure = null;
    tx.oncomplete = () => resolve(outcome);
    tx.onabort = () => {
      if (outcome && outcome.conflict) resolve(outcome);
      else reject(failure || tx.error || new DOMException("The transaction was aborted.", "AbortError"));
    };
    const meta = tx.objectStore("meta");
    const stored = meta.get("rev");
    stored.onsuccess = () => {
      const current = (stored.result && stored.result.rev) || 0;
      if (current !== expected) {
        outcome = { conflict: true, rev: current };
        tx.abort();
        return;
      }
      const next = current + 1;
      const fail = (e) => {
        failure = e;
        try { tx.abort(); } catch (_) {}
      };
      try {
        const records = tx.objectStore("records");
        putAll(records, puts, fail);
        if (failure) return;
        for (const k of deletes) records.delete(k);
        for (const [k, v] of metaPuts) meta.put(v, k);
        meta.put({ rev: next }, "rev");
        const log = tx.objectStore("log");
        log.put({ keys: logKeys }, next);
        if (next > LOG_KEEP) log.delete(IDBKeyRange.upperBound(next - LOG_KEEP));
      } catch (e) {
        fail(e);
        return;
      }
      outcome = { rev: next };
      if (inject === "abort") {
        tx.abort();
      } else if (inject === "quota") {
        failure = new DOMException("The quota has been exceeded (injected by a test).", "QuotaExceededError");
        tx.abort();
      }
    };
  });
}
// A new sandbox from a backup, in one transaction: the HSM key and settings (`add`: if another
// tab initialised the database meanwhile, its ConstraintError aborts everything), the layout,
// revision 1 and its log entry, every record, the event chunks ([key, text, count]), their
// count and the usage. Any failed request aborts the whole transaction and rejects.
export function idbCreate(db, hsmKey, settings, schema, puts, chunks, eventCount, usage) {
  return new Promise((resolve, reject) => {
    let tx;
    try {
      tx = db.transaction(["records", "meta", "log", "events"], "readwrite", { durability: "strict" });
    } catch (e) {
      reject(e);
      return;
    }
    let failure = null;
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(failure || tx.error || new DOMException("The transaction was aborted.", "AbortError"));
    try {
      const meta = tx.objectStore("meta");
      meta.add(hsmKey, "hsm");
      meta.add(settings, "settings");
      meta.put(schema, "schema");
      meta.put({ rev: 1 }, "rev");
      putAll(tx.objectStore("records"), puts, (e) => {
        failure = e;
        try { tx.abort(); } catch (_) {}
      });
      if (failure) return;
      tx.objectStore("log").put({ keys: puts.map(([k]) => k) }, 1);
      const events = tx.objectStore("events");
      for (const [k, text, count] of chunks) events.put({ format: 1, count, events: text }, k);
      if (eventCount > 0) events.put({ count: eventCount }, "count");
      if (usage != null) events.put({ format: 1, usage }, "usage");
    } catch (e) {
      failure = e;
      try { tx.abort(); } catch (_) {}
    }
  });
}
// What changed after revision `since` (-1: everything), in one snapshot:
// { rev, all, changed: [[key, value or undefined]], settings, schema }. `all` when the log does not
// reach back to `since` (every record is then listed, and those not listed are gone). With
// `onPage`, the records of an `all` read are not listed but handed over page by page as
// onPage(keys, values, total), while the database reads the next pages. `page`: records a
// page (READ_PAGE in store.rs). An `all` read of more than `lazyAbove` key records (-1: never)
// reads their summaries (`summary/...`) instead, but for a key record that has none; else it
// skips the summaries.
// The index of the first of the sorted `keys` at or after `key`.
function first(keys, key) {
  let lo = 0, hi = keys.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (keys[mid] < key) lo = mid + 1; else hi = mid; }
  return lo;
}
export function idbChangesSince(db, since, onPage, page, lazyAbove) {
  return new Promise((resolve, reject) => {
    let tx;
    try {
      tx = db.transaction(["records", "meta", "log"], "readonly");
    } catch (e) {
      reject(e);
      return;
    }
    const out = { rev: 0, all: false, changed: [], settings: undefined, schema: undefined };
    tx.oncomplete = () => resolve(out);
    tx.onabort = () => reject(tx.error || new DOMException("The transaction was aborted.", "AbortError"));
    const meta = tx.objectStore("meta"), records = tx.objectStore("records");
    const stored = meta.get("rev");
    stored.onsuccess = () => {
      out.rev = (stored.result && stored.result.rev) || 0;
      if (out.rev === since) return;
      const settings = meta.get("settings");
      settings.onsuccess = () => { out.settings = settings.result; };
      const schema = meta.get("schema");
      schema.onsuccess = () => { out.schema = schema.result; };
      // The keys first (cheap), then their values a page at a time, the next page asked for
      // before this one is taken: the database reads ahead while this thread decodes. Pages, as
      // one getAll of 100,000 records deserializes them all in one task, which holds the main
      // thread for seconds; and only two in flight, as answers that arrive while the thread is
      // busy are handed over together, in one task.
      const everything = () => {
        out.all = true;
        let all = [];
        // Whether the summaries stand in for the key records, whose keys are then not listed:
        // as many as there are key records, and more of these than `lazyAbove` (listing the
        // 100,000 keys of the records took as long as the rest of an open). Else every key is
        // listed, and `pick` pairs records and summaries.
        let trusted = false;
        const from = (r, after) => r === undefined || r.upper === undefined
          ? IDBKeyRange.lowerBound(after, true) : IDBKeyRange.bound(after, r.upper, true, r.upperOpen);
        // Lists the keys of `ranges` into `into`, in pages, then calls `then`.
        const lists = (ranges, into, then, i = 0, after = undefined) => {
          if (i === ranges.length) { then(); return; }
          const range = after === undefined ? ranges[i] : from(ranges[i], after);
          const req = records.getAllKeys(range, page * 20);
          req.onsuccess = () => {
            const some = req.result;
            for (const k of some) into.push(k);
            if (some.length === page * 20) lists(ranges, into, then, i, some[some.length - 1]);
            else lists(ranges, into, then, i + 1);
          };
        };
        const read = () => { runs = pick(all); pages(0); pages(1); };
        // The pages to read: each a run of adjacent keys (getAll reads a range), none longer
        // than `page`.
        let runs = [];
        const pick = (all) => {
          // Keys are sorted, so key records and summaries are two runs of `all`, each in the
          // order of <region>/<key id>: one merge pairs them (a Set of 200,000 strings held the
          // thread for 400 ms).
          // "0" follows "/": the run of a prefix "x/" ends where "x0" would start.
          const k0 = first(all, "key/"), k1 = first(all, "key0");
          const s0 = first(all, "summary/"), s1 = first(all, "summary0");
          const keep = new Uint8Array(all.length).fill(1);
          const lazy = lazyAbove >= 0 && k1 - k0 > lazyAbove;
          // Where a run must end though the next key is kept: the unlisted key records lie
          // between (a range read across them would read them too).
          let gap = -1;
          if (trusted) {
            // No key record is listed: every summary is read.
            gap = k0;
          } else if (lazy) {
            let i = k0, j = s0;
            while (i < k1 || j < s1) {
              const a = i < k1 ? all[i].slice(4) : null, b = j < s1 ? all[j].slice(8) : null;
              if (a !== null && a === b) { keep[i++] = 0; j++; }
              else if (b === null || (a !== null && a < b)) i++; // a key record without a summary: read whole
              else keep[j++] = 0; // a summary without its key record
            }
          } else {
            keep.fill(0, s0, s1);
          }
          const out = [];
          let run = [];
          for (let i = 0; i < all.length; i++) {
            if (!keep[i] || run.length === page || i === gap) {
              if (run.length) out.push(run);
              run = [];
            }
            if (keep[i]) run.push(all[i]);
          }
          if (run.length) out.push(run);
          total = out.reduce((n, r) => n + r.length, 0);
          return out;
        };
        let total = 0;
        const pages = (at) => {
          if (at >= runs.length) return;
          const k = runs[at];
          const values = records.getAll(IDBKeyRange.bound(k[0], k[k.length - 1]));
          values.onsuccess = () => {
            pages(at + 2);
            const v = values.result;
            if (onPage) onPage(k, v, total);
            else for (let j = 0; j < k.length; j++) out.changed.push([k[j], v[j]]);
          };
        };
        if (lazyAbove < 0) { lists([undefined], all, read); return; }
        // The key records are counted, the other keys listed; the key records' keys are listed
        // too unless the summaries stand in for them.
        const keyRecords = records.count(IDBKeyRange.bound("key/", "key0", false, true));
        lists([IDBKeyRange.upperBound("key/", true), IDBKeyRange.lowerBound("key0")], all, () => {
          const at = first(all, "key/"), summaries = first(all, "summary0") - first(all, "summary/");
          trusted = keyRecords.result > lazyAbove && keyRecords.result === summaries;
          if (trusted) { read(); return; }
          const keys = [];
          lists([IDBKeyRange.bound("key/", "key0", false, true)], keys, () => {
            all = all.slice(0, at).concat(keys, all.slice(at));
            read();
          });
        });
      };
      if (since < 0 || out.rev < since) { everything(); return; }
      const log = tx.objectStore("log").getAll(IDBKeyRange.bound(since + 1, out.rev));
      log.onsuccess = () => {
        if (log.result.length !== out.rev - since) { everything(); return; }
        const wanted = new Set();
        for (const entry of log.result) for (const k of entry.keys) wanted.add(k);
        for (const k of wanted) {
          if (k.startsWith("meta/")) { out.changed.push([k, undefined]); continue; }
          const value = records.get(k);
          value.onsuccess = () => out.changed.push([k, value.result]);
        }
      };
    };
  });
}
// The values under `keys` (undefined where there is none), read in one transaction: reading
// many records one transaction each costs a round trip each.
export function idbGetMany(db, storeName, keys) {
  return new Promise((resolve, reject) => {
    let tx;
    try {
      tx = db.transaction([storeName], "readonly");
    } catch (e) {
      reject(e);
      return;
    }
    const store = tx.objectStore(storeName);
    const values = new Array(keys.length);
    keys.forEach((key, i) => {
      const req = store.get(key);
      req.onsuccess = () => { values[i] = req.result; };
    });
    tx.oncomplete = () => resolve(values);
    // A failed read's error reaches the transaction from its request.
    tx.onerror = (e) => { e.preventDefault(); reject(e.target.error || tx.error); };
    tx.onabort = () => reject(tx.error || new Error("the read was aborted"));
  });
}
// The value stored under `key` in store `storeName` (undefined if none), in a transaction of its
// own.
export function idbGet(db, storeName, key) {
  return idbGetMany(db, storeName, [key]).then((values) => values[0]);
}
// The stored revision (0 before the first commit).
export function idbRevision(db) {
  return idbGet(db, "meta", "rev").then((stored) => (stored && stored.rev) || 0);
}
// A Web Lock (navigator.locks) of this origin: resolves with the function that releases it once
// it is held, or with null where there are no Web Locks.
export function acquireLock(name) {
  const locks = globalThis.navigator && globalThis.navigator.locks;
  if (!locks || typeof locks.request !== "function") return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    locks.request(name, () => new Promise((release) => resolve(release))).catch(reject);
  });
}
// The directory of this page's (or worker script's) path: sandboxes of deployments under
// different paths of one origin are kept apart by it.
export function deploymentScope() {
  const loc = globalThis.location;
  if (!loc || typeof loc.pathname !== "string") return "/";
  const path = loc.pathname;
  return path.slice(0, path.lastIndexOf("/") + 1) || "/";
}
// Tells the other tabs, workers and connections of this origin what a commit changed, and
// hears them: `callback(message)` with { rev, keys }.
export function openChannel(name, callback) {
  if (typeof BroadcastChannel !== "function") return null;
  const channel = new BroadcastChannel(name);
  channel.onmessage = (e) => callback(e.data);
  return channel;
}
export function postChannel(channel, rev, keys) {
  try { channel.postMessage({ rev, keys }); } catch (_) {}
}
export function closeChannel(channel) {
  channel.onmessage = null;
  channel.close();
}
// navigator.storage: ask to keep this origin's data (true, false, or null where unsupported).
export async function storagePersist() {
  const storage = globalThis.navigator && globalThis.navigator.storage;
  if (!storage || typeof storage.persist !== "function") return null;
  try { return await storage.persist(); } catch (_) { return null; }
}
// { persisted, usage, quota } (each null where the browser does not tell).
export async function storageInfo() {
  const storage = globalThis.navigator && globalThis.navigator.storage;
  const out = { persisted: null, usage: null, quota: null };
  if (!storage) return out;
  try { if (typeof storage.persisted === "function") out.persisted = await storage.persisted(); } catch (_) {}
  try {
    if (typeof storage.estimate === "function") {
      const e = await storage.estimate();
      out.usage = typeof e.usage === "number" ? e.usage : null;
      out.quota = typeof e.quota === "number" ? e.quota : null;
    }
  } catch (_) {}
  return out;
}
// The event history is stored in chunks, one per write: key = the key of the chunk's newest
// event, value = { format, count, events } with `events` JSON Lines, one per event, oldest first:
// [key, record], or [key, requestID] for a record that is the previous one but for its eventTime,
// requestID and eventID (eventTime and eventID are in the key). Chunk keys start with a digit; the
// key "count" (after them all) holds the number of events stored.
function varyingSpans(text) {
  const span = (at) => {
    if (at < 0) return null;
    const start = text.indexOf(":", at) + 1;
    if (text[start] !== '"') return null;
    return [start, text.indexOf('"', start + 1) + 1];
  };
  return [span(text.indexOf('"eventTime":')), span(text.lastIndexOf('"requestID":')), span(text.lastIndexOf('"eventID":'))];
}
// The record of a [key, requestID] line, from the record before it.
function expandRecord(previous, key, requestId) {
  const [t, r, e] = varyingSpans(previous);
  const time = new Date(Number(key.slice(0, 15))).toISOString().replace(".000Z", "Z");
  return previous.slice(0, t[0]) + JSON.stringify(time) + previous.slice(t[1], r[0]) + JSON.stringify(requestId) +
    previous.slice(r[1], e[0]) + JSON.stringify(key.slice(35)) + previous.slice(e[1]);
}
// The lines of a chunk without its first `drop` events; the first line kept is made whole.
function dropEvents(events, drop) {
  const lines = events.split("\n").filter((l) => l !== "");
  let record = null;
  for (let i = 0; i < drop; i++) {
    const [key, value] = JSON.parse(lines[i]);
    record = typeof value === "string"
      ? expandRecord(record, key, value)
      : lines[i].slice(lines[i].indexOf(",") + 1, -1);
  }
  const rest = lines.slice(drop);
  if (rest.length > 0) {
    const [key, value] = JSON.parse(rest[0]);
    if (typeof value === "string") rest[0] = `[${JSON.stringify(key)},${expandRecord(record, key, value)}]`;
  }
  return rest.map((l) => l + "\n").join("");
}
// Made when used, not when the module loads: Node.js (the npm package) has no IDBKeyRange.
const everyChunk = () => IDBKeyRange.upperBound(":", true);
// Appends one chunk in one transaction, then applies the retention rule: deletes the chunks whose
// newest event is before `cutoffKey`, then the oldest events beyond `max` (whole chunks, and the
// front of the last one).
export function idbAppendEvents(db, storeName, chunkKey, eventsJson, count, cutoffKey, max, usageJson) {
  return new Promise((resolve, reject) => {
    let tx;
    try {
      tx = db.transaction([storeName], "readwrite", { durability: "relaxed" });
    } catch (e) {
      reject(e);
      return;
    }
    tx.oncomplete = () => resolve();
    tx.onerror = (e) => { e.preventDefault(); };
    tx.onabort = () => reject(tx.error || new DOMException("The transaction was aborted.", "AbortError"));
    const store = tx.objectStore(storeName);
    if (usageJson != null) store.put({ format: 1, usage: usageJson }, "usage");
    if (count === 0) return;
    store.put({ format: 1, count, events: eventsJson }, chunkKey);
    const stored = store.get("count");
    stored.onsuccess = () => {
      let total = (stored.result && stored.result.count) || 0;
      total += count;
      const done = () => store.put({ count: total }, "count");
      const trim = () => {
        if (total <= max) { done(); return; }
        const oldest = store.openCursor(everyChunk());
        oldest.onsuccess = () => {
          const c = oldest.result;
          if (!c) { done(); return; }
          const n = c.value.count;
          if (total - n >= max) {
            c.delete();
            total -= n;
            c.continue();
            return;
          }
          const drop = total - max;
          c.update({ format: 1, count: n - drop, events: dropEvents(c.value.events, drop) });
          total = max;
          done();
        };
      };
      const expired = store.openCursor(IDBKeyRange.upperBound(cutoffKey, true));
      expired.onsuccess = () => {
        const c = expired.result;
        if (!c) { trim(); return; }
        total -= c.value.count;
        c.delete();
        c.continue();
      };
    };
  });
}
// Stored chunks with keys before `before` (all when null), newest first, until they hold at least
// `limit` events: { chunks: [[key, eventsJson], ...], done } (done: no chunk is left).
export function idbReadEvents(db, storeName, before, limit) {
  return new Promise((resolve, reject) => {
    let tx;
    try {
      tx = db.transaction([storeName], "readonly");
    } catch (e) {
      reject(e);
      return;
    }
    const range = before == null ? everyChunk() : IDBKeyRange.upperBound(before, true);
    const req = tx.objectStore(storeName).openCursor(range, "prev");
    const chunks = [];
    let events = 0;
    req.onsuccess = () => {
      const c = req.result;
      if (!c) {
        resolve({ chunks, done: true });
      } else if (events >= limit) {
        resolve({ chunks, done: false });
      } else {
        chunks.push([c.primaryKey, c.value.events]);
        events += c.value.count;
        c.continue();
      }
    };
    req.onerror = (e) => { e.preventDefault(); reject(req.error); };
  });
}
// The event history's timer and page lifecycle hooks (see trail.rs). They live here, in the one
// snippet file of the store, because every snippet is one more module request when the page
// loads.
export function schedule(callback, ms) {
  return setTimeout(callback, ms);
}
export function unschedule(timer) {
  clearTimeout(timer);
}
// A promise that resolves in a new task, letting the page handle input and paint meanwhile.
export function nextTask() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
// Calls `callback` on pagehide and when the page becomes hidden; returns the function that stops
// it. In a worker (no document) there is nothing to listen to.
export function onPageHide(callback) {
  if (typeof addEventListener !== "function" || typeof document === "undefined") return () => {};
  const hidden = () => { if (document.visibilityState === "hidden") callback(); };
  addEventListener("pagehide", callback);
  document.addEventListener("visibilitychange", hidden);
  return () => {
    removeEventListener("pagehide", callback);
    document.removeEventListener("visibilitychange", hidden);
  };
}
export function idbDatabases(factory) {
  if (typeof factory.databases !== "function") {
    return Promise.reject(new Error("this browser cannot list IndexedDB databases"));
  }
  return factory.databases();
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = idbOpen)]
    fn idb_open(
        factory: &IdbFactory,
        name: &str,
        version: u32,
        stores: &Array,
        blocked_ms: u32,
    ) -> js_sys::Promise;
    #[wasm_bindgen(js_name = idbRequest)]
    fn idb_request(request: &web_sys::IdbRequest) -> js_sys::Promise;
    #[wasm_bindgen(catch, js_name = idbTransaction)]
    fn idb_transaction(
        db: &IdbDatabase,
        stores: &Array,
        mode: &str,
    ) -> Result<IdbTransaction, JsValue>;
    #[wasm_bindgen(js_name = idbDone)]
    fn idb_done(tx: &IdbTransaction) -> js_sys::Promise;
    #[wasm_bindgen(js_name = idbDelete)]
    fn idb_delete(factory: &IdbFactory, name: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = idbDatabases)]
    fn idb_databases(factory: &IdbFactory) -> js_sys::Promise;
    #[wasm_bindgen(js_name = idbCommit)]
    fn idb_commit(
        db: &IdbDatabase,
        expected: f64,
        puts: &Array,
        deletes: &Array,
        meta_puts: &Array,
        log_keys: &Array,
        inject: Option<String>,
    ) -> js_sys::Promise;
    #[wasm_bindgen(js_name = idbCreate)]
    #[allow(clippy::too_many_arguments)]
    fn idb_create(
        db: &IdbDatabase,
        hsm_key: &CryptoKey,
        settings: &JsValue,
        schema: &JsValue,
        puts: &Array,
        chunks: &Array,
        event_count: u32,
        usage: Option<String>,
    ) -> js_sys::Promise;
    #[wasm_bindgen(js_name = idbChangesSince)]
    fn idb_changes_since(
        db: &IdbDatabase,
        since: f64,
        on_page: Option<&js_sys::Function>,
        page: u32,
        lazy_above: f64,
    ) -> js_sys::Promise;
    #[wasm_bindgen(js_name = idbRevision)]
    fn idb_revision(db: &IdbDatabase) -> js_sys::Promise;
    #[wasm_bindgen(js_name = idbGetMany)]
    fn idb_get_many(db: &IdbDatabase, store: &str, keys: &Array) -> js_sys::Promise;
    #[wasm_bindgen(js_name = deploymentScope)]
    fn deployment_scope() -> String;
    #[wasm_bindgen(js_name = acquireLock)]
    fn acquire_lock(name: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = openChannel)]
    pub(crate) fn open_channel(name: &str, callback: &js_sys::Function) -> JsValue;
    #[wasm_bindgen(js_name = postChannel)]
    pub(crate) fn post_channel(channel: &JsValue, rev: f64, keys: &Array);
    #[wasm_bindgen(js_name = closeChannel)]
    pub(crate) fn close_channel(channel: &JsValue);
    #[wasm_bindgen(js_name = storagePersist)]
    fn storage_persist() -> js_sys::Promise;
    #[wasm_bindgen(js_name = storageInfo)]
    fn storage_info() -> js_sys::Promise;
    #[wasm_bindgen(js_name = idbAppendEvents)]
    fn idb_append_events(
        db: &IdbDatabase,
        store: &str,
        chunk_key: &str,
        events_json: &str,
        count: u32,
        cutoff_key: &str,
        max: u32,
        usage_json: Option<String>,
    ) -> js_sys::Promise;
    /// `setTimeout(callback, ms)`: the timer, for [`unschedule`].
    pub(crate) fn schedule(callback: &js_sys::Function, ms: u32) -> JsValue;
    /// `clearTimeout(timer)`.
    pub(crate) fn unschedule(timer: &JsValue);
    #[wasm_bindgen(js_name = nextTask)]
    fn next_task() -> js_sys::Promise;
    /// Calls `callback` on `pagehide` and when the page becomes hidden; returns the function
    /// that stops it.
    #[wasm_bindgen(js_name = onPageHide)]
    pub(crate) fn on_page_hide(callback: &js_sys::Function) -> js_sys::Function;
    #[wasm_bindgen(js_name = idbReadEvents)]
    fn idb_read_events(
        db: &IdbDatabase,
        store: &str,
        before: Option<String>,
        limit: u32,
    ) -> js_sys::Promise;
}

/// A failed write's cause as the sandbox reports it: a full quota is named as such.
pub(crate) fn explain_write_failure(cause: &str) -> String {
    if cause.starts_with("QuotaExceededError") {
        format!(
            "the browser's storage quota for this site is used up ({cause}); nothing of this \
             change was saved and everything saved before is intact: free space (delete a \
             sandbox or other data of this site) and retry"
        )
    } else {
        cause.to_string()
    }
}

fn factory() -> Result<IdbFactory, String> {
    let f = Reflect::get(&js_sys::global(), &"indexedDB".into()).map_err(|e| describe(&e))?;
    if f.is_undefined() || f.is_null() {
        return Err("IndexedDB is not available in this context".into());
    }
    Ok(f.unchecked_into())
}

fn store_names(names: &[&str]) -> Array {
    names.iter().map(|n| JsValue::from_str(n)).collect()
}

async fn await_js(p: js_sys::Promise) -> Result<JsValue, String> {
    JsFuture::from(p).await.map_err(|e| describe(&e))
}

thread_local! {
    /// Test hook: the deployment path to use instead of the page's.
    static SCOPE_OVERRIDE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Test hook: pretend the page is served from `scope` (a path ending in `/`), or from where it
/// is (`None`).
#[cfg(feature = "test-hooks")]
pub(crate) fn set_scope_override(scope: Option<String>) {
    SCOPE_OVERRIDE.with(|s| *s.borrow_mut() = scope);
}

/// The directory of the page's (or worker script's) path, e.g. `/courses/kms/`.
pub(crate) fn scope() -> String {
    SCOPE_OVERRIDE
        .with(|s| s.borrow().clone())
        .unwrap_or_else(deployment_scope)
}

/// The prefix of this deployment's database names: `kms-sandbox/` at the origin's root path
/// (the name every sandbox had before deployments were told apart, so those are still found),
/// `kms-sandbox@<path>#` under a sub-path. A path never holds `#`, so no name of one scope is a
/// name of another.
fn db_prefix() -> String {
    let scope = scope();
    if scope == "/" {
        DB_PREFIX.to_string()
    } else {
        format!("{SCOPED_PREFIX}{scope}#")
    }
}

/// The IndexedDB database name of sandbox `name` in this deployment.
pub(crate) fn db_name(name: &str) -> String {
    format!("{}{name}", db_prefix())
}

thread_local! {
    /// The release functions of the Web Locks this page holds, for the panic hook.
    static HELD: std::cell::RefCell<Vec<js_sys::Function>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The sandbox's write lock (a Web Lock named after its database), held while one operation
/// reloads, computes and commits: writers of all tabs take turns in the order they asked, so a
/// busy tab cannot starve another of commits. Released when dropped.
pub(crate) struct WriteLock(Option<js_sys::Function>);

impl Drop for WriteLock {
    fn drop(&mut self) {
        if let Some(release) = self.0.take() {
            HELD.with(|held| {
                if let Ok(mut held) = held.try_borrow_mut() {
                    held.retain(|f| !js_sys::Object::is(f, &release));
                }
            });
            let _ = release.call0(&JsValue::NULL);
        }
    }
}

/// Releases every Web Lock this page holds (a panic leaves its guards undropped).
pub(crate) fn release_all_locks() {
    let held = HELD.with(|held| held.try_borrow_mut().map(|mut h| std::mem::take(&mut *h)));
    for release in held.unwrap_or_default() {
        let _ = release.call0(&JsValue::NULL);
    }
}

/// The settings a sandbox keeps with its records.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub account_id: String,
    /// How far the sandbox's clock is ahead of real time, in milliseconds (only ever grows).
    pub clock_offset_ms: i64,
}

/// A stored record that could not be read: where it is, what it says it is, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// Its key in the `records` store (`key/<region>/<key id>`, `alias/...`, `iam/...`).
    pub storage_key: String,
    /// The KMS key id, for a key record (or an alias, its name).
    pub key_id: Option<String>,
    pub region: Option<String>,
    pub reason: String,
}

impl Damage {
    pub(crate) fn new(storage_key: &str, reason: String) -> Damage {
        let mut parts = storage_key.splitn(3, '/');
        let (kind, region, rest) = (parts.next(), parts.next(), parts.next());
        let (key_id, region) = match (kind, region, rest) {
            (Some("key") | Some("alias"), Some(r), Some(id)) => {
                (Some(id.to_string()), Some(r.to_string()))
            }
            _ => (None, None),
        };
        Damage {
            storage_key: storage_key.to_string(),
            key_id,
            region,
            reason,
        }
    }
}

/// What a stored record turned out to be.
pub(crate) enum Read {
    Record(Box<Record>),
    /// A key known by its summary only (listed under its key record's storage key).
    Unread(Box<KeySummary>),
    /// No record under this key any more.
    Gone,
    Damaged(Damage),
}

/// What changed in the database since a revision ([`Store::changes_since`]).
pub(crate) struct Changes {
    pub rev: u64,
    /// The list is every record; those the engine holds and it does not name are gone.
    pub all: bool,
    pub records: Vec<(String, Read)>,
    /// The settings as stored now, if the revision moved.
    pub settings: Option<Settings>,
}

/// What [`Store::commit`] did.
pub(crate) enum Commit {
    /// Written: the database is at this revision now.
    Done(u64),
    /// Nothing written: the database is at another revision than the one expected.
    Conflict,
}

/// An open sandbox database and its HSM key.
pub(crate) struct Store {
    db: IdbDatabase,
    hsm: Hsm,
    /// The database's name (the BroadcastChannel of its changes has the same name).
    name: String,
    /// Whether `navigator.storage.persist()` was asked for already.
    persist_asked: std::cell::Cell<bool>,
    /// The wrapped secrets of key records read sealed ([`KeyRecord::sealed`]), by storage key,
    /// unwrapped when the key is first used ([`Store::unseal`]) or written. An entry goes when
    /// its record is written or read again.
    sealed: std::cell::RefCell<std::collections::HashMap<String, KeySecrets>>,
    /// Whether every key record has its summary beside it (layout 4), so that a big read may
    /// read summaries instead.
    summarised: std::cell::Cell<bool>,
    /// Test hook: fail the next write transaction after its puts are queued ("abort" or
    /// "quota").
    #[cfg(feature = "test-hooks")]
    pub(crate) fail_next_write: std::cell::RefCell<Option<&'static str>>,
    /// Test hook: how many write transactions were started.
    #[cfg(feature = "test-hooks")]
    pub(crate) writes: std::cell::Cell<u32>,
}

/// What [`Store::open`] found.
pub(crate) struct Opened {
    pub store: Store,
    pub settings: Settings,
    /// The revision the records were read at.
    pub rev: u64,
    pub records: Vec<Record>,
    /// Keys read as summaries only (a big sandbox).
    pub unread: Vec<KeySummary>,
    pub damaged: Vec<Damage>,
}

fn rev_of(v: &JsValue) -> u64 {
    v.as_f64().filter(|r| *r >= 0.0).map_or(0, |r| r as u64)
}

impl Store {
    /// Opens (creating on first use) the database of sandbox `name`: creates the HSM key and
    /// settings if missing, migrates an older layout, then reads and unwraps every record. A
    /// record that cannot be read is reported in [`Opened::damaged`], not fatal.
    pub async fn open(
        name: &str,
        account_id: Option<&str>,
        default_account: &str,
    ) -> Result<Opened, String> {
        let db_name = db_name(name);
        let factory = factory()?;
        let db: JsValue = await_js(idb_open(
            &factory,
            &db_name,
            DB_VERSION,
            &store_names(&[RECORDS, META, EVENTS, LOG]),
            BLOCKED_MS,
        ))
        .await
        .map_err(|e| {
            if e.starts_with("VersionError") {
                format!("the sandbox was saved by a newer build of KMS Sandbox ({e})")
            } else {
                e
            }
        })?;
        let db: IdbDatabase = db.unchecked_into();
        match Self::open_db(db.clone(), name, db_name, account_id, default_account).await {
            Ok(opened) => Ok(opened),
            Err(e) => {
                db.close();
                Err(e)
            }
        }
    }

    async fn open_db(
        db: IdbDatabase,
        name: &str,
        db_name: String,
        account_id: Option<&str>,
        default_account: &str,
    ) -> Result<Opened, String> {
        let (mut hsm_key, mut settings, mut schema) = read_meta(&db).await?;
        if hsm_key.is_none() || settings.is_none() {
            // First open. Generate before the transaction: a transaction cannot wait on WebCrypto.
            let new_key = Hsm::generate_key().await?;
            let new_settings = Settings {
                account_id: account_id.unwrap_or(default_account).to_string(),
                clock_offset_ms: 0,
            };
            let tx = idb_transaction(&db, &store_names(&[META]), "readwrite")
                .map_err(|e| describe(&e))?;
            let meta = tx.object_store(META).map_err(|e| describe(&e))?;
            let done = idb_done(&tx);
            // `add`, not `put`: if another tab initialised the sandbox meanwhile, keep its values
            // (the ConstraintError aborts this transaction, so none of these is written).
            if hsm_key.is_none() {
                meta.add_with_key(&new_key, &HSM_KEY.into())
                    .map_err(|e| describe(&e))?;
            }
            if settings.is_none() {
                meta.add_with_key(&settings_value(&new_settings)?, &SETTINGS_KEY.into())
                    .map_err(|e| describe(&e))?;
                if schema.is_none() {
                    meta.add_with_key(&schema_value(SCHEMA)?, &SCHEMA_KEY.into())
                        .map_err(|e| describe(&e))?;
                }
            }
            if let Err(e) = await_js(done).await {
                if !e.starts_with("ConstraintError") {
                    return Err(format!("could not initialise the sandbox database: {e}"));
                }
            }
            (hsm_key, settings, schema) = read_meta(&db).await?;
        }
        let hsm_key = hsm_key.ok_or("the sandbox database has no HSM key")?;
        let settings = settings.ok_or("the sandbox database has no settings")?;
        if let Some(wanted) = account_id {
            if wanted != settings.account_id {
                return Err(format!(
                    "sandbox '{name}' belongs to account {}, not {wanted}",
                    settings.account_id
                ));
            }
        }
        let store = Store {
            db,
            hsm: Hsm::new(hsm_key),
            name: db_name,
            persist_asked: std::cell::Cell::new(false),
            sealed: Default::default(),
            summarised: std::cell::Cell::new(false),
            #[cfg(feature = "test-hooks")]
            fail_next_write: std::cell::RefCell::new(None),
            #[cfg(feature = "test-hooks")]
            writes: std::cell::Cell::new(0),
        };
        let schema = schema.unwrap_or(1);
        match schema {
            1 => store.migrate_from_1().await?,
            2 => store.mark_layout().await?,
            SCHEMA_UNSUMMARISED | SCHEMA => {}
            newer => {
                return Err(format!(
                    "the sandbox was saved by a newer build of KMS Sandbox (layout {newer}; this \
                     build reads layout {SCHEMA})"
                ))
            }
        }
        store.summarised.set(schema == SCHEMA);
        let changes = store.changes_since(None).await?;
        let mut records = Vec::with_capacity(changes.records.len());
        let mut unread = Vec::new();
        let mut damaged = Vec::new();
        for (_, read) in changes.records {
            match read {
                Read::Record(r) => records.push(*r),
                Read::Unread(s) => unread.push(*s),
                Read::Damaged(d) => damaged.push(d),
                Read::Gone => {}
            }
        }
        let rev = if schema == SCHEMA {
            changes.rev
        } else {
            store.add_summaries(changes.rev, &records).await?
        };
        Ok(Opened {
            store,
            settings: changes.settings.unwrap_or(settings),
            rev,
            records,
            unread,
            damaged,
        })
    }

    /// Marks a sandbox of layout 2 as layout 3: its records stay as they are (format 2 is read),
    /// and older builds no longer open it (they would not read format 3).
    async fn mark_layout(&self) -> Result<(), String> {
        let tx = idb_transaction(&self.db, &store_names(&[META]), "readwrite")
            .map_err(|e| describe(&e))?;
        let done = idb_done(&tx);
        let meta = tx.object_store(META).map_err(|e| describe(&e))?;
        meta.put_with_key(&schema_value(SCHEMA_UNSUMMARISED)?, &SCHEMA_KEY.into())
            .map_err(|e| describe(&e))?;
        await_js(done).await.map_err(|e| {
            format!("could not mark the sandbox as layout {SCHEMA_UNSUMMARISED}: {e}")
        })?;
        Ok(())
    }

    /// Makes a sandbox of layout 3 (its `records`, as read at revision `rev`) layout 4: writes
    /// each key's summary and marks the layout, as one revision. If another tab wrote meanwhile
    /// and did this first, nothing is left to do; if it wrote something else, open again.
    async fn add_summaries(&self, rev: u64, records: &[Record]) -> Result<u64, String> {
        let puts = Array::new();
        let mut pacer = Pacer::new();
        for record in records {
            if let Record::Key(k) = record {
                puts.push(&summary_put(k)?);
                pacer.tick().await;
            }
        }
        let meta_puts = Array::of1(&Array::of2(&SCHEMA_KEY.into(), &schema_value(SCHEMA)?));
        let result = await_js(idb_commit(
            &self.db,
            rev as f64,
            &puts,
            &Array::new(),
            &meta_puts,
            &Array::new(),
            None,
        ))
        .await
        .map_err(|e| format!("could not migrate the sandbox to layout {SCHEMA}: {e}"))?;
        let conflict = get(&result, "conflict")?.is_truthy();
        if conflict {
            let (_, _, schema) = read_meta(&self.db).await?;
            if schema != Some(SCHEMA) {
                return Err(
                    "the sandbox changed while it was being migrated: open it again".into(),
                );
            }
        }
        self.summarised.set(true);
        // The revision the records are at (after a conflict, the next sync catches up).
        Ok(if conflict {
            rev
        } else {
            rev_of(&get(&result, "rev")?)
        })
    }

    /// Rewrites a sandbox of layout 1 in layout 3, in one transaction: each record that reads
    /// under layout 1's rules is wrapped again under its [`Binding`], at revision 1. One that does
    /// not is left as it is (and then reported as damaged). If another tab migrated first, this
    /// does nothing.
    async fn migrate_from_1(&self) -> Result<(), String> {
        let snapshot = await_js(idb_changes_since(&self.db, -1.0, None, READ_PAGE, -1.0)).await?;
        let rev = rev_of(&get(&snapshot, "rev")?);
        let next = rev + 1;
        let puts = Array::new();
        let changed: Array = get(&snapshot, "changed")?.unchecked_into();
        for pair in changed.iter() {
            let pair: Array = pair.unchecked_into();
            let Some(storage_key) = pair.get(0).as_string() else {
                continue;
            };
            let value = pair.get(1);
            if let Ok(record) = decode_record(&self.hsm, &storage_key, &value, true, false).await {
                let encoded = encode_record(&self.hsm, &record, next).await?;
                puts.push(&Array::of2(&storage_key.into(), &encoded));
            }
        }
        let meta_puts = Array::of1(&Array::of2(
            &SCHEMA_KEY.into(),
            &schema_value(SCHEMA_UNSUMMARISED)?,
        ));
        let log_keys = Array::new();
        for pair in puts.iter() {
            log_keys.push(&Array::from(&pair).get(0));
        }
        let result = await_js(idb_commit(
            &self.db,
            rev as f64,
            &puts,
            &Array::new(),
            &meta_puts,
            &log_keys,
            None,
        ))
        .await
        .map_err(|e| {
            format!("could not migrate the sandbox to layout {SCHEMA_UNSUMMARISED}: {e}")
        })?;
        if get(&result, "conflict")?.is_truthy() {
            // Someone wrote meanwhile: only a build of layout 2 or later commits revisions, so it
            // migrated.
            let (_, _, schema) = read_meta(&self.db).await?;
            if schema.is_none_or(|s| s < SCHEMA_UNSUMMARISED) {
                return Err(
                    "the sandbox changed while it was being migrated: open it again".into(),
                );
            }
        }
        Ok(())
    }

    /// The records changed after revision `since` (every record when `None`, or when the log no
    /// longer reaches back that far), read and unwrapped in one snapshot.
    pub async fn changes_since(&self, since: Option<u64>) -> Result<Changes, String> {
        let since = since.map_or(-1.0, |r| r as f64);
        // The pages of a whole read are parsed as they arrive, while the database reads the
        // next ones; only unwrapping waits for the end. Many keys are read sealed: unwrapping
        // each on open would take seconds (one WebCrypto call per key), and most are never used
        // in a session.
        let paged: Rc<RefCell<Vec<(String, Step)>>> = Rc::default();
        let on_page = {
            let paged = paged.clone();
            Closure::<dyn FnMut(Array, Array, f64)>::new(
                move |keys: Array, values: Array, total: f64| {
                    let lazy = total as usize > eager_keys();
                    let mut paged = paged.borrow_mut();
                    for (key, value) in keys.iter().zip(values.iter()) {
                        if let Some(storage_key) = key.as_string() {
                            paged.push(Step::read_any(storage_key, &value, lazy));
                        }
                    }
                },
            )
        };
        let read = await_js(idb_changes_since(
            &self.db,
            since,
            Some(on_page.as_ref().unchecked_ref()),
            READ_PAGE_NOW.with(std::cell::Cell::get),
            if self.summarised.get() {
                eager_keys() as f64
            } else {
                -1.0
            },
        ))
        .await?;
        let rev = rev_of(&get(&read, "rev")?);
        let all = get(&read, "all")?.is_truthy();
        let settings = get(&read, "settings")?;
        let settings = if settings.is_undefined() {
            None
        } else {
            Some(settings_of(&settings)?)
        };
        let mut steps = std::mem::take(&mut *paged.borrow_mut());
        // What the log names (a read of what changed since `since`).
        let changed: Array = get(&read, "changed")?.unchecked_into();
        let lazy = changed.length() as usize > eager_keys();
        for pair in changed.iter() {
            let pair: Array = pair.unchecked_into();
            let Some(storage_key) = pair.get(0).as_string() else {
                continue;
            };
            if storage_key.starts_with("meta/") {
                continue;
            }
            let value = pair.get(1);
            let step = if value.is_undefined() {
                Step::Gone
            } else {
                Step::read(&storage_key, &value, lazy)
            };
            steps.push((storage_key, step));
        }
        let mut records = Vec::with_capacity(steps.len());
        // Kept aside and stored at the end: no borrow of `sealed` is held across an await.
        let mut now_sealed = Vec::new();
        let mut pacer = Pacer::new();
        for (storage_key, step) in steps {
            pacer.tick().await;
            let read = match step {
                Step::Gone => Read::Gone,
                Step::Unread(summary) => Read::Unread(summary),
                Step::Parsed(Err(reason)) => Read::Damaged(Damage::new(&storage_key, reason)),
                Step::Parsed(Ok(parsed)) => match *parsed {
                    Parsed::Sealed(k, secrets) => {
                        now_sealed.push((storage_key.clone(), secrets));
                        Read::Record(Box::new(Record::Key(k)))
                    }
                    parsed => match unwrap_parsed(&self.hsm, &storage_key, parsed, false).await {
                        Ok(r) => Read::Record(Box::new(r)),
                        Err(reason) => Read::Damaged(Damage::new(&storage_key, reason)),
                    },
                },
            };
            records.push((storage_key, read));
        }
        // In slices too: 100,000 entries take tens of milliseconds. No borrow across an await.
        if all {
            self.sealed.borrow_mut().clear();
        } else {
            for (storage_key, _) in &records {
                pacer.tick().await;
                self.sealed.borrow_mut().remove(storage_key);
            }
        }
        for (storage_key, secrets) in now_sealed {
            pacer.tick().await;
            self.sealed.borrow_mut().insert(storage_key, secrets);
        }
        Ok(Changes {
            rev,
            all,
            records,
            settings,
        })
    }

    /// The revision stored now.
    pub async fn stored_rev(&self) -> Result<u64, String> {
        Ok(rev_of(&await_js(idb_revision(&self.db)).await?))
    }

    /// Persists one operation's changes (and, if given, the settings) as revision
    /// `expected + 1`, in one readwrite transaction, if the database is still at revision
    /// `expected`; resolves after its `complete` event. Secret material is wrapped before the
    /// transaction starts, bound to the new revision.
    pub async fn commit(
        &self,
        expected: u64,
        changes: &[Change],
        settings: Option<&Settings>,
    ) -> Result<Commit, String> {
        let next = expected + 1;
        let puts = Array::new();
        let deletes = Array::new();
        let log_keys = Array::new();
        for change in changes {
            let storage_key = change.storage_key();
            let value = match change {
                Change::PutKey(k) => Some(encode_key(&self.hsm, &storage_key, k, next).await?),
                Change::PutAlias(a) => Some(encode_alias(a, next)?),
                Change::PutIam(r) => Some(encode_iam(&self.hsm, &storage_key, r, next).await?),
                Change::DeleteKey { .. }
                | Change::DeleteAlias { .. }
                | Change::DeleteIam { .. } => None,
            };
            let key = JsValue::from_str(&storage_key);
            match value {
                Some(v) => puts.push(&Array::of2(&key, &v)),
                None => deletes.push(&key),
            };
            log_keys.push(&key);
            // The summary beside a key record (not logged: another tab reads the record).
            match change {
                Change::PutKey(k) => {
                    puts.push(&summary_put(k)?);
                }
                Change::DeleteKey { region, key_id } => {
                    deletes.push(&summary_storage_key(region, key_id).into());
                }
                _ => {}
            }
        }
        let meta_puts = Array::new();
        if let Some(s) = settings {
            meta_puts.push(&Array::of2(&SETTINGS_KEY.into(), &settings_value(s)?));
            log_keys.push(&SETTINGS_CHANGE.into());
        }
        #[cfg(feature = "test-hooks")]
        self.writes.set(self.writes.get() + 1);
        #[cfg(feature = "test-hooks")]
        let inject = self.fail_next_write.borrow_mut().take().map(str::to_string);
        #[cfg(not(feature = "test-hooks"))]
        let inject = None;
        let result = await_js(idb_commit(
            &self.db,
            expected as f64,
            &puts,
            &deletes,
            &meta_puts,
            &log_keys,
            inject,
        ))
        .await
        .map_err(|e| explain_write_failure(&e))?;
        let rev = rev_of(&get(&result, "rev")?);
        if get(&result, "conflict")?.is_truthy() {
            return Ok(Commit::Conflict);
        }
        // What was written is what the engine will hold, secrets unwrapped.
        let mut sealed = self.sealed.borrow_mut();
        for change in changes {
            sealed.remove(&change.storage_key());
        }
        Ok(Commit::Done(rev))
    }

    /// `sealed`, the record read sealed under `storage_key`, with its secrets unwrapped (`None`
    /// if no record was read sealed there: nothing to unwrap). An error says why they cannot
    /// be read: the record is damaged.
    pub async fn unseal(
        &self,
        storage_key: &str,
        sealed: &KeyRecord,
    ) -> Result<Option<KeyRecord>, String> {
        let mut k = sealed.clone();
        Ok(self
            .unseal_in_place(storage_key, &mut k)
            .await?
            .then_some(k))
    }

    /// [`Store::unseal`] into `record` itself (a copy of the sealed record): false when there
    /// is no stored value to unwrap.
    pub async fn unseal_in_place(
        &self,
        storage_key: &str,
        record: &mut KeyRecord,
    ) -> Result<bool, String> {
        let secrets = self.sealed.borrow().get(storage_key).cloned();
        let Some(secrets) = secrets else {
            return Ok(false);
        };
        secrets
            .unwrap_into(&self.hsm, storage_key, record, Unwrap::All)
            .await?;
        Ok(true)
    }

    /// Reads the key records under `storage_keys`, in one transaction, each sealed
    /// ([`Store::unseal`] unwraps its secrets when an operation needs them): keys known by their
    /// summaries, first named. An error is one of the database, not of a record.
    pub async fn read_keys(&self, storage_keys: &[String]) -> Result<Vec<Read>, String> {
        let keys: Array = storage_keys.iter().map(|k| JsValue::from_str(k)).collect();
        let values: Array = await_js(idb_get_many(&self.db, RECORDS, &keys))
            .await?
            .dyn_into()
            .map_err(|_| "the records could not be read")?;
        let mut reads = Vec::with_capacity(storage_keys.len());
        for (storage_key, value) in storage_keys.iter().zip(values.iter()) {
            reads.push(self.read_value(storage_key, &value).await);
        }
        Ok(reads)
    }

    /// A key record's stored value as read: sealed, or unwrapped if it is of a layout that keeps
    /// no sealed form.
    async fn read_value(&self, storage_key: &str, value: &JsValue) -> Read {
        if value.is_undefined() {
            return Read::Gone;
        }
        let parsed = match parse_stored(storage_key, value, false, true) {
            Ok(parsed) => parsed,
            Err(reason) => return Read::Damaged(Damage::new(storage_key, reason)),
        };
        match parsed {
            Parsed::Sealed(k, secrets) => {
                self.sealed
                    .borrow_mut()
                    .insert(storage_key.to_string(), secrets);
                Read::Record(Box::new(Record::Key(k)))
            }
            parsed => match unwrap_parsed(&self.hsm, storage_key, parsed, false).await {
                Ok(r) => Read::Record(Box::new(r)),
                Err(reason) => Read::Damaged(Damage::new(storage_key, reason)),
            },
        }
    }

    /// The revision of the record read sealed under `storage_key`, if there is one.
    pub fn sealed_rev(&self, storage_key: &str) -> Option<u64> {
        self.sealed.borrow().get(storage_key).map(|s| s.rev)
    }

    /// Forgets the sealed value of a record found damaged.
    pub fn forget_sealed(&self, storage_key: &str) {
        self.sealed.borrow_mut().remove(storage_key);
    }

    /// Gives each sealed key record among `changes` its secrets, unwrapped from its stored
    /// value, so that it can be wrapped again under its new revision. The operation changed
    /// only what it could without them: a material it deleted is not given back (its import
    /// state says it is gone), and materials or wrapping keys it added are its own.
    pub async fn unseal_changes(&self, changes: &mut [Change]) -> Result<(), String> {
        for change in changes {
            let Change::PutKey(k) = change else {
                continue;
            };
            if !k.sealed {
                continue;
            }
            let storage_key = kms_core::key_storage_key(&k.region, &k.key_id);
            let secrets = self.sealed.borrow().get(&storage_key).cloned();
            let secrets = secrets.ok_or_else(|| {
                format!("the stored secrets of {storage_key} were not found to write them again")
            })?;
            secrets
                .unwrap_into(&self.hsm, &storage_key, k, Unwrap::Missing)
                .await?;
        }
        Ok(())
    }

    /// The database connection (the event history writes through it: [`append_events`]).
    pub fn db(&self) -> &IdbDatabase {
        &self.db
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Waits for the sandbox's write lock (no lock where the browser has no Web Locks: commits
    /// are then only checked by revision).
    pub async fn write_lock(&self) -> Result<WriteLock, String> {
        let release = await_js(acquire_lock(&format!("kms-sandbox-write:{}", self.name))).await?;
        let release = release.dyn_into::<js_sys::Function>().ok();
        if let Some(f) = &release {
            HELD.with(|held| held.borrow_mut().push(f.clone()));
        }
        Ok(WriteLock(release))
    }

    /// Whether the connection was closed: the database was deleted (here or in another tab) or
    /// the browser closed it. Writes then fail.
    pub fn is_closed(&self) -> bool {
        Reflect::get(&self.db, &"kmsSandboxClosed".into())
            .map(|v| v.is_truthy())
            .unwrap_or(true)
    }

    /// Asks the browser, once per open sandbox, to keep this origin's storage
    /// (`navigator.storage.persist()`): on the first write.
    pub async fn ask_persist(&self) {
        if self.persist_asked.replace(true) {
            return;
        }
        let _ = JsFuture::from(storage_persist()).await;
    }

    /// The non-extractable WebCrypto key that wraps this sandbox's material.
    #[cfg(feature = "test-hooks")]
    pub fn hsm_key(&self) -> &CryptoKey {
        self.hsm.key()
    }
}

impl Drop for Store {
    /// Closes the connection, so a later open or delete of the sandbox need not wait for the
    /// garbage collector.
    fn drop(&mut self) {
        self.db.close();
    }
}

/// `navigator.storage` as `{ persisted, usage, quota }` (members `null` where not known).
pub(crate) async fn storage_estimate() -> JsValue {
    JsFuture::from(storage_info())
        .await
        .unwrap_or(JsValue::NULL)
}

async fn read_meta(
    db: &IdbDatabase,
) -> Result<(Option<CryptoKey>, Option<Settings>, Option<u32>), String> {
    let tx = idb_transaction(db, &store_names(&[META]), "readonly").map_err(|e| describe(&e))?;
    let meta = tx.object_store(META).map_err(|e| describe(&e))?;
    let hsm = idb_request(&meta.get(&HSM_KEY.into()).map_err(|e| describe(&e))?);
    let settings = idb_request(&meta.get(&SETTINGS_KEY.into()).map_err(|e| describe(&e))?);
    let schema = idb_request(&meta.get(&SCHEMA_KEY.into()).map_err(|e| describe(&e))?);
    let hsm = await_js(hsm).await?;
    let settings = await_js(settings).await?;
    let schema = await_js(schema).await?;
    let hsm = if hsm.is_undefined() {
        None
    } else {
        Some(
            hsm.dyn_into::<CryptoKey>()
                .map_err(|_| "the stored HSM key is not a CryptoKey".to_string())?,
        )
    };
    let settings = if settings.is_undefined() {
        None
    } else {
        Some(settings_of(&settings)?)
    };
    let schema = if schema.is_undefined() {
        None
    } else {
        Some(
            get(&schema, "version")?
                .as_f64()
                .filter(|v| v.fract() == 0.0 && *v >= 1.0 && *v <= f64::from(u32::MAX))
                .ok_or("the stored layout version is not a number")? as u32,
        )
    };
    Ok((hsm, settings, schema))
}

fn settings_of(settings: &JsValue) -> Result<Settings, String> {
    let account_id = Reflect::get(settings, &"accountId".into())
        .ok()
        .and_then(|v| v.as_string())
        .ok_or("the stored settings have no accountId")?;
    let clock_offset_ms = Reflect::get(settings, &"clockOffsetMs".into())
        .ok()
        .and_then(|v| v.as_f64())
        .filter(|v| v.is_finite())
        .map_or(0, |v| v as i64);
    Ok(Settings {
        account_id,
        clock_offset_ms,
    })
}

fn settings_value(s: &Settings) -> Result<JsValue, String> {
    let o = Object::new();
    set(&o, "format", &FORMAT.into())?;
    set(&o, "accountId", &s.account_id.as_str().into())?;
    set(&o, "created", &js_sys::Date::new_0().into())?;
    set(&o, "clockOffsetMs", &(s.clock_offset_ms as f64).into())?;
    Ok(o.into())
}

fn schema_value(version: u32) -> Result<JsValue, String> {
    let o = Object::new();
    set(&o, "version", &version.into())?;
    Ok(o.into())
}

fn set(o: &Object, k: &str, v: &JsValue) -> Result<(), String> {
    Reflect::set(o, &k.into(), v)
        .map(|_| ())
        .map_err(|e| describe(&e))
}

/// `o[k]`, with the name made into a JavaScript string once (reading 100,000 records asks for
/// each of their fields).
fn get(o: &JsValue, k: &'static str) -> Result<JsValue, String> {
    crate::convert::with_static(k, |k| Reflect::get(o, k)).map_err(|e| describe(&e))
}

/// A record's serde form as JSON text (format 3). It has no secret in it: the records skip
/// their material.
fn record_text<T: Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| e.to_string())
}

async fn encode_record(hsm: &Hsm, record: &Record, rev: u64) -> Result<JsValue, String> {
    match record {
        Record::Key(k) => {
            encode_key(
                hsm,
                &kms_core::key_storage_key(&k.region, &k.key_id),
                k,
                rev,
            )
            .await
        }
        Record::Alias(a) => encode_alias(a, rev),
        Record::Iam(r) => encode_iam(hsm, &r.storage_key(), r, rev).await,
    }
}

fn wrapped_entry(name_field: &str, name: &str, w: &Wrapped) -> Result<Object, String> {
    let entry = Object::new();
    set(&entry, name_field, &name.into())?;
    set(&entry, "iv", &Uint8Array::from(&w.iv[..]).into())?;
    set(
        &entry,
        "ciphertext",
        &Uint8Array::from(&w.ciphertext[..]).into(),
    )?;
    Ok(entry)
}

/// `{ format, kind: "key", rev, record, material: [{ backingKeyId, iv, ciphertext }],
/// wrappingKeys?: [{ tokenId, iv, ciphertext }] }`; `record` is the serde form, which has no
/// material in it. `wrappingKeys` are the private keys of GetParametersForImport's answers still
/// valid, so that an import token outlives a reload as AWS's does for 24 hours.
async fn encode_key(
    hsm: &Hsm,
    storage_key: &str,
    k: &KeyRecord,
    rev: u64,
) -> Result<JsValue, String> {
    let binding = Binding {
        storage_key,
        region: &k.region,
        key_id: &k.key_id,
        arn: &k.arn,
        rev,
    };
    let material = Array::new();
    for b in &k.backing_keys {
        let w = hsm.wrap(&binding, &b.id, &b.material).await?;
        material.push(&wrapped_entry("backingKeyId", &b.id, &w)?.into());
    }
    let o = Object::new();
    set(&o, "format", &FORMAT_TEXT.into())?;
    set(&o, "kind", &"key".into())?;
    set(&o, "rev", &(rev as f64).into())?;
    set(&o, "record", &record_text(k)?.into())?;
    set(&o, "material", &material)?;
    if !k.import_parameters.is_empty() {
        let wrapping_keys = Array::new();
        for p in &k.import_parameters {
            let name = wrapping_key_name(&p.token_id);
            let w = hsm.wrap(&binding, &name, &p.private_key).await?;
            wrapping_keys.push(&wrapped_entry("tokenId", &p.token_id, &w)?.into());
        }
        set(&o, "wrappingKeys", &wrapping_keys)?;
    }
    Ok(o.into())
}

fn encode_alias(a: &AliasRecord, rev: u64) -> Result<JsValue, String> {
    let o = Object::new();
    set(&o, "format", &FORMAT_TEXT.into())?;
    set(&o, "kind", &"alias".into())?;
    set(&o, "rev", &(rev as f64).into())?;
    set(&o, "record", &record_text(a)?.into())?;
    Ok(o.into())
}

/// `{ format, kind: "iam", rev, record, secrets: [{ name, iv, ciphertext }] }`: an IAM user,
/// role, policy, access key or role session. Secret access keys and session tokens are wrapped
/// like key material, bound to the record's storage key, revision and the secret's name.
async fn encode_iam(
    hsm: &Hsm,
    storage_key: &str,
    r: &IamRecord,
    rev: u64,
) -> Result<JsValue, String> {
    let binding = Binding {
        storage_key,
        region: "",
        key_id: "",
        arn: "",
        rev,
    };
    let secrets = Array::new();
    for (name, secret) in r.secrets() {
        let w = hsm.wrap(&binding, name, secret).await?;
        secrets.push(&wrapped_entry("name", name, &w)?.into());
    }
    let o = Object::new();
    set(&o, "format", &FORMAT_TEXT.into())?;
    set(&o, "kind", &"iam".into())?;
    set(&o, "rev", &(rev as f64).into())?;
    set(&o, "record", &record_text(r)?.into())?;
    set(&o, "secrets", &secrets)?;
    Ok(o.into())
}

/// What a wrapping private key is bound to besides its record: its import token's id (backing
/// key ids are hex, so the prefix keeps the two apart).
fn wrapping_key_name(token_id: &str) -> String {
    format!("import/{token_id}")
}

/// The entry of a stored list of wrapped secrets (see [`wrapped_entry`]) whose `field` is `name`.
fn entry_named(list: &Array, field: &'static str, name: &str) -> Option<JsValue> {
    list.iter()
        .find(|m| get(m, field).ok().and_then(|v| v.as_string()).as_deref() == Some(name))
}

/// The most bytes a wrapped secret may have (an RSA 4096 private key is about 2.4 KB).
const MAX_WRAPPED: u32 = 64 * 1024;

fn wrapped_of(entry: &JsValue) -> Result<Wrapped, String> {
    let bytes = |name: &'static str| -> Result<Vec<u8>, String> {
        let a = get(entry, name)?
            .dyn_into::<Uint8Array>()
            .map_err(|_| format!("its wrapped material has no {name}"))?;
        if a.length() > MAX_WRAPPED {
            return Err("its wrapped material is too large".into());
        }
        Ok(a.to_vec())
    };
    Ok(Wrapped {
        iv: bytes("iv")?,
        ciphertext: bytes("ciphertext")?,
    })
}

/// A record's serde form: JSON text (`text`, format 3), or an object (formats 1 and 2) read
/// through one `JSON.stringify` and serde_json rather than field by field with
/// serde_wasm_bindgen (one crossing into JavaScript per record, not per field). The object was
/// written `json_compatible`, so its JSON is the same data.
fn parse_record<T: serde::de::DeserializeOwned>(record: &JsValue, text: bool) -> Result<T, String> {
    let json = if text {
        record.as_string().ok_or("it is not JSON text")?
    } else {
        js_sys::JSON::stringify(record)
            .ok()
            .and_then(|t| t.as_string())
            .ok_or("it is not JSON data")?
    };
    serde_json::from_str(&json).map_err(|e| e.to_string())
}

/// One record of a read, parsed and checked as it arrives ([`Store::changes_since`]).
enum Step {
    /// No record under this key any more.
    Gone,
    /// A key's summary (under its key record's storage key).
    Unread(Box<KeySummary>),
    /// Boxed: 100,000 of these are held at once while a big read arrives.
    Parsed(Result<Box<Parsed>, String>),
}

impl Step {
    fn read(storage_key: &str, value: &JsValue, sealed: bool) -> Step {
        Step::Parsed(parse_stored(storage_key, value, false, sealed).map(Box::new))
    }

    /// A record, or a key's summary: listed under its key record's storage key.
    fn read_any(storage_key: String, value: &JsValue, sealed: bool) -> (String, Step) {
        let Some(rest) = storage_key.strip_prefix(SUMMARY_PREFIX) else {
            let step = Step::read(&storage_key, value, sealed);
            return (storage_key, step);
        };
        let key_storage_key = format!("key/{rest}");
        let step = match parse_summary(&key_storage_key, value) {
            Ok(summary) => Step::Unread(Box::new(summary)),
            Err(reason) => Step::Parsed(Err(reason)),
        };
        (key_storage_key, step)
    }
}

/// A stored summary, checked against the key record it stands beside.
fn parse_summary(key_storage_key: &str, value: &JsValue) -> Result<KeySummary, String> {
    let text = value
        .as_string()
        .ok_or("the stored summary is not JSON text")?;
    let summary: KeySummary = serde_json::from_str(&text)
        .map_err(|e| format!("the key's summary does not parse: {e}"))?;
    if summary.storage_key() != key_storage_key {
        return Err(format!(
            "the summary is of key {} in {}, but it is stored beside {key_storage_key}",
            summary.key_id(),
            summary.region()
        ));
    }
    Ok(summary)
}

fn summary_storage_key(region: &str, key_id: &str) -> String {
    format!("{SUMMARY_PREFIX}{region}/{key_id}")
}

/// `[storage key, JSON text]` of a key's summary, for a write.
fn summary_put(k: &KeyRecord) -> Result<JsValue, String> {
    let text = serde_json::to_string(&KeySummary::of(k)).map_err(|e| e.to_string())?;
    Ok(Array::of2(
        &summary_storage_key(&k.region, &k.key_id).into(),
        &text.into(),
    )
    .into())
}

/// A stored value, parsed and checked, its secrets still wrapped.
enum Parsed {
    /// Nothing to unwrap: an alias.
    Done(Record),
    /// A key left sealed ([`KeyRecord::sealed`]).
    Sealed(KeyRecord, KeySecrets),
    Key(KeyRecord, KeySecrets),
    Iam {
        r: IamRecord,
        secrets: Array,
        rev: u64,
    },
}

/// Which secrets [`KeySecrets::unwrap_into`] gives a key record.
#[derive(Clone, Copy)]
enum Unwrap {
    /// Every secret the record names; one the value lacks is damage.
    All,
    /// The same, from a value of layout 1 (the migration).
    AllLegacy,
    /// Only those the record lacks and the value has: a sealed record an operation changed
    /// keeps what it added, and a material it deleted is not given back (its import state says
    /// it is gone).
    Missing,
}

/// What a key record's stored value holds besides the record: its revision and its wrapped
/// secrets. A key read sealed keeps only this of its value until first use, not the whole
/// value, whose record the engine has.
#[derive(Clone)]
pub(crate) struct KeySecrets {
    rev: u64,
    /// `[{ backingKeyId, iv, ciphertext }]`
    material: Array,
    /// `[{ tokenId, iv, ciphertext }]`, if the key has import parameters.
    wrapping_keys: Option<Array>,
}

impl KeySecrets {
    fn binding<'a>(&self, storage_key: &'a str, k: &'a KeyRecord) -> Binding<'a> {
        Binding {
            storage_key,
            region: &k.region,
            key_id: &k.key_id,
            arn: &k.arn,
            rev: self.rev,
        }
    }

    /// The material of backing key `id`, unwrapped (`None`: the value has none for it).
    async fn material(
        &self,
        hsm: &Hsm,
        binding: &Binding<'_>,
        id: &str,
        legacy: bool,
    ) -> Result<Option<Secret>, String> {
        let Some(entry) = entry_named(&self.material, "backingKeyId", id) else {
            return Ok(None);
        };
        let wrapped = wrapped_of(&entry)?;
        Ok(Some(if legacy {
            hsm.unwrap_legacy(binding.arn, id, &wrapped).await?
        } else {
            hsm.unwrap(binding, id, &wrapped).await?
        }))
    }

    /// The wrapping private key of import token `token_id`, unwrapped.
    async fn wrapping_key(
        &self,
        hsm: &Hsm,
        binding: &Binding<'_>,
        token_id: &str,
    ) -> Result<Option<Secret>, String> {
        let Some(entry) = self
            .wrapping_keys
            .as_ref()
            .and_then(|list| entry_named(list, "tokenId", token_id))
        else {
            return Ok(None);
        };
        let name = wrapping_key_name(token_id);
        Ok(Some(
            hsm.unwrap(binding, &name, &wrapped_of(&entry)?).await?,
        ))
    }

    /// Gives `k` its secrets, unwrapped from this value (see [`Unwrap`]).
    async fn unwrap_into(
        &self,
        hsm: &Hsm,
        storage_key: &str,
        k: &mut KeyRecord,
        which: Unwrap,
    ) -> Result<(), String> {
        let all = !matches!(which, Unwrap::Missing);
        let legacy = matches!(which, Unwrap::AllLegacy);
        // Unwrapped first, given after: the binding borrows the record.
        let binding = self.binding(storage_key, k);
        let mut materials = Vec::new();
        for (i, b) in k.backing_keys.iter().enumerate() {
            let present = b.import.as_ref().is_none_or(|m| m.imported);
            if all || (present && b.material.is_empty()) {
                match self.material(hsm, &binding, &b.id, legacy).await? {
                    Some(secret) => materials.push((i, secret)),
                    None if all => {
                        return Err(format!("no wrapped material for backing key {}", b.id))
                    }
                    None => {}
                }
            }
        }
        let mut wrapping_keys = Vec::new();
        for (i, p) in k.import_parameters.iter().enumerate() {
            if all || p.private_key.is_empty() {
                match self.wrapping_key(hsm, &binding, &p.token_id).await? {
                    Some(secret) => wrapping_keys.push((i, secret)),
                    None if all => {
                        return Err(format!("no wrapped wrapping key for token {}", p.token_id))
                    }
                    None => {}
                }
            }
        }
        for (i, secret) in materials {
            k.backing_keys[i].set_material(secret);
        }
        for (i, secret) in wrapping_keys {
            k.import_parameters[i].private_key = secret;
        }
        k.sealed = false;
        Ok(())
    }
}

/// Reads one stored value, found under `storage_key`: its layout, that it is what its key says
/// (kind, Region, id, ARN), and its secrets, unwrapped under the binding of where it is stored.
/// `legacy` reads layout 1 (for the migration) instead of layout 2. `sealed` leaves a key's
/// secrets wrapped ([`KeyRecord::sealed`]): they are checked when they are unwrapped.
async fn decode_record(
    hsm: &Hsm,
    storage_key: &str,
    value: &JsValue,
    legacy: bool,
    sealed: bool,
) -> Result<Record, String> {
    let parsed = parse_stored(storage_key, value, legacy, sealed)?;
    unwrap_parsed(hsm, storage_key, parsed, legacy).await
}

/// The synchronous part of [`decode_record`]: everything but unwrapping.
fn parse_stored(
    storage_key: &str,
    value: &JsValue,
    legacy: bool,
    sealed: bool,
) -> Result<Parsed, String> {
    if !value.is_object() {
        return Err("the stored value is not an object".into());
    }
    let format = get(value, "format")?.as_f64();
    let readable: &[u32] = if legacy {
        &[FORMAT_LEGACY]
    } else {
        &[FORMAT_TEXT, FORMAT]
    };
    if !readable.iter().any(|f| format == Some(f64::from(*f))) {
        let wanted = readable
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(" or ");
        return Err(match format {
            Some(f) => format!("stored in format {f}, not {wanted}"),
            None => "the stored value has no format".into(),
        });
    }
    let text = format == Some(f64::from(FORMAT_TEXT));
    let rev = if legacy {
        0
    } else {
        get(value, "rev")?
            .as_f64()
            .filter(|r| r.fract() == 0.0 && *r >= 1.0)
            .ok_or("the stored value has no revision")? as u64
    };
    let kind = get(value, "kind")?.as_string().unwrap_or_default();
    let record = get(value, "record")?;
    match kind.as_str() {
        "alias" => {
            let a: AliasRecord = parse_record(&record, text)
                .map_err(|e| format!("the alias record does not parse: {e}"))?;
            if kms_core::alias_storage_key(&a.region, &a.name) != storage_key {
                return Err(format!(
                    "the record is alias {} in {}, but it is stored as {storage_key}",
                    a.name, a.region
                ));
            }
            Ok(Parsed::Done(Record::Alias(a)))
        }
        "key" => {
            let mut k: KeyRecord = parse_record(&record, text)
                .map_err(|e| format!("the key record does not parse: {e}"))?;
            if kms_core::key_storage_key(&k.region, &k.key_id) != storage_key {
                return Err(format!(
                    "the record is key {} in {}, but it is stored as {storage_key}",
                    k.key_id, k.region
                ));
            }
            let arn = kms_core::arn::arn(
                "kms",
                &k.region,
                &k.account_id,
                &format!("key/{}", k.key_id),
            );
            if k.arn != arn {
                return Err(format!(
                    "the record's ARN {} is not the key's ({arn})",
                    k.arn
                ));
            }
            // A key of imported material has none until it is imported (and after
            // DeleteImportedKeyMaterial); every other key has some from its creation on.
            if k.backing_keys.is_empty() && k.origin != kms_core::Origin::External {
                return Err("the key record has no key material".into());
            }
            let material: Array = get(value, "material")?
                .dyn_into()
                .map_err(|_| "the key record has no material list")?;
            let wrapping_keys = if k.import_parameters.is_empty() {
                None
            } else {
                Some(
                    get(value, "wrappingKeys")?
                        .dyn_into()
                        .map_err(|_| "the key record has no wrapping key list")?,
                )
            };
            let secrets = KeySecrets {
                rev,
                material,
                wrapping_keys,
            };
            if sealed && !legacy && !(k.backing_keys.is_empty() && k.import_parameters.is_empty()) {
                k.sealed = true;
                return Ok(Parsed::Sealed(k, secrets));
            }
            Ok(Parsed::Key(k, secrets))
        }
        "iam" => {
            let r: IamRecord = parse_record(&record, text)
                .map_err(|e| format!("the IAM record does not parse: {e}"))?;
            if r.storage_key() != storage_key {
                return Err(format!(
                    "the record is {}, but it is stored as {storage_key}",
                    r.storage_key()
                ));
            }
            let secrets: Array = get(value, "secrets")?
                .dyn_into()
                .map_err(|_| "the IAM record has no secrets list")?;
            Ok(Parsed::Iam { r, secrets, rev })
        }
        other => Err(format!("a stored record of unknown kind '{other}'")),
    }
}

/// The asynchronous part of [`decode_record`]: unwraps what [`parse_stored`] left wrapped.
async fn unwrap_parsed(
    hsm: &Hsm,
    storage_key: &str,
    parsed: Parsed,
    legacy: bool,
) -> Result<Record, String> {
    match parsed {
        Parsed::Done(record) => Ok(record),
        Parsed::Sealed(k, _) => Ok(Record::Key(k)),
        Parsed::Key(mut k, secrets) => {
            let which = if legacy {
                Unwrap::AllLegacy
            } else {
                Unwrap::All
            };
            secrets.unwrap_into(hsm, storage_key, &mut k, which).await?;
            Ok(Record::Key(k))
        }
        Parsed::Iam {
            mut r,
            secrets,
            rev,
        } => {
            let binding = Binding {
                storage_key,
                region: "",
                key_id: "",
                arn: "",
                rev,
            };
            for entry in secrets.iter() {
                let name = get(&entry, "name")?
                    .as_string()
                    .ok_or("a secret without a name")?;
                let wrapped = wrapped_of(&entry)?;
                let secret = if legacy {
                    hsm.unwrap_legacy(storage_key, &name, &wrapped).await?
                } else {
                    hsm.unwrap(&binding, &name, &wrapped).await?
                };
                if !r.set_secret(&name, secret) {
                    return Err(format!("unknown secret '{name}'"));
                }
            }
            Ok(Record::Iam(r))
        }
    }
}

/// Starts one readwrite transaction that stores one chunk of `count` events (`events_json`: see
/// [`crate::trail`]) under `chunk_key` (its newest event's key), then
/// drops the chunks older than `cutoff_key` and the oldest events beyond `max`; and, if given,
/// the account's usage (`kms_core::usage`) under the key `usage`. The transaction is made at once
/// (so a `pagehide` handler can start it); the promise resolves on `complete`.
pub(crate) fn append_events(
    db: &IdbDatabase,
    chunk_key: &str,
    events_json: &str,
    count: u32,
    cutoff_key: &str,
    max: u32,
    usage_json: Option<String>,
) -> js_sys::Promise {
    idb_append_events(
        db,
        EVENTS,
        chunk_key,
        events_json,
        count,
        cutoff_key,
        max,
        usage_json,
    )
}

/// The account's usage as [`append_events`] last stored it.
pub(crate) async fn read_usage(db: &IdbDatabase) -> Result<Option<String>, String> {
    let tx = idb_transaction(db, &store_names(&[EVENTS]), "readonly").map_err(|e| describe(&e))?;
    let events = tx.object_store(EVENTS).map_err(|e| describe(&e))?;
    let stored = idb_request(&events.get(&"usage".into()).map_err(|e| describe(&e))?);
    let stored = await_js(stored).await?;
    if stored.is_undefined() {
        return Ok(None);
    }
    Reflect::get(&stored, &"usage".into())
        .ok()
        .and_then(|u| u.as_string())
        .map(Some)
        .ok_or_else(|| "the stored usage is not text".to_string())
}

/// Stored events read newest chunk first.
pub(crate) struct EventsRead {
    /// Each chunk's key (its newest event's), and its events' text (see [`crate::trail`]).
    pub chunks: Vec<(String, String)>,
    /// Whether every chunk before the first asked for was read.
    pub done: bool,
}

/// The chunks of events with keys before `before` (from the newest when `None`), newest first,
/// until they hold at least `limit` events.
pub(crate) async fn read_events(
    db: &IdbDatabase,
    before: Option<&str>,
    limit: u32,
) -> Result<EventsRead, String> {
    let read = await_js(idb_read_events(
        db,
        EVENTS,
        before.map(str::to_string),
        limit,
    ))
    .await?;
    let done = get(&read, "done")?.is_truthy();
    let list: Array = get(&read, "chunks")?
        .dyn_into()
        .map_err(|_| "the event history could not be read")?;
    let mut chunks = Vec::with_capacity(list.length() as usize);
    for pair in list.iter() {
        let pair: Array = pair.unchecked_into();
        let key = pair.get(0).as_string().unwrap_or_default();
        let text = pair
            .get(1)
            .as_string()
            .ok_or("a stored chunk of events has no events")?;
        chunks.push((key, text));
    }
    Ok(EventsRead { chunks, done })
}

/// Why [`create_from_backup`] wrote nothing.
pub(crate) enum CreateError {
    /// The database already holds a sandbox (made before, or by another tab meanwhile).
    Exists,
    Failed(String),
}

/// Events per stored chunk when a backup's history is written.
const IMPORT_CHUNK: usize = 1000;

/// Makes sandbox `name` from a backup: a new HSM key wraps every record (revision 1), and the
/// records, settings, event history and usage are written in one transaction, or nothing is. A
/// database that already holds a sandbox is left as it is ([`CreateError::Exists`]); one this
/// call made and could not fill is deleted again.
pub(crate) async fn create_from_backup(
    name: &str,
    backup: &kms_core::backup::Backup,
) -> Result<(), CreateError> {
    let failed = |e: String| CreateError::Failed(explain_write_failure(&e));
    let db: IdbDatabase = await_js(idb_open(
        &factory().map_err(failed)?,
        &db_name(name),
        DB_VERSION,
        &store_names(&[RECORDS, META, EVENTS, LOG]),
        BLOCKED_MS,
    ))
    .await
    .map_err(failed)?
    .unchecked_into();
    let written = fill_from_backup(&db, backup).await;
    db.close();
    match written {
        Err(CreateError::Failed(e)) => {
            // Only this call wrote to it (a sandbox made meanwhile fails the `add` instead).
            let _ = delete(name).await;
            Err(CreateError::Failed(e))
        }
        other => other,
    }
}

async fn fill_from_backup(
    db: &IdbDatabase,
    backup: &kms_core::backup::Backup,
) -> Result<(), CreateError> {
    let failed = |e: String| CreateError::Failed(explain_write_failure(&e));
    let (hsm_key, settings, _) = read_meta(db).await.map_err(failed)?;
    if hsm_key.is_some() || settings.is_some() {
        return Err(CreateError::Exists);
    }
    let key = Hsm::generate_key().await.map_err(failed)?;
    let hsm = Hsm::new(key.clone());
    let puts = Array::new();
    let mut pacer = Pacer::new();
    for record in &backup.records {
        pacer.tick().await;
        let storage_key = match record {
            Record::Key(k) => kms_core::key_storage_key(&k.region, &k.key_id),
            Record::Alias(a) => kms_core::alias_storage_key(&a.region, &a.name),
            Record::Iam(r) => r.storage_key(),
        };
        let value = encode_record(&hsm, record, 1).await.map_err(failed)?;
        puts.push(&Array::of2(&storage_key.into(), &value));
        if let Record::Key(k) = record {
            puts.push(&summary_put(k).map_err(failed)?);
        }
    }
    // Oldest first, at most as many as the history keeps; chunks keyed by their newest event.
    let mut events: Vec<&(String, String)> = backup.events.iter().collect();
    events.sort_by(|a, b| a.0.cmp(&b.0));
    events.dedup_by(|a, b| a.0 == b.0);
    let keep = events.len().min(kms_core::trail::MAX_EVENTS);
    let events = &events[events.len() - keep..];
    let chunks = Array::new();
    for chunk in events.chunks(IMPORT_CHUNK) {
        let mut text = String::new();
        for (key, record) in chunk {
            text.push_str("[\"");
            text.push_str(key);
            text.push_str("\",");
            text.push_str(record);
            text.push_str("]\n");
        }
        let last = &chunk[chunk.len() - 1].0;
        chunks.push(&Array::of3(
            &last.as_str().into(),
            &text.into(),
            &(chunk.len() as u32).into(),
        ));
    }
    let settings = settings_value(&Settings {
        account_id: backup.account_id.clone(),
        clock_offset_ms: backup.clock_offset_ms,
    })
    .map_err(failed)?;
    let written = await_js(idb_create(
        db,
        &key,
        &settings,
        &schema_value(SCHEMA).map_err(failed)?,
        &puts,
        &chunks,
        u32::try_from(events.len()).unwrap_or(u32::MAX),
        backup.usage.clone(),
    ))
    .await;
    match written {
        Ok(_) => Ok(()),
        Err(e) if e.starts_with("ConstraintError") => Err(CreateError::Exists),
        Err(e) => Err(failed(e)),
    }
}

/// Names of the sandboxes stored on this origin, sorted.
pub(crate) async fn list() -> Result<Vec<String>, String> {
    let dbs: Array = await_js(idb_databases(&factory()?)).await?.unchecked_into();
    let prefix = db_prefix();
    let mut names: Vec<String> = dbs
        .iter()
        .filter_map(|d| get(&d, "name").ok()?.as_string())
        .filter_map(|n| n.strip_prefix(&prefix).map(str::to_string))
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// Deletes sandbox `name`'s database. Open connections to it (in this page or another) close
/// themselves when asked, so this does not stay blocked.
pub(crate) async fn delete(name: &str) -> Result<(), String> {
    await_js(idb_delete(&factory()?, &db_name(name)))
        .await
        .map(|_| ())
}
