//! The durable store: one IndexedDB database per named sandbox.
//!
//! Database `kms-sandbox/<name>` holds three object stores: `records` (one value per KMS key,
//! alias and IAM record, keyed by [`Change::storage_key`]), `meta` (the HSM key under `hsm`, the
//! sandbox's settings under `settings`) and `events` (the CloudTrail event history, see
//! [`crate::trail`]). A key record is stored as its serde form (which skips the secret material)
//! plus each backing key's material wrapped by the [`Hsm`]; this module never writes a plaintext
//! secret. All of one operation's changes go into one readwrite transaction, and
//! [`Store::write`] returns only once that transaction has fired `complete`.
//!
//! An event is stored as the serde form of its [`kms_core::trail::StoredEvent`], unwrapped: the
//! engine's records carry no secret. Events are written in batches, and each batch is stored as
//! one value (a chunk): one IndexedDB put per event would cost several times what an Encrypt
//! does. A chunk's key is its newest event's key, and an event's key starts with its zero-padded
//! `eventTime`, so key order is time order: the newest are read with a reverse cursor, and the
//! retention rule deletes a key range ([`append_events`], [`read_events`]).

use crate::hsm::{Hsm, Wrapped};
use js_sys::{Array, Object, Reflect, Uint8Array};
use kms_core::{AliasRecord, Change, IamRecord, KeyRecord, Record, Secret};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, IdbDatabase, IdbFactory, IdbObjectStore, IdbTransaction};

/// Every sandbox database's name starts with this.
pub(crate) const DB_PREFIX: &str = "kms-sandbox/";
/// 2 added the `events` store (`idbOpen` creates missing stores on upgrade).
const DB_VERSION: u32 = 2;
const RECORDS: &str = "records";
const META: &str = "meta";
pub(crate) const EVENTS: &str = "events";
const HSM_KEY: &str = "hsm";
const SETTINGS_KEY: &str = "settings";
/// Version of the stored value layout, written into every record.
const FORMAT: u32 = 1;

