//! The pricing calculator's arithmetic: one price table and one pure bill function.
//!
//! Nothing here talks to the KMS; the page feeds it numbers (typed in, or counted from the
//! sandbox's own keys) and renders the bill it returns.

use kms_web::types::bill::{
    Bill as SandboxBill, LineKind, PriceClass, BILLED_ROTATIONS, FREE_REQUESTS_PER_MONTH,
    KEY_USD_PER_MONTH, ROTATION_USD_PER_MONTH,
};

/// What a request is billed as: the sandbox's own price classes (`kms_web::types::bill`), so the
/// calculator and the sandbox's bill price requests alike.
pub type RequestClass = PriceClass;

/// How the calculator names a price class.
pub fn class_label(class: RequestClass) -> &'static str {
    match class {
        PriceClass::Symmetric => {
            "Symmetric key requests (Encrypt, Decrypt, GenerateDataKey, HMAC, ...)"
        }
        PriceClass::Rsa2048 => "Asymmetric requests involving RSA 2048 keys",
        PriceClass::Asymmetric => "Asymmetric requests, except RSA 2048",
        PriceClass::EccGenerateDataKeyPair => "ECC GenerateDataKeyPair requests",
        PriceClass::RsaGenerateDataKeyPair => "RSA GenerateDataKeyPair requests",
    }
}

/// One request price: dollars per 10,000 requests, and whether the free tier covers it.
#[derive(Clone, Copy, Debug)]
pub struct RequestPrice {
    pub usd_per_10k: f64,
    pub free_tier: bool,
}

/// Every number the bill uses, in one place: the prices are kms_core's (the one price table,
/// which the sandbox's bill uses too); the rest is how the calculator words them.
#[derive(Clone, Copy, Debug)]
pub struct PriceTable {
    pub source: &'static str,
    pub as_of: &'static str,
    pub region: &'static str,
    pub key_usd_per_month: f64,
    /// Each of a key's first two rotations adds this much per month; later ones are free.
    pub rotation_usd_per_month: f64,
    pub billed_rotations_per_key: u32,
    /// The calculator's month (AWS's 730-hour average); the sandbox's bill uses each month's
    /// own hours.
    pub hours_per_month: f64,
    pub free_requests_per_month: u64,
}

/// AWS KMS prices for ap-southeast-2 (Asia Pacific (Sydney)), from the AWS KMS pricing page
/// (https://aws.amazon.com/kms/pricing/) as quoted in the project's seed notes
/// (shared/seeds/001_7f9af24492648586.txt), by way of `kms_web::types::bill`.
pub const PRICES: PriceTable = PriceTable {
    source: "AWS Key Management Service pricing, https://aws.amazon.com/kms/pricing/",
    as_of: "2025-01",
    region: "ap-southeast-2",
    key_usd_per_month: KEY_USD_PER_MONTH,
    rotation_usd_per_month: ROTATION_USD_PER_MONTH,
    billed_rotations_per_key: BILLED_ROTATIONS as u32,
    hours_per_month: 730.0,
    free_requests_per_month: FREE_REQUESTS_PER_MONTH,
};

impl PriceTable {
    pub fn request_price(&self, class: RequestClass) -> RequestPrice {
        RequestPrice {
            usd_per_10k: class.usd_per_10k(),
            free_tier: class.in_free_tier(),
        }
    }
}

/// The kinds of keys the calculator distinguishes. Only customer managed keys that are not
/// pending deletion carry a monthly fee.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// Any key spec: what the sandbox's bill counts (it prices every spec alike).
    Customer,
    Symmetric,
    Asymmetric,
    Hmac,
    AwsManaged,
    PendingDeletion,
}

impl KeyKind {
    pub const ALL: [KeyKind; 6] = [
        KeyKind::Customer,
        KeyKind::Symmetric,
        KeyKind::Asymmetric,
        KeyKind::Hmac,
        KeyKind::AwsManaged,
        KeyKind::PendingDeletion,
    ];

    pub fn label(self) -> &'static str {
        match self {
            KeyKind::Customer => "Customer managed, any key spec",
            KeyKind::Symmetric => "Customer managed, symmetric encryption",
            KeyKind::Asymmetric => "Customer managed, asymmetric",
            KeyKind::Hmac => "Customer managed, HMAC",
            KeyKind::AwsManaged => "AWS managed",
            KeyKind::PendingDeletion => "Customer managed, pending deletion",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            KeyKind::Customer => "customer",
            KeyKind::Symmetric => "symmetric",
            KeyKind::Asymmetric => "asymmetric",
            KeyKind::Hmac => "hmac",
            KeyKind::AwsManaged => "aws-managed",
            KeyKind::PendingDeletion => "pending-deletion",
        }
    }

    pub fn from_id(id: &str) -> Option<KeyKind> {
        KeyKind::ALL.into_iter().find(|k| k.id() == id)
    }

    pub fn billable(self) -> bool {
        !matches!(self, KeyKind::AwsManaged | KeyKind::PendingDeletion)
    }
}

