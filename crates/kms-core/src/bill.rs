//! This sandbox's bill: AWS KMS's price table and the bill for a month of sandbox time.
//!
//! The prices are the seeds' pricing lines (ap-southeast-2) and AWS's pricing page:
//!
//! - $1.00 per customer managed key per month, prorated hourly; AWS managed keys are free, and so
//!   is a key while it is pending deletion (a cancelled deletion leaves no trace: AWS then charges
//!   as though the key was never scheduled for deletion).
//! - The first and the second rotation of a key's material (automatic or on demand) each add
//!   $1.00 per month, prorated hourly, from the rotation on; later rotations are free.
//! - Requests, per 10,000: $0.03 (symmetric keys and every request that uses no asymmetric key),
//!   $0.03 involving RSA 2048 keys, $0.15 other asymmetric requests, $0.10 ECC
//!   GenerateDataKeyPair, $12.00 RSA GenerateDataKeyPair.
//! - 20,000 requests a month free, across all Regions. AWS excludes GenerateDataKeyPair requests
//!   and requests that use asymmetric keys from the free tier, so it covers the symmetric price
//!   class only; it goes to the month's first requests (by day, then Region name).
//!
//! Pure: the bill is computed from what the shell records — each key's [`KeyLifetime`] (see
//! [`KeyLifetime::of`] and [`Engine::key_lifetimes`]; the shell keeps a deleted key's lifetime,
//! with `deleted` set from the DeleteKey service event) and the KMS requests it answered, counted
//! per UTC day, Region and [`PriceClass`] (see [`Engine::price_class`]).

use crate::env::{Millis, MILLIS_PER_DAY};
use crate::records::KeyRecord;
use crate::spec::{KeyManager, KeySpec, KeyState};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

const MILLIS_PER_HOUR: Millis = 3_600_000;

/// A customer managed key, per month.
pub const KEY_USD_PER_MONTH: f64 = 1.00;
/// Each of a key's first [`BILLED_ROTATIONS`] rotations, per month.
pub const ROTATION_USD_PER_MONTH: f64 = 1.00;
/// Rotations beyond these add nothing.
pub const BILLED_ROTATIONS: usize = 2;
/// Free requests a month, across all Regions (symmetric price class only).
pub const FREE_REQUESTS_PER_MONTH: u64 = 20_000;

/// What a request costs, by what it does and with which key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PriceClass {
    /// Symmetric keys, HMAC keys, and every request that uses no asymmetric key.
    Symmetric,
    /// Requests that use an RSA 2048 key.
    Rsa2048,
    /// Requests that use any other asymmetric key.
    Asymmetric,
    /// GenerateDataKeyPair(WithoutPlaintext) for an ECC (or SM2) key pair.
    EccGenerateDataKeyPair,
    /// GenerateDataKeyPair(WithoutPlaintext) for an RSA key pair.
    RsaGenerateDataKeyPair,
}

impl PriceClass {
    pub const ALL: [PriceClass; 5] = [
        PriceClass::Symmetric,
        PriceClass::Rsa2048,
        PriceClass::Asymmetric,
        PriceClass::EccGenerateDataKeyPair,
        PriceClass::RsaGenerateDataKeyPair,
    ];

    /// USD per 10,000 requests.
    pub fn usd_per_10k(self) -> f64 {
        match self {
            PriceClass::Symmetric | PriceClass::Rsa2048 => 0.03,
            PriceClass::Asymmetric => 0.15,
            PriceClass::EccGenerateDataKeyPair => 0.10,
            PriceClass::RsaGenerateDataKeyPair => 12.00,
        }
    }

    /// Whether the free tier covers requests of this class.
    pub fn in_free_tier(self) -> bool {
        self == PriceClass::Symmetric
    }

