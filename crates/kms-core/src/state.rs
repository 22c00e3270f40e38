//! The engine's state: an account's keys and aliases in every Region, its IAM records, parsed
//! policies and usage, and how changes are applied to them. Operations read it through a
//! [`crate::tx::Tx`]; requests enter through [`crate::engine`].

use crate::access::{Policy, PolicyKind};
use crate::bill::{day_of, KeyLifetime, PriceClass};
use crate::caller::Caller;
use crate::env::Millis;
use crate::records::{key_storage_key, AliasRecord, Change, KeyRecord, MultiRegionKeyType, Record};
use crate::spec::{KeySpec, KeyState};
use crate::usage::{key_id_of, NotedRequest, Usage, TRACKED_OPERATIONS};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

#[derive(Debug, Default, Clone)]
pub struct RegionState {
    pub(crate) keys: BTreeMap<String, KeyRecord>,
    /// Keys whose records are not read yet, by key id (never also in `keys`): see
    /// [`KeySummary`].
    pub(crate) unread: BTreeMap<String, KeySummary>,
    pub(crate) aliases: BTreeMap<String, AliasRecord>,
    /// The earliest time a deletion or rotation falls due, so that an operation checks one
    /// number instead of every key.
    pub(crate) next_due: Option<Millis>,
}

impl RegionState {
    fn refresh_next_due(&mut self) {
        let read = self.keys.values().filter_map(due_date);
        self.next_due = read.chain(self.unread.values().filter_map(|s| s.due)).min();
    }

    /// Stores a key, keeping `next_due` without a scan of every key unless the key held the
    /// earliest date (a scan per write made n writes, or opening n keys, cost n²).
    fn put_key(&mut self, key: KeyRecord) {
        let due = due_date(&key);
        let summary = self.unread.remove(&key.key_id);
        let old = self.keys.insert(key.key_id.clone(), key);
        self.after_removal(old.as_ref().and_then(due_date));
        self.after_removal(summary.and_then(|s| s.due));
        self.next_due = self.next_due.into_iter().chain(due).min();
    }

    /// Stores what is known of a key whose record is not read yet.
    fn put_unread(&mut self, summary: KeySummary) {
        let key_id = summary.key_id().to_string();
        let due = summary.due;
        let old = self.keys.remove(&key_id);
        self.after_removal(old.as_ref().and_then(due_date));
        let old = self.unread.insert(key_id, summary);
        self.after_removal(old.and_then(|s| s.due));
        self.next_due = self.next_due.into_iter().chain(due).min();
    }

    fn remove_key(&mut self, key_id: &str) -> Option<Removed> {
        if let Some(old) = self.keys.remove(key_id) {
            self.after_removal(due_date(&old));
            return Some(Removed::Read(Box::new(old)));
        }
        let old = self.unread.remove(key_id)?;
        self.after_removal(old.due);
        Some(Removed::Unread(Box::new(old)))
    }

    fn after_removal(&mut self, old_due: Option<Millis>) {
        if old_due.is_some() && old_due == self.next_due {
            self.refresh_next_due();
        }
    }

    /// Whether the Region has this key, read or not.
    pub(crate) fn has_key(&self, key_id: &str) -> bool {
        self.keys.contains_key(key_id) || self.unread.contains_key(key_id)
    }

    /// The state of a key, read or not.
    pub(crate) fn key_state(&self, key_id: &str) -> Option<KeyState> {
        match self.keys.get(key_id) {
            Some(k) => Some(k.key_state),
            None => self.unread.get(key_id).map(|s| s.key_state),
        }
    }
}

/// A key taken out of a Region.
enum Removed {
    Read(Box<KeyRecord>),
    Unread(Box<KeySummary>),
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
    pub(crate) account_id: String,
    pub(crate) regions: BTreeMap<String, RegionState>,
    /// The account's IAM and STS records (see `crate::iam`).
    pub(crate) iam: crate::records::iam::IamState,
    /// Key policies and identity policies, parsed once.
    policies: PolicyCache,
    /// Whether requests are authorized (always, except in the benchmark's baseline).
    pub(crate) authorize: bool,
    /// Requests, keys' last uses and deleted keys' lifetimes (see `crate::usage`).
    pub(crate) usage: crate::usage::Usage,
    /// Whether Sign and Decrypt leave what the platform's crypto does to the shell
    /// ([`crate::platform`]).
    pub(crate) platform_crypto: bool,
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

    /// Stores what is known of a key whose record the shell has not read yet ([`KeySummary`]):
    /// a request that names the key asks for its record ([`crate::Outcome::unseal`]), which
    /// [`Engine::load`] then puts in its place.
    pub fn load_unread(&mut self, summary: KeySummary) {
        self.regions
            .entry(summary.region().to_string())
            .or_default()
            .put_unread(summary);
    }

    /// The storage keys of the key records not read yet.
    pub fn unread_keys(&self) -> Vec<String> {
        self.regions
            .values()
            .flat_map(|r| r.unread.values().map(KeySummary::storage_key))
            .collect()
    }

