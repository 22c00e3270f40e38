//! The engine: an account's keys and aliases in every region, and one dispatcher that answers
//! every operation of the model.
//!
//! An operation never mutates the engine directly. It runs in a [`Tx`] that overlays the records
//! it changes; the engine returns those [`Change`]s with the response, the shell makes them
//! durable, and only then calls [`Engine::apply`]. A failed write therefore leaves the engine as
//! it was.

use crate::access::{Policy, PolicyKind};
use crate::caller::Caller;
use crate::env::{Entropy, Millis};
use crate::error::{KmsError, Result};
use crate::records::{AliasRecord, Change, KeyRecord, MultiRegionKeyType, Record};
use crate::service::Service;
use crate::spec::{KeyManager, KeyState};
use crate::trail::{ServiceEvent, TrailFacts};
use crate::{model, ops};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

#[derive(Debug, Default, Clone)]
pub struct RegionState {
    pub(crate) keys: BTreeMap<String, KeyRecord>,
    pub(crate) aliases: BTreeMap<String, AliasRecord>,
    /// The earliest time a deletion or rotation falls due, so that an operation checks one
    /// number instead of every key.
    pub(crate) next_due: Option<Millis>,
}

impl RegionState {
    fn refresh_next_due(&mut self) {
        self.next_due = self.keys.values().filter_map(due_date).min();
    }

    /// Stores a key, keeping `next_due` without a scan of every key unless the key held the
    /// earliest date (a scan per write made n writes, or opening n keys, cost n²).
    fn put_key(&mut self, key: KeyRecord) {
        let due = due_date(&key);
        let old = self.keys.insert(key.key_id.clone(), key);
        self.after_removal(old.as_ref());
        self.next_due = self.next_due.into_iter().chain(due).min();
    }

    fn remove_key(&mut self, key_id: &str) -> Option<KeyRecord> {
        let old = self.keys.remove(key_id);
        self.after_removal(old.as_ref());
        old
    }

    fn after_removal(&mut self, old: Option<&KeyRecord>) {
        if old
            .and_then(due_date)
            .is_some_and(|d| Some(d) == self.next_due)
        {
            self.refresh_next_due();
        }
    }
}

/// When time next changes a key by itself: its deletion, its next scheduled rotation (made on a
/// multi-Region primary key and copied to its replicas), or the expiry of imported material.
pub(crate) fn due_date(k: &KeyRecord) -> Option<Millis> {
    let own = match k.key_state {
        KeyState::PendingDeletion => k.deletion_date,
        KeyState::Enabled
            if k.rotation.enabled && k.multi_region != Some(MultiRegionKeyType::Replica) =>
        {
            k.rotation.next_rotation
        }
        _ => None,
    };
    own.into_iter().chain(expiry_date(k)).min()
}

/// When the earliest imported material of the key that is present expires.
pub(crate) fn expiry_date(k: &KeyRecord) -> Option<Millis> {
    k.backing_keys
        .iter()
        .filter_map(|b| b.import.as_ref().filter(|i| i.imported)?.valid_to)
        .min()
}

/// One sandbox account: its keys and aliases, region by region.
#[derive(Debug, Clone)]
pub struct Engine {
    account_id: String,
    regions: BTreeMap<String, RegionState>,
    /// The account's IAM and STS records (see `crate::iam`).
    pub(crate) iam: crate::iam::IamState,
    /// Key policies and identity policies, parsed once.
    policies: PolicyCache,
    /// Whether requests are authorized (always, except in the benchmark's baseline).
    authorize: bool,
    /// Requests, keys' last uses and deleted keys' lifetimes (see `crate::usage`).
    pub(crate) usage: crate::usage::Usage,
    /// Whether Sign and Decrypt leave what the platform's crypto does to the shell
    /// ([`crate::platform`]).
    platform_crypto: bool,
}

/// Parsed policies by their holder (a key's ARN, an identity policy's label), reused while the
/// holder's text stays the same. A clone starts empty.
#[derive(Default)]
struct PolicyCache(std::cell::RefCell<HashMap<String, CacheEntry>>);

