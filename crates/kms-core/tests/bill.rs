//! The sandbox's bill on worked examples: the free tier, proration by the hour, keys pending
//! deletion, rotations, and the price classes of requests.

use kms_core::bill::{self, Bill, KeyLifetime, LineKind, PriceClass, RequestCount};
use kms_core::{json, Clock as _, KeyManager, Sandbox, MILLIS_PER_DAY};

const HOUR: i64 = 3_600_000;
/// 2026-11-01T00:00:00Z. November 2026 has 720 hours.
const NOV: i64 = 1_793_491_200_000;
const DEC: i64 = NOV + 30 * MILLIS_PER_DAY;
const SYDNEY: &str = "ap-southeast-2";

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[track_caller]
fn assert_usd(actual: f64, expected: f64) {
    assert!(close(actual, expected), "{actual} != {expected}");
}

fn key(id: &str, created: i64) -> KeyLifetime {
    KeyLifetime {
        key_id: id.into(),
        region: SYDNEY.into(),
        key_manager: KeyManager::Customer,
        created,
        deleted: None,
        pending_deletion_since: None,
        rotations: vec![],
    }
}

fn november(keys: &[KeyLifetime], requests: &[RequestCount]) -> Bill {
    bill::bill(2026, 11, keys, requests, DEC + 5 * MILLIS_PER_DAY)
}

fn requests(day: i64, region: &str, class: PriceClass, count: u64) -> RequestCount {
    RequestCount {
        day: NOV + day * MILLIS_PER_DAY + 13 * HOUR,
        region: region.into(),
        class,
        count,
    }
}

#[test]
fn the_month_and_its_days() {
    let b = november(&[], &[]);
    assert_eq!((b.year, b.month, b.from, b.until), (2026, 11, NOV, DEC));
    assert_eq!(b.daily.len(), 30);
    assert_eq!(b.daily[0].date, "2026-11-01");
    assert_eq!(b.daily[29].date, "2026-11-30");
    assert!(b.regions.is_empty());
    assert_usd(b.usd, 0.0);
    // A future month costs nothing yet.
    let b = bill::bill(2027, 1, &[key("k", NOV)], &[], NOV);
    assert!(b.regions.is_empty() && b.daily.is_empty());
}

#[test]
fn a_month_with_nothing_to_bill_costs_plus_zero() {
    // An empty f64 sum is -0.0, which the console printed as "$-0.00".
    let b = november(&[], &[]);
    assert!(b.usd == 0.0 && b.usd.is_sign_positive(), "{}", b.usd);
}

#[test]
fn a_key_for_a_whole_month_costs_one_dollar_whatever_the_months_length() {
    let b = november(&[key("k", NOV - 40 * MILLIS_PER_DAY)], &[]);
    assert_usd(b.usd, 1.0);
    let keys = &b.regions[0].line_items[0];
    assert_eq!(keys.kind, LineKind::Keys);
    assert_usd(keys.quantity, 1.0);
    // February 2026: 672 hours, still a dollar.
    let feb = 1_769_904_000_000; // 2026-02-01T00:00:00Z
    let b = bill::bill(2026, 2, &[key("k", feb)], &[], feb + 40 * MILLIS_PER_DAY);
    assert_usd(b.usd, 1.0);
    assert_usd(b.daily.iter().map(|d| d.usd).sum(), 1.0);
    assert_usd(b.daily[0].usd, 24.0 / 672.0);
    // AWS managed keys are free.
    let mut managed = key("aws", NOV - MILLIS_PER_DAY);
    managed.key_manager = KeyManager::Aws;
    assert!(november(&[managed], &[]).regions.is_empty());
}

