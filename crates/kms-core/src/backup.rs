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
    /// The event history: each event's storage key and its record's text, in any order (an
    /// import sorts them and drops repeats).
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
struct KeyIn {
    record: KeyRecord,
    material: BTreeMap<String, SecretIn>,
}

#[derive(Deserialize)]
struct IamIn {
    record: IamRecord,
    secrets: BTreeMap<String, SecretIn>,
}

impl Backup {
    /// The body's bytes (JSON with the secrets in base64), in a buffer zeroed on drop. (All at
    /// once: [`BackupWriter`] writes one a piece at a time.)
    pub fn to_bytes(&self) -> Result<Secret, String> {
        let mut writer = BackupWriter::new(self);
        while !writer.step(usize::MAX)? {}
        Ok(writer.out.0)
    }

    /// Reads a body written by [`Backup::to_bytes`], checking that it is one, of this version,
    /// and that every record belongs to its account, is there once and has all its secrets.
    /// (All at once: [`BackupReader`] reads one a piece at a time.)
    pub fn from_bytes(bytes: &[u8]) -> Result<Backup, String> {
        let mut reader = BackupReader::new(bytes);
        loop {
            if let Some(backup) = reader.step(usize::MAX)? {
                return Ok(backup);
            }
        }
    }
}

/// Writes a body as [`Backup::to_bytes`] does, a piece at a time: each [`BackupWriter::step`]
/// writes at most so many members and array entries, and [`BackupWriter::take`] hands out what
/// is written, so that a shell can seal a body of 100,000 keys (about 200 MB) in chunks and give
/// its page a turn between them, without ever holding it whole.
pub struct BackupWriter<'a> {
    backup: &'a Backup,
    next: Next,
    /// Whether the array being written has no entry yet.
    first: bool,
    out: SecretBuf,
    /// Events handed in after the backup's own ([`BackupWriter::push_events`]), not written yet.
    streamed: std::collections::VecDeque<(String, String)>,
    /// Whether more events may be handed in.
    streaming: bool,
}

/// What a [`BackupWriter`] writes next.
#[derive(Clone, Copy)]
enum Next {
    /// The body's `{` and its scalar members.
    Head,
    /// The next record of this kind at or after this index of `records`, or its array's end.
    Records(Kind, usize),
    /// `usage` and the events' `[`.
    Usage,
    /// This event, or the array's and the body's end.
    Events(usize),
    Done,
}

/// The records of one of the body's arrays, in the order they are written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Keys,
    Aliases,
    Iam,
}

impl Kind {
    fn of(record: &Record) -> Kind {
        match record {
            Record::Key(_) => Kind::Keys,
            Record::Alias(_) => Kind::Aliases,
            Record::Iam(_) => Kind::Iam,
        }
    }

    /// The body's member that holds them.
    fn member(self) -> &'static str {
        match self {
            Kind::Keys => "keys",
            Kind::Aliases => "aliases",
            Kind::Iam => "iam",
        }
    }

    /// The kind written after this one.
    fn next(self) -> Option<Kind> {
        match self {
            Kind::Keys => Some(Kind::Aliases),
            Kind::Aliases => Some(Kind::Iam),
            Kind::Iam => None,
        }
    }
}

