//! An operation in progress ([`Tx`]: the engine's state plus the operation's own writes), the
//! request it answers ([`Req`]) and the wire forms the operations share.

use crate::caller::Caller;
use crate::env::{Entropy, Millis};
use crate::error::{KmsError, Result};
use crate::records::{AliasRecord, Change, KeyRecord};
use crate::service_event::ServiceEvent;
use crate::spec::{KeyManager, KeyState};
use crate::state::KeySummary;
use crate::state::{due_date, Engine, RegionState};
use serde_json::Value;
use std::collections::BTreeMap;

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
    /// Sealed keys whose secrets this request needs (see [`crate::Outcome::unseal`]).
    pub(crate) unseal: std::cell::RefCell<Vec<String>>,
    /// What this request leaves to the platform's crypto (see [`crate::Outcome::delegated`]).
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
    /// attempt and asks the shell to load them ([`crate::Outcome::unseal`]): call it before any use
    /// of a key's material or wrapping keys, and before copying them to another record.
    pub fn unsealed(&self, key: &KeyRecord) -> Result<()> {
        if !key.sealed {
            return Ok(());
        }
        self.ask_for(crate::key_storage_key(&key.region, &key.key_id));
        Err(KmsError::internal(format!(
            "The material of {} is not loaded yet.",
            key.arn
        )))
    }

    /// Asks the shell for a key's record or secrets (once per attempt).
    fn ask_for(&self, storage_key: String) {
        let mut asked = self.unseal.borrow_mut();
        if !asked.contains(&storage_key) {
            asked.push(storage_key);
        }
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
            None => {
                let state = self.engine.region_state(region)?;
                let key = state.keys.get(key_id);
                if key.is_none() && state.unread.contains_key(key_id) {
                    // Not read yet: this attempt fails and asks the shell to read it.
                    self.ask_for(crate::key_storage_key(region, key_id));
                }
                key
            }
        }
    }

    /// Whether the Region has key `key_id` (read or not), with this Tx's writes.
    fn has_key(&self, key_id: &str) -> bool {
        match self.keys.get(&(self.region.clone(), key_id.to_string())) {
            Some(overlay) => overlay.is_some(),
            None => self.base().is_some_and(|r| r.has_key(key_id)),
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

    /// The keys of the region (sorted by key id) among those read and those written, and the
    /// unread ones `unread` picks by their summary; those it picks are asked for (see
    /// [`Tx::key_in`]) and left out until they are read.
    fn keys_where(&self, unread: impl Fn(&KeySummary) -> bool) -> Vec<&KeyRecord> {
        let mut ids: Vec<&String> = self
            .base()
            .map(|r| {
                let picked = r.unread.iter().filter(|(_, s)| unread(s)).map(|(id, _)| id);
                r.keys.keys().chain(picked).collect()
            })
            .unwrap_or_default();
        ids.extend(self.own_keys().into_iter().map(|(id, _)| id));
        ids.sort();
        ids.dedup();
        ids.into_iter().filter_map(|id| self.key(id)).collect()
    }

    /// The keys of the region that have grants (and maybe others), sorted by key id.
    pub fn keys_with_grants(&self) -> Vec<&KeyRecord> {
        self.keys_where(|s| s.grants)
    }

    /// The keys of the region due a deletion, rotation or expiry by now (and maybe others).
    pub fn keys_due(&self) -> Vec<&KeyRecord> {
        self.keys_where(|s| s.due.is_some_and(|d| d <= self.now))
    }

    /// The ids of up to `n` keys of the region (read or not) that sort after `after`: a window
    /// (see [`window`]).
    pub fn key_ids_after(&self, after: Option<&str>, n: usize) -> Vec<&String> {
        let read = window(
            self.base().map(|r| &r.keys),
            &self.keys,
            &self.region,
            after,
            n,
        );
        let unread = window(
            self.base().map(|r| &r.unread),
            &self.keys,
            &self.region,
            after,
            n,
        );
        let mut ids: Vec<&String> = read.into_iter().chain(unread).collect();
        ids.sort();
        ids.dedup();
        ids.into_iter()
            .filter(|id| self.has_key(id))
            .take(n)
            .collect()
    }

    /// Up to `n` aliases of the region whose names sort after `after`, sorted by name: a window
    /// (see [`window`]).
    pub fn aliases_after(&self, after: Option<&str>, n: usize) -> Vec<&AliasRecord> {
        window(
            self.base().map(|r| &r.aliases),
            &self.aliases,
            &self.region,
            after,
            n,
        )
        .into_iter()
        .filter_map(|name| self.alias(name))
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
        self.arn("kms", &format!("key/{key_id}"))
    }

    pub fn alias_arn(&self, name: &str) -> String {
        self.arn("kms", name)
    }

    pub fn root_principal(&self) -> String {
        self.arn("iam", "root")
    }

    /// An ARN of this account, in this Region's partition.
    pub fn arn(&self, service: &str, resource: &str) -> String {
        crate::arn::arn(service, &self.region, self.account_id(), resource)
    }

    pub(crate) fn into_changes(self) -> Vec<Change> {
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
                self.caller.arn(&self.region),
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

/// The names after `after` that may be among the next `n` of `region`: the base's next ones
/// and this Tx's own (written or deleted) ones, sorted. A window, so that a page of ListKeys or
/// ListAliases in a Region of 100,000 costs what a page of 100 does. The overlay may delete some
/// of the base's next names, so as many more are read as it holds; the caller drops those gone.
fn window<'m, V, W>(
    base: Option<&'m BTreeMap<String, V>>,
    own: &'m BTreeMap<(String, String), W>,
    region: &str,
    after: Option<&str>,
    n: usize,
) -> Vec<&'m String> {
    use std::ops::Bound;
    let own: Vec<&String> = own
        .keys()
        .filter(|(r, name)| r == region && after.is_none_or(|a| name.as_str() > a))
        .map(|(_, name)| name)
        .collect();
    let start = after.map_or(Bound::Unbounded, |a| Bound::Excluded(a.to_string()));
    let mut names: Vec<&String> = base
        .map(|m| {
            m.range::<String, _>((start, Bound::Unbounded))
                .take(n + own.len())
                .map(|(name, _)| name)
                .collect()
        })
        .unwrap_or_default();
    names.extend(own);
    names.sort();
    names.dedup();
    names
}