#[test]
fn keys_are_prorated_by_the_hour() {
    // From 10:30 on the 10th to 10:30 on the 12th: 49 clock hours touched.
    let mut k = key("k", NOV + 9 * MILLIS_PER_DAY + 10 * HOUR + HOUR / 2);
    k.deleted = Some(k.created + 48 * HOUR);
    k.pending_deletion_since = Some(k.created);
    // Pending deletion from the start: free.
    assert!(november(&[k.clone()], &[]).regions.is_empty());
    k.pending_deletion_since = None;
    let b = november(&[k], &[]);
    assert_usd(b.usd, 49.0 / 720.0);
    assert_usd(b.regions[0].line_items[0].quantity, 49.0 / 720.0);
    // The days: 14 hours on the 10th, 24 on the 11th, 11 on the 12th.
    assert_usd(b.daily[9].usd, 14.0 / 720.0);
    assert_usd(b.daily[10].usd, 24.0 / 720.0);
    assert_usd(b.daily[11].usd, 11.0 / 720.0);
    assert_usd(b.daily[12].usd, 0.0);
    // Created on the 16th and kept: half of November.
    assert_usd(
        november(&[key("k", NOV + 15 * MILLIS_PER_DAY)], &[]).usd,
        0.5,
    );
    // The current month, billed up to now (the 15th at noon): 348 hours so far.
    let b = bill::bill(
        2026,
        11,
        &[key("k", NOV - MILLIS_PER_DAY)],
        &[],
        NOV + 14 * MILLIS_PER_DAY + 12 * HOUR,
    );
    assert_eq!(b.daily.len(), 15);
    assert_usd(b.usd, 348.0 / 720.0);
}

#[test]
fn a_key_pending_deletion_is_free_and_a_cancelled_deletion_is_charged_in_full() {
    // Scheduled on the 11th with a 7-day window, deleted on the 18th: billed for 10 days.
    let mut k = key("k", NOV - 30 * MILLIS_PER_DAY);
    k.pending_deletion_since = Some(NOV + 10 * MILLIS_PER_DAY);
    k.deleted = Some(NOV + 17 * MILLIS_PER_DAY);
    let b = november(&[k.clone()], &[]);
    assert_usd(b.usd, 240.0 / 720.0);
    assert_usd(b.daily[10].usd, 0.0);
    // Still pending at the month's end: free from the 11th on all the same.
    k.deleted = None;
    assert_usd(november(&[k.clone()], &[]).usd, 240.0 / 720.0);
    // Cancelled: AWS charges as though it was never scheduled.
    k.pending_deletion_since = None;
    assert_usd(november(&[k], &[]).usd, 1.0);
}

#[test]
fn the_first_two_rotations_each_add_a_dollar_a_month() {
    // Rotated on the 10th, 20th and 25th: the first two are billed from then on.
    let mut k = key("k", NOV - 300 * MILLIS_PER_DAY);
    k.rotations = vec![
        NOV + 9 * MILLIS_PER_DAY,
        NOV + 19 * MILLIS_PER_DAY,
        NOV + 24 * MILLIS_PER_DAY,
    ];
    let b = november(&[k.clone()], &[]);
    let lines = &b.regions[0].line_items;
    assert_eq!(lines[1].kind, LineKind::Rotations);
    assert_usd(lines[1].quantity, 21.0 / 30.0 + 11.0 / 30.0);
    assert_usd(b.usd, 1.0 + 21.0 / 30.0 + 11.0 / 30.0);
    // Two rotations or more before the month: three dollars, however many.
    k.rotations = (1..=5)
        .map(|i| NOV - i * 50 * MILLIS_PER_DAY)
        .rev()
        .collect();
    assert_usd(november(&[k.clone()], &[]).usd, 3.0);
    // Nor is a key pending deletion charged for its rotations.
    k.pending_deletion_since = Some(NOV + 15 * MILLIS_PER_DAY);
    assert_usd(november(&[k], &[]).usd, 1.5);
}