impl<'a> BackupWriter<'a> {
    pub fn new(backup: &'a Backup) -> BackupWriter<'a> {
        BackupWriter {
            backup,
            next: Next::Head,
            first: true,
            out: SecretBuf(Secret::new(Vec::new())),
            streamed: Default::default(),
            streaming: false,
        }
    }

    /// A writer whose event history goes on after the backup's own events with the batches
    /// handed to [`BackupWriter::push_events`], until [`BackupWriter::end_events`]: a shell
    /// reads a long history a page at a time instead of holding it whole. [`BackupWriter::step`]
    /// makes no progress while it waits for events ([`BackupWriter::wants_events`]).
    pub fn with_streamed_events(backup: &'a Backup) -> BackupWriter<'a> {
        BackupWriter {
            streaming: true,
            ..BackupWriter::new(backup)
        }
    }

    /// More events to write, after those handed in before.
    pub fn push_events(&mut self, events: impl IntoIterator<Item = (String, String)>) {
        self.streamed.extend(events);
    }

    /// No events come after those handed in.
    pub fn end_events(&mut self) {
        self.streaming = false;
    }

    /// Whether the writer has no event left to write and more may come.
    pub fn wants_events(&self) -> bool {
        self.streaming && self.streamed.is_empty()
    }

    /// Writes at most `budget` members and entries; true once the body is written whole.
    pub fn step(&mut self, budget: usize) -> Result<bool, String> {
        for _ in 0..budget.max(1) {
            self.next = match self.next {
                Next::Head => {
                    let b = self.backup;
                    self.raw("{\"format\":");
                    self.json(BODY_FORMAT)?;
                    self.raw(",\"version\":");
                    self.json(&BODY_VERSION)?;
                    self.raw(",\"accountId\":");
                    self.json(&b.account_id)?;
                    self.raw(",\"clockOffsetMs\":");
                    self.json(&b.clock_offset_ms)?;
                    self.raw(",");
                    self.start_array(Kind::Keys.member());
                    Next::Records(Kind::Keys, 0)
                }
                Next::Records(kind, at) => {
                    let records = &self.backup.records;
                    match (at..records.len()).find(|&i| Kind::of(&records[i]) == kind) {
                        Some(i) => {
                            self.entry_separator();
                            self.record(&records[i])?;
                            Next::Records(kind, i + 1)
                        }
                        None => match kind.next() {
                            Some(next) => {
                                self.raw("],");
                                self.start_array(next.member());
                                Next::Records(next, 0)
                            }
                            None => {
                                self.raw("]");
                                Next::Usage
                            }
                        },
                    }
                }
                Next::Usage => {
                    self.raw(",\"usage\":");
                    self.json(&self.backup.usage)?;
                    self.raw(",");
                    self.start_array("events");
                    Next::Events(0)
                }
                Next::Events(i) => match self.backup.events.get(i) {
                    Some(event) => {
                        self.entry_separator();
                        self.json(event)?;
                        Next::Events(i + 1)
                    }
                    None => match self.streamed.pop_front() {
                        Some(event) => {
                            self.entry_separator();
                            self.json(&event)?;
                            Next::Events(i)
                        }
                        // Waiting for the next batch.
                        None if self.streaming => return Ok(false),
                        None => {
                            self.raw("]}");
                            Next::Done
                        }
                    },
                },
                Next::Done => return Ok(true),
            };
        }
        Ok(matches!(self.next, Next::Done))
    }

    /// A record's entry: with its secrets in base64 beside it.
    fn record(&mut self, record: &Record) -> Result<(), String> {
        match record {
            Record::Key(k) => self.json(&KeyOut {
                record: k,
                material: k
                    .backing_keys
                    .iter()
                    .map(|b| (b.id.as_str(), SecretOut(&b.material)))
                    .collect(),
            }),
            Record::Alias(a) => self.json(a),
            Record::Iam(r) => self.json(&IamOut {
                record: r,
                secrets: r
                    .secrets()
                    .into_iter()
                    .map(|(name, s)| (name, SecretOut(s)))
                    .collect(),
            }),
        }
    }

    /// How many written bytes wait to be taken.
    pub fn pending(&self) -> usize {
        self.out.0.len()
    }

    /// The first `n` bytes written and not taken yet (all of them if fewer), taken out.
    pub fn take(&mut self, n: usize) -> Secret {
        let buf = self.out.0.as_vec_mut();
        let n = n.min(buf.len());
        let taken = Secret::new(buf[..n].to_vec());
        let rest = buf.len() - n;
        buf.copy_within(n.., 0);
        // The tail's bytes are now copies: zeroed before the length forgets them.
        zeroize::Zeroize::zeroize(&mut buf[rest..]);
        buf.truncate(rest);
        taken
    }

    /// A member whose value is an array: its name and `[`.
    fn start_array(&mut self, name: &str) {
        self.raw("\"");
        self.raw(name);
        self.raw("\":[");
        self.first = true;
    }

    /// The `,` before an array's entries but the first.
    fn entry_separator(&mut self) {
        if !std::mem::replace(&mut self.first, false) {
            self.raw(",");
        }
    }

    fn raw(&mut self, text: &str) {
        // Writing to a `SecretBuf` cannot fail.
        let _ = self.out.write_all(text.as_bytes());
    }

    fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), String> {
        serde_json::to_writer(&mut self.out, value).map_err(|e| e.to_string())
    }
}

/// A growing buffer of secret bytes: when it grows, the old allocation is zeroed (a `Vec`'s own
/// growth would leave a copy of what it held in freed memory).
struct SecretBuf(Secret);

impl Write for SecretBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let v = self.0.as_vec_mut();
        if v.len() + buf.len() > v.capacity() {
            let capacity = (v.capacity() * 2).max(v.len() + buf.len()).max(4096);
            let mut grown = Vec::with_capacity(capacity);
            grown.extend_from_slice(v);
            // The old buffer is zeroed as its `Secret` drops.
            self.0 = Secret::new(grown);
        }
        self.0.as_vec_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Reads a body as [`Backup::from_bytes`] does, a piece at a time: each [`BackupReader::step`]
/// parses or checks at most so many members and array entries (keys, aliases, IAM records,
/// events), so that a shell can give its page a turn between pieces. A body of 100,000 keys is
/// about 113 MB, and read in one piece it held the page for one to two seconds.
pub struct BackupReader<'a> {
    bytes: &'a [u8],
    /// Where the parse is in `bytes`.
    pos: usize,
    stage: Stage,
    parts: Parts,
    check: Option<Check>,
}

