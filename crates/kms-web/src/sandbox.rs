//! [`Sandbox`]: the engine, its store and its mutation queue: the one implementation behind
//! both the Rust API (the Yew console) and the JavaScript `KmsSandbox` class.
//!
//! An operation runs against the engine's committed state. If it changed nothing it answers at
//! once. If it changed something, its changes are persisted in one IndexedDB transaction, and
//! only after `complete` are they applied to the engine and the answer given; if persisting
//! fails the engine is left as it was and the answer is `KMSInternalException`. Mutations are
//! serialized through a FIFO queue, so none is ever computed against state that an earlier one
//! has not yet committed.
//!
//! Every [`Sandbox::open`] of one name in a page shares one engine, store and queue (a registry
//! of the open sandboxes, by name); handles differ only in their default region.
//!
//! Other tabs and workers (each with its own engine) may open the same sandbox. The engine
//! reflects one revision of the database; a commit is written only if the database is still at
//! that revision ([`Store::commit`]). If another tab committed first, this one reloads the
//! records that changed into its engine and computes the operation again, so no write is lost
//! and none is computed against stale state. Each commit is announced on a BroadcastChannel named
//! after the database; the other tabs reload what it changed within moments and tell their
//! change listeners ([`Sandbox::on_change`], `sandbox.onchange`). A call that fails also checks
//! the stored revision first: if another tab changed the sandbox, it is answered again against
//! the new state.
//!
//! Every request, answered or refused, from every entry point (the JS `send`, `service(...)`,
//! `as(...)` handles, the SDK request handler, the Rust API) is recorded once in the CloudTrail
//! event history, by [`Sandbox::record_call`]: once it is answered, with the request id its
//! answer carries. What KMS does on its own (a deletion whose waiting period ended, a scheduled
//! rotation) is recorded once its changes are durable, before the call that noticed it. See
//! [`crate::trail`] for how the events are kept.

use crate::entropy::{self, BrowserEntropy};
use crate::store::{self, Commit, Damage, Read, Settings, Store};
use crate::trail::Trail;
use kms_core::bill::Bill;
use kms_core::trail::{self as ct, CallRecordInput, ServiceEvent, TrailFacts};
use kms_core::{
    Caller, Engine, Entropy, KmsError, Outcome, Secret, SeededEntropy, Service, Value,
    DEFAULT_ACCOUNT_ID, DEFAULT_REGION,
};
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// A KMS sandbox: one AWS account's keys in every region, persisted in IndexedDB (or kept only
/// in memory). Cheap to clone; clones share the same sandbox.
#[derive(Clone)]
pub struct Sandbox {
    inner: Rc<Inner>,
    /// The default region of [`Sandbox::call`] through this handle.
    region: String,
    /// Who calls through this handle: the account root when `None`, else an IAM user or a
    /// session of an IAM role (`sandbox.as(...)`).
    principal: Option<Rc<Principal>>,
}

/// A principal that a handle acts as: an IAM user's or role's ARN, and for a role the session
/// name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub arn: String,
    pub session_name: Option<String>,
    /// When the handle was made (sandbox time): a role session's `creationDate` in CloudTrail.
    pub created: kms_core::Millis,
}

/// The engine's usage, for the event history to save with its events.
struct EngineUsage(Weak<Inner>);

impl crate::trail::UsageSource for EngineUsage {
    fn take_saved(&self) -> Option<String> {
        let inner = self.0.upgrade()?;
        // Busy engine (a call in progress): the next write saves it.
        let mut engine = inner.engine.try_borrow_mut().ok()?;
        engine.usage_mut().take_saved()
    }

    fn mark_unsaved(&self) {
        if let Some(inner) = self.0.upgrade() {
            if let Ok(mut engine) = inner.engine.try_borrow_mut() {
                engine.usage_mut().mark_unsaved();
            }
        }
    }
}

/// Test hook: (region, key id) → each backing key's material.
#[cfg(feature = "test-hooks")]
type Mirror = BTreeMap<(String, String), Vec<Vec<u8>>>;

/// A BroadcastChannel and the handler of its messages (kept alive with it).
type Channel = (JsValue, Closure<dyn FnMut(JsValue)>);

/// The state of one sandbox, shared by all its handles.
struct Inner {
    name: String,
    account_id: String,
    engine: RefCell<Engine>,
    /// The CloudTrail event history. Before `store`: dropped first, it writes what is left while
    /// the database is still open.
    trail: Trail,
    store: Option<Store>,
    /// The sandbox clock: real time (or [`Inner::fixed_time`]) plus this offset (ms), which only
    /// moves forward.
    clock_offset: Cell<i64>,
    /// A fixed clock (`KmsSandbox.memory({ now })`): the sandbox's time is this plus the
    /// offset, and moves only when the clock is advanced. In-memory sandboxes only.
    fixed_time: Option<i64>,
    /// Seeded randomness (`KmsSandbox.memory({ seed })`). In-memory sandboxes only.
    seeded: Option<Seeded>,
    queue: Queue,
    /// The database revision the engine reflects (0 in memory).
    rev: Cell<u64>,
    /// Stored records that could not be read, by storage key.
    damaged: RefCell<BTreeMap<String, Damage>>,
    /// The BroadcastChannel of the database's commits, and its message handler.
    channel: RefCell<Option<Channel>>,
    /// Whether a reload of other tabs' changes is waiting for its turn.
    sync_scheduled: Cell<bool>,
    /// Who to tell when other tabs' changes were loaded.
    /// Change listeners; `true` for those that also hear this page's own commits.
    listeners: RefCell<Vec<(u64, ChangeListener, bool)>>,
    next_listener: Cell<u64>,
    /// The panic generation ([`PANICS`]) this state was made in: state from before a panic may
    /// hold RefCell borrows and a queue turn that will never be released.
    generation: u64,
    /// Test hook: each key's backing key material, as last loaded or applied.
    #[cfg(feature = "test-hooks")]
    mirror: RefCell<Mirror>,
    /// The keys WebCrypto signs and decrypts with for the engine ([`crate::platform`]).
    platform: crate::platform::PlatformKeys,
    /// Test hook: how many RSA keys the engine took from WebCrypto.
    #[cfg(feature = "test-hooks")]
    webcrypto_rsa_keys: Cell<u32>,
}

/// The randomness of a deterministic sandbox (`KmsSandbox.memory({ seed })`): two SHA-256
/// counter streams of the seed ([`SeededEntropy`]), one for the engine (key material, IVs,
/// key and grant ids, tokens), one for request ids and CloudTrail event ids, so that the same
/// sequence of calls gets the same answers and ids. Not for real keys: anyone who knows the seed
/// knows every key.
pub(crate) struct Seeded {
    engine: RefCell<SeededEntropy>,
    ids: RefCell<SeededEntropy>,
}

impl Seeded {
    fn new(seed: &str) -> Seeded {
        // FNV-1a (64-bit) of the seed's text, per stream; SeededEntropy hashes it again.
        let stream = |name: &str| {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for b in name.bytes().chain([0]).chain(seed.bytes()) {
                h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            }
            RefCell::new(SeededEntropy::new(h))
        };
        Seeded {
            engine: stream("engine"),
            ids: stream("ids"),
        }
    }
}

#[cfg(feature = "test-hooks")]
fn mirror_key(inner: &Inner, record: &kms_core::KeyRecord) {
    let material = record
        .backing_keys
        .iter()
        .map(|b| b.material.expose().to_vec())
        .collect();
    inner
        .mirror
        .borrow_mut()
        .insert((record.region.clone(), record.key_id.clone()), material);
}

/// Told the storage keys of the records other tabs changed, once they are loaded.
pub type ChangeListener = Rc<dyn Fn(&[String])>;

/// Calls the change listeners with the storage keys of changed records: those of every kind
/// for another tab's changes, those that asked for them for this page's own commits.
fn notify(inner: &Inner, keys: &[String], own_commit: bool) {
    let listeners: Vec<ChangeListener> = inner
        .listeners
        .borrow()
        .iter()
        .filter(|(_, _, own)| *own || !own_commit)
        .map(|(_, l, _)| l.clone())
        .collect();
    for listener in listeners {
        listener(keys);
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some((channel, _)) = self.channel.borrow_mut().take() {
            store::close_channel(&channel);
        }
    }
}

thread_local! {
    /// The persistent sandboxes open in this page, by name (of their database).
    static OPEN: RefCell<BTreeMap<String, Weak<Inner>>> = const { RefCell::new(BTreeMap::new()) };
    /// How many panics this wasm instance has seen, and the last one's message.
    static PANICS: Cell<u64> = const { Cell::new(0) };
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Installs (once) a panic hook that logs the panic to the console and starts a new generation:
/// sandboxes made before it are reopened from IndexedDB on their next call (see
/// [`Sandbox::begin`]). On wasm32 a panic aborts the call that panicked (there is no unwinding),
/// leaving that call's RefCell borrows and queue turn held; what was committed is in IndexedDB.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = info.to_string();
            PANICS.with(|p| p.set(p.get() + 1));
            // Its lock guards will never be dropped: let the other tabs write.
            store::release_all_locks();
            LAST_PANIC.with(|m| {
                if let Ok(mut m) = m.try_borrow_mut() {
                    m.clone_from(&message);
                }
            });
            web_sys::console::error_1(&JsValue::from_str(&format!(
                "KMS Sandbox: internal error (panic): {message}. The sandbox is reopened from \
                 IndexedDB on its next call; nothing committed is lost."
            )));
            previous(info);
        }));
    });
}

fn generation() -> u64 {
    PANICS.with(Cell::get)
}

/// The live sandbox of database `db_name` already open in this page, if any: one whose database
/// connection has not been closed (by a deletion, here or in another tab), made since the last
/// panic.
fn registered(db_name: &str) -> Option<Rc<Inner>> {
    let now = generation();
    OPEN.with(|open| {
        let mut open = open.borrow_mut();
        open.retain(|_, w| w.strong_count() > 0);
        open.get(db_name).and_then(Weak::upgrade).filter(|inner| {
            inner.generation == now && inner.store.as_ref().is_some_and(|s| !s.is_closed())
        })
    })
}

fn register(inner: &Rc<Inner>) {
    if let Some(store) = &inner.store {
        OPEN.with(|open| {
            open.borrow_mut()
                .insert(store.name().to_string(), Rc::downgrade(inner))
        });
    }
}

fn unregister(db_name: &str) {
    OPEN.with(|open| open.borrow_mut().remove(db_name));
}

/// An engine for `account_id`; `platform`: its RSA and ECDSA private-key work is WebCrypto's
/// ([`crate::platform`]).
fn new_engine(account_id: &str, platform: bool) -> Engine {
    let mut engine = Engine::new(account_id);
    engine.set_platform_crypto(platform);
    engine
}