/// A row of the key inputs: `count` keys of one kind, each existing for `hours` of the month
/// and rotated `rotations_per_key` times.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyGroup {
    pub kind: KeyKind,
    pub count: u32,
    pub hours: f64,
    pub rotations_per_key: u32,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct BillInput {
    pub keys: Vec<KeyGroup>,
    /// Requests per month, by class (indexed as [`RequestClass::ALL`]).
    pub requests: [u64; 5],
}

#[derive(Clone, Debug, PartialEq)]
pub struct BillLine {
    pub description: String,
    pub detail: String,
    pub usd: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Bill {
    pub lines: Vec<BillLine>,
    pub free_requests_used: u64,
    pub total_usd: f64,
}

/// The monthly bill for `input` at `prices`.
pub fn compute_bill(prices: &PriceTable, input: &BillInput) -> Bill {
    let mut lines = Vec::new();
    for g in input.keys.iter().filter(|g| g.count > 0) {
        let hours = g.hours.clamp(0.0, prices.hours_per_month);
        let key_months = f64::from(g.count) * hours / prices.hours_per_month;
        let plural = if g.count == 1 { "key" } else { "keys" };
        if g.kind.billable() {
            lines.push(BillLine {
                description: format!("{} {} ({})", g.count, plural, g.kind.label()),
                detail: format!(
                    "{} x {} h / {} h x ${:.2} per key-month",
                    g.count,
                    trim(hours),
                    prices.hours_per_month,
                    prices.key_usd_per_month
                ),
                usd: key_months * prices.key_usd_per_month,
            });
            let billed = g.rotations_per_key.min(prices.billed_rotations_per_key);
            if billed > 0 {
                lines.push(BillLine {
                    description: format!(
                        "Key rotations of the {} {} ({})",
                        g.count,
                        plural,
                        g.kind.label()
                    ),
                    detail: format!(
                        "{} billed rotation(s) per key (first {} only) x {} key-months x ${:.2}",
                        billed,
                        prices.billed_rotations_per_key,
                        trim(key_months),
                        prices.rotation_usd_per_month
                    ),
                    usd: key_months * f64::from(billed) * prices.rotation_usd_per_month,
                });
            }
        } else {
            lines.push(BillLine {
                description: format!("{} {} ({})", g.count, plural, g.kind.label()),
                detail: "No monthly fee".to_string(),
                usd: 0.0,
            });
        }
    }

    let mut free_left = prices.free_requests_per_month;
    for (i, class) in RequestClass::ALL.into_iter().enumerate() {
        let count = input.requests[i];
        if count == 0 {
            continue;
        }
        let price = prices.request_price(class);
        let free = if price.free_tier {
            count.min(free_left)
        } else {
            0
        };
        free_left -= free;
        let billed = count - free;
        let detail = if free > 0 {
            format!(
                "{count} requests - {free} free tier = {billed} x ${:.2} per 10,000",
                price.usd_per_10k
            )
        } else {
            format!(
                "{} requests x ${:.2} per 10,000",
                thousands(billed),
                price.usd_per_10k
            )
        };
        lines.push(BillLine {
            description: class_label(class).to_string(),
            detail,
            usd: billed as f64 / 10_000.0 * price.usd_per_10k,
        });
    }

    let total_usd = lines.iter().map(|l| l.usd).sum();
    Bill {
        lines,
        free_requests_used: prices.free_requests_per_month - free_left,
        total_usd,
    }
}

/// The calculator's inputs that give the sandbox's bill for a month: its key-months and
/// rotation-months as key rows (a row's keys exist `hours` of the calculator's 730-hour month,
/// so that count x hours / 730 is the bill's key-months), and its requests per class, summed
/// over Regions.
pub fn input_from_bill(bill: &SandboxBill) -> BillInput {
    let lines = || bill.regions.iter().flat_map(|r| r.line_items.iter());
    let total =
        |kind: LineKind| -> f64 { lines().filter(|l| l.kind == kind).map(|l| l.quantity).sum() };
    let (key_months, rotation_months) = (total(LineKind::Keys), total(LineKind::Rotations));
    // Rotation-months accrue on keys that exist: key-months with one (or, past one per key,
    // two) billed rotations, and the rest without.
    let per_key = if rotation_months <= key_months { 1 } else { 2 };
    let rotated = rotation_months / f64::from(per_key);
    let mut keys = Vec::new();
    for (months, rotations_per_key) in [(rotated, per_key), (key_months - rotated, 0)] {
        if months <= 1e-9 {
            continue;
        }
        let count = months.ceil().max(1.0);
        keys.push(KeyGroup {
            kind: KeyKind::Customer,
            count: count as u32,
            hours: months * PRICES.hours_per_month / count,
            rotations_per_key,
        });
    }
    let mut requests = [0u64; 5];
    for l in lines().filter(|l| l.kind == LineKind::Requests) {
        if let Some(i) = l
            .price_class
            .and_then(|c| RequestClass::ALL.iter().position(|x| *x == c))
        {
            requests[i] += l.quantity.round() as u64;
        }
    }
    BillInput { keys, requests }
}

/// `December 2026`.
pub fn month_name(year: i64, month: u32) -> String {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let name = NAMES.get(month.saturating_sub(1) as usize).unwrap_or(&"?");
    format!("{name} {year}")
}

/// Dollars as a bill shows them: cents, but never rounding a charge down to nothing.
pub fn format_usd(usd: f64) -> String {
    usd_column([usd])(usd)
}

/// Dollars for a column of amounts: all with the same number of decimals, four when one of them
/// is a charge under half a cent (which would show as nothing in cents), else cents.
pub fn usd_column(amounts: impl IntoIterator<Item = f64>) -> impl Fn(f64) -> String {
    let fine = amounts.into_iter().any(|usd| usd > 0.0 && usd < 0.005);
    move |usd| {
        // -0.0 (an empty f64 sum) + 0.0 is +0.0: never "$-0.00".
        let usd = usd + 0.0;
        if fine {
            format!("${usd:.4}")
        } else {
            format!("${usd:.2}")
        }
    }
}

/// 1234567 -> "1,234,567".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn trim(x: f64) -> String {
    // Four decimals: an hour of a key is 0.0014 key-months.
    let s = format!("{x:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(kind: KeyKind, count: u32, hours: f64, rotations_per_key: u32) -> KeyGroup {
        KeyGroup {
            kind,
            count,
            hours,
            rotations_per_key,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn a_full_month_key_costs_one_dollar() {
        let bill = compute_bill(
            &PRICES,
            &BillInput {
                keys: vec![group(KeyKind::Symmetric, 1, 730.0, 0)],
                requests: [0; 5],
            },
        );
        assert!(close(bill.total_usd, 1.0));
        assert_eq!(bill.lines.len(), 1);
    }

    #[test]
    fn keys_are_prorated_by_the_hour() {
        let bill = compute_bill(
            &PRICES,
            &BillInput {
                keys: vec![group(KeyKind::Asymmetric, 2, 365.0, 0)],
                requests: [0; 5],
            },
        );
        assert!(close(bill.total_usd, 1.0));
    }

    #[test]
    fn only_the_first_two_rotations_are_billed() {
        let one = compute_bill(
            &PRICES,
            &BillInput {
                keys: vec![group(KeyKind::Symmetric, 1, 730.0, 1)],
                requests: [0; 5],
            },
        );
        let five = compute_bill(
            &PRICES,
            &BillInput {
                keys: vec![group(KeyKind::Symmetric, 1, 730.0, 5)],
                requests: [0; 5],
            },
        );
        assert!(close(one.total_usd, 2.0));
        assert!(close(five.total_usd, 3.0));
    }

    #[test]
    fn aws_managed_and_pending_deletion_keys_are_free() {
        let bill = compute_bill(
            &PRICES,
            &BillInput {
                keys: vec![
                    group(KeyKind::AwsManaged, 4, 730.0, 3),
                    group(KeyKind::PendingDeletion, 2, 730.0, 2),
                ],
                requests: [0; 5],
            },
        );
        assert!(close(bill.total_usd, 0.0));
        assert_eq!(bill.lines.len(), 2);
    }

    #[test]
    fn free_tier_covers_the_first_20000_symmetric_requests() {
        let bill = compute_bill(
            &PRICES,
            &BillInput {
                keys: vec![],
                requests: [50_000, 0, 0, 0, 0],
            },
        );
        assert_eq!(bill.free_requests_used, 20_000);
        assert!(close(bill.total_usd, 3.0 * 0.03));
        let under = compute_bill(
            &PRICES,
            &BillInput {
                keys: vec![],
                requests: [19_999, 0, 0, 0, 0],
            },
        );
        assert!(close(under.total_usd, 0.0));
    }

    #[test]
    fn asymmetric_and_data_key_pair_requests_have_no_free_tier() {
        let bill = compute_bill(
            &PRICES,
            &BillInput {
                keys: vec![],
                requests: [0, 10_000, 10_000, 10_000, 10_000],
            },
        );
        assert_eq!(bill.free_requests_used, 0);
        assert!(close(bill.total_usd, 0.03 + 0.15 + 0.10 + 12.00));
    }

    #[test]
    fn a_mixed_bill_itemises_every_charge() {
        let input = BillInput {
            keys: vec![
                group(KeyKind::Symmetric, 3, 730.0, 2),
                group(KeyKind::Hmac, 1, 73.0, 0),
            ],
            requests: [120_000, 0, 20_000, 0, 100],
        };
        let bill = compute_bill(&PRICES, &input);
        // 3 keys + 6 rotation-months + 0.1 key + 10 x 0.03 + 2 x 0.15 + 0.01 x 12
        let expected = 3.0 + 6.0 + 0.1 + 0.30 + 0.30 + 0.12;
        assert!(close(bill.total_usd, expected), "{}", bill.total_usd);
        assert_eq!(bill.lines.len(), 6);
        assert_eq!(format_usd(bill.total_usd), "$9.82");
    }

    #[test]
    fn hours_beyond_a_month_are_capped() {
        let bill = compute_bill(
            &PRICES,
            &BillInput {
                keys: vec![group(KeyKind::Symmetric, 1, 10_000.0, 0)],
                requests: [0; 5],
            },
        );
        assert!(close(bill.total_usd, 1.0));
    }

    #[test]
    fn filled_from_the_sandbox_bill_the_calculator_agrees_with_it() {
        use kms_web::types::bill::{bill, KeyLifetime, RequestCount};
        use kms_web::types::KeyManager;
        const H: i64 = 3_600_000;
        let from = 1_796_083_200_000; // 2026-12-01T00:00:00Z
        let key = |id: &str, created: i64, rotations: Vec<i64>| KeyLifetime {
            key_id: id.into(),
            region: "us-east-1".into(),
            key_manager: KeyManager::Customer,
            created,
            deleted: None,
            pending_deletion_since: None,
            rotations,
        };
        let keys = vec![
            key(
                "a",
                from - 100 * H,
                vec![from + 10 * H, from + 20 * H, from + 30 * H],
            ),
            key("b", from + 5 * H, vec![]),
            key("c", from + 50 * H, vec![from + 60 * H]),
        ];
        let requests = vec![
            RequestCount {
                day: from,
                region: "us-east-1".into(),
                class: PriceClass::Symmetric,
                count: 25_000,
            },
            RequestCount {
                day: from,
                region: "eu-west-1".into(),
                class: PriceClass::RsaGenerateDataKeyPair,
                count: 30,
            },
        ];
        let sandbox = bill(2026, 12, &keys, &requests, from + 400 * H);
        let input = input_from_bill(&sandbox);
        assert_eq!(input.requests, [25_000, 0, 0, 0, 30]);
        let calc = compute_bill(&PRICES, &input);
        assert!(
            (calc.total_usd - sandbox.usd).abs() < 1e-9,
            "{} vs {}",
            calc.total_usd,
            sandbox.usd
        );
        assert_eq!(calc.free_requests_used, sandbox.free_requests_used);
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_020_000), "1,020,000");
    }

    #[test]
    fn tiny_charges_are_not_shown_as_zero() {
        assert_eq!(format_usd(0.000_3), "$0.0003");
        assert_eq!(format_usd(0.0), "$0.00");
        assert_eq!(format_usd(-0.0), "$0.00", "an empty sum is -0.0");
        assert_eq!(format_usd(12.346), "$12.35");
        // One column, one precision: four decimals for all once one charge needs them.
        let col = usd_column([0.000_3, 1.5, 0.0]);
        assert_eq!(
            (col(0.000_3), col(1.5), col(-0.0)),
            ("$0.0003".into(), "$1.5000".into(), "$0.0000".into())
        );
        let col = usd_column([0.03, 1.5, 0.0]);
        assert_eq!(
            (col(0.03), col(1.5)),
            ("$0.03".to_string(), "$1.50".to_string())
        );
    }
}
