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
//! of the open sandboxes, by name); handles differ only in their default region. Two copies of
//! one sandbox's state in one page would drift apart and overwrite each other's records.
//!
//! Every request, answered or refused, from every entry point (the JS `send`, `service(...)`,
//! `as(...)` handles, the SDK request handler, the Rust API) is recorded once in the CloudTrail
//! event history, by [`Sandbox::record_call`]: once it is answered, with the request id its
//! answer carries. What KMS does on its own (a deletion whose waiting period ended, a scheduled
//! rotation) is recorded once its changes are durable, before the call that noticed it. See
//! [`crate::trail`] for how the events are kept.

use crate::entropy::{self, BrowserEntropy};
use crate::store::{self, Store};
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
    /// Test hook: each key's backing key material, as last loaded or applied.
    #[cfg(feature = "test-hooks")]
    mirror: RefCell<Mirror>,
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

thread_local! {
    /// The persistent sandboxes open in this page, by name.
    static OPEN: RefCell<BTreeMap<String, Weak<Inner>>> = const { RefCell::new(BTreeMap::new()) };
}

/// The live sandbox of `name` already open in this page, if any: one whose database connection
/// has not been closed (by a deletion, here or in another tab).
fn registered(name: &str) -> Option<Rc<Inner>> {
    OPEN.with(|open| {
        let mut open = open.borrow_mut();
        open.retain(|_, w| w.strong_count() > 0);
        open.get(name)
            .and_then(Weak::upgrade)
            .filter(|inner| inner.store.as_ref().is_some_and(|s| !s.is_closed()))
    })
}

fn register(inner: &Rc<Inner>) {
    OPEN.with(|open| {
        open.borrow_mut()
            .insert(inner.name.clone(), Rc::downgrade(inner))
    });
}

fn unregister(name: &str) {
    OPEN.with(|open| open.borrow_mut().remove(name));
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
        let inner = match registered(name) {
            Some(inner) => inner,
            None => {
                let inner = Rc::new(Self::load(name, account_id.as_deref()).await?);
                // Another open of the same name may have finished while this one read.
                match registered(name) {
                    Some(first) => first,
                    None => {
                        inner
                            .trail
                            .save_usage_from(Box::new(EngineUsage(Rc::downgrade(&inner))));
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

    /// Reads sandbox `name` from IndexedDB into a new engine.
    async fn load(name: &str, account_id: Option<&str>) -> Result<Inner, KmsError> {
        let opened = Store::open(name, account_id, DEFAULT_ACCOUNT_ID)
            .await
            .map_err(|e| KmsError::internal(format!("Could not open sandbox '{name}': {e}")))?;
        let usage = store::read_usage(opened.store.db())
            .await
            .map_err(|e| KmsError::internal(format!("Could not open sandbox '{name}': {e}")))?;
        let inner = Inner {
            name: name.to_string(),
            engine: RefCell::new(Engine::new(&opened.settings.account_id)),
            account_id: opened.settings.account_id,
            clock_offset: Cell::new(opened.settings.clock_offset_ms),
            fixed_time: None,
            seeded: None,
            trail: Trail::new(Some(opened.store.db().clone())),
            store: Some(opened.store),
            queue: Queue::default(),
            #[cfg(feature = "test-hooks")]
            mirror: Default::default(),
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
        for record in opened.records {
            #[cfg(feature = "test-hooks")]
            if let kms_core::Record::Key(k) = &record {
                mirror_key(&inner, k);
            }
            inner.engine.borrow_mut().load(record);
        }
        Ok(inner)
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
                engine: RefCell::new(Engine::new(&account_id)),
                account_id,
                store: None,
                clock_offset: Cell::new(0),
                fixed_time,
                seeded: seed.map(Seeded::new),
                queue: Queue::default(),
                trail: Trail::new(None),
                #[cfg(feature = "test-hooks")]
                mirror: Default::default(),
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
            Who::Caller(caller) => (caller, self.inner.engine.borrow().session_created(caller)),
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
        self.inner
            .engine
            .borrow()
            .explain_access(region, operation, request, &caller, now)
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
        let offset = self.inner.clock_offset.get() + (seconds * 1000.0) as i64;
        if let Some(store) = &self.inner.store {
            store.write_clock_offset(offset).await.map_err(|e| {
                KmsError::internal(format!("The sandbox could not save its clock: {e}"))
            })?;
        }
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
            let outcome = self.with_entropy(None, |entropy| {
                self.inner.engine.borrow().catch_up(&region, now, entropy)
            });
            if outcome.changes.is_empty() {
                continue;
            }
            if let Some(store) = &self.inner.store {
                store.write(&outcome.changes).await.map_err(|e| {
                    KmsError::internal(format!("The sandbox could not save this change: {e}"))
                })?;
            }
            self.inner.engine.borrow_mut().apply(outcome.changes);
            self.record_service_events(&outcome.service_events);
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
    pub(crate) fn caller_for_access_key(
        &self,
        service: Service,
        access_key_id: Option<&str>,
    ) -> Result<Caller, KmsError> {
        if self.principal.is_some() {
            return self.caller();
        }
        let Some(id) = access_key_id else {
            return Ok(Caller::root(&self.inner.account_id));
        };
        let now = self.now();
        self.inner
            .engine
            .borrow()
            .caller_for_signature(service, id, now)
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

    /// The JS `KmsSandbox` object over this same sandbox (the console sets it as `window.kms`).
    pub fn to_js(&self) -> wasm_bindgen::JsValue {
        crate::js::KmsSandbox::from(self.clone()).into()
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
        if call.service == Service::CloudTrail {
            let this = self.clone();
            return Begun::Pending(Box::pin(async move {
                this.cloudtrail(&call, &caller, &request).await
            }));
        }
        if self.webcrypto_rsa_bits(&call, &request).is_none() {
            let mut outcome = self.compute(&call, &caller, &request, None);
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
                    let result = this.finish(&call, &caller, &request, outcome, turn).await;
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
        if let Some(turn) = self.try_turn() {
            let outcome = self.compute(call, caller, request, rsa.as_ref());
            return self.finish(call, caller, request, outcome, turn).await;
        }
        // A mutation is in flight. A read can answer from the committed state now; a mutation
        // waits its turn and is computed again against the state its predecessors committed.
        let outcome = self.compute(call, caller, request, rsa.as_ref());
        if outcome.changes.is_empty() {
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
        let outcome = self.compute(call, caller, request, rsa.as_ref());
        self.finish(call, caller, request, outcome, turn).await
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
                self.inner
                    .trail
                    .lookup(&call.region, request, self.now())
                    .await
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
    ) -> Result<Value, KmsError> {
        if !outcome.changes.is_empty() {
            if let Some(store) = &self.inner.store {
                if let Err(cause) = store.write(&outcome.changes).await {
                    drop(turn);
                    let result = Err(KmsError::internal(format!(
                        "The sandbox could not save this change, so it was not made: {cause}"
                    )));
                    self.record_call(call, Who::Caller(caller), request, &result, &outcome.trail);
                    return result;
                }
            }
            self.commit(&mut outcome, turn);
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
        self.inner.engine.borrow_mut().apply(changes);
        drop(turn);
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

    /// Test hook: make the next write transaction abort after its puts are queued.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn test_fail_next_write(&self) {
        if let Some(store) = &self.inner.store {
            store.fail_next_write.set(true);
        }
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
    unregister(name);
    deleted
}

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
