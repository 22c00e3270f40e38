//! The body of a sandbox backup: every record the engine holds (keys of every Region with their
//! material, aliases, IAM records and their secrets, CloudFormation stacks), the sandbox's
//! settings, its usage and its CloudTrail event history, as one JSON document.
//!
//! This module only turns a [`Backup`] into bytes and back, with no I/O: the body holds secrets
//! in the clear, so the shell encrypts it before it goes anywhere (`kms-web`'s `backup` module:
//! a key derived from a passphrase, AES-GCM). The bytes live in a [`Secret`], zeroed on drop,
//! written into a buffer sized beforehand so that no reallocation leaves a copy behind.
//!
//! ```json
//! { "format": "kms-sandbox-backup-body", "version": 1, "accountId": "111122223333",
//!   "clockOffsetMs": 0,
//!   "keys": [{ "record": { KeyRecord }, "material": { "<backing key id>": "<base64>" } }],
//!   "aliases": [{ AliasRecord }],
//!   "iam": [{ "record": { IamRecord }, "secrets": { "secret_access_key": "<base64>" } }],
//!   "usage": "<the usage's saved text>" | null,
//!   "events": [["<event key>", "<CloudTrail record text>"]] }
//! ```

use crate::iam::IamRecord;
use crate::records::{AliasRecord, KeyRecord, Record};
use crate::Secret;
use base64::Engine as _;
use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use zeroize::Zeroizing;

/// The body's format marker.
pub const BODY_FORMAT: &str = "kms-sandbox-backup-body";
/// The body's layout version, which this build writes and reads.
pub const BODY_VERSION: u32 = 1;

/// What a backup holds. No `Debug`: it holds secrets (the records' own `Debug` redacts them, but
/// the event history and usage are long).
pub struct Backup {
    pub account_id: String,
    /// How far the sandbox's clock is ahead of real time (ms): the deletion windows and rotation
    /// dates in the records are on that clock.
    pub clock_offset_ms: i64,
    pub records: Vec<Record>,
    /// The usage (`crate::usage::Usage::saved_text`), if any.
    pub usage: Option<String>,
    /// The event history, oldest first: each event's storage key and its record's text.
    pub events: Vec<(String, String)>,
}

/// A secret as base64 text, encoded into a buffer that is zeroed after it is written out.
struct SecretOut<'a>(&'a Secret);

impl Serialize for SecretOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text =
            Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(self.0.expose()));
        s.serialize_str(&text)
    }
}

/// A secret read from base64 text, decoded straight into a [`Secret`].
struct SecretIn(Secret);

impl<'de> Deserialize<'de> for SecretIn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = SecretIn;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("base64 text")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SecretIn, E> {
                base64::engine::general_purpose::STANDARD
                    .decode(v)
                    .map(|bytes| SecretIn(Secret::new(bytes)))
                    .map_err(|_| E::custom("a secret is not valid base64"))
            }
        }
        d.deserialize_str(V)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BodyOut<'a> {
    format: &'static str,
    version: u32,
    account_id: &'a str,
    clock_offset_ms: i64,
    keys: Vec<KeyOut<'a>>,
    aliases: Vec<&'a AliasRecord>,
    iam: Vec<IamOut<'a>>,
    usage: Option<&'a str>,
    events: &'a [(String, String)],
}

#[derive(Serialize)]
struct KeyOut<'a> {
    record: &'a KeyRecord,
    material: BTreeMap<&'a str, SecretOut<'a>>,
}

#[derive(Serialize)]
struct IamOut<'a> {
    record: &'a IamRecord,
    secrets: BTreeMap<&'static str, SecretOut<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BodyIn {
    format: String,
    version: u32,
    account_id: String,
    clock_offset_ms: i64,
    keys: Vec<KeyIn>,
    aliases: Vec<AliasRecord>,
    iam: Vec<IamIn>,
    usage: Option<String>,
    events: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct KeyIn {
    record: KeyRecord,
    material: BTreeMap<String, SecretIn>,
}

#[derive(Deserialize)]
struct IamIn {
    record: IamRecord,
    secrets: BTreeMap<String, SecretIn>,
}

/// Counts what is written, to size the buffer before the real write.
struct Count(usize);

impl Write for Count {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes into a buffer of fixed capacity, never growing it (so never copying it).
struct Fixed<'a>(&'a mut Vec<u8>);