/// Where a [`BackupReader`] is.
#[derive(Clone, Copy)]
enum Stage {
    /// Before the body's `{`.
    Start,
    /// A member's name or the closing `}` next.
    Members { first: bool },
    /// An entry of a member's array or its `]` next.
    Entries { of: ArrayMember, first: bool },
    /// Everything parsed: the entries are checked one by one.
    Checking,
}

#[derive(Clone, Copy)]
enum ArrayMember {
    Keys,
    Aliases,
    Iam,
    Events,
}

/// The body's members as they are parsed (in any order, each once).
#[derive(Default)]
struct Parts {
    format: Option<String>,
    version: Option<u32>,
    account_id: Option<String>,
    clock_offset_ms: Option<i64>,
    keys: Option<Vec<KeyIn>>,
    aliases: Option<Vec<AliasRecord>>,
    iam: Option<Vec<IamIn>>,
    usage: Option<Option<String>>,
    events: Option<Vec<(String, String)>>,
}

/// The checks of every entry, and the backup they build.
struct Check {
    seen: BTreeSet<String>,
    keys: std::vec::IntoIter<KeyIn>,
    aliases: std::vec::IntoIter<AliasRecord>,
    iam: std::vec::IntoIter<IamIn>,
    /// How many events are checked.
    events_checked: usize,
    backup: Backup,
}

