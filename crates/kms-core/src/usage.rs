//! What the account used: the KMS requests it made (counted per UTC day, Region and price class,
//! for the bill), each key's last successful cryptographic use (for GetKeyLastUsage), and the
//! lifetimes of keys KMS has deleted (a deleted key's months are still on the bill).
//!
//! The shell notes each answered request with [`Engine::note_request`] and saves [`Usage`] now and
//! then ([`Usage::take_saved`]), not once per call: AWS's own usage tracking is not instant
//! either. A usage that was noted and not saved when the tab died is lost; keys and events are
//! not.

use crate::bill::{day_of, KeyLifetime, PriceClass, RequestCount};
use crate::env::Millis;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// The operations GetKeyLastUsage reports (the model's KeyLastUsageTrackingOperation).
pub const TRACKED_OPERATIONS: [&str; 14] = [
    "Decrypt",
    "DeriveSharedSecret",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateMac",
    "ReEncrypt",
    "Sign",
    "Verify",
    "VerifyMac",
    "Encapsulate",
    "Decapsulate",
];

/// A key's last successful cryptographic use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyLastUse {
    pub region: String,
    pub key_id: String,
    pub operation: String,
    pub time: Millis,
    pub event_id: String,
    pub request_id: String,
}

/// One answered KMS request, as the shell saw it.
#[derive(Debug, Clone, Copy)]
pub struct NotedRequest<'a> {
    pub region: &'a str,
    pub operation: &'a str,
    pub request: &'a Value,
    /// Whether it succeeded (only successful requests are billed and count as a key's use).
    pub succeeded: bool,
    /// The ARNs of the keys and aliases it named (`Outcome::trail.resources`).
    pub resources: &'a [String],
    pub time: Millis,
    pub request_id: &'a str,
    pub event_id: &'a str,
}

/// See the module doc.
#[derive(Debug, Default, Clone)]
pub struct Usage {
    /// Region → (UTC day, class) → requests.
    requests: BTreeMap<String, BTreeMap<(Millis, PriceClass), u64>>,
    /// Region → key id → last use.
    last_use: HashMap<String, HashMap<String, KeyLastUse>>,
    pub(crate) deleted: Vec<KeyLifetime>,
    /// Whether something changed since [`Usage::take_saved`].
    dirty: bool,
}

/// The stored form.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Saved {
    format: u32,
    requests: Vec<RequestCount>,
    last_use: Vec<KeyLastUse>,
    pub(crate) deleted: Vec<KeyLifetime>,
}

const FORMAT: u32 = 1;

impl Usage {
    /// Requests counted so far, by day, Region and class.
    pub fn request_counts(&self) -> Vec<RequestCount> {
        self.requests
            .iter()
            .flat_map(|(region, days)| {
                days.iter().map(move |((day, class), count)| RequestCount {
                    day: *day,
                    region: region.clone(),
                    class: *class,
                    count: *count,
                })
            })
            .collect()
    }

    /// The lifetimes of keys KMS deleted.
    pub fn deleted_keys(&self) -> &[KeyLifetime] {
        &self.deleted
    }

    pub fn last_use(&self, region: &str, key_id: &str) -> Option<&KeyLastUse> {
        self.last_use.get(region)?.get(key_id)
    }

    /// The JSON text to save, if anything changed since the last call; the caller saves it or
    /// calls [`Usage::mark_unsaved`].
    pub fn take_saved(&mut self) -> Option<String> {
        if !std::mem::take(&mut self.dirty) {
            return None;
        }
        self.saved_text()
    }

    /// The JSON text [`Usage::restore`] reads, whether or not it changed (for a backup).
    pub fn saved_text(&self) -> Option<String> {
        let mut last_use: Vec<KeyLastUse> = self
            .last_use
            .values()
            .flat_map(|keys| keys.values().cloned())
            .collect();
        last_use.sort_by(|a, b| (&a.region, &a.key_id).cmp(&(&b.region, &b.key_id)));
        let saved = Saved {
            format: FORMAT,
            requests: self.request_counts(),
            last_use,
            deleted: self.deleted.clone(),
        };
        serde_json::to_string(&saved).ok()
    }

    /// A save of [`Usage::take_saved`]'s text failed: the next one saves again.
    pub fn mark_unsaved(&mut self) {
        self.dirty = true;
    }

    /// Usage as [`Usage::take_saved`] wrote it.
    pub fn restore(text: &str) -> Result<Usage, String> {
        let saved: Saved = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if saved.format != FORMAT {
            return Err(format!("unknown usage format {}", saved.format));
        }
        let mut usage = Usage {
            deleted: saved.deleted,
            ..Usage::default()
        };
        for r in saved.requests {
            *usage
                .requests
                .entry(r.region)
                .or_default()
                .entry((day_of(r.day), r.class))
                .or_default() += r.count;
        }
        for u in saved.last_use {
            usage
                .last_use
                .entry(u.region.clone())
                .or_default()
                .insert(u.key_id.clone(), u);
        }
        Ok(usage)
    }

    pub(crate) fn count(&mut self, region: &str, day: Millis, class: PriceClass) {
        let days = match self.requests.get_mut(region) {
            Some(days) => days,
            None => self.requests.entry(region.to_string()).or_default(),
        };
        *days.entry((day, class)).or_default() += 1;
        self.dirty = true;
    }

    pub(crate) fn used(&mut self, region: &str, key_id: &str, request: &NotedRequest<'_>) {
        let keys = match self.last_use.get_mut(region) {
            Some(keys) => keys,
            None => self.last_use.entry(region.to_string()).or_default(),
        };
        match keys.get_mut(key_id) {
            Some(old) if old.time > request.time => {}
            // Rewritten in place, not made anew: this is on every cryptographic call's path.
            Some(old) => {
                let set = |to: &mut String, from: &str| {
                    to.clear();
                    to.push_str(from);
                };
                set(&mut old.operation, request.operation);
                set(&mut old.event_id, request.event_id);
                set(&mut old.request_id, request.request_id);
                old.time = request.time;
            }
            None => {
                let last = KeyLastUse {
                    region: region.to_string(),
                    key_id: key_id.to_string(),
                    operation: request.operation.to_string(),
                    time: request.time,
                    event_id: request.event_id.to_string(),
                    request_id: request.request_id.to_string(),
                };
                keys.insert(key_id.to_string(), last);
            }
        }
        self.dirty = true;
    }

    /// KMS deleted `key` at `when`: its lifetime stays on the bill, its last use goes.
    pub(crate) fn key_deleted(&mut self, mut lifetime: KeyLifetime, when: Millis) {
        lifetime.deleted = Some(when);
        if let Some(keys) = self.last_use.get_mut(&lifetime.region) {
            keys.remove(&lifetime.key_id);
        }
        self.deleted.push(lifetime);
        self.dirty = true;
    }
}

/// The key id in a key ARN (`None` for an alias ARN).
pub(crate) fn key_id_of(arn: &str) -> Option<&str> {
    arn.rsplit_once(":key/").map(|(_, id)| id)
}