// The IndexedDB event plumbing, as promises. It is a few lines of JavaScript because each
// request needs two one-shot callbacks; writing them as Rust closures would leak the one that
// never fires.
#[wasm_bindgen(inline_js = r#"
export function idbOpen(factory, name, version, stores) {
  return new Promise((resolve, reject) => {
    const req = factory.open(name, version);
    req.onupgradeneeded = () => {
      const db = req.result;
      for (const s of stores) if (!db.objectStoreNames.contains(s)) db.createObjectStore(s);
    };
    req.onsuccess = () => {
      const db = req.result;
      // Let KmsSandbox.delete (here or in another tab) proceed: close instead of blocking it.
      // Later writes then fail, and the sandbox answers KMSInternalException.
      db.onversionchange = () => { db.close(); db.kmsSandboxClosed = true; };
      db.onclose = () => { db.kmsSandboxClosed = true; };
      resolve(db);
    };
    req.onerror = (e) => { e.preventDefault(); reject(req.error); };
    req.onblocked = () => {};
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
export function idbDone(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = (e) => { e.preventDefault(); };
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
export function schedule(callback) {
  setTimeout(callback, 0);
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
    fn idb_open(factory: &IdbFactory, name: &str, version: u32, stores: &Array) -> js_sys::Promise;
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
    /// `setTimeout(callback, 0)`.
    pub(crate) fn schedule(callback: &js_sys::Function);
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

/// A JavaScript exception as one line of text (for KMSInternalException messages).
pub(crate) fn describe(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        let name = String::from(err.name());
        let message = String::from(err.message());
        return if message.is_empty() {
            name
        } else {
            format!("{name}: {message}")
        };
    }
    if let Some(s) = e.as_string() {
        return s;
    }
    // DOMException is not a js_sys::Error subclass in every engine; read its fields directly.
    let field = |k: &str| Reflect::get(e, &k.into()).ok().and_then(|v| v.as_string());
    match (field("name"), field("message")) {
        (Some(n), Some(m)) if !m.is_empty() => format!("{n}: {m}"),
        (Some(n), _) => n,
        _ => format!("{e:?}"),
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

/// The settings a sandbox keeps with its records.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub account_id: String,
    /// How far the sandbox's clock is ahead of real time, in milliseconds (only ever grows).
    pub clock_offset_ms: i64,
}

/// An open sandbox database and its HSM key.
pub(crate) struct Store {
    db: IdbDatabase,
    hsm: Hsm,
    /// Test hook: abort the next write transaction after its puts are queued.
    #[cfg(feature = "test-hooks")]
    pub(crate) fail_next_write: std::cell::Cell<bool>,
    /// Test hook: how many write transactions were started.
    #[cfg(feature = "test-hooks")]
    pub(crate) writes: std::cell::Cell<u32>,
}

/// What [`Store::open`] found.
pub(crate) struct Opened {
    pub store: Store,
    pub settings: Settings,
    pub records: Vec<Record>,
}

impl Store {
    /// Opens (creating on first use) the database of sandbox `name`: creates the HSM key and
    /// settings if missing, then reads and unwraps every record.
    pub async fn open(
        name: &str,
        account_id: Option<&str>,
        default_account: &str,
    ) -> Result<Opened, String> {
        let db_name = format!("{DB_PREFIX}{name}");
        let factory = factory()?;
        let db: IdbDatabase = await_js(idb_open(
            &factory,
            &db_name,
            DB_VERSION,
            &store_names(&[RECORDS, META, EVENTS]),
        ))
        .await?
        .unchecked_into();

        let (mut hsm_key, mut settings) = read_meta(&db).await?;
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
            // `add`, not `put`: if another tab initialised the sandbox meanwhile, keep its values.
            if hsm_key.is_none() {
                meta.add_with_key(&new_key, &HSM_KEY.into())
                    .map_err(|e| describe(&e))?;
            }
            if settings.is_none() {
                meta.add_with_key(&settings_value(&new_settings)?, &SETTINGS_KEY.into())
                    .map_err(|e| describe(&e))?;
            }
            if let Err(e) = await_js(done).await {
                if !e.starts_with("ConstraintError") {
                    return Err(format!("could not initialise the sandbox database: {e}"));
                }
            }
            (hsm_key, settings) = read_meta(&db).await?;
        }
        let hsm_key = hsm_key.ok_or("the sandbox database has no HSM key")?;
        let settings = settings.ok_or("the sandbox database has no settings")?;
        if let Some(wanted) = account_id {
            if wanted != settings.account_id {
                db.close();
                return Err(format!(
                    "sandbox '{name}' belongs to account {}, not {wanted}",
                    settings.account_id
                ));
            }
        }
        let hsm = Hsm::new(hsm_key);

        let tx =
            idb_transaction(&db, &store_names(&[RECORDS]), "readonly").map_err(|e| describe(&e))?;
        let all = tx
            .object_store(RECORDS)
            .map_err(|e| describe(&e))?
            .get_all()
            .map_err(|e| describe(&e))?;
        let values: Array = await_js(idb_request(&all)).await?.unchecked_into();
        let mut records = Vec::with_capacity(values.length() as usize);
        for value in values.iter() {
            records.push(decode_record(&hsm, &value).await?);
        }
        let store = Store {
            db,
            hsm,
            #[cfg(feature = "test-hooks")]
            fail_next_write: std::cell::Cell::new(false),
            #[cfg(feature = "test-hooks")]
            writes: std::cell::Cell::new(0),
        };
        Ok(Opened {
            store,
            settings,
            records,
        })
    }

    /// Persists one operation's changes in one readwrite transaction, resolving after its
    /// `complete` event. Secret material is wrapped before the transaction starts.
    pub async fn write(&self, changes: &[Change]) -> Result<(), String> {
        let mut writes: Vec<(String, Option<JsValue>)> = Vec::with_capacity(changes.len());
        for change in changes {
            let value = match change {
                Change::PutKey(k) => Some(encode_key(&self.hsm, k).await?),
                Change::PutAlias(a) => Some(encode_alias(a)?),
                Change::PutIam(r) => Some(encode_iam(&self.hsm, r).await?),
                Change::DeleteKey { .. }
                | Change::DeleteAlias { .. }
                | Change::DeleteIam { .. } => None,
            };
            writes.push((change.storage_key(), value));
        }
        let tx = idb_transaction(&self.db, &store_names(&[RECORDS]), "readwrite")
            .map_err(|e| describe(&e))?;
        #[cfg(feature = "test-hooks")]
        self.writes.set(self.writes.get() + 1);
        let done = idb_done(&tx);
        if let Err(e) = queue_writes(&tx, &writes) {
            let _ = tx.abort();
            let _ = JsFuture::from(done).await;
            return Err(e);
        }
        #[cfg(feature = "test-hooks")]
        if self.fail_next_write.replace(false) {
            let _ = tx.abort();
        }
        await_js(done).await.map(|_| ())
    }

    /// Moves the stored clock offset forward, keeping the rest of the settings.
    pub async fn write_clock_offset(&self, offset_ms: i64) -> Result<(), String> {
        let (_, settings) = read_meta(&self.db).await?;
        let mut settings = settings.ok_or("the sandbox database has no settings")?;
        settings.clock_offset_ms = offset_ms;
        let value = settings_value(&settings)?;
        let tx = idb_transaction(&self.db, &store_names(&[META]), "readwrite")
            .map_err(|e| describe(&e))?;
        let done = idb_done(&tx);
        tx.object_store(META)
            .map_err(|e| describe(&e))?
            .put_with_key(&value, &SETTINGS_KEY.into())
            .map_err(|e| describe(&e))?;
        await_js(done).await.map(|_| ())
    }

    /// The database connection (the event history writes through it: [`append_events`]).
    pub fn db(&self) -> &IdbDatabase {
        &self.db
    }

    /// Whether the connection was closed: the database was deleted (here or in another tab) or
    /// the browser closed it. Writes then fail.
    pub fn is_closed(&self) -> bool {
        Reflect::get(&self.db, &"kmsSandboxClosed".into())
            .map(|v| v.is_truthy())
            .unwrap_or(true)
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

fn queue_writes(tx: &IdbTransaction, writes: &[(String, Option<JsValue>)]) -> Result<(), String> {
    let records: IdbObjectStore = tx.object_store(RECORDS).map_err(|e| describe(&e))?;
    for (key, value) in writes {
        let key = JsValue::from_str(key);
        match value {
            Some(v) => records.put_with_key(v, &key).map_err(|e| describe(&e))?,
            None => records.delete(&key).map_err(|e| describe(&e))?,
        };
    }
    Ok(())
}

async fn read_meta(db: &IdbDatabase) -> Result<(Option<CryptoKey>, Option<Settings>), String> {
    let tx = idb_transaction(db, &store_names(&[META]), "readonly").map_err(|e| describe(&e))?;
    let meta = tx.object_store(META).map_err(|e| describe(&e))?;
    let hsm = idb_request(&meta.get(&HSM_KEY.into()).map_err(|e| describe(&e))?);
    let settings = idb_request(&meta.get(&SETTINGS_KEY.into()).map_err(|e| describe(&e))?);
    let hsm = await_js(hsm).await?;
    let settings = await_js(settings).await?;
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
        let account_id = Reflect::get(&settings, &"accountId".into())
            .ok()
            .and_then(|v| v.as_string())
            .ok_or("the stored settings have no accountId")?;
        let clock_offset_ms = Reflect::get(&settings, &"clockOffsetMs".into())
            .ok()
            .and_then(|v| v.as_f64())
            .map_or(0, |v| v as i64);
        Some(Settings {
            account_id,
            clock_offset_ms,
        })
    };
    Ok((hsm, settings))
}

fn settings_value(s: &Settings) -> Result<JsValue, String> {
    let o = Object::new();
    set(&o, "format", &FORMAT.into())?;
    set(&o, "accountId", &s.account_id.as_str().into())?;
    set(&o, "created", &js_sys::Date::new_0().into())?;
    set(&o, "clockOffsetMs", &(s.clock_offset_ms as f64).into())?;
    Ok(o.into())
}

fn set(o: &Object, k: &str, v: &JsValue) -> Result<(), String> {
    Reflect::set(o, &k.into(), v)
        .map(|_| ())
        .map_err(|e| describe(&e))
}

fn get(o: &JsValue, k: &str) -> Result<JsValue, String> {
    Reflect::get(o, &k.into()).map_err(|e| describe(&e))
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, String> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| e.to_string())
}

/// `{ format, kind: "key", record, material: [{ backingKeyId, iv, ciphertext }] }`; `record` is the
/// serde form, which has no material in it.
async fn encode_key(hsm: &Hsm, k: &KeyRecord) -> Result<JsValue, String> {
    let material = Array::new();
    for b in &k.backing_keys {
        let w = hsm.wrap(&k.arn, &b.id, &b.material).await?;
        let entry = Object::new();
        set(&entry, "backingKeyId", &b.id.as_str().into())?;
        set(&entry, "iv", &Uint8Array::from(&w.iv[..]).into())?;
        set(
            &entry,
            "ciphertext",
            &Uint8Array::from(&w.ciphertext[..]).into(),
        )?;
        material.push(&entry);
    }
    let o = Object::new();
    set(&o, "format", &FORMAT.into())?;
    set(&o, "kind", &"key".into())?;
    set(&o, "record", &to_js(k)?)?;
    set(&o, "material", &material)?;
    Ok(o.into())
}

fn encode_alias(a: &AliasRecord) -> Result<JsValue, String> {
    let o = Object::new();
    set(&o, "format", &FORMAT.into())?;
    set(&o, "kind", &"alias".into())?;
    set(&o, "record", &to_js(a)?)?;
    Ok(o.into())
}

/// `{ format, kind: "iam", record, secrets: [{ name, iv, ciphertext }] }`: an IAM user, role,
/// policy, access key or role session. Secret access keys and session tokens are wrapped like
/// key material, bound to the record's storage key and the secret's name.
async fn encode_iam(hsm: &Hsm, r: &IamRecord) -> Result<JsValue, String> {
    let storage_key = r.storage_key();
    let secrets = Array::new();
    for (name, secret) in r.secrets() {
        let w = hsm.wrap(&storage_key, name, secret).await?;
        let entry = Object::new();
        set(&entry, "name", &name.into())?;
        set(&entry, "iv", &Uint8Array::from(&w.iv[..]).into())?;
        set(
            &entry,
            "ciphertext",
            &Uint8Array::from(&w.ciphertext[..]).into(),
        )?;
        secrets.push(&entry);
    }
    let o = Object::new();
    set(&o, "format", &FORMAT.into())?;
    set(&o, "kind", &"iam".into())?;
    set(&o, "record", &to_js(r)?)?;
    set(&o, "secrets", &secrets)?;
    Ok(o.into())
}

fn wrapped_of(entry: &JsValue, what: &str) -> Result<Wrapped, String> {
    let bytes = |name: &str| -> Result<Vec<u8>, String> {
        Ok(get(entry, name)?
            .dyn_into::<Uint8Array>()
            .map_err(|_| format!("{what}: wrapped material is malformed"))?
            .to_vec())
    };
    Ok(Wrapped {
        iv: bytes("iv")?,
        ciphertext: bytes("ciphertext")?,
    })
}

async fn decode_iam(hsm: &Hsm, value: &JsValue, record: JsValue) -> Result<Record, String> {
    let mut r: IamRecord =
        serde_wasm_bindgen::from_value(record).map_err(|e| format!("a stored IAM record: {e}"))?;
    let storage_key = r.storage_key();
    let secrets: Array = get(value, "secrets")?
        .dyn_into()
        .map_err(|_| format!("{storage_key}: no secrets list"))?;
    for entry in secrets.iter() {
        let name = get(&entry, "name")?
            .as_string()
            .ok_or_else(|| format!("{storage_key}: a secret without a name"))?;
        let wrapped = wrapped_of(&entry, &storage_key)?;
        let secret = hsm.unwrap(&storage_key, &name, &wrapped).await?;
        if !r.set_secret(&name, secret) {
            return Err(format!("{storage_key}: unknown secret '{name}'"));
        }
    }
    Ok(Record::Iam(r))
}

async fn decode_record(hsm: &Hsm, value: &JsValue) -> Result<Record, String> {
    let kind = get(value, "kind")?.as_string().unwrap_or_default();
    let record = get(value, "record")?;
    match kind.as_str() {
        "alias" => {
            let a: AliasRecord = serde_wasm_bindgen::from_value(record)
                .map_err(|e| format!("a stored alias: {e}"))?;
            Ok(Record::Alias(a))
        }
        "key" => {
            let mut k: KeyRecord =
                serde_wasm_bindgen::from_value(record).map_err(|e| format!("a stored key: {e}"))?;
            let material: Array = get(value, "material")?
                .dyn_into()
                .map_err(|_| "a stored key has no material list")?;
            for b in &mut k.backing_keys {
                let entry = material
                    .iter()
                    .find(|m| {
                        get(m, "backingKeyId")
                            .ok()
                            .and_then(|v| v.as_string())
                            .as_deref()
                            == Some(&b.id)
                    })
                    .ok_or_else(|| {
                        format!("{}: no wrapped material for backing key {}", k.arn, b.id)
                    })?;
                let wrapped = wrapped_of(&entry, &k.arn)?;
                let secret: Secret = hsm.unwrap(&k.arn, &b.id, &wrapped).await?;
                b.material = secret;
            }
            Ok(Record::Key(k))
        }
        "iam" => decode_iam(hsm, value, record).await,
        other => Err(format!("a stored record of unknown kind '{other}'")),
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

/// Names of the sandboxes stored on this origin, sorted.
pub(crate) async fn list() -> Result<Vec<String>, String> {
    let dbs: Array = await_js(idb_databases(&factory()?)).await?.unchecked_into();
    let mut names: Vec<String> = dbs
        .iter()
        .filter_map(|d| get(&d, "name").ok()?.as_string())
        .filter_map(|n| n.strip_prefix(DB_PREFIX).map(str::to_string))
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// Deletes sandbox `name`'s database. Open connections to it (in this page or another) close
/// themselves when asked, so this does not stay blocked.
pub(crate) async fn delete(name: &str) -> Result<(), String> {
    await_js(idb_delete(&factory()?, &format!("{DB_PREFIX}{name}")))
        .await
        .map(|_| ())
}
