//! What the key tables know of a Region's keys and how they pick the keys a page shows. Pure
//! (no I/O), so `cargo test -p kms-console` tests it natively.
//!
//! A table starts from what ListKeys and ListAliases say (key ids and alias names: cheap, about
//! a millisecond a page of 1,000) and calls DescribeKey only for the keys it shows, as the AWS
//! console does: with 100,000 keys, describing every key before showing anything took seconds
//! and wrote 100,000 DescribeKey events to the event history each time.
//!
//! - Customer managed or AWS managed is known without DescribeKey: an AWS managed key is the
//!   target of an `alias/aws/...` alias (AWS creates one with each such key, and nobody may
//!   create, delete or repoint one). A described key's `KeyManager` has the last word.
//! - Filtering by alias or key ID and sorting by alias or key ID need no metadata: the table
//!   filters and sorts every key of the Region, then describes the page it shows.
//! - A sort on a metadata column (status, key spec, creation date, ...), or a filter text that
//!   could match metadata (`hmac`, `disabled`, ...), needs every candidate key described. The
//!   table then describes them, in batches with the main thread yielded between batches and its
//!   progress shown, once per listing (the answers are cached until the keys are listed again),
//!   and then sorts or filters every key. A sort or filter that silently covered only the keys
//!   described so far would answer wrong, so it is not offered.

use crate::error::ApiError;
use crate::model::{key_usage_label, regionality_label, AliasEntry, KeyMetadata};
use kms_web::types::{KeyManager, KeySpec, KeyState, KeyUsage};
use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::rc::Rc;

/// The prefix of the aliases AWS gives its AWS managed keys (and nobody else may use).
pub const AWS_MANAGED_ALIAS_PREFIX: &str = "alias/aws/";

/// A key as ListKeys and ListAliases know it, without DescribeKey.
#[derive(Clone, Debug, PartialEq)]
pub struct ListedKey {
    pub key_id: String,
    /// Its aliases, sorted by name.
    pub aliases: Vec<String>,
    /// The target of an `alias/aws/...` alias: an AWS managed key.
    pub aws_managed: bool,
}

/// The keys of a Region as ListKeys (every page) and ListAliases (every page) answered.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyListing {
    /// A number no other listing of this page has: what a cache of described keys belongs to.
    pub generation: u64,
    /// In ListKeys' order.
    pub keys: Vec<ListedKey>,
}

impl KeyListing {
    /// The listing of the key ids ListKeys answered, with the aliases of ListAliases that target
    /// them (aliases without a target, AWS's predefined ones, are left out).
    pub fn new(generation: u64, key_ids: Vec<String>, aliases: &[AliasEntry]) -> KeyListing {
        let mut by_key: HashMap<&str, Vec<&str>> = HashMap::new();
        for a in aliases {
            if let Some(target) = a.target_key_id.as_deref() {
                by_key.entry(target).or_default().push(&a.alias_name);
            }
        }
        let keys = key_ids
            .into_iter()
            .map(|key_id| {
                let mut names: Vec<String> = by_key
                    .get(key_id.as_str())
                    .map(|v| v.iter().map(|s| s.to_string()).collect())
                    .unwrap_or_default();
                names.sort();
                let aws_managed = names
                    .iter()
                    .any(|n| n.starts_with(AWS_MANAGED_ALIAS_PREFIX));
                ListedKey {
                    key_id,
                    aliases: names,
                    aws_managed,
                }
            })
            .collect();
        KeyListing { generation, keys }
    }
}

/// The key tables' columns.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Col {
    Aliases,
    KeyId,
    Status,
    KeyType,
    KeySpec,
    KeyUsage,
    CreationDate,
    Origin,
    Regionality,
}

pub const ALL_COLS: [Col; 9] = [
    Col::Aliases,
    Col::KeyId,
    Col::Status,
    Col::KeyType,
    Col::KeySpec,
    Col::KeyUsage,
    Col::CreationDate,
    Col::Origin,
    Col::Regionality,
];