/// Parsed policies as the evaluator takes them: `(label, &Policy)`.
pub(crate) fn borrowed(parsed: &[(String, Arc<CachedPolicy>)]) -> Vec<(String, &Policy)> {
    parsed
        .iter()
        .map(|(label, p)| (label.clone(), &p.policy))
        .collect()
}

/// A holder's policy text, and what it parsed to (`None` if it does not parse).
type CacheEntry = (String, Option<Arc<CachedPolicy>>);

/// A parsed policy and the condition keys it reads, so that a request builds only those.
#[derive(Debug)]
pub(crate) struct CachedPolicy {
    pub policy: Policy,
    pub keys: ConditionKeys,
}

/// The condition keys some policies read (names as written; compared case-insensitively).
#[derive(Debug, Default, Clone)]
pub(crate) struct ConditionKeys {
    /// A policy variable may read any key: build them all.
    all: bool,
    names: Vec<String>,
}

impl ConditionKeys {
    fn of(policy: &Policy) -> ConditionKeys {
        let mut keys = ConditionKeys::default();
        for s in policy.statements() {
            keys.all |= s.resources().any(|r| r.contains("${"));
            for c in s.conditions() {
                keys.all |= c.values().any(|v| v.contains("${"));
                if !keys.names.iter().any(|n| n.eq_ignore_ascii_case(c.key())) {
                    keys.names.push(c.key().to_string());
                }
            }
        }
        keys
    }

    /// Every key (for a decision that is not on a hot path).
    pub fn everything() -> ConditionKeys {
        ConditionKeys {
            all: true,
            names: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        !self.all && self.names.is_empty()
    }

    pub fn wants(&self, key: &str) -> bool {
        self.all || self.names.iter().any(|n| n.eq_ignore_ascii_case(key))
    }

    /// Whether a key starting with `prefix` (e.g. `kms:EncryptionContext:`) is read.
    pub fn wants_prefix(&self, prefix: &str) -> bool {
        self.all
            || self.names.iter().any(|n| {
                n.get(..prefix.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
            })
    }
}

impl PolicyCache {
    fn get(&self, holder: &str, text: &str, kind: PolicyKind) -> Option<Arc<CachedPolicy>> {
        let mut cache = self.0.borrow_mut();
        if let Some((cached, policy)) = cache.get(holder) {
            if cached == text {
                return policy.clone();
            }
        }
        // A stored policy that no longer parses allows nothing.
        let policy = Policy::parse(text, kind).ok().map(|policy| {
            let keys = ConditionKeys::of(&policy);
            Arc::new(CachedPolicy { policy, keys })
        });
        cache.insert(holder.to_string(), (text.to_string(), policy.clone()));
        policy
    }
}

impl Clone for PolicyCache {
    fn clone(&self) -> Self {
        PolicyCache::default()
    }
}

impl std::fmt::Debug for PolicyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PolicyCache({} policies)", self.0.borrow().len())
    }
}

/// What an operation answered, and the changes that must be durable before it is reported.
#[derive(Debug)]
pub struct Outcome {
    pub result: Result<Value>,
    pub changes: Vec<Change>,
    /// What the request's CloudTrail record needs that only the engine knows (the keys and
    /// aliases it named, resolved before it ran): see [`crate::trail::CallRecordInput`].
    pub trail: TrailFacts,
    /// What KMS did on its own before answering (deletions whose waiting period ended, scheduled
    /// rotations), each to be recorded with [`crate::trail::service_event_record`] once the
    /// changes are durable.
    pub service_events: Vec<ServiceEvent>,
    /// Storage keys of sealed key records ([`KeyRecord::sealed`]) whose secrets the request
    /// needs. When not empty the request did not run: the shell unwraps them, loads the records
    /// and asks again. Such an outcome is neither persisted nor recorded.
    pub unseal: Vec<String>,
    /// The private-key operation a successful Sign or Decrypt left to the platform: its result
    /// is missing from `result` until the shell fills it in (only with
    /// [`Engine::set_platform_crypto`]).
    pub delegated: Option<crate::platform::Delegated>,
}