/// The change that makes the engine forget the record stored under `storage_key`.
fn forget(storage_key: &str) -> Option<kms_core::Change> {
    let mut parts = storage_key.splitn(3, '/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("key"), Some(region), Some(key_id)) => Some(kms_core::Change::DeleteKey {
            region: region.to_string(),
            key_id: key_id.to_string(),
        }),
        (Some("alias"), Some(region), Some(name)) => Some(kms_core::Change::DeleteAlias {
            region: region.to_string(),
            name: name.to_string(),
        }),
        (Some("iam"), _, _) => Some(kms_core::Change::DeleteIam {
            storage_key: storage_key.to_string(),
        }),
        _ => None,
    }
}

fn put(record: kms_core::Record) -> kms_core::Change {
    match record {
        kms_core::Record::Key(k) => kms_core::Change::PutKey(k),
        kms_core::Record::Alias(a) => kms_core::Change::PutAlias(a),
        kms_core::Record::Iam(r) => kms_core::Change::PutIam(r),
    }
}

/// How many times one operation is computed again because other tabs committed first.
const MAX_CONFLICTS: u32 = 64;

/// What an attempt to persist changes ended in.
enum Persisted {
    Done,
    /// Another tab committed first; the engine was brought up to date.
    Retry,
}

/// The browser's storage for this origin (`navigator.storage`), each member `None` where the
/// browser does not tell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StorageInfo {
    /// Whether the browser agreed to keep this origin's data (`navigator.storage.persisted()`).
    pub persisted: Option<bool>,
    /// Bytes this origin uses and may use (`navigator.storage.estimate()`).
    pub usage: Option<f64>,
    pub quota: Option<f64>,
}

/// This origin's storage: whether it is persistent, how much is used, the quota.
pub async fn storage_info() -> StorageInfo {
    let v = store::storage_estimate().await;
    let get = |k: &str| js_sys::Reflect::get(&v, &k.into()).unwrap_or(JsValue::NULL);
    StorageInfo {
        persisted: get("persisted").as_bool(),
        usage: get("usage").as_f64(),
        quota: get("quota").as_f64(),
    }
}

/// Stops a [`Sandbox::on_change`] listener when dropped.
pub struct ChangeSubscription {
    inner: Weak<Inner>,
    id: u64,
}

impl Drop for ChangeSubscription {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.upgrade() {
            if let Ok(mut listeners) = inner.listeners.try_borrow_mut() {
                listeners.retain(|(id, _, _)| *id != self.id);
            }
        }
    }
}

/// The most the clock moves in one step: 100 years.
const MAX_ADVANCE_SECONDS: f64 = 100.0 * 365.0 * 86_400.0;

/// Where the clock of a seeded sandbox starts unless told: 2025-01-01T00:00:00Z.
pub const DETERMINISTIC_EPOCH_MS: i64 = 1_735_689_600_000;

/// Name reported by in-memory sandboxes.
pub const MEMORY_SANDBOX_NAME: &str = "(memory)";

fn validate_region(region: &str) -> Result<(), KmsError> {
    let ok = !region.is_empty()
        && region.len() <= 32
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(KmsError::validation(format!(
            "'{region}' is not a valid AWS region name"
        )))
    }
}

fn validate_account(account_id: &str) -> Result<(), KmsError> {
    if account_id.len() == 12 && account_id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(KmsError::validation(format!(
            "'{account_id}' is not a 12-digit AWS account id"
        )))
    }
}

fn validate_name(name: &str) -> Result<(), KmsError> {
    if name.is_empty() || name.chars().count() > 128 || name.chars().any(char::is_control) {
        return Err(KmsError::validation(
            "A sandbox name must be 1 to 128 characters long, without control characters",
        ));
    }
    Ok(())
}

impl Sandbox {
    /// Opens the sandbox called `name`, creating it (with its HSM key) on first use. Its records
    /// are read back and unwrapped into the engine; if it is already open in this page, the new
    /// handle shares that one. `region` is the default region of [`Sandbox::call`] (default
    /// `ap-southeast-2`); `account_id` is fixed when the sandbox is created (default
    /// `111122223333`) and, if given later, must match.
    pub async fn open(
        name: &str,
        region: Option<String>,
        account_id: Option<String>,
    ) -> Result<Sandbox, KmsError> {
        validate_name(name)?;
        let region = region.unwrap_or_else(|| DEFAULT_REGION.to_string());
        validate_region(&region)?;
        if let Some(a) = &account_id {
            validate_account(a)?;
        }
        install_panic_hook();
        let db_name = store::db_name(name);
        let inner = match registered(&db_name) {
            Some(inner) => inner,
            None => {
                let inner = Self::load(name, account_id.as_deref()).await?;
                // Another open of the same name may have finished while this one read.
                match registered(&db_name) {
                    Some(first) => first,
                    None => {
                        register(&inner);
                        inner
                    }
                }
            }
        };
        if let Some(wanted) = account_id {
            if wanted != inner.account_id {
                return Err(KmsError::internal(format!(
                    "Could not open sandbox '{name}': sandbox '{name}' belongs to account {}, not {wanted}",
                    inner.account_id
                )));
            }
        }
        Ok(Sandbox {
            inner,
            region,
            principal: None,
        })
    }