impl Col {
    pub fn label(self) -> &'static str {
        match self {
            Col::Aliases => "Aliases",
            Col::KeyId => "Key ID",
            Col::Status => "Status",
            Col::KeyType => "Key type",
            Col::KeySpec => "Key spec",
            Col::KeyUsage => "Key usage",
            Col::CreationDate => "Creation date",
            Col::Origin => "Origin",
            Col::Regionality => "Regionality",
        }
    }
    pub fn id(self) -> &'static str {
        match self {
            Col::Aliases => "aliases",
            Col::KeyId => "key-id",
            Col::Status => "status",
            Col::KeyType => "key-type",
            Col::KeySpec => "key-spec",
            Col::KeyUsage => "key-usage",
            Col::CreationDate => "creation-date",
            Col::Origin => "origin",
            Col::Regionality => "regionality",
        }
    }
    /// Whether sorting by this column needs DescribeKey (all but aliases and key ID).
    pub fn needs_metadata(self) -> bool {
        !matches!(self, Col::Aliases | Col::KeyId)
    }
}

/// One row as the table sorts and filters it: what is listed, and its metadata once described.
#[derive(Clone, Copy, Debug)]
pub struct RowView<'a> {
    pub key_id: &'a str,
    pub aliases: &'a [String],
    pub meta: Option<&'a KeyMetadata>,
}

/// A row's metadata as the filter reads it: key type, key spec, key usage, status, regionality.
fn metadata_texts(m: &KeyMetadata) -> [&'static str; 5] {
    [
        m.key_type(),
        m.spec_name(),
        key_usage_label(m.key_usage),
        m.state_name(),
        regionality_label(m.multi_region),
    ]
}

/// Every text [`metadata_texts`] can give, lowercased.
fn metadata_vocabulary() -> Vec<String> {
    let mut words: Vec<&str> = vec!["Symmetric", "Asymmetric"];
    words.extend(KeySpec::ALL.iter().map(|s| s.as_str()));
    words.extend(KeyUsage::ALL.iter().map(|u| key_usage_label(Some(*u))));
    words.extend(KeyState::ALL.iter().map(|s| s.as_str()));
    words.extend([regionality_label(false), regionality_label(true)]);
    words.into_iter().map(str::to_lowercase).collect()
}

/// Whether `filter` matches the row's key ID or an alias (case-insensitive substring).
fn matches_known(row: &RowView<'_>, filter_lower: &str) -> bool {
    row.key_id.to_lowercase().contains(filter_lower)
        || row
            .aliases
            .iter()
            .any(|a| a.to_lowercase().contains(filter_lower))
}

/// Whether the row matches the filter text: a case-insensitive substring of an alias, the key ID,
/// key type, key spec, key usage, status or regionality. A row not described yet matches on
/// what is known (alias, key ID) only.
pub fn matches_filter(row: &RowView<'_>, filter: &str) -> bool {
    if filter.is_empty() {
        return true;
    }
    let f = filter.to_lowercase();
    matches_known(row, &f)
        || row.meta.is_some_and(|m| {
            metadata_texts(m)
                .iter()
                .any(|s| s.to_lowercase().contains(&f))
        })
}

/// Whether `filter` could match some key's metadata (it is part of a key type, key spec, key
/// usage, status or regionality): only then does filtering need DescribeKey.
pub fn filter_may_match_metadata(filter: &str) -> bool {
    let f = filter.to_lowercase();
    !f.is_empty() && metadata_vocabulary().iter().any(|w| w.contains(&f))
}

fn first_alias(aliases: &[String]) -> String {
    aliases
        .first()
        .map(|a| a.trim_start_matches("alias/").to_lowercase())
        .unwrap_or_default()
}