impl Outcome {
    /// An outcome with no CloudTrail resources or service events.
    pub(crate) fn new(result: Result<Value>, changes: Vec<Change>) -> Outcome {
        Outcome {
            result,
            changes,
            trail: TrailFacts::default(),
            service_events: Vec::new(),
            unseal: Vec::new(),
            delegated: None,
        }
    }

    /// The HTTP status and JSON body AWS would send.
    pub fn http(&self) -> (u16, String) {
        match &self.result {
            Ok(v) => (200, v.to_string()),
            Err(e) => (e.status(), e.to_json().to_string()),
        }
    }
}

pub const DEFAULT_ACCOUNT_ID: &str = "111122223333";
pub const DEFAULT_REGION: &str = "ap-southeast-2";

impl Engine {
    pub fn new(account_id: &str) -> Self {
        Engine {
            account_id: account_id.to_string(),
            regions: BTreeMap::new(),
            iam: Default::default(),
            policies: PolicyCache::default(),
            authorize: true,
            usage: Default::default(),
            platform_crypto: false,
        }
    }

    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// The key `key_id` of `region`, as the engine holds it.
    pub fn key_record(&self, region: &str, key_id: &str) -> Option<&KeyRecord> {
        self.regions.get(region)?.keys.get(key_id)
    }

    /// Regions that hold records.
    pub fn regions(&self) -> impl Iterator<Item = &str> {
        self.regions.keys().map(String::as_str)
    }

    /// Puts back a record read from storage.
    pub fn load(&mut self, record: Record) {
        match record {
            Record::Key(k) => {
                self.regions.entry(k.region.clone()).or_default().put_key(k);
            }
            Record::Alias(a) => {
                self.regions
                    .entry(a.region.clone())
                    .or_default()
                    .aliases
                    .insert(a.name.clone(), a);
            }
            Record::Iam(r) => self.iam.put(r),
        }
    }

    /// Every record the engine holds (keys and aliases of every Region, then the account's IAM
    /// records and stacks), with their secrets: what [`crate::backup`] writes.
    pub fn records(&self) -> Vec<Record> {
        let mut out = Vec::new();
        for region in self.regions.values() {
            out.extend(region.keys.values().cloned().map(Record::Key));
            out.extend(region.aliases.values().cloned().map(Record::Alias));
        }
        out.extend(self.iam_records().cloned().map(Record::Iam));
        out
    }

    /// Makes an outcome's changes part of the engine's state (after the shell has persisted
    /// them).
    pub fn apply(&mut self, changes: Vec<Change>) {
        if changes.is_empty() {
            return;
        }
        for c in changes {
            match c {
                Change::PutIam(r) => self.iam.put(r),
                Change::DeleteIam { storage_key } => {
                    self.iam.remove(&storage_key);
                }
                Change::PutKey(k) => {
                    self.regions.entry(k.region.clone()).or_default().put_key(k);
                }
                Change::DeleteKey { region, key_id } => {
                    let removed = self
                        .regions
                        .get_mut(&region)
                        .and_then(|r| r.remove_key(&key_id));
                    if let Some(key) = removed {
                        // KMS deletes a key when its waiting period ends.
                        let when = key.deletion_date.unwrap_or(key.created);
                        self.usage.key_deleted(&key, when);
                    }
                }
                Change::PutAlias(a) => {
                    self.regions
                        .entry(a.region.clone())
                        .or_default()
                        .aliases
                        .insert(a.name.clone(), a);
                }
                Change::DeleteAlias { region, name } => {
                    if let Some(r) = self.regions.get_mut(&region) {
                        r.aliases.remove(&name);
                    }
                }
            }
        }
    }