    /// Test hook: opens sandbox `name` as a second, independent copy in this page (its own
    /// engine, connection and queue), as another tab would.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub async fn test_open_detached(name: &str) -> Result<Sandbox, KmsError> {
        install_panic_hook();
        Ok(Sandbox {
            inner: Self::load(name, None).await?,
            region: DEFAULT_REGION.to_string(),
            principal: None,
        })
    }

    /// Test hook: pretend the page is served from `scope` (a path ending in `/`; `None`: from
    /// where it is), which picks the databases' names.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn test_set_scope(scope: Option<&str>) {
        store::set_scope_override(scope.map(str::to_string));
    }

    /// Test hook: the IndexedDB database name of sandbox `name` in this deployment.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn test_db_name(name: &str) -> String {
        store::db_name(name)
    }

    /// Reads sandbox `name` from IndexedDB into a new engine, listening to other tabs' commits.
    async fn load(name: &str, account_id: Option<&str>) -> Result<Rc<Inner>, KmsError> {
        let opened = Store::open(name, account_id, DEFAULT_ACCOUNT_ID)
            .await
            .map_err(|e| KmsError::internal(format!("Could not open sandbox '{name}': {e}")))?;
        let usage = store::read_usage(opened.store.db())
            .await
            .map_err(|e| KmsError::internal(format!("Could not open sandbox '{name}': {e}")))?;
        if !opened.damaged.is_empty() {
            web_sys::console::warn_1(&JsValue::from_str(&format!(
                "KMS Sandbox: sandbox '{name}' opened without {} damaged record(s): {}",
                opened.damaged.len(),
                opened
                    .damaged
                    .iter()
                    .map(|d| format!("{} ({})", d.storage_key, d.reason))
                    .collect::<Vec<_>>()
                    .join("; ")
            )));
        }
        let inner = Inner {
            name: name.to_string(),
            engine: RefCell::new(new_engine(&opened.settings.account_id, true)),
            account_id: opened.settings.account_id,
            clock_offset: Cell::new(opened.settings.clock_offset_ms),
            fixed_time: None,
            seeded: None,
            trail: Trail::new(Some(opened.store.db().clone())),
            store: Some(opened.store),
            queue: Queue::default(),
            rev: Cell::new(opened.rev),
            damaged: RefCell::new(
                opened
                    .damaged
                    .into_iter()
                    .map(|d| (d.storage_key.clone(), d))
                    .collect(),
            ),
            channel: RefCell::new(None),
            sync_scheduled: Cell::new(false),
            listeners: RefCell::new(Vec::new()),
            next_listener: Cell::new(0),
            generation: generation(),
            #[cfg(feature = "test-hooks")]
            mirror: Default::default(),
            platform: Default::default(),
            #[cfg(feature = "test-hooks")]
            webcrypto_rsa_keys: Cell::new(0),
        };
        if let Some(text) = usage {
            // Usage is what the bill and GetKeyLastUsage read; a sandbox without it still works.
            // An unreadable one (a newer format) starts anew rather than keep the sandbox shut.
            if let Ok(usage) = kms_core::usage::Usage::restore(&text) {
                *inner.engine.borrow_mut().usage_mut() = usage;
            }
        }
        let mut pacer = store::Pacer::new();
        for record in opened.records {
            pacer.tick().await;
            #[cfg(feature = "test-hooks")]
            if let kms_core::Record::Key(k) = &record {
                mirror_key(&inner, k);
            }
            inner.engine.borrow_mut().load(record);
        }
        for summary in opened.unread {
            pacer.tick().await;
            inner.engine.borrow_mut().load_unread(summary);
        }
        let inner = Rc::new(inner);
        inner
            .trail
            .save_usage_from(Box::new(EngineUsage(Rc::downgrade(&inner))));
        Self::listen(&inner);
        Ok(inner)
    }

    /// Hears the other tabs' commits on the database's BroadcastChannel: a newer revision
    /// schedules a reload of what changed, in the queue's turn.
    fn listen(inner: &Rc<Inner>) {
        let Some(store) = &inner.store else {
            return;
        };
        let weak = Rc::downgrade(inner);
        let handler = Closure::<dyn FnMut(JsValue)>::new(move |message: JsValue| {
            let Some(inner) = weak.upgrade() else {
                return;
            };
            let rev = js_sys::Reflect::get(&message, &"rev".into())
                .ok()
                .and_then(|r| r.as_f64())
                .unwrap_or(0.0);
            if rev <= inner.rev.get() as f64 || inner.generation != generation() {
                return;
            }
            Sandbox {
                inner,
                region: DEFAULT_REGION.to_string(),
                principal: None,
            }
            .schedule_sync();
        });
        let channel = store::open_channel(store.name(), handler.as_ref().unchecked_ref());
        if !channel.is_null() && !channel.is_undefined() {
            *inner.channel.borrow_mut() = Some((channel, handler));
        }
    }

    /// Reloads other tabs' changes when the queue's turn comes (once, however many ask).
    fn schedule_sync(&self) {
        if self.inner.sync_scheduled.replace(true) {
            return;
        }
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let turn = this.turn().await;
            this.inner.sync_scheduled.set(false);
            if let Err(e) = this.sync_locked().await {
                web_sys::console::warn_1(&JsValue::from_str(&format!(
                    "KMS Sandbox: could not load another tab's changes to '{}': {e}",
                    this.inner.name
                )));
            }
            drop(turn);
        });
    }

    /// Brings the engine up to the stored revision: reloads the records changed since the one
    /// it reflects (all of them if the log no longer reaches back), and the clock. The caller
    /// holds the queue's turn.
    async fn sync_locked(&self) -> Result<(), String> {
        let Some(store) = &self.inner.store else {
            return Ok(());
        };
        let changes = store.changes_since(Some(self.inner.rev.get())).await?;
        if changes.rev == self.inner.rev.get() {
            return Ok(());
        }
        let inner = &self.inner;
        if let Some(settings) = &changes.settings {
            if settings.clock_offset_ms > inner.clock_offset.get() {
                inner.clock_offset.set(settings.clock_offset_ms);
            }
        }
        let mut keys = Vec::with_capacity(changes.records.len());
        let mut damaged = inner.damaged.borrow_mut();
        let mut engine = inner.engine.borrow_mut();
        if changes.all {
            let usage = std::mem::take(engine.usage_mut());
            *engine = new_engine(&inner.account_id, true);
            *engine.usage_mut() = usage;
            damaged.clear();
        }
        let mut apply = Vec::new();
        for (storage_key, read) in changes.records {
            damaged.remove(&storage_key);
            match read {
                Read::Record(record) => {
                    #[cfg(feature = "test-hooks")]
                    if let kms_core::Record::Key(k) = &*record {
                        mirror_key(inner, k);
                    }
                    apply.push(put(*record));
                }
                // Only in a whole read: the engine is new.
                Read::Unread(summary) => engine.load_unread(*summary),
                Read::Gone => apply.extend(forget(&storage_key)),
                Read::Damaged(d) => {
                    damaged.insert(storage_key.clone(), d);
                    apply.extend(forget(&storage_key));
                }
            }
            keys.push(storage_key);
        }
        if changes.all {
            for change in apply {
                match change {
                    kms_core::Change::PutKey(k) => engine.load(kms_core::Record::Key(k)),
                    kms_core::Change::PutAlias(a) => engine.load(kms_core::Record::Alias(a)),
                    kms_core::Change::PutIam(r) => engine.load(kms_core::Record::Iam(r)),
                    _ => {}
                }
            }
        } else {
            engine.apply(apply);
        }
        drop(engine);
        drop(damaged);
        inner.rev.set(changes.rev);
        self.notify(&keys);
        Ok(())
    }

    /// Tells the change listeners which records other tabs changed.
    fn notify(&self, keys: &[String]) {
        notify(&self.inner, keys, false);
    }

    /// Calls `listener` with the storage keys of the records (`key/<region>/<id>`,
    /// `alias/<region>/<name>`, `iam/...`, `meta/settings`) each time changes that another tab
    /// or worker made to this sandbox have been loaded, until the subscription is dropped.
    pub fn on_change(&self, listener: impl Fn(&[String]) + 'static) -> ChangeSubscription {
        self.subscribe(Rc::new(listener), false)
    }

    /// Like [`Sandbox::on_change`], and also after every change this page commits (through any
    /// handle: the JS API, the SDK handler, the console): what a live view listens to.
    pub fn on_any_change(&self, listener: impl Fn(&[String]) + 'static) -> ChangeSubscription {
        self.subscribe(Rc::new(listener), true)
    }

    fn subscribe(&self, listener: ChangeListener, own_commits: bool) -> ChangeSubscription {
        let id = self.inner.next_listener.get();
        self.inner.next_listener.set(id + 1);
        self.inner
            .listeners
            .borrow_mut()
            .push((id, listener, own_commits));
        ChangeSubscription {
            inner: Rc::downgrade(&self.inner),
            id,
        }
    }

    /// Stored records that could not be read when the sandbox was opened or reloaded (which
    /// record, why). The rest of the sandbox works without them.
    pub fn damaged(&self) -> Vec<Damage> {
        self.inner.damaged.borrow().values().cloned().collect()
    }

    /// If the sandbox changed since revision `seen` (the engine's when a failed answer was
    /// computed: another tab's changes may have been loaded meanwhile, or be waiting), loads
    /// what is new and says so. Errors of the check count as "not changed".
    async fn refresh_if_stale(&self, seen: u64) -> bool {
        let Some(store) = &self.inner.store else {
            return false;
        };
        match store.stored_rev().await {
            Ok(rev) if rev != seen || self.inner.rev.get() != seen => {}
            _ => return false,
        }
        let turn = self.turn().await;
        let synced = self.sync_locked().await.is_ok();
        drop(turn);
        synced
    }

    /// Persists `changes` (and `settings`) as the next revision, if the database is still at the
    /// engine's; then announces it to the other tabs. On a conflict the engine is brought up to
    /// date and [`Persisted::Retry`] says to compute again. The caller holds the turn.
    async fn persist(
        &self,
        changes: &mut [kms_core::Change],
        settings: Option<&Settings>,
    ) -> Result<Persisted, String> {
        let Some(store) = &self.inner.store else {
            return Ok(Persisted::Done);
        };
        // A sealed key the operation changed is written with its secrets, under the new revision.
        store.unseal_changes(changes).await?;
        let written = store.commit(self.inner.rev.get(), changes, settings).await;
        let written = match written {
            Err(e) if store.is_closed() => {
                return Err(format!(
                    "{e} (the sandbox's database was deleted or closed, in this tab or another: \
                     open the sandbox again)"
                ))
            }
            other => other?,
        };
        match written {
            Commit::Done(rev) => {
                self.inner.rev.set(rev);
                let keys: js_sys::Array = changes
                    .iter()
                    .map(|c| JsValue::from_str(&c.storage_key()))
                    .collect();
                {
                    let mut damaged = self.inner.damaged.borrow_mut();
                    for c in changes {
                        damaged.remove(&c.storage_key());
                    }
                }
                if settings.is_some() {
                    keys.push(&store::SETTINGS_CHANGE.into());
                }
                if let Some((channel, _)) = &*self.inner.channel.borrow() {
                    store::post_channel(channel, rev as f64, &keys);
                }
                // The first write asks the browser to keep the origin's storage.
                let this = self.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    if let Some(store) = &this.inner.store {
                        store.ask_persist().await;
                    }
                });
                Ok(Persisted::Done)
            }
            Commit::Conflict => {
                self.sync_locked().await?;
                Ok(Persisted::Retry)
            }
        }
    }

    /// A sandbox that lives only in this page's memory: the same API, nothing persisted (and so
    /// nothing wrapped). Its name is [`MEMORY_SANDBOX_NAME`].
    ///
    /// Invalid names fall back to the defaults rather than fail, as this constructor cannot.
    pub fn memory(region: Option<String>, account_id: Option<String>) -> Sandbox {
        Self::memory_with(region, account_id, None, None)
    }

    /// A deterministic in-memory sandbox, for tests (`KmsSandbox.memory({ seed, now })`): with
    /// `seed`, key material, ciphertexts, key ids, grant ids, request ids and CloudTrail event
    /// ids come from the seed, so the same sequence of calls gives the same answers; with
    /// `now` (ms since the epoch; with a seed, default [`DETERMINISTIC_EPOCH_MS`]), the clock
    /// starts there and moves only by [`Sandbox::advance_clock`]. A seeded sandbox's RSA keys
    /// are made by the `rsa` crate from the seed, not by WebCrypto (slower). Refuses an invalid
    /// region or account id.
    pub fn deterministic(
        region: Option<String>,
        account_id: Option<String>,
        seed: Option<&str>,
        now: Option<i64>,
    ) -> Result<Sandbox, KmsError> {
        if let Some(r) = &region {
            validate_region(r)?;
        }
        if let Some(a) = &account_id {
            validate_account(a)?;
        }
        let now = match (seed, now) {
            (Some(_), None) => Some(DETERMINISTIC_EPOCH_MS),
            (_, now) => now,
        };
        Ok(Self::memory_with(region, account_id, seed, now))
    }

    fn memory_with(
        region: Option<String>,
        account_id: Option<String>,
        seed: Option<&str>,
        fixed_time: Option<i64>,
    ) -> Sandbox {
        install_panic_hook();
        let region = region
            .filter(|r| validate_region(r).is_ok())
            .unwrap_or_else(|| DEFAULT_REGION.to_string());
        let account_id = account_id
            .filter(|a| validate_account(a).is_ok())
            .unwrap_or_else(|| DEFAULT_ACCOUNT_ID.to_string());
        Sandbox {
            region,
            principal: None,
            inner: Rc::new(Inner {
                name: MEMORY_SANDBOX_NAME.to_string(),
                // A seeded sandbox's signatures come from its seed, not WebCrypto's randomness.
                engine: RefCell::new(new_engine(&account_id, seed.is_none())),
                account_id,
                store: None,
                clock_offset: Cell::new(0),
                fixed_time,
                seeded: seed.map(Seeded::new),
                queue: Queue::default(),
                trail: Trail::new(None),
                rev: Cell::new(0),
                damaged: RefCell::new(BTreeMap::new()),
                channel: RefCell::new(None),
                sync_scheduled: Cell::new(false),
                listeners: RefCell::new(Vec::new()),
                next_listener: Cell::new(0),
                generation: generation(),
                #[cfg(feature = "test-hooks")]
                mirror: Default::default(),
                platform: Default::default(),
                #[cfg(feature = "test-hooks")]
                webcrypto_rsa_keys: Cell::new(0),
            }),
        }
    }

    /// Like [`Sandbox::memory`], but refusing an invalid region or account id.
    pub fn try_memory(
        region: Option<String>,
        account_id: Option<String>,
    ) -> Result<Sandbox, KmsError> {
        if let Some(r) = &region {
            validate_region(r)?;
        }
        if let Some(a) = &account_id {
            validate_account(a)?;
        }
        Ok(Sandbox::memory(region, account_id))
    }

    /// The sandbox's name (its IndexedDB database is `kms-sandbox/<name>`).
    pub fn name(&self) -> String {
        self.inner.name.clone()
    }

    /// The default region of [`Sandbox::call`].
    pub fn region(&self) -> String {
        self.region.clone()
    }

    /// The AWS account id in every ARN of this sandbox.
    pub fn account_id(&self) -> String {
        self.inner.account_id.clone()
    }

    /// Whether the sandbox is stored in IndexedDB (false for [`Sandbox::memory`]).
    pub fn is_persistent(&self) -> bool {
        self.inner.store.is_some()
    }

    /// AWS wire JSON in and out (base64 blobs, epoch-seconds timestamps), in the sandbox's region.
    pub async fn call(&self, operation: &str, request: Value) -> Result<Value, KmsError> {
        self.call_in(&self.region, operation, request).await
    }

    /// The same in another region (the console's region selector). Each region is its own key
    /// space.
    pub async fn call_in(
        &self,
        region: &str,
        operation: &str,
        request: Value,
    ) -> Result<Value, KmsError> {
        self.call_service(Service::Kms, region, operation, request)
            .await
    }

    /// One request to any service of the sandbox (KMS, IAM, STS, CloudTrail), as this handle's
    /// caller.
    pub async fn call_service(
        &self,
        service: Service,
        region: &str,
        operation: &str,
        request: Value,
    ) -> Result<Value, KmsError> {
        let call = self.new_call(service, region, operation, USER_AGENT_RUST, None);
        let caller = match self.caller() {
            Ok(caller) => caller,
            Err(e) => return Err(self.refuse(&call, self.unknown_caller(), e)),
        };
        self.call_as(call, caller, request).await
    }

    /// One request to a service of the sandbox, as `caller`.
    pub(crate) async fn call_as(
        &self,
        call: Call,
        caller: Caller,
        mut request: Value,
    ) -> Result<Value, KmsError> {
        if let Err(e) = validate_region(&call.region) {
            crate::convert::wipe(&mut request);
            return Err(self.refuse(&call, Who::Caller(&caller), e));
        }
        match self.begin(call, caller, request) {
            Begun::Ready(result) => result,
            Begun::Pending(answer) => answer.await,
        }
    }

    /// A new request to `service`: its request id (a new one unless given), user agent and time.
    pub(crate) fn new_call(
        &self,
        service: Service,
        region: &str,
        operation: &str,
        user_agent: impl Into<Cow<'static, str>>,
        request_id: Option<String>,
    ) -> Call {
        Call {
            service,
            region: region.to_string(),
            operation: operation.to_string(),
            request_id: request_id.unwrap_or_else(|| self.new_id()),
            user_agent: user_agent.into(),
            time: self.now(),
        }
    }

    /// Who this handle stands for when its principal cannot act (it no longer exists).
    pub(crate) fn unknown_caller(&self) -> Who<'_> {
        Who::Unknown {
            arn: self.principal.as_ref().map(|p| p.arn.as_str()),
            access_key_id: None,
        }
    }

    /// Records a request refused before it reached the engine (an unknown operation or caller,
    /// a body that is not JSON, an invalid Region) and hands its error back.
    pub(crate) fn refuse(&self, call: &Call, who: Who<'_>, error: KmsError) -> KmsError {
        let result = Err(error);
        self.record_call(
            call,
            who,
            &Value::Object(Default::default()),
            &result,
            &TrailFacts::default(),
        );
        match result {
            Err(e) => e,
            Ok(_) => unreachable!(),
        }
    }

    /// Records one request in the event history: the one place every entry point passes through
    /// once a request is answered (or refused).
    pub(crate) fn record_call(
        &self,
        call: &Call,
        who: Who<'_>,
        request: &Value,
        result: &Result<Value, KmsError>,
        facts: &TrailFacts,
    ) {
        let trail = &self.inner.trail;
        let tracked = call.service == Service::Kms;
        if !trail.enabled() && !tracked {
            return;
        }
        let event_id = self.new_id();
        if tracked {
            self.inner
                .engine
                .borrow_mut()
                .note_request(&kms_core::usage::NotedRequest {
                    region: &call.region,
                    operation: &call.operation,
                    request,
                    succeeded: result.is_ok(),
                    resources: &facts.resources,
                    time: call.time,
                    request_id: &call.request_id,
                    event_id: &event_id,
                });
        }
        if !trail.enabled() {
            return;
        }
        let root;
        let (caller, session_created) = match who {
            Who::Caller(caller) => {
                let issued = self.inner.engine.borrow().session_created(caller);
                // A role session of an `as(...)` handle began when the handle was made.
                let handle = self.principal.as_ref().filter(|_| {
                    caller.access_key_id.is_none()
                        && matches!(caller.identity, kms_core::Identity::AssumedRole { .. })
                });
                (caller, issued.or(handle.map(|p| p.created)))
            }
            Who::Unknown { .. } => {
                root = Caller::root(&self.inner.account_id);
                (&root, None)
            }
        };
        let input = CallRecordInput {
            service: call.service,
            region: &call.region,
            operation: &call.operation,
            request,
            result,
            caller,
            time: call.time,
            request_id: &call.request_id,
            event_id: &event_id,
            user_agent: &call.user_agent,
            source_ip: SOURCE_IP,
            facts,
            session_created,
        };
        let Who::Unknown { arn, access_key_id } = who else {
            trail.record_call(&input, self.now());
            // A call CloudTrail records in a second Region too (UpdatePrimaryRegion).
            if ct::recorded_in_two_regions(&call.operation) && result.is_ok() {
                let record = ct::api_call_record(&input);
                if let Some(second) = ct::second_region_record(&record, &self.new_id()) {
                    trail.record(&second, self.now());
                }
            }
            return;
        };
        // Whoever it was, the sandbox could not tell: CloudTrail's "Unknown" identity.
        let mut record = ct::api_call_record(&input);
        let mut identity = serde_json::Map::new();
        identity.insert("type".into(), "Unknown".into());
        identity.insert("principalId".into(), "".into());
        if let Some(arn) = arn {
            identity.insert("arn".into(), arn.into());
        }
        identity.insert("accountId".into(), self.inner.account_id.clone().into());
        if let Some(id) = access_key_id {
            identity.insert("accessKeyId".into(), id.into());
        }
        record["userIdentity"] = Value::Object(identity);
        trail.record(&record, self.now());
    }

    /// Records what KMS did on its own (its changes are durable by now).
    fn record_service_events(&self, events: &[ServiceEvent]) {
        let trail = &self.inner.trail;
        if events.is_empty() || !trail.enabled() {
            return;
        }
        let now = self.now();
        for event in events {
            let record = ct::service_event_record(event, &self.new_id());
            trail.record(&record, now);
        }
    }

    /// Whether requests are recorded in the event history (always, unless switched off with
    /// [`Sandbox::set_trail_enabled`]).
    pub fn trail_enabled(&self) -> bool {
        self.inner.trail.enabled()
    }

    /// Switches recording in the event history off or on, for every handle of this sandbox. AWS
    /// has no such switch: it is here to measure what recording costs.
    pub fn set_trail_enabled(&self, on: bool) {
        self.inner.trail.set_enabled(on);
    }

    /// Writes every recorded event to IndexedDB now, resolving once they are durable (events
    /// are otherwise written in batches a moment after their calls answer).
    pub async fn flush_events(&self) -> Result<(), KmsError> {
        self.inner.trail.flush().await
    }

    /// How AWS would decide the KMS `operation` with `request` for this handle's caller,
    /// without running it: for each permission it needs `{Action, Resource, Allowed, Why}`,
    /// `Why` naming the policy statements (by Sid) or grant that decided.
    pub fn explain(
        &self,
        region: &str,
        operation: &str,
        request: &Value,
    ) -> Result<Value, KmsError> {
        validate_region(region)?;
        let caller = self.caller()?;
        let now = self.now();
        let outcome = self
            .inner
            .engine
            .borrow()
            .explain_access(region, operation, request, &caller, now);
        if outcome.unseal.is_empty() {
            return outcome.result;
        }
        // A big sandbox reads a key when a request first names it, and this answer cannot wait:
        // the keys are read now, for the next ask.
        let this = self.clone();
        let keys = outcome.unseal;
        let named = keys.join(", ");
        wasm_bindgen_futures::spawn_local(async move {
            let _turn = this.turn().await;
            this.unseal(&keys).await;
        });
        Err(KmsError::internal(format!(
            "The sandbox has not read {named} yet (a sandbox of more than 1,000 keys reads a key \
             when a request first names it): ask again in a moment."
        )))
    }

    /// IAM users and roles of the sandbox's account, as `(ARN, kind)` with kind `user` or
    /// `role`, sorted by ARN: the principals a handle can act as.
    pub fn principals(&self) -> Vec<(String, &'static str)> {
        let engine = self.inner.engine.borrow();
        let mut out: Vec<(String, &'static str)> = engine
            .users()
            .map(|u| (u.arn.clone(), "user"))
            .chain(engine.roles().map(|r| (r.arn.clone(), "role")))
            .collect();
        out.sort();
        out
    }

    /// The sandbox's time (ms since the epoch): real time (or the fixed start of a deterministic
    /// sandbox) plus how far the clock was advanced.
    pub fn now(&self) -> i64 {
        let base = match self.inner.fixed_time {
            Some(t) => t,
            None => js_sys::Date::now() as i64,
        };
        base + self.inner.clock_offset.get()
    }

    /// Whether this is a deterministic sandbox (seeded randomness or a fixed clock).
    pub fn is_deterministic(&self) -> bool {
        self.inner.seeded.is_some() || self.inner.fixed_time.is_some()
    }

    /// A new request id or CloudTrail event id: a random UUID, or the seed's next one.
    pub(crate) fn new_id(&self) -> String {
        match &self.inner.seeded {
            Some(s) => kms_core::uuid_v4(&mut *s.ids.borrow_mut()),
            None => entropy::uuid(),
        }
    }

    /// Runs `f` with the engine's randomness: the seed's stream, or the browser's CSPRNG (with
    /// `rsa`, a key WebCrypto made ahead of the call).
    fn with_entropy<R>(
        &self,
        rsa: Option<(usize, Secret)>,
        f: impl FnOnce(&mut dyn Entropy) -> R,
    ) -> R {
        match &self.inner.seeded {
            Some(s) => f(&mut *s.engine.borrow_mut()),
            None => f(&mut BrowserEntropy::new(rsa)),
        }
    }

    /// The RSA key size a request needs WebCrypto to make ahead of the call (never for a seeded
    /// sandbox, whose RSA keys come from its seed).
    fn webcrypto_rsa_bits(&self, call: &Call, request: &Value) -> Option<usize> {
        if self.inner.seeded.is_some() {
            return None;
        }
        rsa_bits(call, request)
    }

    /// Moves the sandbox's clock forward by `seconds` (persisted), then does what AWS would
    /// have done by then, in every Region: deletions whose window ended, due rotations. Returns
    /// the new time.
    /// This sandbox's bill for `month` (1-12) of `year` up to now, by default the current month
    /// of sandbox time (see `kms_core::bill`).
    pub fn bill(&self, year: Option<i64>, month: Option<u32>) -> Result<Bill, KmsError> {
        let now = self.now();
        let (this_year, this_month) = kms_core::bill::month_of(now);
        let (year, month) = (year.unwrap_or(this_year), month.unwrap_or(this_month));
        if !(1..=12).contains(&month) || !(1970..=9999).contains(&year) {
            return Err(KmsError::validation(format!(
                "There is no month {month} of year {year}: month is 1 to 12, year 1970 to 9999."
            )));
        }
        Ok(self.inner.engine.borrow().bill(year, month, now))
    }

    pub async fn advance_clock(&self, seconds: f64) -> Result<i64, KmsError> {
        if !seconds.is_finite() || !(0.0..=MAX_ADVANCE_SECONDS).contains(&seconds) {
            return Err(KmsError::validation(format!(
                "The clock only moves forward, by 0 to {MAX_ADVANCE_SECONDS} seconds at a time"
            )));
        }
        let turn = self.turn().await;
        let _lock = match &self.inner.store {
            Some(store) => Some(store.write_lock().await.map_err(|e| {
                KmsError::internal(format!("The sandbox could not save its clock: {e}"))
            })?),
            None => None,
        };
        let saved = |e: String| {
            KmsError::internal(format!(
                "The sandbox could not save its clock: {}",
                store::explain_write_failure(&e)
            ))
        };
        // The clock moves from where it is now, in whichever tab moved it last.
        let mut attempts = 0;
        let offset = loop {
            let offset = self.inner.clock_offset.get() + (seconds * 1000.0) as i64;
            let settings = Settings {
                account_id: self.inner.account_id.clone(),
                clock_offset_ms: offset,
            };
            match self
                .persist(&mut [], Some(&settings))
                .await
                .map_err(saved)?
            {
                Persisted::Done => break offset,
                Persisted::Retry if attempts < MAX_CONFLICTS => attempts += 1,
                Persisted::Retry => return Err(saved("other tabs kept changing it".into())),
            }
        };
        self.inner.clock_offset.set(offset);
        let now = self.now();
        let regions: Vec<String> = self
            .inner
            .engine
            .borrow()
            .regions()
            .map(str::to_string)
            .collect();
        for region in regions {
            let mut attempts = 0;
            loop {
                let mut outcome = self.with_entropy(None, |entropy| {
                    self.inner.engine.borrow().catch_up(&region, now, entropy)
                });
                if !outcome.unseal.is_empty() {
                    if self.unseal(&outcome.unseal).await {
                        continue;
                    }
                    return outcome.result.map(|_| now);
                }
                if outcome.changes.is_empty() {
                    break;
                }
                let persisted = self
                    .persist(&mut outcome.changes, None)
                    .await
                    .map_err(|e| {
                        KmsError::internal(format!(
                            "The sandbox could not save this change: {}",
                            store::explain_write_failure(&e)
                        ))
                    })?;
                match persisted {
                    Persisted::Done => {
                        self.inner.engine.borrow_mut().apply(outcome.changes);
                        self.record_service_events(&outcome.service_events);
                        break;
                    }
                    Persisted::Retry if attempts < MAX_CONFLICTS => attempts += 1,
                    Persisted::Retry => {
                        return Err(KmsError::internal(
                            "The sandbox could not save this change: other tabs kept changing it",
                        ))
                    }
                }
            }
        }
        drop(turn);
        Ok(now)
    }

    /// A handle on the same sandbox that calls as `principal_arn`: an IAM user, or a session
    /// (named `session_name`) of an IAM role. The principal must exist when a call is made.
    pub fn acting_as(&self, principal_arn: &str, session_name: Option<&str>) -> Sandbox {
        Sandbox {
            inner: self.inner.clone(),
            region: self.region.clone(),
            principal: Some(Rc::new(Principal {
                arn: principal_arn.to_string(),
                session_name: session_name.map(str::to_string),
                created: self.now(),
            })),
        }
    }

    /// The principal this handle acts as (`None`: the account root).
    pub fn principal(&self) -> Option<&Principal> {
        self.principal.as_deref()
    }

    /// Who calls through this handle now.
    pub fn caller(&self) -> Result<Caller, KmsError> {
        match &self.principal {
            None => Ok(Caller::root(&self.inner.account_id)),
            Some(p) => self
                .inner
                .engine
                .borrow()
                .caller_for_principal(&p.arn, p.session_name.as_deref()),
        }
    }

    /// The caller a SigV4 access key id stands for, for `service`: an access key the sandbox
    /// issued acts as its user or role session; a deactivated, deleted or expired one is refused
    /// as AWS refuses it; any other acts as the account root (placeholder credentials keep
    /// working).
    ///
    /// A request signed with credentials the sandbox issued must carry their signature (and a
    /// session's token): `signed` gives what the signature covers, read only then.
    pub(crate) fn caller_for_request(
        &self,
        service: Service,
        authorization: Option<&str>,
        access_key_id: Option<&str>,
        signed: impl FnOnce() -> kms_core::sigv4::SignedRequest,
    ) -> Result<Caller, KmsError> {
        if self.principal.is_some() {
            return self.caller();
        }
        let Some(id) = access_key_id else {
            return Ok(Caller::root(&self.inner.account_id));
        };
        let now = self.now();
        let engine = self.inner.engine.borrow();
        if engine.signing_secret(id).is_none() {
            return engine.caller_for_signature(service, id, now);
        }
        // A header the sandbox cannot read as SigV4 has no signature that could match.
        let auth = authorization
            .and_then(kms_core::sigv4::Authorization::parse)
            .filter(|a| a.access_key_id == id)
            .unwrap_or_else(|| kms_core::sigv4::Authorization::unsigned(id));
        engine.caller_for_signed_request(service, &auth, &signed(), now)
    }

    /// Another handle on this same sandbox (the same keys, the same store) whose default region
    /// is `region` (the console's Region selector, without reopening anything).
    pub fn in_region(&self, region: &str) -> Result<Sandbox, KmsError> {
        validate_region(region)?;
        Ok(Sandbox {
            inner: self.inner.clone(),
            region: region.to_string(),
            principal: self.principal.clone(),
        })
    }

    /// The Regions in which this sandbox holds keys or aliases, sorted.
    pub fn regions(&self) -> Vec<String> {
        self.inner
            .engine
            .borrow()
            .regions()
            .map(str::to_string)
            .collect()
    }

    /// The default region of this handle, borrowed.
    pub(crate) fn region_str(&self) -> &str {
        &self.region
    }

    /// Starts one operation and answers at once if it can: if it changed nothing (reads, and
    /// every failure), or if it changed only an in-memory sandbox while no mutation was in
    /// flight. Otherwise (an RSA key to generate, a turn to wait for, an IndexedDB write, the
    /// event history to read) the answer is a future. `request` is wiped once used. Either way
    /// the request is recorded in the event history once answered.
    ///
    /// The fast path is what makes `send` cheap: no future, no task, no microtask hop.
    pub(crate) fn begin(&self, call: Call, caller: Caller, mut request: Value) -> Begun {
        if self.inner.generation != generation() {
            return self.begin_after_panic(call, caller, request);
        }
        if call.service == Service::CloudTrail {
            let this = self.clone();
            return Begun::Pending(Box::pin(async move {
                this.cloudtrail(&call, &caller, &request).await
            }));
        }
        if self.webcrypto_rsa_bits(&call, &request).is_none() {
            let seen = self.inner.rev.get();
            let mut outcome = self.compute(&call, &caller, &request, None);
            if !outcome.unseal.is_empty() || outcome.delegated.is_some() {
                // A key's secrets are still wrapped, or WebCrypto has the private-key work to
                // do: answered once that is done.
                let this = self.clone();
                return Begun::Pending(Box::pin(async move {
                    let result = this.execute(&call, &caller, &request).await;
                    crate::convert::wipe(&mut request);
                    result
                }));
            }
            if outcome.changes.is_empty() && outcome.result.is_err() && self.inner.store.is_some() {
                // A failure may come from state another tab has changed since: check the stored
                // revision, and if it moved, answer again against the new state.
                let this = self.clone();
                return Begun::Pending(Box::pin(async move {
                    let result = this
                        .failed_read(&call, &caller, &request, outcome, seen, None)
                        .await;
                    crate::convert::wipe(&mut request);
                    result
                }));
            }
            if outcome.changes.is_empty() {
                self.record_call(
                    &call,
                    Who::Caller(&caller),
                    &request,
                    &outcome.result,
                    &outcome.trail,
                );
                crate::convert::wipe(&mut request);
                return Begun::Ready(outcome.result);
            }
            if let Some(turn) = self.try_turn() {
                if self.inner.store.is_none() {
                    self.commit(&mut outcome, turn);
                    self.record_call(
                        &call,
                        Who::Caller(&caller),
                        &request,
                        &outcome.result,
                        &outcome.trail,
                    );
                    crate::convert::wipe(&mut request);
                    return Begun::Ready(outcome.result);
                }
                let this = self.clone();
                return Begun::Pending(Box::pin(async move {
                    let result = this
                        .finish(&call, &caller, &request, outcome, turn, None)
                        .await;
                    crate::convert::wipe(&mut request);
                    result
                }));
            }
            // A mutation is in flight: this one is computed again when its turn comes, against
            // the state its predecessors committed.
        }
        let this = self.clone();
        Begun::Pending(Box::pin(async move {
            let result = this.execute(&call, &caller, &request).await;
            crate::convert::wipe(&mut request);
            result
        }))
    }

    /// Runs one operation: see the module documentation for the commit protocol.
    async fn execute(
        &self,
        call: &Call,
        caller: &Caller,
        request: &Value,
    ) -> Result<Value, KmsError> {
        let rsa = match self.webcrypto_rsa_bits(call, request) {
            Some(bits) => match entropy::webcrypto_rsa_pkcs8(bits).await {
                Ok(key) => Some((bits, key)),
                Err(e) => {
                    let result = Err(KmsError::internal(format!(
                        "WebCrypto could not generate an RSA key: {e}"
                    )));
                    self.record_call(
                        call,
                        Who::Caller(caller),
                        request,
                        &result,
                        &TrailFacts::default(),
                    );
                    return result;
                }
            },
            None => None,
        };
        let seen = self.inner.rev.get();
        if let Some(turn) = self.try_turn() {
            let outcome = self
                .compute_ready(call, caller, request, rsa.as_ref())
                .await;
            if outcome.changes.is_empty() && outcome.result.is_err() {
                drop(turn);
                return self
                    .failed_read(call, caller, request, outcome, seen, rsa.as_ref())
                    .await;
            }
            return self
                .finish(call, caller, request, outcome, turn, rsa.as_ref())
                .await;
        }
        // A mutation (or the loading of another tab's changes) is in flight. A read can answer
        // from the committed state now; a mutation waits its turn and is computed again against
        // the state its predecessors committed.
        let outcome = self
            .compute_ready(call, caller, request, rsa.as_ref())
            .await;
        if outcome.changes.is_empty() {
            if outcome.result.is_err() {
                return self
                    .failed_read(call, caller, request, outcome, seen, rsa.as_ref())
                    .await;
            }
            self.record_call(
                call,
                Who::Caller(caller),
                request,
                &outcome.result,
                &outcome.trail,
            );
            return outcome.result;
        }
        drop(outcome);
        let turn = self.turn().await;
        let outcome = self
            .compute_ready(call, caller, request, rsa.as_ref())
            .await;
        self.finish(call, caller, request, outcome, turn, rsa.as_ref())
            .await
    }

    /// The answer of a request that failed and changed nothing, computed without the turn: the
    /// failure may come from state another tab has changed since (or whose changes are being
    /// loaded), so if the stored revision moved, it is answered again against the new state.
    async fn failed_read(
        &self,
        call: &Call,
        caller: &Caller,
        request: &Value,
        outcome: Outcome,
        seen: u64,
        rsa: Option<&(usize, Secret)>,
    ) -> Result<Value, KmsError> {
        if self.inner.store.is_some() && self.refresh_if_stale(seen).await {
            let turn = self.turn().await;
            let outcome = self.compute_ready(call, caller, request, rsa).await;
            return self.finish(call, caller, request, outcome, turn, rsa).await;
        }
        self.record_call(
            call,
            Who::Caller(caller),
            request,
            &outcome.result,
            &outcome.trail,
        );
        outcome.result
    }

    /// [`Sandbox::compute`], after unwrapping the secrets of the sealed keys the request needs
    /// (see [`Sandbox::unseal`]; if they cannot be, the outcome is the engine's error and
    /// changes nothing), and with the private-key work the engine left to WebCrypto done
    /// ([`Sandbox::delegated`]).
    async fn compute_ready(
        &self,
        call: &Call,
        caller: &Caller,
        request: &Value,
        rsa: Option<&(usize, Secret)>,
    ) -> Outcome {
        let mut outcome = self.compute(call, caller, request, rsa);
        // Each round reads or unwraps at least one key; a request names at most a few, a stack
        // operation one per round.
        for _ in 0..64 {
            if outcome.unseal.is_empty() || !self.unseal(&outcome.unseal).await {
                break;
            }
            outcome = self.compute(call, caller, request, rsa);
        }
        if !outcome.unseal.is_empty() {
            outcome.changes.clear();
            outcome.service_events.clear();
        }
        if let Some(d) = outcome.delegated.take() {
            if let Err(e) = self.delegated(&d, &mut outcome.result).await {
                outcome.result = Err(e);
            }
        }
        outcome
    }

    /// Does the private-key work the engine left to the platform, and puts its result in the
    /// answer's member; the engine's own code does it if WebCrypto cannot.
    async fn delegated(
        &self,
        d: &kms_core::platform::Delegated,
        answer: &mut Result<Value, KmsError>,
    ) -> Result<(), KmsError> {
        let Ok(Value::Object(fields)) = answer else {
            return Ok(());
        };
        let material = self
            .inner
            .engine
            .borrow()
            .key_record(&d.region, &d.key_id)
            .and_then(|k| k.backing_key(&d.backing_key_id))
            .map(|b| b.material.clone())
            .ok_or_else(|| KmsError::internal("The key changed while it was in use."))?;
        let out = match self.inner.platform.run(d, &material).await {
            Ok(out) => out,
            Err(crate::platform::Failure::Refused) => return Err(d.on_failure.clone()),
            Err(crate::platform::Failure::Unavailable(why)) => {
                web_sys::console::debug_1(&JsValue::from_str(&format!(
                    "KMS Sandbox: WebCrypto could not do {:?} ({why}); the engine did",
                    d.member
                )));
                self.with_entropy(None, |rng| d.in_software(material.expose(), rng))?
            }
        };
        use base64::Engine as _;
        let text =
            zeroize::Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(out.expose()));
        fields.insert(d.member.to_string(), Value::String(text.to_string()));
        Ok(())
    }

    /// Reads the keys `storage_keys` known by their summaries only, and unwraps the secrets of
    /// the sealed ones, into the engine (a big sandbox opens with its keys unread:
    /// `store::EAGER_KEYS`). A key's secrets then stay in this page's memory until the sandbox
    /// is dropped, as an unsealed key's do. A key whose record or secrets do not read is
    /// damaged: it is reported and forgotten, as it would have been on open. Returns whether
    /// any key was read, unwrapped or forgotten.
    async fn unseal(&self, storage_keys: &[String]) -> bool {
        let Some(store) = &self.inner.store else {
            return false;
        };
        let mut progressed = false;
        let mut pacer = store::Pacer::new();
        // Unread keys are read a batch at a time, one transaction each (an export reads every
        // key: 100,000 reads of one transaction each took about 20 s).
        let is_unread = |storage_key: &str| match forget(storage_key) {
            Some(kms_core::Change::DeleteKey { region, key_id }) => {
                self.inner.engine.borrow().is_unread(&region, &key_id)
            }
            _ => false,
        };
        let unread: Vec<String> = storage_keys
            .iter()
            .filter(|k| is_unread(k))
            .cloned()
            .collect();
        // Read now, they stay sealed: a later call unwraps them if they are used.
        let read_now: std::collections::BTreeSet<&str> =
            unread.iter().map(String::as_str).collect();
        for batch in unread.chunks(READ_BATCH) {
            match store.read_keys(batch).await {
                Ok(reads) => {
                    for (storage_key, read) in batch.iter().zip(reads) {
                        // A commit or another tab's change may have replaced it meanwhile.
                        if is_unread(storage_key) {
                            self.put_read(storage_key, read);
                        }
                        progressed = true;
                    }
                }
                Err(e) => web_sys::console::warn_1(&JsValue::from_str(&format!(
                    "KMS Sandbox: {} keys could not be read, {} first: {e}",
                    batch.len(),
                    batch[0]
                ))),
            }
            pacer.tick().await;
        }
        for storage_key in storage_keys {
            // Read just now (or not readable): left sealed, or unread, for now.
            if read_now.contains(storage_key.as_str()) {
                continue;
            }
            pacer.tick().await;
            let Some(kms_core::Change::DeleteKey { region, key_id }) = forget(storage_key) else {
                continue;
            };
            let sealed = || {
                self.inner
                    .engine
                    .borrow()
                    .key_record(&region, &key_id)
                    .filter(|k| k.sealed)
                    .cloned()
            };
            let Some(record) = sealed() else {
                progressed = true;
                continue;
            };
            let rev = store.sealed_rev(storage_key);
            let read = store.unseal(storage_key, &record).await;
            // Only over the sealed record it was read from: a commit or another tab's change
            // may have replaced it while it was unwrapped.
            if sealed().is_none() || store.sealed_rev(storage_key) != rev {
                progressed = true;
                continue;
            }
            match read {
                Ok(Some(record)) => {
                    self.put_read(
                        storage_key,
                        Read::Record(Box::new(kms_core::Record::Key(record))),
                    );
                    progressed = true;
                }
                Ok(None) => {}
                Err(reason) => {
                    store.forget_sealed(storage_key);
                    self.put_read(storage_key, Read::Damaged(Damage::new(storage_key, reason)));
                    progressed = true;
                }
            }
        }
        progressed
    }

    /// Puts a key read on first use into the engine: its record, or its absence, or its damage
    /// (reported and forgotten).
    fn put_read(&self, storage_key: &str, read: Read) {
        match read {
            Read::Record(record) => {
                #[cfg(feature = "test-hooks")]
                if let kms_core::Record::Key(k) = &*record {
                    mirror_key(&self.inner, k);
                }
                self.inner.engine.borrow_mut().load(*record);
            }
            Read::Unread(_) => {}
            Read::Gone => self
                .inner
                .engine
                .borrow_mut()
                .apply(forget(storage_key).into_iter().collect()),
            Read::Damaged(damage) => {
                web_sys::console::warn_1(&JsValue::from_str(&format!(
                    "KMS Sandbox: {} is damaged and was dropped: {}",
                    damage.storage_key, damage.reason
                )));
                self.inner
                    .damaged
                    .borrow_mut()
                    .insert(storage_key.to_string(), damage);
                self.inner
                    .engine
                    .borrow_mut()
                    .apply(forget(storage_key).into_iter().collect());
                notify(&self.inner, &[storage_key.to_string()], true);
            }
        }
    }

    /// A call on state made before a panic (whose borrows and queue turn may be held forever):
    /// a stored sandbox is opened again from IndexedDB (the registry hands every handle the same
    /// new state) and the call runs there; an in-memory one cannot be, and answers an error.
    fn begin_after_panic(&self, call: Call, caller: Caller, mut request: Value) -> Begun {
        let message = LAST_PANIC.with(|m| m.try_borrow().map(|m| m.clone()).unwrap_or_default());
        if self.inner.store.is_none() {
            crate::convert::wipe(&mut request);
            return Begun::Ready(Err(KmsError::internal(format!(
                "This in-memory sandbox stopped at an internal error ({message}); create a new one"
            ))));
        }
        let (name, region, account) = (
            self.inner.name.clone(),
            self.region.clone(),
            self.inner.account_id.clone(),
        );
        let principal = self.principal.clone();
        Begun::Pending(Box::pin(async move {
            let reopened = Sandbox::open(&name, Some(region), Some(account)).await;
            match reopened {
                Ok(mut fresh) => {
                    fresh.principal = principal;
                    match fresh.begin(call, caller, request) {
                        Begun::Ready(result) => result,
                        Begun::Pending(answer) => answer.await,
                    }
                }
                Err(e) => {
                    crate::convert::wipe(&mut request);
                    Err(KmsError::internal(format!(
                        "The sandbox stopped at an internal error ({message}) and could not be \
                         opened again: {}",
                        e.message
                    )))
                }
            }
        }))
    }

    /// [`Sandbox::execute`] on a raw JSON request body (the SDK handler's path). A body that is
    /// not JSON gets the engine's own SerializationException.
    pub(crate) async fn execute_raw(
        &self,
        call: Call,
        caller: Caller,
        body: &[u8],
    ) -> Result<Value, KmsError> {
        let parsed = if body.iter().all(u8::is_ascii_whitespace) {
            Ok(Value::Object(Default::default()))
        } else {
            serde_json::from_slice::<Value>(body)
        };
        match parsed {
            Ok(request) => self.call_as(call, caller, request).await,
            Err(_) => {
                let outcome = self.with_entropy(None, |entropy| {
                    self.inner.engine.borrow().handle_json(
                        &call.region,
                        &call.operation,
                        body,
                        &caller,
                        call.time,
                        entropy,
                    )
                });
                // A body the engine cannot parse changes nothing.
                Err(self.refuse(
                    &call,
                    Who::Caller(&caller),
                    outcome
                        .result
                        .err()
                        .unwrap_or_else(|| KmsError::serialization("Malformed JSON request body")),
                ))
            }
        }
    }

    /// CloudTrail (LookupEvents), answered from the event history in the call's Region.
    async fn cloudtrail(
        &self,
        call: &Call,
        caller: &Caller,
        request: &Value,
    ) -> Result<Value, KmsError> {
        let result = match call.operation.as_str() {
            "LookupEvents" => {
                let allowed = self.inner.engine.borrow().check_lookup_events(
                    &call.region,
                    caller,
                    self.now(),
                );
                match allowed {
                    Ok(()) => {
                        self.inner
                            .trail
                            .lookup(&call.region, request, self.now())
                            .await
                    }
                    Err(e) => Err(e),
                }
            }
            other => Err(kms_core::model::cloudtrail().unknown_operation(other)),
        };
        self.record_call(
            call,
            Who::Caller(caller),
            request,
            &result,
            &TrailFacts::default(),
        );
        result
    }

    fn compute(
        &self,
        call: &Call,
        caller: &Caller,
        request: &Value,
        rsa: Option<&(usize, Secret)>,
    ) -> Outcome {
        let now = self.now();
        if let Some(seeded) = &self.inner.seeded {
            return self.inner.engine.borrow().handle_service(
                call.service,
                &call.region,
                &call.operation,
                request,
                caller,
                now,
                &mut *seeded.engine.borrow_mut(),
            );
        }
        let mut entropy = BrowserEntropy::new(rsa.cloned());
        let outcome = self.inner.engine.borrow().handle_service(
            call.service,
            &call.region,
            &call.operation,
            request,
            caller,
            now,
            &mut entropy,
        );
        #[cfg(feature = "test-hooks")]
        if rsa.is_some() && entropy.rsa_taken() {
            self.inner
                .webcrypto_rsa_keys
                .set(self.inner.webcrypto_rsa_keys.get() + 1);
        }
        outcome
    }

    /// Persists the outcome's changes (if any, and if the sandbox is stored), then commits them;
    /// records the request either way.
    async fn finish(
        &self,
        call: &Call,
        caller: &Caller,
        request: &Value,
        mut outcome: Outcome,
        turn: Turn,
        rsa: Option<&(usize, Secret)>,
    ) -> Result<Value, KmsError> {
        let mut attempts = 0;
        let changes = !outcome.changes.is_empty();
        // Writers of every tab take turns (see `WriteLock`).
        let mut lock = None;
        if changes {
            if let Some(store) = &self.inner.store {
                match store.write_lock().await {
                    Ok(l) => lock = Some(l),
                    Err(e) => {
                        drop(turn);
                        let result = Err(KmsError::internal(format!(
                            "The sandbox could not save this change, so it was not made: {e}"
                        )));
                        self.record_call(
                            call,
                            Who::Caller(caller),
                            request,
                            &result,
                            &outcome.trail,
                        );
                        return result;
                    }
                }
            }
        }
        while !outcome.changes.is_empty() {
            let failure = match self.persist(&mut outcome.changes, None).await {
                Ok(Persisted::Done) => {
                    drop(lock.take());
                    self.commit(&mut outcome, turn);
                    break;
                }
                // Another tab committed first: computed again against its changes.
                Ok(Persisted::Retry) if attempts < MAX_CONFLICTS => {
                    attempts += 1;
                    outcome = self.compute_ready(call, caller, request, rsa).await;
                    continue;
                }
                Ok(Persisted::Retry) => "other tabs kept changing the sandbox".to_string(),
                Err(cause) => store::explain_write_failure(&cause),
            };
            drop(turn);
            let result = Err(KmsError::internal(format!(
                "The sandbox could not save this change, so it was not made: {failure}"
            )));
            self.record_call(call, Who::Caller(caller), request, &result, &outcome.trail);
            return result;
        }
        self.record_call(
            call,
            Who::Caller(caller),
            request,
            &outcome.result,
            &outcome.trail,
        );
        // The change is durable; its event is made so before the change is reported.
        if changes
            && outcome.result.is_ok()
            && self.inner.store.is_some()
            && self.inner.trail.enabled()
        {
            self.inner.trail.write_now().await;
        }
        outcome.result
    }

    /// Applies the (persisted) changes to the engine, passes the turn on, and records what KMS
    /// did on its own before the request.
    fn commit(&self, outcome: &mut Outcome, turn: Turn) {
        #[cfg(feature = "test-hooks")]
        for change in &outcome.changes {
            if let kms_core::Change::PutKey(k) = change {
                mirror_key(&self.inner, k);
            }
        }
        let changes = std::mem::take(&mut outcome.changes);
        let own_listeners = self.inner.listeners.borrow().iter().any(|(_, _, own)| *own);
        let keys: Vec<String> = if own_listeners {
            changes.iter().map(kms_core::Change::storage_key).collect()
        } else {
            Vec::new()
        };
        self.inner.engine.borrow_mut().apply(changes);
        drop(turn);
        if !keys.is_empty() {
            notify(&self.inner, &keys, true);
        }
        self.record_service_events(&outcome.service_events);
    }

    /// The queue's turn, if no mutation holds it.
    fn try_turn(&self) -> Option<Turn> {
        if self.inner.queue.busy.replace(true) {
            None
        } else {
            Some(Turn(self.inner.clone()))
        }
    }

    /// The queue's turn, after the mutations that asked before this one.
    async fn turn(&self) -> Turn {
        if let Some(turn) = self.try_turn() {
            return turn;
        }
        let mut resolve = None;
        let wait = js_sys::Promise::new(&mut |res, _rej| resolve = Some(res));
        if let Some(res) = resolve {
            self.inner.queue.waiters.borrow_mut().push_back(res);
        }
        // The promise only ever resolves.
        let _ = wasm_bindgen_futures::JsFuture::from(wait).await;
        Turn(self.inner.clone())
    }

    /// Test hook: the secret material of every backing key of `key_id` (oldest first), as the
    /// engine holds it (a copy of what was last loaded or applied).
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn test_material(&self, region: &str, key_id: &str) -> Vec<Vec<u8>> {
        self.inner
            .mirror
            .borrow()
            .get(&(region.to_string(), key_id.to_string()))
            .cloned()
            .unwrap_or_default()
    }

    /// Test hook: how many keys the engine knows by their summaries only (not read yet).
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn test_unread_keys(&self) -> usize {
        self.inner.engine.borrow().unread_keys().len()
    }

    /// Test hook: make the next write transaction abort after its puts are queued.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn test_fail_next_write(&self) {
        if let Some(store) = &self.inner.store {
            *store.fail_next_write.borrow_mut() = Some("abort");
        }
    }

    /// Test hook: make the next write transaction fail as if the storage quota were used up
    /// (a QuotaExceededError, after its puts are queued).
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn test_quota_next_write(&self) {
        if let Some(store) = &self.inner.store {
            *store.fail_next_write.borrow_mut() = Some("quota");
        }
    }

    /// Test hook: reads of more than `n` records leave key secrets wrapped until first use
    /// (`None`: `store::EAGER_KEYS`), for this page.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn test_set_eager_keys(n: Option<usize>) {
        store::test_set_eager_keys(n);
    }

    /// Test hook: exports seal their body in chunks of `n` bytes, at least 1,024 (`None`:
    /// 1 MiB), for this page.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn test_set_backup_chunk(n: Option<usize>) {
        crate::backup::test_set_chunk_size(n);
    }

    /// Test hook: reads of the whole database come in pages of `n` records (`None`:
    /// `store::READ_PAGE`), for this page.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn test_set_read_page(n: Option<u32>) {
        store::test_set_read_page(n);
    }

    /// Test hook: how many private-key operations WebCrypto did for this sandbox.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn test_platform_ops(&self) -> u32 {
        self.inner.platform.done.get()
    }

    /// Test hook: the database revision the engine reflects.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn test_revision(&self) -> u64 {
        self.inner.rev.get()
    }

    /// Test hook: panic inside the sandbox, as a bug would, while holding the engine's borrow
    /// and the queue's turn (only where a panic does not abort the test, i.e. never in a
    /// wasm-bindgen test; see the faults tests).
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn test_mark_panicked(&self) {
        PANICS.with(|p| p.set(p.get() + 1));
        LAST_PANIC.with(|m| *m.borrow_mut() = "a test's simulated panic".into());
    }

    /// Test hook: how many IndexedDB write transactions this sandbox has started.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn test_writes(&self) -> u32 {
        self.inner.store.as_ref().map_or(0, |s| s.writes.get())
    }

    /// Test hook: how many RSA keys the engine took from WebCrypto (rather than the rsa crate).
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn test_webcrypto_rsa_keys(&self) -> u32 {
        self.inner.webcrypto_rsa_keys.get()
    }

    /// Test hook: how many recorded events wait in memory for their IndexedDB write to start.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn test_events_queued(&self) -> usize {
        self.inner.trail.queued()
    }

    /// Test hook: keep at most `cap` events in the history (instead of 100,000).
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn test_set_event_cap(&self, cap: usize) {
        self.inner.trail.set_cap(cap);
    }

    /// Test hook: the HSM key this sandbox holds.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn test_hsm_key(&self) -> Option<web_sys::CryptoKey> {
        self.inner.store.as_ref().map(|s| s.hsm_key().clone())
    }
}