/// `a` against `b` by column `by`, ascending; equal rows by key ID, so the order is stable. A
/// metadata column compares rows not described as if their metadata were empty.
pub fn compare(a: &RowView<'_>, b: &RowView<'_>, by: Col) -> Ordering {
    let none = KeyMetadata::default();
    let (ma, mb) = (a.meta.unwrap_or(&none), b.meta.unwrap_or(&none));
    let ord = match by {
        // Keys without an alias sort after those with one, as in the console.
        Col::Aliases => (a.aliases.is_empty(), first_alias(a.aliases))
            .cmp(&(b.aliases.is_empty(), first_alias(b.aliases))),
        Col::KeyId => Ordering::Equal,
        // By the AWS names, as the console sorted them as strings (not the enums' order).
        Col::Status => ma.state_name().cmp(mb.state_name()),
        Col::KeyType => ma.key_type().cmp(mb.key_type()),
        Col::KeySpec => ma.spec_name().cmp(mb.spec_name()),
        Col::KeyUsage => ma.usage_name().cmp(mb.usage_name()),
        Col::CreationDate => ma.creation_date.total_cmp(&mb.creation_date),
        Col::Origin => ma.origin_name().cmp(mb.origin_name()),
        Col::Regionality => ma.multi_region.cmp(&mb.multi_region),
    };
    ord.then_with(|| a.key_id.cmp(b.key_id))
}

/// The DescribeKey answers a view has had for one listing, by key id.
#[derive(Clone, Debug, Default)]
pub struct Described {
    /// The listing these answers belong to.
    generation: u64,
    metas: HashMap<String, KeyMetadata>,
    /// Keys DescribeKey did not find (deleted since they were listed).
    gone: HashSet<String>,
    /// Keys DescribeKey refused (access denied, say), with its error.
    failed: HashMap<String, ApiError>,
    /// The last of those errors: a key table shows it instead of rows.
    pub error: Option<ApiError>,
    /// Bumped when a run of describes ends: orders that read metadata are computed again.
    pub version: u64,
    /// Bumped when a key turns out not to belong where the listing put it (gone, or a
    /// `KeyManager` other than its aliases said): every order is computed again.
    pub dropped_version: u64,
    /// While a run of describes is under way: (keys described, keys to describe).
    pub progress: Option<(usize, usize)>,
}

impl Described {
    /// Empties the cache if it belongs to another listing.
    pub fn reset_for(&mut self, generation: u64) {
        if self.generation != generation {
            *self = Described {
                generation,
                ..Described::default()
            };
        }
    }
    pub fn generation(&self) -> u64 {
        self.generation
    }
    pub fn meta(&self, key_id: &str) -> Option<&KeyMetadata> {
        self.metas.get(key_id)
    }
    /// Whether DescribeKey has answered for the key (metadata, not found, or an error).
    pub fn knows(&self, key_id: &str) -> bool {
        self.metas.contains_key(key_id)
            || self.gone.contains(key_id)
            || self.failed.contains_key(key_id)
    }
    /// The error DescribeKey answered for the key, if it refused.
    pub fn failure(&self, key_id: &str) -> Option<&ApiError> {
        self.failed.get(key_id)
    }
    pub fn insert_failed(&mut self, key_id: &str, error: ApiError) {
        self.error = Some(error.clone());
        self.failed.insert(key_id.to_string(), error);
    }
    /// Records an answer for a key of `listing`'s generation.
    pub fn insert(&mut self, key: &ListedKey, meta: KeyMetadata) {
        let aws = meta.key_manager == Some(KeyManager::Aws);
        if aws != key.aws_managed {
            self.dropped_version += 1;
        }
        self.metas.insert(key.key_id.clone(), meta);
    }
    pub fn insert_gone(&mut self, key_id: &str) {
        self.gone.insert(key_id.to_string());
        self.dropped_version += 1;
    }
    /// Whether the key belongs in the customer managed (`customer`) or AWS managed table: by
    /// its described `KeyManager`, else by its aliases; a key that is gone belongs in neither.
    pub fn in_table(&self, key: &ListedKey, customer: bool) -> bool {
        if self.gone.contains(&key.key_id) {
            return false;
        }
        match self.metas.get(&key.key_id) {
            Some(m) => (m.key_manager != Some(KeyManager::Aws)) == customer,
            None => key.aws_managed != customer,
        }
    }
}