    /// The price as the pricing page words it.
    pub fn description(self) -> &'static str {
        match self {
            PriceClass::Symmetric => "$0.03 per 10,000 requests",
            PriceClass::Rsa2048 => "$0.03 per 10,000 requests involving RSA 2048 keys",
            PriceClass::Asymmetric => "$0.15 per 10,000 asymmetric requests except RSA 2048",
            PriceClass::EccGenerateDataKeyPair => {
                "$0.10 per 10,000 ECC GenerateDataKeyPair requests"
            }
            PriceClass::RsaGenerateDataKeyPair => {
                "$12.00 per 10,000 RSA GenerateDataKeyPair requests"
            }
        }
    }

    /// The class of a KMS request: `request` in the wire JSON form, `key_specs` the specs of
    /// the keys it uses (for ReEncrypt both; the dearest decides).
    pub fn of(operation: &str, request: &Value, key_specs: &[KeySpec]) -> PriceClass {
        if matches!(
            operation,
            "GenerateDataKeyPair" | "GenerateDataKeyPairWithoutPlaintext"
        ) {
            let pair = request["KeyPairSpec"].as_str().unwrap_or_default();
            return if pair.starts_with("RSA") {
                PriceClass::RsaGenerateDataKeyPair
            } else {
                PriceClass::EccGenerateDataKeyPair
            };
        }
        let uses_key = matches!(
            operation,
            "Encrypt"
                | "Decrypt"
                | "ReEncrypt"
                | "Sign"
                | "Verify"
                | "GetPublicKey"
                | "DeriveSharedSecret"
                | "Encapsulate"
                | "Decapsulate"
        );
        let class_of = |spec: &KeySpec| match spec {
            KeySpec::SymmetricDefault
            | KeySpec::Hmac224
            | KeySpec::Hmac256
            | KeySpec::Hmac384
            | KeySpec::Hmac512 => PriceClass::Symmetric,
            KeySpec::Rsa2048 => PriceClass::Rsa2048,
            _ => PriceClass::Asymmetric,
        };
        if !uses_key {
            return PriceClass::Symmetric;
        }
        key_specs
            .iter()
            .map(class_of)
            .max_by(|a, b| a.usd_per_10k().total_cmp(&b.usd_per_10k()))
            .unwrap_or(PriceClass::Symmetric)
    }
}

/// What a key's monthly charges depend on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyLifetime {
    pub key_id: String,
    pub region: String,
    pub key_manager: KeyManager,
    pub created: Millis,
    /// When KMS deleted the key (its waiting period ended).
    #[serde(default)]
    pub deleted: Option<Millis>,
    /// When its pending deletion began, if it is (or was, until it was deleted) pending deletion.
    #[serde(default)]
    pub pending_deletion_since: Option<Millis>,
    /// When each rotation of its key material happened, automatic or on demand, oldest first.
    #[serde(default)]
    pub rotations: Vec<Millis>,
}

impl KeyLifetime {
    /// A live key's lifetime so far.
    pub fn of(key: &KeyRecord) -> KeyLifetime {
        let pending_deletion_since = match (key.key_state, key.deletion_date) {
            (KeyState::PendingDeletion, Some(date)) => {
                Some(date - i64::from(key.pending_window_days.unwrap_or(30)) * MILLIS_PER_DAY)
            }
            _ => None,
        };
        KeyLifetime {
            key_id: key.key_id.clone(),
            region: key.region.clone(),
            key_manager: key.key_manager,
            created: key.created,
            deleted: None,
            pending_deletion_since,
            rotations: key
                .backing_keys
                .iter()
                .filter(|b| b.rotation_type.is_some())
                .map(|b| b.created)
                .collect(),
        }
    }

    /// Until when the key is billed (exclusive): its deletion, or its pending deletion's start.
    fn billed_until(&self) -> Millis {
        [self.deleted, self.pending_deletion_since]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(Millis::MAX)
    }
}

/// KMS requests of one price class, answered in one Region on one UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestCount {
    /// Any time of the day (see [`day_of`]).
    pub day: Millis,
    pub region: String,
    pub class: PriceClass,
    pub count: u64,
}

/// The start (UTC midnight) of the day `t` falls in.
pub fn day_of(t: Millis) -> Millis {
    t.div_euclid(MILLIS_PER_DAY) * MILLIS_PER_DAY
}

/// The year and month (1-12, UTC) that `t` falls in.
pub fn month_of(t: Millis) -> (i64, u32) {
    let (y, m, _) = crate::query::civil_from_days(t.div_euclid(MILLIS_PER_DAY));
    (y, m as u32)
}