/// Names of the sandboxes stored on this origin (from `indexedDB.databases()`), sorted.
pub async fn list_sandboxes() -> Result<Vec<String>, KmsError> {
    store::list()
        .await
        .map_err(|e| KmsError::internal(format!("Could not list the sandboxes: {e}")))
}

/// Deletes sandbox `name` and everything in it (its IndexedDB database, HSM key included).
/// A sandbox object still open on it stops being able to save changes.
pub async fn delete_sandbox(name: &str) -> Result<(), KmsError> {
    validate_name(name)?;
    let deleted = store::delete(name)
        .await
        .map_err(|e| KmsError::internal(format!("Could not delete sandbox '{name}': {e}")));
    // Handles still open on it keep their (now unsaveable) state; the next open starts afresh.
    unregister(&store::db_name(name));
    deleted
}

/// Options of [`Sandbox::import`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Replace a sandbox of the same name (deleted once the file has been read and verified).
    /// Without it, an existing name is refused with `AlreadyExistsException`.
    pub replace: bool,
    /// The default region of the handle returned (default `ap-southeast-2`).
    pub region: Option<String>,
}

impl Sandbox {
    /// One file (`.kmssandbox`) that holds the whole sandbox: every key of every Region with
    /// its material, alias, key policy, grant, tag, IAM user, role, policy, access key and role
    /// session, CloudFormation stack, the clock, the usage and the CloudTrail event history;
    /// encrypted under a key derived from `passphrase` (PBKDF2-SHA-256, 600,000 iterations;
    /// AES-256-GCM). See [`Sandbox::import`].
    pub async fn export(&self, passphrase: &str) -> Result<js_sys::Uint8Array, KmsError> {
        // Other tabs' latest changes first, then one consistent view of the records.
        let turn = self.turn().await;
        if let Err(e) = self.sync_locked().await {
            return Err(KmsError::internal(format!(
                "The sandbox could not be exported: {e}"
            )));
        }
        // The file holds every key's material. The records the engine holds are copied; keys
        // it has not read are read into the copy only; sealed keys are unwrapped in the copy
        // only. The engine is left as it was, and the copies are dropped once written (after an
        // export of 100,000 keys, the engine had held every key's record and material until the
        // sandbox closed).
        let (mut records, usage) = {
            let engine = self.inner.engine.borrow();
            (engine.records(), engine.usage().saved_text())
        };
        let read = self.read_for_export(&mut records).await?;
        self.unwrap_for_export(&mut records).await;
        if let Some(store) = &self.inner.store {
            // Their wrapped secrets were kept for the unwrapping only (unless a request read the
            // key meanwhile: the engine's sealed record needs them).
            for storage_key in &read {
                if let Some(kms_core::Change::DeleteKey { region, key_id }) = forget(storage_key) {
                    if self.inner.engine.borrow().is_unread(&region, &key_id) {
                        store.forget_sealed(storage_key);
                    }
                }
            }
        }
        drop(turn);
        let backup = kms_core::backup::Backup {
            account_id: self.inner.account_id.clone(),
            // Where the sandbox clock stands against real time (a fixed clock's too).
            clock_offset_ms: (self.now() - js_sys::Date::now() as i64).max(0),
            records,
            usage,
            // Streamed into the writer a page at a time.
            events: Vec::new(),
        };
        let mut events = self.inner.trail.pages().await?;
        // Written and sealed a chunk at a time, the page given a turn between pieces: a body of
        // 100,000 keys (about 200 MB) written and sealed whole held the page for 4 to 5 s, and
        // grew wasm memory by the body's size three times over.
        let failed =
            |e: String| KmsError::internal(format!("The sandbox could not be exported: {e}"));
        let mut sealer =
            crate::backup::Sealer::new(passphrase, &self.inner.name, &self.inner.account_id)
                .await?;
        let mut writer = kms_core::backup::BackupWriter::with_streamed_events(&backup);
        let mut pacer = store::Pacer::new();
        loop {
            if writer.wants_events() {
                match events.next().await? {
                    Some(page) => writer.push_events(page),
                    None => writer.end_events(),
                }
            }
            let done = writer.step(BACKUP_PIECE).map_err(failed)?;
            // A chunk is sealed once more than one waits, so that the last is never empty.
            while writer.pending() > sealer.chunk_size || (done && writer.pending() > 0) {
                let chunk = writer.take(sealer.chunk_size);
                sealer.seal(&chunk, done && writer.pending() == 0).await?;
            }
            if done {
                drop(writer);
                drop_paced(backup).await;
                return Ok(sealer.finish());
            }
            pacer.tick().await;
        }
    }