#[test]
fn the_free_tier_covers_the_first_20000_symmetric_requests_across_regions() {
    let b = november(&[], &[requests(0, SYDNEY, PriceClass::Symmetric, 19_999)]);
    assert_usd(b.usd, 0.0);
    assert_eq!(b.free_requests_used, 19_999);
    let line = &b.regions[0].line_items[0];
    assert_eq!(
        (line.kind, line.price_class),
        (LineKind::Requests, Some(PriceClass::Symmetric))
    );
    assert_usd(line.quantity, 19_999.0);
    assert_usd(line.free, 19_999.0);

    let b = november(
        &[],
        &[
            requests(1, "us-east-1", PriceClass::Symmetric, 10_000),
            requests(0, SYDNEY, PriceClass::Symmetric, 15_000),
            // Asymmetric requests are never free.
            requests(0, SYDNEY, PriceClass::Rsa2048, 5_000),
            requests(2, SYDNEY, PriceClass::RsaGenerateDataKeyPair, 10),
            requests(2, SYDNEY, PriceClass::EccGenerateDataKeyPair, 10_000),
            requests(2, SYDNEY, PriceClass::Asymmetric, 20_000),
            // Other months do not count.
            requests(-1, SYDNEY, PriceClass::Symmetric, 1_000_000),
            requests(30, SYDNEY, PriceClass::Symmetric, 1_000_000),
        ],
    );
    assert_eq!(b.free_requests_used, 20_000);
    // The 15,000 of the 1st are free, then 5,000 of the 10,000 of the 2nd.
    let us = &b.regions.iter().find(|r| r.region == "us-east-1").unwrap();
    assert_usd(us.line_items[0].free, 5_000.0);
    assert_usd(us.usd, 5_000.0 * 0.03 / 10_000.0);
    let sydney = &b.regions.iter().find(|r| r.region == SYDNEY).unwrap();
    let class = |c: PriceClass| {
        sydney
            .line_items
            .iter()
            .find(|l| l.price_class == Some(c))
            .unwrap()
    };
    assert_usd(class(PriceClass::Symmetric).usd, 0.0);
    assert_usd(class(PriceClass::Rsa2048).usd, 0.015);
    assert_usd(class(PriceClass::RsaGenerateDataKeyPair).usd, 0.012);
    assert_usd(class(PriceClass::EccGenerateDataKeyPair).usd, 0.10);
    assert_usd(class(PriceClass::Asymmetric).usd, 0.30);
    assert_eq!(
        class(PriceClass::Rsa2048).description,
        "$0.03 per 10,000 requests involving RSA 2048 keys"
    );
    assert_usd(b.usd, 0.015 + 0.015 + 0.012 + 0.10 + 0.30);
    assert_usd(b.daily[0].usd, 0.015);
    assert_usd(b.daily[1].usd, 0.015);
    assert_usd(b.daily[2].usd, 0.412);
    assert_usd(b.daily.iter().map(|d| d.usd).sum(), b.usd);
}