    /// Answers one request: `operation` is what follows `TrentService.` in `X-Amz-Target`, `body`
    /// the JSON request body.
    pub fn handle_json(
        &self,
        region: &str,
        operation: &str,
        body: &[u8],
        caller: &Caller,
        now: Millis,
        entropy: &mut dyn Entropy,
    ) -> Outcome {
        let request: Value = if body.iter().all(u8::is_ascii_whitespace) {
            Value::Object(Default::default())
        } else {
            match serde_json::from_slice(body) {
                Ok(v) => v,
                Err(e) => {
                    return Outcome::new(
                        Err(KmsError::serialization(format!(
                            "Malformed JSON request body: {e}"
                        ))),
                        vec![],
                    )
                }
            }
        };
        self.handle(region, operation, &request, caller, now, entropy)
    }

    /// Like [`Engine::handle_json`], with the body already parsed.
    pub fn handle(
        &self,
        region: &str,
        operation: &str,
        request: &Value,
        caller: &Caller,
        now: Millis,
        entropy: &mut dyn Entropy,
    ) -> Outcome {
        let mut tx = Tx::new(self, region, caller, now, entropy);
        let mut trail = TrailFacts::default();
        // Housekeeping first: AWS managed keys exist, due deletions and rotations happen.
        let housekeeping = ops::housekeeping(&mut tx);
        let result = housekeeping.and_then(|_| {
            model::validate_input(operation, request)?;
            let req = Req(request);
            // Before authorization, so that a denied request's record names its key too.
            trail = crate::trail::kms_facts(&tx, operation, &req);
            if self.authorize {
                ops::authorize::check(&tx, operation, &req)?;
            }
            ops::dispatch(&mut tx, operation, &req)
        });
        let service_events = std::mem::take(&mut tx.service_events);
        let unseal = tx.unseal.take();
        let delegated = tx.delegated.take().filter(|_| result.is_ok());
        Outcome {
            result,
            changes: tx.into_changes(),
            trail,
            service_events,
            unseal,
            delegated,
        }
    }

    /// Does what time has made due in `region` without a request: deletes the keys whose waiting
    /// period has ended and performs scheduled rotations, as every request does first. For the
    /// shell to call when the sandbox clock moves, so that the trail shows KMS's own DeleteKey and
    /// RotateKey events when they happened. The result is `Ok(null)`; persist the changes, then
    /// apply them and record the service events, as for any operation.
    pub fn catch_up(&self, region: &str, now: Millis, entropy: &mut dyn Entropy) -> Outcome {
        if self.region_state(region).is_none() {
            return Outcome::new(Ok(Value::Null), vec![]);
        }
        let root = Caller::root(&self.account_id);
        let mut tx = Tx::new(self, region, &root, now, entropy);
        let result = ops::housekeeping(&mut tx).map(|_| Value::Null);
        let service_events = std::mem::take(&mut tx.service_events);
        let unseal = tx.unseal.take();
        Outcome {
            result,
            changes: tx.into_changes(),
            trail: TrailFacts::default(),
            service_events,
            unseal,
            delegated: None,
        }
    }

    /// Answers one request to any service of the account, in the JSON value form (KMS's wire
    /// JSON; IAM and STS requests as the query codec decodes them).
    #[allow(clippy::too_many_arguments)]
    pub fn handle_service(
        &self,
        service: Service,
        region: &str,
        operation: &str,
        request: &Value,
        caller: &Caller,
        now: Millis,
        entropy: &mut dyn Entropy,
    ) -> Outcome {
        match service {
            Service::Kms => self.handle(region, operation, request, caller, now, entropy),
            Service::Iam => {
                let known = model::iam().operations.contains_key(operation);
                if known && self.authorize {
                    if let Err(e) = ops::authorize::check_iam(self, operation, request, caller, now)
                    {
                        return Outcome::new(Err(e), vec![]);
                    }
                }
                self.handle_iam(operation, request, caller, now, entropy)
            }
            Service::Sts => {
                let trust = |role: &crate::iam::RoleRecord, caller: &Caller, request: &Value| {
                    crate::ops::authorize::may_assume_role(self, role, caller, request, now)
                };
                self.handle_sts(operation, request, caller, now, entropy, &trust)
            }
            Service::CloudFormation => {
                self.handle_cloudformation(region, operation, request, caller, now, entropy)
            }
            // The events are the shell's to store: it answers with `trail::lookup_events`.
            Service::CloudTrail => Outcome::new(
                model::cloudtrail()
                    .validate_input(operation, request)
                    .and_then(|_| {
                        Err(KmsError::new(
                            crate::ErrorType::UnsupportedOperation,
                            "CloudTrail is answered by kms_core::trail::lookup_events over the \
                             stored events",
                        ))
                    }),
                vec![],
            ),
        }
    }