/// What a line item charges for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineKind {
    /// Customer managed keys, in key-months.
    Keys,
    /// The first two rotations of keys, in rotation-months.
    Rotations,
    /// Requests of one price class.
    Requests,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItem {
    pub kind: LineKind,
    /// For requests, their class.
    pub price_class: Option<PriceClass>,
    pub description: String,
    /// Key-months, rotation-months, or requests.
    pub quantity: f64,
    /// Requests the free tier covered (included in `quantity`).
    pub free: f64,
    pub usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionBill {
    pub region: String,
    pub line_items: Vec<LineItem>,
    pub usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DayCost {
    /// UTC midnight.
    pub day: Millis,
    /// `2026-11-29`.
    pub date: String,
    pub usd: f64,
}

/// A month's bill. Amounts are exact (unrounded) USD; an invoice shows them to the cent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bill {
    pub year: i64,
    pub month: u32,
    /// The month's first moment.
    pub from: Millis,
    /// Billed up to (exclusive): the month's end, or `now` in the current month.
    pub until: Millis,
    /// Regions with charges or usage, by name.
    pub regions: Vec<RegionBill>,
    pub free_requests: u64,
    pub free_requests_used: u64,
    pub usd: f64,
    /// The cost of each day from `from` to `until`, for a chart.
    pub daily: Vec<DayCost>,
}

/// The bill for `month` (1-12) of `year`, up to `now` (sandbox time): keys and rotations
/// prorated by the hour (each clock hour a key was billable in counts whole), requests priced
/// by class after the free tier.
pub fn bill(
    year: i64,
    month: u32,
    keys: &[KeyLifetime],
    requests: &[RequestCount],
    now: Millis,
) -> Bill {
    let from = crate::query::days_from_civil(year, i64::from(month), 1) * MILLIS_PER_DAY;
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, i64::from(month) + 1)
    };
    let end = crate::query::days_from_civil(ny, nm, 1) * MILLIS_PER_DAY;
    let until = now.clamp(from, end);
    let month_hours = ((end - from) / MILLIS_PER_HOUR) as f64;
    let days: Vec<Millis> = (from..until).step_by(MILLIS_PER_DAY as usize).collect();
    let mut daily: BTreeMap<Millis, f64> = days.iter().map(|d| (*d, 0.0)).collect();
    // Region -> (kind, class) -> (quantity, free, usd)
    type Lines = BTreeMap<(u8, Option<PriceClass>), (f64, f64, f64)>;
    let mut regions: BTreeMap<String, Lines> = BTreeMap::new();

    let mut charge_interval = |region: &str, kind: u8, start: Millis, stop: Millis, rate: f64| {
        let (a, b) = (start.max(from), stop.min(until));
        if a >= b {
            return;
        }
        let mut hours = 0;
        for day in &days {
            let h = hours_touched(a.max(*day), b.min(day + MILLIS_PER_DAY));
            if h > 0 {
                *daily.entry(*day).or_default() += h as f64 / month_hours * rate;
                hours += h;
            }
        }
        let line = regions
            .entry(region.to_string())
            .or_default()
            .entry((kind, None))
            .or_default();
        line.0 += hours as f64 / month_hours;
        line.2 += hours as f64 / month_hours * rate;
    };
    for k in keys
        .iter()
        .filter(|k| k.key_manager == KeyManager::Customer)
    {
        let stop = k.billed_until();
        charge_interval(&k.region, 0, k.created, stop, KEY_USD_PER_MONTH);
        for r in k.rotations.iter().take(BILLED_ROTATIONS) {
            charge_interval(&k.region, 1, *r, stop, ROTATION_USD_PER_MONTH);
        }
    }

    // Requests in day order (then Region, then class), the free tier going to the first.
    let mut counted: Vec<(Millis, &str, PriceClass, u64)> = requests
        .iter()
        .map(|r| (day_of(r.day), r.region.as_str(), r.class, r.count))
        .filter(|(d, _, _, n)| *d >= from && *d < until && *n > 0)
        .collect();
    counted.sort();
    let mut free_left = FREE_REQUESTS_PER_MONTH;
    for (day, region, class, count) in counted {
        let free = if class.in_free_tier() {
            count.min(free_left)
        } else {
            0
        };
        free_left -= free;
        let usd = (count - free) as f64 * class.usd_per_10k() / 10_000.0;
        *daily.entry(day).or_default() += usd;
        let line = regions
            .entry(region.to_string())
            .or_default()
            .entry((2, Some(class)))
            .or_default();
        line.0 += count as f64;
        line.1 += free as f64;
        line.2 += usd;
    }

    let regions: Vec<RegionBill> = regions
        .into_iter()
        .map(|(region, lines)| {
            let line_items: Vec<LineItem> = lines
                .into_iter()
                .map(|((kind, class), (quantity, free, usd))| LineItem {
                    kind: match kind {
                        0 => LineKind::Keys,
                        1 => LineKind::Rotations,
                        _ => LineKind::Requests,
                    },
                    price_class: class,
                    description: match (kind, class) {
                        (0, _) => "$1.00 per customer managed key per month, prorated hourly",
                        (1, _) => {
                            "$1.00 per month for each of a key's first two rotations, prorated \
                             hourly"
                        }
                        (_, Some(c)) => c.description(),
                        _ => "",
                    }
                    .to_string(),
                    quantity,
                    free,
                    usd,
                })
                .collect();
            let usd = sum_usd(line_items.iter().map(|l| l.usd));
            RegionBill {
                region,
                line_items,
                usd,
            }
        })
        .collect();
    Bill {
        year,
        month,
        from,
        until,
        usd: sum_usd(regions.iter().map(|r| r.usd)),
        regions,
        free_requests: FREE_REQUESTS_PER_MONTH,
        free_requests_used: FREE_REQUESTS_PER_MONTH - free_left,
        daily: daily
            .into_iter()
            .map(|(day, usd)| DayCost {
                day,
                date: crate::query::format_timestamp(day)[..10].to_string(),
                usd,
            })
            .collect(),
    }
}