#[test]
fn the_engine_gives_lifetimes_and_price_classes() {
    let mut kms = Sandbox::in_memory(3);
    let sym = kms.call("CreateKey", json!({})).unwrap()["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let rsa = kms
        .call(
            "CreateKey",
            json!({"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}),
        )
        .unwrap()["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    kms.call(
        "CreateAlias",
        json!({"AliasName": "alias/rsa", "TargetKeyId": rsa}),
    )
    .unwrap();
    kms.call("RotateKeyOnDemand", json!({"KeyId": sym}))
        .unwrap();
    kms.advance_days(1);
    kms.call(
        "ScheduleKeyDeletion",
        json!({"KeyId": rsa, "PendingWindowInDays": 7}),
    )
    .unwrap();
    let lifetimes = kms.engine.key_lifetimes();
    let of = |id: &str| lifetimes.iter().find(|k| k.key_id == id).unwrap();
    let t0 = 1_735_689_600_000;
    assert_eq!(of(&sym).created, t0);
    assert_eq!(of(&sym).rotations, [t0]);
    assert_eq!(of(&rsa).pending_deletion_since, Some(t0 + MILLIS_PER_DAY));
    assert!(lifetimes.iter().any(|k| k.key_manager == KeyManager::Aws));

    let class =
        |op: &str, req: serde_json::Value| kms.engine.price_class("ap-southeast-2", op, &req);
    assert_eq!(class("ListKeys", json!({})), PriceClass::Symmetric);
    assert_eq!(
        class("Encrypt", json!({"KeyId": sym, "Plaintext": "AA=="})),
        PriceClass::Symmetric
    );
    assert_eq!(
        class("Verify", json!({"KeyId": "alias/rsa"})),
        PriceClass::Rsa2048
    );
    assert_eq!(
        class("DescribeKey", json!({"KeyId": rsa})),
        PriceClass::Symmetric
    );
    assert_eq!(
        class(
            "GenerateDataKeyPair",
            json!({"KeyId": sym, "KeyPairSpec": "RSA_4096"})
        ),
        PriceClass::RsaGenerateDataKeyPair
    );
}

/// 2025-01-01T00:00:00Z, where `Sandbox::in_memory` starts its clock.
const JAN_2025: i64 = 1_735_689_600_000;

#[test]
fn the_engines_bill_counts_noted_requests_and_keeps_deleted_keys() {
    let mut kms = Sandbox::in_memory(4);
    let sym = kms.call("CreateKey", json!({})).unwrap()["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let rsa = kms
        .call(
            "CreateKey",
            json!({"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}),
        )
        .unwrap()["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    for _ in 0..3 {
        kms.call("Encrypt", json!({"KeyId": sym, "Plaintext": "AAAA"}))
            .unwrap();
    }
    kms.call(
        "Sign",
        json!({"KeyId": rsa, "Message": "AAAA", "SigningAlgorithm": "RSASSA_PSS_SHA_256"}),
    )
    .unwrap();
    // A refused request is not billed.
    assert!(kms
        .call("Encrypt", json!({"KeyId": rsa, "Plaintext": "AAAA"}))
        .is_err());
    kms.call(
        "ScheduleKeyDeletion",
        json!({"KeyId": rsa, "PendingWindowInDays": 7}),
    )
    .unwrap();
    kms.advance_days(10);
    kms.catch_up();
    assert!(kms.call("DescribeKey", json!({"KeyId": rsa})).is_err());

    let bill = kms.engine.bill(2025, 1, kms.clock.now());
    let region = &bill.regions[0];
    let line = |kind: LineKind, class: Option<PriceClass>| {
        region
            .line_items
            .iter()
            .find(|l| l.kind == kind && l.price_class == class)
            .unwrap_or_else(|| panic!("no {kind:?} {class:?} line in {bill:#?}"))
    };
    // CreateKey x2, Encrypt x3, ScheduleKeyDeletion, DescribeKey (refused: not counted).
    assert_eq!(
        line(LineKind::Requests, Some(PriceClass::Symmetric)).quantity,
        6.0
    );
    assert_eq!(
        line(LineKind::Requests, Some(PriceClass::Rsa2048)).quantity,
        1.0
    );
    // The symmetric key's 240 hours; the RSA key was pending deletion from the moment it was
    // created (the clock did not move), so it costs nothing.
    let month_hours = 31.0 * 24.0;
    assert_usd(line(LineKind::Keys, None).quantity, 240.0 / month_hours);
    assert_eq!(kms.engine.usage().deleted_keys().len(), 1);
    assert_eq!(kms.engine.usage().deleted_keys()[0].key_id, rsa);
    assert_eq!(
        kms.engine.usage().deleted_keys()[0].deleted,
        Some(JAN_2025 + 7 * MILLIS_PER_DAY)
    );

    // Saved and restored, the usage gives the same bill.
    let saved = kms.engine.usage_mut().take_saved().expect("usage changed");
    assert_eq!(kms.engine.usage_mut().take_saved(), None, "nothing new");
    let restored = kms_core::usage::Usage::restore(&saved).unwrap();
    assert_eq!(
        restored.request_counts(),
        kms.engine.usage().request_counts()
    );
    assert_eq!(restored.deleted_keys(), kms.engine.usage().deleted_keys());
    *kms.engine.usage_mut() = restored;
    assert_eq!(kms.engine.bill(2025, 1, kms.clock.now()), bill);
}