    /// The caller a SigV4 access key id stands for in a request to `service`: an access key
    /// this account issued acts as its user or role session; a deactivated, deleted or expired
    /// one is refused with the error `service` gives; any other acts as the account root, so
    /// that placeholder credentials keep working.
    pub fn caller_for_signature(
        &self,
        service: Service,
        access_key_id: &str,
        now: Millis,
    ) -> Result<Caller> {
        use crate::iam::AccessKeyProblem;
        match self.caller_for_access_key(access_key_id, now) {
            Ok(caller) => Ok(caller),
            Err(AccessKeyProblem::Unknown) => Ok(Caller::root(&self.account_id)),
            // The JSON protocol's errors (KMS, CloudTrail), else the query protocol's.
            Err(problem) if matches!(service, Service::Kms | Service::CloudTrail) => {
                Err(problem.kms_error())
            }
            Err(problem) => Err(problem.query_error()),
        }
    }

    /// How AWS would decide `operation` with `request` for `caller`, without running it: for each
    /// permission it needs, `{"Action", "Resource", "Allowed", "Why"}` where `Why` names the
    /// policies, statements (by Sid) or grant that decided. For the console's "Why?" and policy
    /// check panel; the request must pass the model's validation.
    pub fn explain_access(
        &self,
        region: &str,
        operation: &str,
        request: &Value,
        caller: &Caller,
        now: Millis,
    ) -> Result<Value> {
        model::validate_input(operation, request)?;
        let mut entropy = crate::env::SeededEntropy::new(0);
        let tx = Tx::new(self, region, caller, now, &mut entropy);
        let decisions = ops::authorize::explain(&tx, operation, &Req(request));
        Ok(Value::Array(
            decisions
                .into_iter()
                .map(|(action, resource, allowed, why)| {
                    serde_json::json!({
                        "Action": action, "Resource": resource, "Allowed": allowed, "Why": why
                    })
                })
                .collect(),
        ))
    }

    /// Switches authorization off or on: only for measuring what it costs (the benchmark's
    /// baseline). A sandbox never runs without it.
    #[doc(hidden)]
    pub fn set_authorization(&mut self, on: bool) {
        self.authorize = on;
    }

    /// Lets Sign and Decrypt leave the private-key operations the platform does natively to
    /// the shell ([`crate::platform`], [`Outcome::delegated`]). Off by default.
    pub fn set_platform_crypto(&mut self, on: bool) {
        self.platform_crypto = on;
    }

    pub(crate) fn platform_crypto(&self) -> bool {
        self.platform_crypto
    }

    /// A key's policy, parsed (`None` if it does not parse: it then allows nothing).
    pub(crate) fn key_policy_parsed(&self, key: &KeyRecord) -> Option<Arc<CachedPolicy>> {
        self.policies
            .get(&key.arn, &key.policy, PolicyKind::Resource)
    }

    /// The caller's identity policies, parsed, with their labels (none for the root user).
    pub(crate) fn identity_policies_parsed(
        &self,
        caller: &Caller,
    ) -> Vec<(String, Arc<CachedPolicy>)> {
        if caller.is_root() {
            return Vec::new();
        }
        self.identity_policies(caller)
            .into_iter()
            .filter_map(|(label, text)| {
                let policy = self.policies.get(&label, &text, PolicyKind::Identity)?;
                Some((label, policy))
            })
            .collect()
    }