/// How many clock hours the interval `[a, b)` touches (0 if empty).
fn hours_touched(a: Millis, b: Millis) -> i64 {
    if a >= b {
        return 0;
    }
    let first = a.div_euclid(MILLIS_PER_HOUR);
    let last = (b - 1).div_euclid(MILLIS_PER_HOUR);
    last - first + 1
}

/// A sum of amounts from +0.0: `Iterator::sum` of no f64 is -0.0, which prints as "-0.00".
fn sum_usd(amounts: impl Iterator<Item = f64>) -> f64 {
    amounts.fold(0.0, |total, usd| total + usd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_touched_counts_partial_hours_whole() {
        let h = MILLIS_PER_HOUR;
        assert_eq!(hours_touched(0, h), 1);
        assert_eq!(hours_touched(0, h + 1), 2);
        assert_eq!(hours_touched(h / 2, h / 2 + 1), 1);
        assert_eq!(hours_touched(h - 1, h + 1), 2);
        assert_eq!(hours_touched(5, 5), 0);
    }

    #[test]
    fn price_classes() {
        use serde_json::json;
        let none = json!({});
        assert_eq!(
            PriceClass::of("ListKeys", &none, &[]),
            PriceClass::Symmetric
        );
        assert_eq!(
            PriceClass::of("DescribeKey", &none, &[KeySpec::Rsa4096]),
            PriceClass::Symmetric
        );
        assert_eq!(
            PriceClass::of("Sign", &none, &[KeySpec::Rsa2048]),
            PriceClass::Rsa2048
        );
        assert_eq!(
            PriceClass::of("Sign", &none, &[KeySpec::EccNistP256]),
            PriceClass::Asymmetric
        );
        assert_eq!(
            PriceClass::of("GenerateMac", &none, &[KeySpec::Hmac256]),
            PriceClass::Symmetric
        );
        assert_eq!(
            PriceClass::of(
                "ReEncrypt",
                &none,
                &[KeySpec::SymmetricDefault, KeySpec::Rsa3072]
            ),
            PriceClass::Asymmetric
        );
        assert_eq!(
            PriceClass::of(
                "GenerateDataKeyPair",
                &json!({"KeyPairSpec": "RSA_2048"}),
                &[KeySpec::SymmetricDefault]
            ),
            PriceClass::RsaGenerateDataKeyPair
        );
        assert_eq!(
            PriceClass::of(
                "GenerateDataKeyPairWithoutPlaintext",
                &json!({"KeyPairSpec": "ECC_NIST_P384"}),
                &[]
            ),
            PriceClass::EccGenerateDataKeyPair
        );
    }
}