impl<'a> BackupReader<'a> {
    pub fn new(bytes: &'a [u8]) -> BackupReader<'a> {
        BackupReader {
            bytes,
            pos: 0,
            stage: Stage::Start,
            parts: Parts::default(),
            check: None,
        }
    }

    /// Parses or checks at most `budget` members and entries; the backup once all are read.
    pub fn step(&mut self, budget: usize) -> Result<Option<Backup>, String> {
        for _ in 0..budget.max(1) {
            match self.stage {
                Stage::Start => {
                    self.expect(b'{')?;
                    self.stage = Stage::Members { first: true };
                }
                Stage::Members { first } => self.member(first)?,
                Stage::Entries { of, first } => self.entry(of, first)?,
                Stage::Checking => {
                    if self.check_one()? {
                        let check = self.check.take().expect("checking has its state");
                        return Ok(Some(check.backup));
                    }
                }
            }
        }
        Ok(None)
    }

    fn syntax(&self, what: impl std::fmt::Display) -> String {
        format!("its contents do not parse: {what} at byte {}", self.pos)
    }

    fn skip_whitespace(&mut self) {
        while self
            .bytes
            .get(self.pos)
            .is_some_and(|b| matches!(b, b' ' | b'\n' | b'\t' | b'\r'))
        {
            self.pos += 1;
        }
    }

    /// Whether `byte` comes next (after whitespace), taking it if so.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_whitespace();
        let next = self.bytes.get(self.pos) == Some(&byte);
        if next {
            self.pos += 1;
        }
        next
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(self.syntax(format_args!("expected `{}`", byte as char)))
        }
    }

    /// One JSON value at the parse position, parsed as `T`.
    fn value<T: Deserialize<'a>>(&mut self) -> Result<T, String> {
        self.skip_whitespace();
        let bytes: &'a [u8] = self.bytes;
        let mut values = serde_json::Deserializer::from_slice(&bytes[self.pos..]).into_iter::<T>();
        match values.next() {
            Some(Ok(value)) => {
                self.pos += values.byte_offset();
                Ok(value)
            }
            Some(Err(e)) => Err(self.syntax(e)),
            None => Err(self.syntax("the body ends early")),
        }
    }

    /// A member of the body, or its end.
    fn member(&mut self, first: bool) -> Result<(), String> {
        if self.eat(b'}') {
            self.skip_whitespace();
            if self.pos != self.bytes.len() {
                return Err(self.syntax("trailing characters"));
            }
            return self.start_checking();
        }
        if !first {
            self.expect(b',')?;
        }
        let name: String = self.value()?;
        self.expect(b':')?;
        let array = match name.as_str() {
            "format" => self.scalar(&name, |p| &mut p.format)?,
            "version" => self.scalar(&name, |p| &mut p.version)?,
            "accountId" => self.scalar(&name, |p| &mut p.account_id)?,
            "clockOffsetMs" => self.scalar(&name, |p| &mut p.clock_offset_ms)?,
            "usage" => self.scalar(&name, |p| &mut p.usage)?,
            "keys" => Self::array(&mut self.parts.keys, &name, ArrayMember::Keys)?,
            "aliases" => Self::array(&mut self.parts.aliases, &name, ArrayMember::Aliases)?,
            "iam" => Self::array(&mut self.parts.iam, &name, ArrayMember::Iam)?,
            "events" => Self::array(&mut self.parts.events, &name, ArrayMember::Events)?,
            _ => return Err(format!("its contents do not parse: unknown field `{name}`")),
        };
        self.stage = match array {
            Some(of) => {
                self.expect(b'[')?;
                Stage::Entries { of, first: true }
            }
            None => Stage::Members { first: false },
        };
        Ok(())
    }

    /// A member with one value: parsed into its slot of [`Parts`], which must be empty.
    fn scalar<T: Deserialize<'a>>(
        &mut self,
        name: &str,
        slot: fn(&mut Parts) -> &mut Option<T>,
    ) -> Result<Option<ArrayMember>, String> {
        if slot(&mut self.parts).is_some() {
            return Err(duplicate(name));
        }
        let value = self.value()?;
        *slot(&mut self.parts) = Some(value);
        Ok(None)
    }

    /// A member whose array is read entry by entry: its slot, which must be empty, starts empty.
    fn array<T>(
        slot: &mut Option<Vec<T>>,
        name: &str,
        of: ArrayMember,
    ) -> Result<Option<ArrayMember>, String> {
        if slot.is_some() {
            return Err(duplicate(name));
        }
        *slot = Some(Vec::new());
        Ok(Some(of))
    }

    /// An entry of a member's array, or its end.
    fn entry(&mut self, of: ArrayMember, first: bool) -> Result<(), String> {
        if self.eat(b']') {
            self.stage = Stage::Members { first: false };
            return Ok(());
        }
        if !first {
            self.expect(b',')?;
        }
        match of {
            ArrayMember::Keys => {
                let key = self.value()?;
                self.parts.keys.get_or_insert_with(Vec::new).push(key);
            }
            ArrayMember::Aliases => {
                let alias = self.value()?;
                self.parts.aliases.get_or_insert_with(Vec::new).push(alias);
            }
            ArrayMember::Iam => {
                let record = self.value()?;
                self.parts.iam.get_or_insert_with(Vec::new).push(record);
            }
            ArrayMember::Events => {
                let event = self.value()?;
                self.parts.events.get_or_insert_with(Vec::new).push(event);
            }
        }
        self.stage = Stage::Entries { of, first: false };
        Ok(())
    }

    /// Checks the body's header and starts checking its entries.
    fn start_checking(&mut self) -> Result<(), String> {
        let p = std::mem::take(&mut self.parts);
        let missing = |name: &str| format!("its contents do not parse: missing field `{name}`");
        let format = p.format.ok_or_else(|| missing("format"))?;
        let version = p.version.ok_or_else(|| missing("version"))?;
        let account = p.account_id.ok_or_else(|| missing("accountId"))?;
        let clock_offset_ms = p.clock_offset_ms.ok_or_else(|| missing("clockOffsetMs"))?;
        let keys = p.keys.ok_or_else(|| missing("keys"))?;
        let aliases = p.aliases.ok_or_else(|| missing("aliases"))?;
        let iam = p.iam.ok_or_else(|| missing("iam"))?;
        let usage = p.usage.ok_or_else(|| missing("usage"))?;
        let events = p.events.ok_or_else(|| missing("events"))?;
        if format != BODY_FORMAT {
            return Err(format!("its contents are '{format}', not a sandbox"));
        }
        if version != BODY_VERSION {
            return Err(format!(
                "its contents are of version {version}; this build reads version {BODY_VERSION}"
            ));
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("'{account}' is not a 12-digit account id"));
        }
        if clock_offset_ms < 0 {
            return Err("its clock is behind real time".into());
        }
        let records = Vec::with_capacity(keys.len() + aliases.len() + iam.len());
        self.check = Some(Check {
            seen: BTreeSet::new(),
            keys: keys.into_iter(),
            aliases: aliases.into_iter(),
            iam: iam.into_iter(),
            events_checked: 0,
            backup: Backup {
                account_id: account,
                clock_offset_ms,
                records,
                usage,
                events,
            },
        });
        self.stage = Stage::Checking;
        Ok(())
    }

    /// Checks one entry: keys, then aliases, IAM records and events. True when none is left.
    fn check_one(&mut self) -> Result<bool, String> {
        let c = self.check.as_mut().expect("checking has its state");
        let account = c.backup.account_id.as_str();
        let mut once = |storage_key: String| {
            if c.seen.insert(storage_key.clone()) {
                Ok(())
            } else {
                Err(format!("it holds {storage_key} twice"))
            }
        };
        if let Some(KeyIn {
            mut record,
            mut material,
        }) = c.keys.next()
        {
            let arn = crate::arn::arn(
                "kms",
                &record.region,
                account,
                &format!("key/{}", record.key_id),
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
            c.backup.records.push(Record::Key(record));
            return Ok(false);
        }
        if let Some(alias) = c.aliases.next() {
            once(crate::alias_storage_key(&alias.region, &alias.name))?;
            c.backup.records.push(Record::Alias(alias));
            return Ok(false);
        }
        if let Some(IamIn {
            mut record,
            secrets,
        }) = c.iam.next()
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
            c.backup.records.push(Record::Iam(record));
            return Ok(false);
        }
        let Some((key, text)) = c.backup.events.get(c.events_checked) else {
            return Ok(true);
        };
        if !event_key_ok(key) {
            return Err(format!("an event has a malformed key '{key}'"));
        }
        // One line of the stored history each: a JSON object without a line break.
        let parses = serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
        if !text.starts_with('{') || text.contains('\n') || !parses {
            return Err(format!("event {key} is not a record"));
        }
        c.events_checked += 1;
        Ok(false)
    }
}

fn duplicate(name: &str) -> String {
    format!("its contents do not parse: duplicate field `{name}`")
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