    pub(crate) fn region_state(&self, region: &str) -> Option<&RegionState> {
        self.regions.get(region)
    }
}

/// An operation in progress: reads see the engine plus this operation's own writes.
pub(crate) struct Tx<'a> {
    pub engine: &'a Engine,
    pub region: String,
    /// Who makes the request.
    pub caller: &'a Caller,
    pub now: Millis,
    pub rng: &'a mut dyn Entropy,
    /// Written keys and aliases by (Region, key id or alias name): an operation on a
    /// multi-Region key writes its related keys in other Regions too.
    keys: BTreeMap<(String, String), Option<KeyRecord>>,
    aliases: BTreeMap<(String, String), Option<AliasRecord>>,
    /// Deletions and rotations housekeeping did, for CloudTrail.
    pub service_events: Vec<ServiceEvent>,
    /// Sealed keys whose secrets this request needs (see [`Outcome::unseal`]).
    unseal: std::cell::RefCell<Vec<String>>,
    /// What this request leaves to the platform's crypto (see [`Outcome::delegated`]).
    pub delegated: Option<crate::platform::Delegated>,
}

impl<'a> Tx<'a> {
    pub(crate) fn new(
        engine: &'a Engine,
        region: &str,
        caller: &'a Caller,
        now: Millis,
        rng: &'a mut dyn Entropy,
    ) -> Self {
        Tx {
            engine,
            region: region.to_string(),
            caller,
            now,
            rng,
            keys: BTreeMap::new(),
            aliases: BTreeMap::new(),
            service_events: Vec::new(),
            unseal: Default::default(),
            delegated: None,
        }
    }

    /// Ok if the key's secrets are loaded. A sealed key ([`KeyRecord::sealed`]) fails this
    /// attempt and asks the shell to load them ([`Outcome::unseal`]): call it before any use
    /// of a key's material or wrapping keys, and before copying them to another record.
    pub fn unsealed(&self, key: &KeyRecord) -> Result<()> {
        if !key.sealed {
            return Ok(());
        }
        self.unseal
            .borrow_mut()
            .push(crate::key_storage_key(&key.region, &key.key_id));
        Err(KmsError::internal(format!(
            "The material of {} is not loaded yet.",
            key.arn
        )))
    }

    pub fn account_id(&self) -> &str {
        &self.engine.account_id
    }