    /// Adds the keys the engine has not read to an export's copy of the records, read (sealed)
    /// a batch at a time, and answers their storage keys. A key gone meanwhile, or damaged, goes
    /// the way of first use. A batch that cannot be read fails the export: a file without some
    /// keys would look whole.
    async fn read_for_export(
        &self,
        records: &mut Vec<kms_core::Record>,
    ) -> Result<Vec<String>, KmsError> {
        let Some(store) = &self.inner.store else {
            return Ok(Vec::new());
        };
        let unread = self.inner.engine.borrow().unread_keys();
        let mut pacer = store::Pacer::new();
        for batch in unread.chunks(READ_BATCH) {
            let reads = store.read_keys(batch).await.map_err(|e| {
                KmsError::internal(format!("The sandbox could not be exported: {e}"))
            })?;
            for (storage_key, read) in batch.iter().zip(reads) {
                match read {
                    Read::Record(record) => records.push(*record),
                    other => self.put_read(storage_key, other),
                }
            }
            pacer.tick().await;
        }
        Ok(unread)
    }

    /// Gives each sealed key record of an export's copy its secrets, unwrapped from its stored
    /// value, while the caller holds the queue's turn (so the stored value is the record's). A
    /// record that does not unwrap goes the way of first use (its damage is reported and the
    /// key forgotten) and the copy follows the engine.
    async fn unwrap_for_export(&self, records: &mut Vec<kms_core::Record>) {
        let Some(store) = &self.inner.store else {
            return;
        };
        let mut pacer = store::Pacer::new();
        let mut damaged = Vec::new();
        for (i, record) in records.iter_mut().enumerate() {
            let kms_core::Record::Key(key) = record else {
                continue;
            };
            if !key.sealed {
                continue;
            }
            let storage_key = kms_core::key_storage_key(&key.region, &key.key_id);
            // In place: a new record for each would leave the copy's old one as a hole in wasm
            // memory (70 MB more at 100,000 keys).
            if store.unseal_in_place(&storage_key, key).await.is_err() {
                damaged.push((i, storage_key));
            }
            pacer.tick().await;
        }
        for (i, storage_key) in damaged.into_iter().rev() {
            self.unseal(std::slice::from_ref(&storage_key)).await;
            let now = match &records[i] {
                kms_core::Record::Key(k) => self
                    .inner
                    .engine
                    .borrow()
                    .key_record(&k.region, &k.key_id)
                    .filter(|k| !k.sealed)
                    .cloned(),
                _ => None,
            };
            match now {
                Some(k) => records[i] = kms_core::Record::Key(k),
                None => {
                    records.remove(i);
                }
            }
        }
    }