/// How a table's keys are ordered, for one filter and sort.
#[derive(Clone, Debug, PartialEq)]
pub enum Order {
    /// Indices into the listing's keys: this table's keys that pass the filter, sorted.
    Ready {
        rows: Vec<usize>,
        /// This table's keys, filter or not (the count in the header).
        count: usize,
    },
    /// The filter or sort reads metadata that these keys (ids, in listing order) lack.
    NeedsMetadata {
        missing: Rc<Vec<String>>,
        count: usize,
    },
}

/// Whether the filter or the sort needs metadata: what makes [`order`] read [`Described::version`].
pub fn reads_metadata(filter: &str, sort_by: Col) -> bool {
    sort_by.needs_metadata() || filter_may_match_metadata(filter)
}

/// The customer managed (`customer`) or AWS managed keys of `listing` that pass `filter`, sorted
/// by `sort` (column, ascending), or the keys that must be described first.
pub fn order(
    listing: &KeyListing,
    described: &Described,
    customer: bool,
    filter: &str,
    sort: (Col, bool),
) -> Order {
    let f = filter.to_lowercase();
    let metadata_filter = filter_may_match_metadata(filter);
    let (sort_by, asc) = sort;
    let mut count = 0;
    let mut rows = Vec::new();
    let mut missing = Vec::new();
    for (i, key) in listing.keys.iter().enumerate() {
        if !described.in_table(key, customer) {
            continue;
        }
        count += 1;
        let known_match = f.is_empty() || matches_known(&view(key, None), &f);
        let meta = described.meta(&key.key_id);
        // A key the filter may match only by its metadata, or that a metadata sort places.
        let needs_meta =
            (!known_match && metadata_filter) || (sort_by.needs_metadata() && known_match);
        if needs_meta && meta.is_none() {
            missing.push(key.key_id.clone());
            continue;
        }
        if known_match || matches_filter(&view(key, meta), filter) {
            rows.push(i);
        }
    }
    if !missing.is_empty() {
        return Order::NeedsMetadata {
            missing: Rc::new(missing),
            count,
        };
    }
    if sort_by == Col::Aliases {
        // The same order as `compare`, each row's key computed once (100,000 keys sort in a
        // few milliseconds).
        rows.sort_by_cached_key(|i| {
            let k = &listing.keys[*i];
            (
                k.aliases.is_empty(),
                first_alias(&k.aliases),
                k.key_id.clone(),
            )
        });
    } else {
        rows.sort_by(|a, b| {
            let (ka, kb) = (&listing.keys[*a], &listing.keys[*b]);
            compare(
                &view(ka, described.meta(&ka.key_id)),
                &view(kb, described.meta(&kb.key_id)),
                sort_by,
            )
        });
    }
    // Key ids are unique, so the order is total and descending is its reverse.
    if !asc {
        rows.reverse();
    }
    Order::Ready { rows, count }
}

fn view<'a>(key: &'a ListedKey, meta: Option<&'a KeyMetadata>) -> RowView<'a> {
    RowView {
        key_id: &key.key_id,
        aliases: &key.aliases,
        meta,
    }
}

/// One page of an ordered table.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    /// Pages in all (at least 1), and the one shown (0-based, within them).
    pub pages: usize,
    pub current: usize,
    /// Indices into the listing's keys, in order.
    pub rows: Vec<usize>,
}

/// Page `page` (0-based; past the end: the last) of `rows`, `page_size` a page.
pub fn page_of(rows: &[usize], page: usize, page_size: usize) -> Page {
    let size = page_size.max(1);
    let pages = rows.len().div_ceil(size).max(1);
    let current = page.min(pages - 1);
    Page {
        pages,
        current,
        rows: rows
            .iter()
            .skip(current * size)
            .take(size)
            .copied()
            .collect(),
    }
}