    fn base(&self) -> Option<&'a RegionState> {
        self.engine.region_state(&self.region)
    }

    /// Written keys of this Tx's Region.
    fn own_keys(&self) -> Vec<(&String, &Option<KeyRecord>)> {
        self.keys
            .iter()
            .filter(|((r, _), _)| *r == self.region)
            .map(|((_, id), k)| (id, k))
            .collect()
    }

    /// Whether a deletion or rotation may be due now (a cheap check before scanning keys).
    pub fn anything_due(&self) -> bool {
        let base_due = self
            .base()
            .and_then(|r| r.next_due)
            .is_some_and(|d| d <= self.now);
        let overlay_due = self
            .own_keys()
            .into_iter()
            .filter_map(|(_, k)| k.as_ref())
            .filter_map(due_date)
            .any(|d| d <= self.now);
        base_due || overlay_due
    }

    pub fn region_initialised(&self) -> bool {
        self.base().is_some() || !self.own_keys().is_empty()
    }

    pub fn key(&self, key_id: &str) -> Option<&KeyRecord> {
        self.key_in(&self.region, key_id)
    }

    /// A key of another Region of the account (multi-Region keys).
    pub fn key_in(&self, region: &str, key_id: &str) -> Option<&KeyRecord> {
        // Most requests write nothing: no overlay to look in (and no key strings to copy).
        let overlay = if self.keys.is_empty() {
            None
        } else {
            self.keys.get(&(region.to_string(), key_id.to_string()))
        };
        match overlay {
            Some(overlay) => overlay.as_ref(),
            None => self
                .engine
                .region_state(region)
                .and_then(|r| r.keys.get(key_id)),
        }
    }

    /// The keys with this key id in every Region, this Region's included: a multi-Region key
    /// and its related keys. Sorted by Region.
    pub fn related_keys(&self, key_id: &str) -> Vec<&KeyRecord> {
        let mut regions: Vec<&str> = self.engine.regions().collect();
        regions.extend(self.keys.keys().map(|(r, _)| r.as_str()));
        regions.sort();
        regions.dedup();
        regions
            .into_iter()
            .filter_map(|r| self.key_in(r, key_id))
            .collect()
    }

    pub fn alias(&self, name: &str) -> Option<&AliasRecord> {
        let overlay = if self.aliases.is_empty() {
            None
        } else {
            self.aliases.get(&(self.region.clone(), name.to_string()))
        };
        match overlay {
            Some(overlay) => overlay.as_ref(),
            None => self.base().and_then(|r| r.aliases.get(name)),
        }
    }

    /// Writes a key in its own Region (which may not be this Tx's).
    pub fn put_key(&mut self, key: KeyRecord) {
        self.keys
            .insert((key.region.clone(), key.key_id.clone()), Some(key));
    }

    pub fn delete_key(&mut self, key_id: &str) {
        self.keys
            .insert((self.region.clone(), key_id.to_string()), None);
    }

    pub fn put_alias(&mut self, alias: AliasRecord) {
        self.aliases
            .insert((alias.region.clone(), alias.name.clone()), Some(alias));
    }

    pub fn delete_alias(&mut self, name: &str) {
        self.aliases
            .insert((self.region.clone(), name.to_string()), None);
    }

    /// Runs `f` as if the request were made in `region` (ReplicateKey creating a replica, with
    /// the Region's AWS managed keys if it has none yet), then comes back.
    pub fn in_region<T>(&mut self, region: &str, f: impl FnOnce(&mut Self) -> T) -> T {
        let home = std::mem::replace(&mut self.region, region.to_string());
        let out = f(self);
        self.region = home;
        out
    }

    /// Every live key of the region, sorted by key id.
    pub fn all_keys(&self) -> Vec<&KeyRecord> {
        let mut ids: Vec<&String> = self
            .base()
            .map(|r| r.keys.keys().collect())
            .unwrap_or_default();
        ids.extend(self.own_keys().into_iter().map(|(id, _)| id));
        ids.sort();
        ids.dedup();
        ids.into_iter().filter_map(|id| self.key(id)).collect()
    }

    /// Up to `n` live keys of the region whose ids sort after `after`, sorted by key id.
    pub fn keys_after(&self, after: Option<&str>, n: usize) -> Vec<&KeyRecord> {
        use std::ops::Bound;
        let start = after.map_or(Bound::Unbounded, |a| Bound::Excluded(a.to_string()));
        let own = self.own_keys();
        // The overlay may delete some of the base's next keys: read as many more as it holds.
        let mut ids: Vec<&String> = self
            .base()
            .map(|r| {
                r.keys
                    .range::<String, _>((start.clone(), Bound::Unbounded))
                    .take(n + own.len())
                    .map(|(id, _)| id)
                    .collect()
            })
            .unwrap_or_default();
        ids.extend(
            own.into_iter()
                .map(|(id, _)| id)
                .filter(|id| after.is_none_or(|a| id.as_str() > a)),
        );
        ids.sort();
        ids.dedup();
        ids.into_iter()
            .filter_map(|id| self.key(id))
            .take(n)
            .collect()
    }

    /// Every alias of the region, sorted by name.
    pub fn all_aliases(&self) -> Vec<&AliasRecord> {
        let mut names: Vec<&String> = self
            .base()
            .map(|r| r.aliases.keys().collect())
            .unwrap_or_default();
        names.extend(
            self.aliases
                .keys()
                .filter(|(r, _)| *r == self.region)
                .map(|(_, n)| n),
        );
        names.sort();
        names.dedup();
        names.into_iter().filter_map(|n| self.alias(n)).collect()
    }

    pub fn random(&mut self, n: usize) -> Vec<u8> {
        let mut b = vec![0u8; n];
        self.rng.fill(&mut b);
        b
    }

    pub fn key_arn(&self, key_id: &str) -> String {
        format!(
            "arn:aws:kms:{}:{}:key/{}",
            self.region,
            self.account_id(),
            key_id
        )
    }

    pub fn alias_arn(&self, name: &str) -> String {
        format!("arn:aws:kms:{}:{}:{}", self.region, self.account_id(), name)
    }

    pub fn root_principal(&self) -> String {
        format!("arn:aws:iam::{}:root", self.account_id())
    }

    fn into_changes(self) -> Vec<Change> {
        let mut out = Vec::with_capacity(self.keys.len() + self.aliases.len());
        for ((region, key_id), k) in self.keys {
            out.push(match k {
                Some(k) => Change::PutKey(k),
                None => Change::DeleteKey { region, key_id },
            });
        }
        for ((region, name), a) in self.aliases {
            out.push(match a {
                Some(a) => Change::PutAlias(a),
                None => Change::DeleteAlias { region, name },
            });
        }
        out
    }

    /// Refuses a change to an AWS managed key as AWS does: its key policy allows no one to.
    pub fn deny_if_aws_managed(&self, key: &KeyRecord, operation: &str) -> Result<()> {
        if key.key_manager == KeyManager::Aws {
            return Err(KmsError::access_denied(format!(
                "User: {} is not authorized to perform: kms:{operation} on resource: {} because no \
                 resource-based policy allows the kms:{operation} action",
                self.caller.arn(),
                key.arn
            )));
        }
        Ok(())
    }
}