    /// Restores a file of [`Sandbox::export`] into a new stored sandbox `name`, every secret
    /// wrapped under that sandbox's own new HSM key, and opens it. The file is read, decrypted
    /// and checked in full before anything is written, and then written in one transaction:
    /// `InvalidBackupException` (not a backup, another version, damaged or cut short),
    /// `InvalidPassphraseException` and `AlreadyExistsException` (the name is taken and
    /// `options.replace` is not set) write nothing.
    pub async fn import(
        name: &str,
        file: &js_sys::Uint8Array,
        passphrase: &str,
        options: ImportOptions,
    ) -> Result<Sandbox, KmsError> {
        validate_name(name)?;
        if let Some(r) = &options.region {
            validate_region(r)?;
        }
        install_panic_hook();
        let taken = || {
            KmsError::already_exists(format!(
                "A sandbox named '{name}' already exists in this browser: import under another \
                 name, or pass {{ replace: true }} to replace it"
            ))
        };
        // Refused before the passphrase's slow key derivation (and checked again on write).
        if !options.replace
            && list_sandboxes()
                .await
                .is_ok_and(|l| l.iter().any(|n| n == name))
        {
            return Err(taken());
        }
        let body = crate::backup::open(file, passphrase).await?;
        // Read a piece at a time: a body of 100,000 keys (113 MB) read whole held the page for
        // a second or two.
        let mut reader = kms_core::backup::BackupReader::new(body.expose());
        let mut pacer = store::Pacer::new();
        let backup = loop {
            let read = reader.step(BACKUP_PIECE).map_err(|e| {
                KmsError::new(
                    kms_core::ErrorType::InvalidBackup,
                    format!("The backup is damaged: {e}"),
                )
            })?;
            match read {
                Some(backup) => break backup,
                None => pacer.tick().await,
            }
        };
        drop(body);
        if options.replace {
            delete_sandbox(name).await?;
        }
        match store::create_from_backup(name, &backup).await {
            Ok(()) => {}
            Err(store::CreateError::Exists) => return Err(taken()),
            Err(store::CreateError::Failed(e)) => {
                return Err(KmsError::internal(format!(
                    "The backup could not be written as sandbox '{name}', so nothing was: {e}"
                )))
            }
        }
        drop_paced(backup).await;
        Sandbox::open(name, options.region, None).await
    }
}