impl Write for Fixed<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > self.0.capacity() {
            return Err(std::io::Error::other(
                "the backup grew while it was written",
            ));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Backup {
    /// The body's bytes (JSON with the secrets in base64), in a buffer zeroed on drop.
    pub fn to_bytes(&self) -> Result<Secret, String> {
        let mut keys = Vec::new();
        let mut aliases = Vec::new();
        let mut iam = Vec::new();
        for record in &self.records {
            match record {
                Record::Key(k) => keys.push(KeyOut {
                    record: k,
                    material: k
                        .backing_keys
                        .iter()
                        .map(|b| (b.id.as_str(), SecretOut(&b.material)))
                        .collect(),
                }),
                Record::Alias(a) => aliases.push(a),
                Record::Iam(r) => iam.push(IamOut {
                    record: r,
                    secrets: r
                        .secrets()
                        .into_iter()
                        .map(|(name, s)| (name, SecretOut(s)))
                        .collect(),
                }),
            }
        }
        let body = BodyOut {
            format: BODY_FORMAT,
            version: BODY_VERSION,
            account_id: &self.account_id,
            clock_offset_ms: self.clock_offset_ms,
            keys,
            aliases,
            iam,
            usage: self.usage.as_deref(),
            events: &self.events,
        };
        let mut count = Count(0);
        serde_json::to_writer(&mut count, &body).map_err(|e| e.to_string())?;
        let mut out = Secret::new(Vec::with_capacity(count.0));
        // Written in place: `Secret` zeroes the whole buffer, including any part a failed write
        // filled, when it drops.
        serde_json::to_writer(Fixed(out.as_vec_mut()), &body).map_err(|e| e.to_string())?;
        Ok(out)
    }

    /// Reads a body written by [`Backup::to_bytes`], checking that it is one, of this version,
    /// and that every record belongs to its account, is there once and has all its secrets.
    pub fn from_bytes(bytes: &[u8]) -> Result<Backup, String> {
        let body: BodyIn =
            serde_json::from_slice(bytes).map_err(|e| format!("its contents do not parse: {e}"))?;
        if body.format != BODY_FORMAT {
            return Err(format!("its contents are '{}', not a sandbox", body.format));
        }
        if body.version != BODY_VERSION {
            return Err(format!(
                "its contents are of version {}; this build reads version {BODY_VERSION}",
                body.version
            ));
        }
        let account = body.account_id;
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("'{account}' is not a 12-digit account id"));
        }
        if body.clock_offset_ms < 0 {
            return Err("its clock is behind real time".into());
        }
        let mut seen = BTreeSet::new();
        let mut once = |storage_key: String| {
            if seen.insert(storage_key.clone()) {
                Ok(())
            } else {
                Err(format!("it holds {storage_key} twice"))
            }
        };
        let mut records = Vec::new();
        for KeyIn {
            mut record,
            mut material,
        } in body.keys
        {
            let arn = format!(
                "arn:aws:kms:{}:{account}:key/{}",
                record.region, record.key_id
            );
            if record.account_id != account || record.arn != arn {
                return Err(format!(
                    "key {} ({}) is not a key of account {account}",
                    record.key_id, record.arn
                ));
            }
            once(crate::key_storage_key(&record.region, &record.key_id))?;
            // A backup carries no wrapping private keys: the import tokens of the source sandbox
            // are not good in the restored one (GetParametersForImport again).
            record.import_parameters.clear();
            for b in &mut record.backing_keys {
                let SecretIn(secret) = material
                    .remove(&b.id)
                    .ok_or_else(|| format!("key {} has no material for {}", record.key_id, b.id))?;
                b.set_material(secret);
            }
            if let Some(extra) = material.keys().next() {
                return Err(format!(
                    "key {} has material for {extra}, which it does not have",
                    record.key_id
                ));
            }
            records.push(Record::Key(record));
        }
        for alias in body.aliases {
            once(crate::alias_storage_key(&alias.region, &alias.name))?;
            records.push(Record::Alias(alias));
        }
        for IamIn {
            mut record,
            secrets,
        } in body.iam
        {
            let storage_key = record.storage_key();
            once(storage_key.clone())?;
            let wanted: BTreeSet<&str> = record.secrets().into_iter().map(|(n, _)| n).collect();
            let given: BTreeSet<String> = secrets.keys().cloned().collect();
            if given.iter().map(String::as_str).ne(wanted.iter().copied()) {
                return Err(format!("{storage_key} does not have the secrets it should"));
            }
            for (name, SecretIn(secret)) in secrets {
                record.set_secret(&name, secret);
            }
            records.push(Record::Iam(record));
        }
        for (key, text) in &body.events {
            if !event_key_ok(key) {
                return Err(format!("an event has a malformed key '{key}'"));
            }
            // One line of the stored history each: a JSON object without a line break.
            let parses = serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
            if !text.starts_with('{') || text.contains('\n') || !parses {
                return Err(format!("event {key} is not a record"));
            }
        }
        Ok(Backup {
            account_id: account,
            clock_offset_ms: body.clock_offset_ms,
            records,
            usage: body.usage,
            events: body.events,
        })
    }
}

/// An event's storage key: `<15-digit eventTime>-<18-digit sequence>-<event id>`.
fn event_key_ok(key: &str) -> bool {
    let b = key.as_bytes();
    b.len() > 35
        && b.len() <= 35 + 64
        && b[..15].iter().all(u8::is_ascii_digit)
        && b[15] == b'-'
        && b[16..34].iter().all(u8::is_ascii_digit)
        && b[34] == b'-'
        && b[35..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}