/// A validated request body, read by member name.
pub(crate) struct Req<'a>(pub &'a Value);

impl Req<'_> {
    fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
    pub fn str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }
    /// A member the model marks required (validation has already checked it is there).
    pub fn req_str(&self, name: &str) -> &str {
        self.str(name).unwrap_or_default()
    }
    pub fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(Value::as_i64)
    }
    pub fn bool(&self, name: &str) -> bool {
        self.get(name).and_then(Value::as_bool).unwrap_or(false)
    }
    pub fn blob(&self, name: &str) -> Option<Vec<u8>> {
        use base64::Engine as _;
        self.str(name)
            .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
    }
    pub fn string_map(&self, name: &str) -> BTreeMap<String, String> {
        self.get(name)
            .and_then(Value::as_object)
            .map(|o| {
                o.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    }
    pub fn list(&self, name: &str) -> Vec<&Value> {
        self.get(name)
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default()
    }
}

/// Timestamps on AWS's JSON wire are epoch seconds.
pub(crate) fn wire_time(ms: Millis) -> Value {
    let secs = ms as f64 / 1000.0;
    serde_json::Number::from_f64(secs)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

pub(crate) fn b64(bytes: &[u8]) -> Value {
    use base64::Engine as _;
    Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
}

pub(crate) fn state_error(key: &KeyRecord) -> KmsError {
    let arn = &key.arn;
    match key.key_state {
        KeyState::Disabled => KmsError::disabled(format!("{arn} is disabled.")),
        KeyState::PendingDeletion => KmsError::invalid_state(format!("{arn} is pending deletion.")),
        KeyState::PendingReplicaDeletion => {
            KmsError::invalid_state(format!("{arn} is pending replica deletion."))
        }
        KeyState::PendingImport => KmsError::invalid_state(format!("{arn} is pending import.")),
        KeyState::Unavailable => KmsError::invalid_state(format!("{arn} is unavailable.")),
        KeyState::Creating => KmsError::invalid_state(format!("{arn} is creating.")),
        KeyState::Updating => KmsError::invalid_state(format!("{arn} is updating.")),
        KeyState::Enabled => KmsError::internal("state_error called on an enabled key"),
    }
}