/// Frees a backup's records a piece at a time: 100,000 keys with their secrets (each zeroed)
/// took about 0.1 s to free.
async fn drop_paced(mut backup: kms_core::backup::Backup) {
    let mut pacer = store::Pacer::new();
    while !backup.records.is_empty() {
        backup
            .records
            .truncate(backup.records.len().saturating_sub(1_000));
        pacer.tick().await;
    }
}

/// How many unread keys are read in one IndexedDB transaction.
const READ_BATCH: usize = 500;

/// How many members and entries of a backup's body an import reads, or an export writes,
/// between two looks at the clock (a key's entry takes some microseconds).
const BACKUP_PIECE: usize = 200;

/// A FIFO async mutex for mutations. Its turn is handed straight to the next waiter, so no
/// later arrival can slip in between.
#[derive(Default)]
struct Queue {
    busy: Cell<bool>,
    waiters: RefCell<VecDeque<js_sys::Function>>,
}

/// Holding the queue; dropping it passes the turn on.
struct Turn(Rc<Inner>);

impl Drop for Turn {
    fn drop(&mut self) {
        let queue = &self.0.queue;
        let next = queue.waiters.borrow_mut().pop_front();
        match next {
            // `busy` stays true: the turn passes to the waiter.
            Some(resolve) => {
                let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            }
            None => queue.busy.set(false),
        }
    }
}