/// The keys to describe for a page: its rows, then the selected keys (the Key actions menu reads
/// their states), that are not described yet.
pub fn to_describe(
    listing: &KeyListing,
    described: &Described,
    page: &Page,
    selected: &BTreeSet<String>,
) -> Vec<String> {
    let mut out: Vec<String> = page
        .rows
        .iter()
        .map(|i| &listing.keys[*i].key_id)
        .filter(|id| !described.knows(id))
        .cloned()
        .collect();
    if !selected.is_empty() {
        let extra: Vec<String> = listing
            .keys
            .iter()
            .filter(|k| selected.contains(&k.key_id) && !described.knows(&k.key_id))
            .filter(|k| !out.contains(&k.key_id))
            .map(|k| k.key_id.clone())
            .collect();
        out.extend(extra);
    }
    out
}

/// The most keys of one group (customer managed, AWS managed) a key picker (`<select>`) lists.
/// A Region may hold 100,000 keys: a picker of them all takes the page seconds to render, again
/// on each keystroke elsewhere on the page. The others are named by typing them in.
pub const PICKER_LIMIT: usize = 100;

/// The keys a picker lists of `keys` (one group, in the picker's order): the first `limit`, and
/// `picked` when it comes later (it stays in the picker, at its place in the order); with how
/// many are left out.
pub fn picker_window<'a>(
    keys: &[&'a ListedKey],
    picked: Option<&str>,
    limit: usize,
) -> (Vec<&'a ListedKey>, usize) {
    let mut shown: Vec<&ListedKey> = keys.iter().take(limit).copied().collect();
    if let Some(p) = picked {
        if !shown.iter().any(|k| k.key_id == p) {
            if let Some(k) = keys.iter().skip(limit).find(|k| k.key_id == p) {
                shown.push(k);
            }
        }
    }
    let hidden = keys.len() - shown.len();
    (shown, hidden)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kms_web::types::{KeyManager, KeySpec, KeyState, KeyUsage, Origin};

    #[test]
    fn a_picker_lists_the_first_keys_and_the_picked_one() {
        let l = listing();
        let keys: Vec<&ListedKey> = l.keys.iter().collect();
        let ids = |v: &[&ListedKey]| v.iter().map(|k| k.key_id.clone()).collect::<Vec<_>>();
        let (shown, hidden) = picker_window(&keys, None, 3);
        assert_eq!(ids(&shown), ["k00", "k01", "k02"]);
        assert_eq!(hidden, 29);
        // A key picked past the window stays listed, after the first ones.
        let (shown, hidden) = picker_window(&keys, Some("k20"), 3);
        assert_eq!(ids(&shown), ["k00", "k01", "k02", "k20"]);
        assert_eq!(hidden, 28);
        // One within the window, or unknown, changes nothing.
        assert_eq!(picker_window(&keys, Some("k01"), 3).1, 29);
        assert_eq!(picker_window(&keys, Some("gone"), 3).1, 29);
        // A group within the limit is listed whole.
        let (shown, hidden) = picker_window(&keys, None, 100);
        assert_eq!(shown.len(), 32);
        assert_eq!(hidden, 0);
    }

    fn alias(name: &str, target: &str) -> AliasEntry {
        AliasEntry {
            alias_name: name.into(),
            target_key_id: Some(target.into()),
            ..AliasEntry::default()
        }
    }

    fn meta(id: &str, manager: KeyManager, spec: KeySpec, state: KeyState) -> KeyMetadata {
        KeyMetadata {
            key_id: id.into(),
            key_manager: Some(manager),
            key_spec: Some(spec),
            key_state: Some(state),
            key_usage: Some(KeyUsage::EncryptDecrypt),
            origin: Some(Origin::AwsKms),
            ..KeyMetadata::default()
        }
    }

    /// 30 customer managed keys `k00`..`k29` with aliases `alias/app-00`.. (k05 without one) and
    /// two AWS managed keys.
    fn listing() -> KeyListing {
        let mut ids: Vec<String> = (0..30).map(|i| format!("k{i:02}")).collect();
        ids.extend(["aws1".to_string(), "aws2".to_string()]);
        let mut aliases: Vec<AliasEntry> = (0..30)
            .filter(|i| *i != 5)
            .map(|i| alias(&format!("alias/app-{:02}", 29 - i), &format!("k{i:02}")))
            .collect();
        aliases.push(alias("alias/aws/s3", "aws1"));
        aliases.push(alias("alias/aws/ebs", "aws2"));
        aliases.push(AliasEntry {
            alias_name: "alias/aws/redshift".into(),
            ..AliasEntry::default()
        });
        aliases.push(alias("alias/second", "k07"));
        KeyListing::new(1, ids, &aliases)
    }

    fn ids(l: &KeyListing, rows: &[usize]) -> Vec<String> {
        rows.iter().map(|i| l.keys[*i].key_id.clone()).collect()
    }

    fn ready(o: Order) -> (Vec<usize>, usize) {
        match o {
            Order::Ready { rows, count } => (rows, count),
            other => panic!("not ready: {other:?}"),
        }
    }

    #[test]
    fn aliases_split_customer_and_aws_managed_keys_without_describing() {
        let l = listing();
        assert_eq!(l.keys[7].aliases, ["alias/app-22", "alias/second"]);
        assert!(l.keys[5].aliases.is_empty());
        let d = Described::default();
        let (rows, count) = ready(order(&l, &d, false, "", (Col::Aliases, true)));
        assert_eq!(count, 2);
        assert_eq!(ids(&l, &rows), ["aws2", "aws1"], "aws/ebs before aws/s3");
        let (rows, count) = ready(order(&l, &d, true, "", (Col::Aliases, true)));
        assert_eq!(count, 30);
        // By alias (app-00 is k29), the key without an alias last.
        assert_eq!(ids(&l, &rows[..3]), ["k29", "k28", "k27"]);
        assert_eq!(ids(&l, &rows[29..]), ["k05"]);
    }

    #[test]
    fn a_page_describes_only_its_rows_and_the_selection() {
        let l = listing();
        let mut d = Described::default();
        d.reset_for(l.generation);
        let (rows, _) = ready(order(&l, &d, true, "", (Col::Aliases, true)));
        let p = page_of(&rows, 0, 10);
        assert_eq!((p.pages, p.current, p.rows.len()), (3, 0, 10));
        let selected: BTreeSet<String> = ["k00".to_string()].into();
        let want = to_describe(&l, &d, &p, &selected);
        assert_eq!(want.len(), 11);
        assert_eq!(want[0], "k29");
        assert_eq!(want[10], "k00");
        for id in &want {
            let key = l.keys.iter().find(|k| &k.key_id == id).unwrap();
            d.insert(
                key,
                meta(
                    id,
                    KeyManager::Customer,
                    KeySpec::SymmetricDefault,
                    KeyState::Enabled,
                ),
            );
        }
        assert!(to_describe(&l, &d, &p, &selected).is_empty());
        // Past the end: the last page.
        let last = page_of(&rows, 7, 10);
        assert_eq!((last.current, last.rows.len()), (2, 10));
        assert_eq!(
            to_describe(&l, &d, &last, &BTreeSet::new()).len(),
            9,
            "k00 is described"
        );
    }

    #[test]
    fn filtering_by_alias_or_key_id_needs_no_metadata() {
        let l = listing();
        let d = Described::default();
        let (rows, count) = ready(order(&l, &d, true, "APP-2", (Col::Aliases, true)));
        assert_eq!(count, 30);
        assert_eq!(
            rows.len(),
            9,
            "app-20 to app-29 but app-24 (k05 has no alias)"
        );
        let (rows, _) = ready(order(&l, &d, true, "second", (Col::Aliases, false)));
        assert_eq!(ids(&l, &rows), ["k07"]);
        let (rows, _) = ready(order(&l, &d, true, "k05", (Col::KeyId, true)));
        assert_eq!(ids(&l, &rows), ["k05"]);
        assert!(!filter_may_match_metadata("app-2"));
        assert!(!filter_may_match_metadata(""));
    }

    #[test]
    fn a_metadata_sort_or_filter_describes_its_candidates_first() {
        let l = listing();
        let mut d = Described::default();
        // Sorting by status: every key that passes the (alias) filter.
        match order(&l, &d, true, "app-0", (Col::Status, true)) {
            Order::NeedsMetadata { missing, count } => {
                assert_eq!(count, 30);
                assert_eq!(missing.len(), 10);
            }
            other => panic!("{other:?}"),
        }
        // A filter that may match metadata: the keys it does not match by alias or id.
        assert!(filter_may_match_metadata("HMAC"));
        assert!(filter_may_match_metadata("disab"));
        assert!(filter_may_match_metadata("single-region"));
        let missing = match order(&l, &d, true, "hmac", (Col::Aliases, true)) {
            Order::NeedsMetadata { missing, .. } => missing,
            other => panic!("{other:?}"),
        };
        assert_eq!(missing.len(), 30);
        for key in &l.keys[..30] {
            let spec = if key.key_id == "k11" {
                KeySpec::Hmac256
            } else {
                KeySpec::SymmetricDefault
            };
            let state = if key.key_id == "k03" {
                KeyState::Disabled
            } else {
                KeyState::Enabled
            };
            d.insert(key, meta(&key.key_id, KeyManager::Customer, spec, state));
        }
        let (rows, _) = ready(order(&l, &d, true, "hmac", (Col::Aliases, true)));
        assert_eq!(ids(&l, &rows), ["k11"]);
        let (rows, _) = ready(order(&l, &d, true, "", (Col::Status, true)));
        assert_eq!(
            ids(&l, &rows[..2]),
            ["k03", "k00"],
            "Disabled before Enabled"
        );
        assert_eq!(rows.len(), 30);
        let (rows, _) = ready(order(&l, &d, true, "", (Col::Status, false)));
        assert_eq!(ids(&l, &[rows[0], rows[29]]), ["k29", "k03"]);
    }

    #[test]
    fn described_key_manager_and_deleted_keys_win_over_the_listing() {
        let l = listing();
        let mut d = Described::default();
        // k01 turns out to be AWS managed; k02 was deleted since it was listed.
        d.insert(
            &l.keys[1],
            meta(
                "k01",
                KeyManager::Aws,
                KeySpec::SymmetricDefault,
                KeyState::Enabled,
            ),
        );
        d.insert_gone("k02");
        assert_eq!(d.dropped_version, 2);
        let (rows, count) = ready(order(&l, &d, true, "", (Col::KeyId, true)));
        assert_eq!(count, 28);
        assert!(!ids(&l, &rows).iter().any(|i| i == "k01" || i == "k02"));
        let (rows, _) = ready(order(&l, &d, false, "", (Col::KeyId, true)));
        assert_eq!(ids(&l, &rows), ["aws1", "aws2", "k01"]);
        // A refusal is remembered per key (not asked again) and shown.
        d.insert_failed("k03", ApiError::local("AccessDeniedException", "no"));
        assert!(d.knows("k03"));
        assert_eq!(
            d.failure("k03").unwrap().error_type,
            "AccessDeniedException"
        );
        assert!(d.error.is_some());
        // A new listing starts afresh.
        d.reset_for(2);
        assert!(!d.knows("k01") && !d.knows("k02") && !d.knows("k03"));
        assert!(d.error.is_none());
    }

    #[test]
    fn the_vocabulary_covers_every_metadata_text() {
        let words = metadata_vocabulary();
        for spec in KeySpec::ALL {
            for usage in KeyUsage::ALL {
                for state in KeyState::ALL {
                    for multi_region in [false, true] {
                        let m = KeyMetadata {
                            key_spec: Some(*spec),
                            key_usage: Some(*usage),
                            key_state: Some(*state),
                            multi_region,
                            ..KeyMetadata::default()
                        };
                        for text in metadata_texts(&m) {
                            assert!(words.contains(&text.to_lowercase()), "{text}");
                        }
                    }
                }
            }
        }
    }
}