    /// Whether the key `key_id` of `region` is known only by its summary.
    pub fn is_unread(&self, region: &str, key_id: &str) -> bool {
        self.regions
            .get(region)
            .is_some_and(|r| r.unread.contains_key(key_id))
    }

    /// Every record the engine holds (keys and aliases of every Region, then the account's IAM
    /// records and stacks), with their secrets: what [`crate::backup`] writes. Keys not read yet
    /// ([`Engine::unread_keys`]) are not among them: load them first.
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
                    // KMS deletes a key when its waiting period ends.
                    match removed {
                        Some(Removed::Read(key)) => {
                            let when = key.deletion_date.unwrap_or(key.created);
                            self.usage.key_deleted(KeyLifetime::of(&key), when);
                        }
                        Some(Removed::Unread(summary)) => {
                            let when = summary.deletion_date.unwrap_or(summary.lifetime.created);
                            self.usage.key_deleted(summary.lifetime, when);
                        }
                        None => {}
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

    /// Switches authorization off or on: only for measuring what it costs (the benchmark's
    /// baseline). A sandbox never runs without it.
    #[doc(hidden)]
    pub fn set_authorization(&mut self, on: bool) {
        self.authorize = on;
    }

    /// Lets Sign and Decrypt leave the private-key operations the platform does natively to
    /// the shell ([`crate::platform`], [`crate::Outcome::delegated`]). Off by default.
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

impl Engine {
    /// The lifetimes of the account's keys, every Region's (deleted keys are gone: the shell
    /// keeps theirs).
    pub fn key_lifetimes(&self) -> Vec<KeyLifetime> {
        self.regions()
            .filter_map(|r| self.region_state(r))
            .flat_map(|r| {
                let read = r.keys.values().map(KeyLifetime::of);
                read.chain(r.unread.values().map(|s| s.lifetime.clone()))
            })
            .collect()
    }
}

/// Usage: what the bill and the keys' last use count ([`crate::usage`]).
impl Engine {
    /// Counts an answered KMS request for the bill and, if it was a successful cryptographic
    /// operation, as its keys' last use.
    pub fn note_request(&mut self, request: &NotedRequest<'_>) {
        if !request.succeeded {
            return;
        }
        let specs: Vec<KeySpec> = request
            .resources
            .iter()
            .filter_map(|arn| key_id_of(arn))
            .filter_map(|id| self.region_state(request.region)?.keys.get(id))
            .map(|k| k.key_spec)
            .collect();
        let class = PriceClass::of(request.operation, request.request, &specs);
        let usage = &mut self.usage;
        usage.count(request.region, day_of(request.time), class);
        if TRACKED_OPERATIONS.contains(&request.operation) {
            for id in request.resources.iter().filter_map(|arn| key_id_of(arn)) {
                usage.used(request.region, id, request);
            }
        }
    }

    pub fn usage(&self) -> &Usage {
        &self.usage
    }

    pub fn usage_mut(&mut self) -> &mut Usage {
        &mut self.usage
    }

    /// The bill for `month` (1-12) of `year`, up to sandbox time `now`: the live keys'
    /// lifetimes, the deleted keys' and the requests noted.
    pub fn bill(&self, year: i64, month: u32, now: Millis) -> crate::bill::Bill {
        let mut keys = self.key_lifetimes();
        keys.extend(self.usage.deleted.iter().cloned());
        crate::bill::bill(year, month, &keys, &self.usage.request_counts(), now)
    }
}

/// What the engine keeps of a key whose record it has not read yet. A sandbox of many keys opens
/// from these (the shell stores one beside each key record, see [`Engine::load_unread`]) and
/// reads a key's record when a request first names it ([`crate::Outcome::unseal`]). They hold
/// what looks at every key without naming one needs: ListKeys (the id), due deletions and
/// rotations, grant lookups by token or retiring principal (whether it has grants), and the
/// bill (its lifetime).
///
/// [`Engine::load_unread`]: crate::Engine::load_unread
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeySummary {
    pub key_state: KeyState,
    pub deletion_date: Option<Millis>,
    /// When time next changes the key by itself (its deletion, rotation or material expiry).
    pub due: Option<Millis>,
    /// Whether the key has grants.
    pub grants: bool,
    /// Its key id, Region and what its charges depend on.
    pub lifetime: KeyLifetime,
}

impl KeySummary {
    pub fn of(key: &KeyRecord) -> KeySummary {
        KeySummary {
            key_state: key.key_state,
            deletion_date: key.deletion_date,
            due: due_date(key),
            grants: !key.grants.is_empty(),
            lifetime: KeyLifetime::of(key),
        }
    }

    pub fn key_id(&self) -> &str {
        &self.lifetime.key_id
    }

    pub fn region(&self) -> &str {
        &self.lifetime.region
    }

    /// The storage key of its key's record.
    pub fn storage_key(&self) -> String {
        key_storage_key(self.region(), self.key_id())
    }
}