/// One request: which service and operation, where, and what its record says of it besides
/// who asked.
pub(crate) struct Call {
    pub service: Service,
    pub region: String,
    pub operation: String,
    /// The request id its answer carries (`x-amzn-RequestId`, `$metadata.requestId`).
    pub request_id: String,
    pub user_agent: Cow<'static, str>,
    /// When it was made (sandbox time).
    pub time: i64,
}

/// Who made a request, as its record names them.
#[derive(Clone, Copy)]
pub(crate) enum Who<'a> {
    Caller(&'a Caller),
    /// A principal (a handle's, by ARN) or an access key (the SDK's) the sandbox could not
    /// resolve to a caller.
    Unknown {
        arn: Option<&'a str>,
        access_key_id: Option<&'a str>,
    },
}

/// The `sourceIPAddress` of every request: it comes from this browser tab.
const SOURCE_IP: &str = "127.0.0.1";
/// The `userAgent` of requests through the Rust API (the console).
pub(crate) const USER_AGENT_RUST: &str = "kms-sandbox";
/// The `userAgent` of requests through the JS API's `send`.
pub(crate) const USER_AGENT_JS: &str = "kms-sandbox-js";

/// The RSA key size a KMS request will need from WebCrypto, if any.
fn rsa_bits(call: &Call, request: &Value) -> Option<usize> {
    if call.service != Service::Kms {
        return None;
    }
    entropy::rsa_bits_needed(&call.operation, request)
}

/// An operation started by [`Sandbox::begin`].
pub(crate) enum Begun {
    /// Answered without waiting.
    Ready(Result<Value, KmsError>),
    /// Waiting for WebCrypto, its turn in the queue or its IndexedDB write.
    Pending(Pin<Box<dyn Future<Output = Result<Value, KmsError>>>>),
}
