//! Fault injection: many tabs on one sandbox, aborted and quota-exceeded writes, damaged and
//! moved records, a blocked schema upgrade, a database deleted from under the sandbox, a burst of
//! writes cut short, hostile input and a panic. Each test ends by checking that every key, alias
//! and old ciphertext that should be there is there and usable.

use crate::common::*;
use kms_web::{delete_sandbox, list_sandboxes, KmsSandbox, Sandbox};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

const REGION: &str = "ap-southeast-2";

#[wasm_bindgen(module = "/tests/js/helpers.js")]
extern "C" {
    #[wasm_bindgen(js_name = rawRecords)]
    fn raw_records(db_name: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = toLayout2)]
    fn to_layout_2(db_name: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = corruptMaterial)]
    fn corrupt_material(db_name: &str, storage_key: &str) -> js_sys::Promise;
    fn scribble(db_name: &str, storage_key: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = moveSummary)]
    fn move_summary(db_name: &str, storage_key: &str, to: &str, keep: bool) -> js_sys::Promise;
    #[wasm_bindgen(js_name = moveRecord)]
    fn move_record(
        db_name: &str,
        from: &str,
        to: &str,
        new_key_id: Option<String>,
    ) -> js_sys::Promise;
    #[wasm_bindgen(js_name = setRecordRev)]
    fn set_record_rev(db_name: &str, storage_key: &str, rev: f64) -> js_sys::Promise;
    #[wasm_bindgen(js_name = holdOpen)]
    fn hold_open(db_name: &str, version: u32) -> js_sys::Promise;
    #[wasm_bindgen(js_name = closeDb)]
    fn close_db(db: &JsValue);
    #[wasm_bindgen(js_name = deleteDb)]
    fn delete_db(db_name: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = writeLegacyDb)]
    fn write_legacy_db(
        db_name: &str,
        account_id: &str,
        records: &JsValue,
        hold: bool,
    ) -> js_sys::Promise;
    fn all(promises: &js_sys::Array) -> js_sys::Promise;
    #[wasm_bindgen(js_name = rawMeta)]
    fn raw_meta(db_name: &str) -> js_sys::Promise;
}

fn key_id(v: &Value) -> String {
    v["KeyMetadata"]["KeyId"].as_str().unwrap().to_string()
}

fn storage_key(key_id: &str) -> String {
    format!("key/{REGION}/{key_id}")
}

/// What a sandbox must hold: keys (with their tags, how many rotations, their state), aliases
/// (name → key id) and ciphertexts (blob → plaintext).
#[derive(Default, Clone, Debug)]
struct Expected {
    keys: BTreeMap<String, ExpectedKey>,
    aliases: BTreeMap<String, String>,
    ciphertexts: Vec<(Value, Vec<u8>)>,
}

#[derive(Default, Clone, Debug)]
struct ExpectedKey {
    tags: BTreeSet<String>,
    rotations: usize,
    state: &'static str,
}

/// Checks that `kms` holds everything `expected` says, exactly: every key in its state with its
/// tags and rotations, every alias (and no other customer alias), every ciphertext decrypting.
async fn check(kms: &Sandbox, expected: &Expected, label: &str) {
    let customer = customer_keys(kms, REGION).await;
    let wanted: Vec<String> = expected.keys.keys().cloned().collect();
    assert_eq!(customer, wanted, "{label}: the customer keys");
    for (id, key) in &expected.keys {
        let d = ok(kms, "DescribeKey", json!({"KeyId": id})).await;
        assert_eq!(
            d["KeyMetadata"]["KeyState"], key.state,
            "{label}: state of {id}"
        );
        let tags = ok(kms, "ListResourceTags", json!({"KeyId": id, "Limit": 50})).await;
        let tags: BTreeSet<String> = tags["Tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["TagKey"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(tags, key.tags, "{label}: tags of {id}");
        let rotations = ok(kms, "ListKeyRotations", json!({"KeyId": id, "Limit": 1000})).await;
        assert_eq!(
            rotations["Rotations"].as_array().unwrap().len(),
            key.rotations,
            "{label}: rotations of {id}"
        );
    }
    let listed = ok(kms, "ListAliases", json!({"Limit": 100})).await;
    let mut aliases = BTreeMap::new();
    let mut page = listed;
    loop {
        for a in page["Aliases"].as_array().unwrap() {
            let name = a["AliasName"].as_str().unwrap();
            if !name.starts_with("alias/aws/") {
                aliases.insert(
                    name.to_string(),
                    a["TargetKeyId"].as_str().unwrap_or_default().to_string(),
                );
            }
        }
        if page["Truncated"] != true {
            break;
        }
        page = ok(
            kms,
            "ListAliases",
            json!({"Limit": 100, "Marker": page["NextMarker"]}),
        )
        .await;
    }
    assert_eq!(aliases, expected.aliases, "{label}: the aliases");
    for (blob, plaintext) in &expected.ciphertexts {
        let pt = ok(kms, "Decrypt", json!({"CiphertextBlob": blob})).await;
        assert_eq!(&unb64(&pt["Plaintext"]), plaintext, "{label}: a ciphertext");
    }
}

/// A sandbox with `n` keys, each with an alias, a tag, a rotation and a ciphertext from before
/// and after the rotation.
async fn seed(kms: &Sandbox, n: usize) -> Expected {
    let mut e = Expected::default();
    for i in 0..n {
        let id = key_id(&ok(kms, "CreateKey", json!({"Description": format!("k{i}")})).await);
        ok(
            kms,
            "CreateAlias",
            json!({"AliasName": format!("alias/seed{i}"), "TargetKeyId": id}),
        )
        .await;
        ok(
            kms,
            "TagResource",
            json!({"KeyId": id, "Tags": [{"TagKey": "seed", "TagValue": "1"}]}),
        )
        .await;
        let before = format!("before {i}").into_bytes();
        let ct = ok(
            kms,
            "Encrypt",
            json!({"KeyId": id, "Plaintext": b64(&before)}),
        )
        .await;
        e.ciphertexts.push((ct["CiphertextBlob"].clone(), before));
        ok(kms, "RotateKeyOnDemand", json!({"KeyId": id})).await;
        let after = format!("after {i}").into_bytes();
        let ct = ok(
            kms,
            "Encrypt",
            json!({"KeyId": id, "Plaintext": b64(&after)}),
        )
        .await;
        e.ciphertexts.push((ct["CiphertextBlob"].clone(), after));
        e.aliases.insert(format!("alias/seed{i}"), id.clone());
        e.keys.insert(
            id,
            ExpectedKey {
                tags: ["seed".to_string()].into(),
                rotations: 1,
                state: "Enabled",
            },
        );
    }
    e
}

/// Waits until `kms` has loaded every commit in the database (other tabs' changes arrive by
/// BroadcastChannel), at most `ms`.
async fn settle(kms: &Sandbox, ms: u32) {
    let name = kms.name();
    let db = Sandbox::test_db_name(&name);
    for _ in 0..ms / 20 {
        let meta = wait(raw_meta(&db)).await;
        let rev = get(&meta, "rev").as_f64().unwrap_or(0.0) as u64;
        if kms.test_revision() == rev {
            return;
        }
        wait(sleep(20)).await;
    }
    panic!("{name}: the sandbox did not load the other tab's changes within {ms} ms");
}

/// One tab's share of the hammering: `n` operations, interleaved with the other tab's at every
/// await. Returns what it expects to have changed.
async fn hammer(
    kms: Sandbox,
    tab: &'static str,
    shared: Vec<String>,
    own: String,
    n: usize,
) -> Expected {
    let mut e = Expected::default();
    let k = shared.len();
    let mut tags: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut rotations: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..n {
        // Each round of six operations works on one shared key.
        let key = &shared[(i / 6) % k];
        match i % 6 {
            0 => {
                let tag = format!("{tab}{i}");
                ok(
                    &kms,
                    "TagResource",
                    json!({"KeyId": key, "Tags": [{"TagKey": tag, "TagValue": "v"}]}),
                )
                .await;
                tags.entry(key.clone()).or_default().insert(tag);
            }
            1 if (i / 6) % 2 == 0 => {
                // Untag what op 0 of this round tagged.
                let tag = format!("{tab}{}", i - 1);
                ok(
                    &kms,
                    "UntagResource",
                    json!({"KeyId": key, "TagKeys": [tag]}),
                )
                .await;
                tags.entry(key.clone()).or_default().remove(&tag);
            }
            2 => {
                ok(&kms, "RotateKeyOnDemand", json!({"KeyId": key})).await;
                *rotations.entry(key.clone()).or_default() += 1;
                let plaintext = format!("{tab} {i}").into_bytes();
                let ct = ok(
                    &kms,
                    "Encrypt",
                    json!({"KeyId": key, "Plaintext": b64(&plaintext)}),
                )
                .await;
                e.ciphertexts
                    .push((ct["CiphertextBlob"].clone(), plaintext));
            }
            3 => {
                let alias = format!("alias/{tab}-{i}");
                ok(
                    &kms,
                    "CreateAlias",
                    json!({"AliasName": alias, "TargetKeyId": key}),
                )
                .await;
                e.aliases.insert(alias, key.clone());
            }
            4 if (i / 6) % 3 == 0 => {
                let alias = format!("alias/{tab}-{}", i - 1);
                ok(&kms, "DeleteAlias", json!({"AliasName": alias})).await;
                e.aliases.remove(&alias);
            }
            5 => {
                ok(
                    &kms,
                    "ScheduleKeyDeletion",
                    json!({"KeyId": own, "PendingWindowInDays": 7}),
                )
                .await;
                ok(&kms, "CancelKeyDeletion", json!({"KeyId": own})).await;
                ok(&kms, "EnableKey", json!({"KeyId": own})).await;
            }
            _ => {
                // A read of state both tabs change.
                let d = ok(&kms, "DescribeKey", json!({"KeyId": key})).await;
                assert_eq!(d["KeyMetadata"]["KeyState"], "Enabled");
            }
        }
    }
    for (key, t) in tags {
        e.keys.entry(key).or_default().tags = t;
    }
    for (key, r) in rotations {
        e.keys.entry(key).or_default().rotations = r;
    }
    e
}

/// Runs both futures to completion together.
async fn join<A: 'static, B: 'static>(
    a: impl std::future::Future<Output = A> + 'static,
    b: impl std::future::Future<Output = B> + 'static,
) -> (A, B) {
    let ra = Rc::new(RefCell::new(None));
    let rb = Rc::new(RefCell::new(None));
    let (sa, sb) = (ra.clone(), rb.clone());
    let pa = wasm_bindgen_futures::future_to_promise(async move {
        *sa.borrow_mut() = Some(a.await);
        Ok(JsValue::UNDEFINED)
    });
    let pb = wasm_bindgen_futures::future_to_promise(async move {
        *sb.borrow_mut() = Some(b.await);
        Ok(JsValue::UNDEFINED)
    });
    wait(all(&js_sys::Array::of2(&pa, &pb))).await;
    let a = ra.borrow_mut().take().unwrap();
    let b = rb.borrow_mut().take().unwrap();
    (a, b)
}

#[wasm_bindgen_test]
async fn two_tabs_hammering_one_sandbox_lose_nothing() {
    const PER_TAB: usize = 300;
    const SHARED: usize = 6;
    let name = unique("tabs");
    let a = Sandbox::open(&name, None, None).await.unwrap();
    let mut expected = seed(&a, SHARED).await;
    let shared: Vec<String> = expected.keys.keys().cloned().collect();
    let own_a = key_id(&ok(&a, "CreateKey", json!({"Description": "a's own"})).await);
    // The second tab opens after the seeding: it loads the seeded state from IndexedDB, then
    // hears of the first tab's next key only through the revision check.
    let b = Sandbox::test_open_detached(&name).await.unwrap();
    let own_b = key_id(&ok(&b, "CreateKey", json!({"Description": "b's own"})).await);
    let heard = Rc::new(RefCell::new(Vec::<String>::new()));
    let _listening = {
        let heard = heard.clone();
        a.on_change(move |keys| heard.borrow_mut().extend(keys.iter().cloned()))
    };

    let (ea, eb) = join(
        hammer(a.clone(), "a", shared.clone(), own_a.clone(), PER_TAB),
        hammer(b.clone(), "b", shared.clone(), own_b.clone(), PER_TAB),
    )
    .await;

    for e in [&ea, &eb] {
        for (key, k) in &e.keys {
            let into = expected.keys.get_mut(key).unwrap();
            into.tags.extend(k.tags.iter().cloned());
            into.rotations += k.rotations;
        }
        expected.aliases.extend(e.aliases.clone());
        expected.ciphertexts.extend(e.ciphertexts.clone());
    }
    for own in [&own_a, &own_b] {
        expected.keys.insert(
            own.clone(),
            ExpectedKey {
                state: "Enabled",
                ..Default::default()
            },
        );
    }
    settle(&a, 3000).await;
    settle(&b, 3000).await;
    assert!(
        heard.borrow().iter().any(|k| k == &storage_key(&own_b)),
        "tab a's change listener heard of tab b's key"
    );
    check(&a, &expected, "tab a").await;
    check(&b, &expected, "tab b").await;
    drop((a, b));
    // And from IndexedDB, as a tab opened now sees it.
    let c = Sandbox::open(&name, None, None).await.unwrap();
    assert!(c.damaged().is_empty(), "{:?}", c.damaged());
    check(&c, &expected, "reopened").await;
    drop(c);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_stale_tab_never_undoes_another_tabs_change() {
    // The two failures: a stale tab dropping a rotated backing key, and deleting a key
    // whose deletion the other tab cancelled.
    let name = unique("stale");
    let a = Sandbox::open(&name, None, None).await.unwrap();
    let mut expected = seed(&a, 1).await;
    let id = expected.keys.keys().next().unwrap().clone();
    let b = Sandbox::test_open_detached(&name).await.unwrap();
    ok(
        &a,
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 7}),
    )
    .await;
    settle(&b, 2000).await;
    // b cancels, then a (which has not heard yet, or has) rotates nothing but tags: neither
    // may act on the state it had.
    ok(&b, "CancelKeyDeletion", json!({"KeyId": id})).await;
    ok(&b, "EnableKey", json!({"KeyId": id})).await;
    // a acts at once, before b's broadcast is handled: its write conflicts, it reloads, and
    // computes again against b's state (Enabled: so rotation works).
    ok(&a, "RotateKeyOnDemand", json!({"KeyId": id})).await;
    let ct = ok(
        &a,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"new")}),
    )
    .await;
    // b decrypts a's new ciphertext at once: its failure path sees the newer revision.
    let pt = ok(
        &b,
        "Decrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"]}),
    )
    .await;
    assert_eq!(unb64(&pt["Plaintext"]), b"new");
    // b tags with its state before a's rotation possibly: the rotation stays.
    ok(
        &b,
        "TagResource",
        json!({"KeyId": id, "Tags": [{"TagKey": "late", "TagValue": "v"}]}),
    )
    .await;
    let k = expected.keys.get_mut(&id).unwrap();
    k.rotations = 2;
    k.tags.insert("late".into());
    expected
        .ciphertexts
        .push((ct["CiphertextBlob"].clone(), b"new".to_vec()));
    settle(&a, 2000).await;
    check(&a, &expected, "tab a").await;
    check(&b, &expected, "tab b").await;
    drop((a, b));
    let c = Sandbox::open(&name, None, None).await.unwrap();
    check(&c, &expected, "reopened").await;
    drop(c);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_change_in_one_tab_shows_in_the_other_within_a_second() {
    let name = unique("notify");
    let a = Sandbox::open(&name, None, None).await.unwrap();
    ok(&a, "CreateKey", json!({})).await;
    let b = Sandbox::test_open_detached(&name).await.unwrap();
    let heard = Rc::new(RefCell::new(Vec::<String>::new()));
    let _sub = {
        let heard = heard.clone();
        b.on_change(move |keys| heard.borrow_mut().extend(keys.iter().cloned()))
    };
    let id = key_id(&ok(&a, "CreateKey", json!({"Description": "new"})).await);
    let start = js_sys::Date::now();
    while !heard.borrow().contains(&storage_key(&id)) {
        assert!(
            js_sys::Date::now() - start < 1000.0,
            "not heard within a second"
        );
        wait(sleep(10)).await;
    }
    // b's engine has it: a read answers from it without a revision check.
    let d = ok(&b, "DescribeKey", json!({"KeyId": id})).await;
    assert_eq!(d["KeyMetadata"]["Description"], "new");
    // The clock moves in every tab too.
    a.advance_clock(3600.0).await.unwrap();
    settle(&b, 2000).await;
    assert!((a.now() - b.now()).abs() < 1000, "the clocks agree");
    drop((a, b));
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn an_aborted_write_commits_nothing_and_answers_an_error() {
    let name = unique("abort2");
    let a = Sandbox::open(&name, None, None).await.unwrap();
    let expected = seed(&a, 2).await;
    let id = expected.keys.keys().next().unwrap().clone();
    let before = wait(raw_snapshot(&db_name(&name)))
        .await
        .as_string()
        .unwrap();
    // A change of several records (a key and its alias): all or none.
    for (op, req) in [
        (
            "CreateAlias",
            json!({"AliasName": "alias/lost", "TargetKeyId": id}),
        ),
        ("RotateKeyOnDemand", json!({"KeyId": id})),
        (
            "ScheduleKeyDeletion",
            json!({"KeyId": id, "PendingWindowInDays": 7}),
        ),
    ] {
        a.test_fail_next_write();
        let e = fails(&a, op, req).await;
        assert_eq!(e.error_type.as_str(), "KMSInternalException", "{op}");
        assert!(e.message.contains("was not made"), "{op}: {}", e.message);
        let after = wait(raw_snapshot(&db_name(&name)))
            .await
            .as_string()
            .unwrap();
        assert!(after == before, "{op}: IndexedDB changed");
    }
    check(&a, &expected, "after the aborts").await;
    drop(a);
    let c = Sandbox::open(&name, None, None).await.unwrap();
    check(&c, &expected, "reopened").await;
    drop(c);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn quota_exceeded_answers_an_error_and_loses_nothing() {
    let name = unique("quota");
    let a = Sandbox::open(&name, None, None).await.unwrap();
    let mut expected = seed(&a, 2).await;
    a.test_quota_next_write();
    let e = fails(&a, "CreateKey", json!({"Description": "no room"})).await;
    assert_eq!(e.error_type.as_str(), "KMSInternalException");
    assert!(e.message.contains("QuotaExceededError"), "{}", e.message);
    assert!(e.message.contains("storage quota"), "{}", e.message);
    check(&a, &expected, "after the quota error").await;
    // The next write, with room again, works.
    let id = key_id(&ok(&a, "CreateKey", json!({})).await);
    expected.keys.insert(
        id,
        ExpectedKey {
            state: "Enabled",
            ..Default::default()
        },
    );
    drop(a);
    let c = Sandbox::open(&name, None, None).await.unwrap();
    check(&c, &expected, "reopened").await;
    let info = kms_web::storage_info().await;
    assert!(info.quota.unwrap_or(1.0) > 0.0);
    drop(c);
    delete_sandbox(&name).await.unwrap();
}

/// Opens `name`, checks which records it reports damaged, and that the rest is intact.
async fn open_damaged(name: &str, damaged: &[&str], expected: &Expected) {
    let kms = Sandbox::open(name, None, None).await.unwrap();
    let mut reported: Vec<String> = kms
        .damaged()
        .iter()
        .map(|d| d.storage_key.clone())
        .collect();
    reported.sort();
    let mut wanted: Vec<String> = damaged.iter().map(|s| s.to_string()).collect();
    wanted.sort();
    assert_eq!(reported, wanted, "{:?}", kms.damaged());
    for d in kms.damaged() {
        assert!(!d.reason.is_empty());
        assert_eq!(d.region.as_deref(), Some(REGION));
        assert!(d.key_id.is_some());
    }
    check(&kms, expected, "the undamaged rest").await;
    // And it still takes changes.
    ok(&kms, "CreateKey", json!({"Description": "after"})).await;
    drop(kms);
}

/// Drops the key `id` (and its ciphertexts and aliases) from `expected`.
fn without(expected: &Expected, id: &str, kms_ciphertexts: &[Value]) -> Expected {
    let mut e = expected.clone();
    e.keys.remove(id);
    e.ciphertexts.retain(|(c, _)| !kms_ciphertexts.contains(c));
    e
}
// (An alias record of a damaged key is itself intact: it stays, as on AWS an alias may point
// to a key that is gone.)

#[wasm_bindgen_test]
async fn a_corrupt_record_is_reported_and_the_rest_opens() {
    let name = unique("corrupt");
    let a = Sandbox::open(&name, None, None).await.unwrap();
    let expected = seed(&a, 3).await;
    let ids: Vec<String> = expected.keys.keys().cloned().collect();
    // The ciphertexts of each key, in seed order (2 per key).
    let mut of_key: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (blob, _) in &expected.ciphertexts {
        for id in &ids {
            if a.call("Decrypt", json!({"CiphertextBlob": blob}))
                .await
                .unwrap()["KeyId"]
                .as_str()
                .unwrap()
                .ends_with(id.as_str())
            {
                of_key.entry(id.clone()).or_default().push(blob.clone());
            }
        }
    }
    drop(a);
    let db = db_name(&name);
    wait(corrupt_material(&db, &storage_key(&ids[0]))).await;
    wait(scribble(&db, &storage_key(&ids[1]))).await;
    let rest = without(
        &without(&expected, &ids[0], &of_key[&ids[0]]),
        &ids[1],
        &of_key[&ids[1]],
    );
    open_damaged(
        &name,
        &[&storage_key(&ids[0]), &storage_key(&ids[1])],
        &rest,
    )
    .await;
    // The JS API reports it too.
    let kms = KmsSandbox::open(name.as_str().into(), JsValue::UNDEFINED)
        .await
        .unwrap();
    let list = kms.damaged();
    assert_eq!(list.length(), 2);
    let first = list.get(0);
    assert!(get(&first, "reason").as_string().unwrap().len() > 10);
    drop(kms);
    delete_sandbox(&name).await.unwrap();
}

/// A big sandbox opens with its keys' secrets still wrapped and unwraps a key when it is first
/// used (here every read is "big"): its crypto works, a key changed without its material keeps
/// the material, an export carries every key's material, and a damaged record is reported when
/// its key is first used rather than on open.
#[wasm_bindgen_test]
async fn a_sealed_sandbox_unwraps_each_key_on_first_use() {
    let name = unique("sealed");
    let a = Sandbox::test_open_detached(&name).await.unwrap();
    let expected = seed(&a, 3).await;
    let ids: Vec<String> = expected.keys.keys().cloned().collect();
    // In another Region, so that `check` (of this Region's keys) leaves it out.
    let west = |kms: &Sandbox| kms.in_region("us-west-2").unwrap();
    let signer = key_id(
        &ok(
            &west(&a),
            "CreateKey",
            json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
        )
        .await,
    );
    // Keys nothing uses after the reopening: the export reads (`idle`) or unwraps (`described`,
    // read sealed by a DescribeKey) them for the file only.
    let idle = key_id(&ok(&west(&a), "CreateKey", json!({})).await);
    let described = key_id(&ok(&west(&a), "CreateKey", json!({})).await);
    drop(a);
    Sandbox::test_set_eager_keys(Some(0));

    // Opened from the keys' summaries: no record read, nothing unwrapped until used. ListKeys
    // reads no record; DescribeKey reads its key's, sealed.
    let kms = Sandbox::test_open_detached(&name).await.unwrap();
    let unread = kms.test_unread_keys();
    assert!(unread > ids.len(), "{unread} keys unread");
    let listed = ok(&kms, "ListKeys", json!({})).await;
    for id in &ids {
        assert!(listed.to_string().contains(id.as_str()));
    }
    assert_eq!(kms.test_unread_keys(), unread);
    assert!(kms.test_material(REGION, &ids[0]).iter().all(Vec::is_empty));
    ok(&kms, "DescribeKey", json!({"KeyId": ids[0]})).await;
    assert_eq!(kms.test_unread_keys(), unread - 1);
    assert!(kms.test_material(REGION, &ids[0]).iter().all(Vec::is_empty));
    // Changed while sealed (a tag, a rotation): written again with all its material.
    ok(
        &kms,
        "TagResource",
        json!({"KeyId": ids[1], "Tags": [{"TagKey": "late", "TagValue": "1"}]}),
    )
    .await;
    ok(&kms, "RotateKeyOnDemand", json!({"KeyId": ids[2]})).await;
    // First use unwraps.
    let ct = ok(
        &kms,
        "Encrypt",
        json!({"KeyId": ids[0], "Plaintext": b64(b"fresh")}),
    )
    .await;
    assert!(kms
        .test_material(REGION, &ids[0])
        .iter()
        .all(|m| !m.is_empty()));
    let pt = ok(
        &kms,
        "Decrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"]}),
    )
    .await;
    assert_eq!(unb64(&pt["Plaintext"]), b"fresh");
    let signed = ok(
        &west(&kms),
        "Sign",
        json!({"KeyId": signer, "Message": b64(b"m"), "SigningAlgorithm": "ECDSA_SHA_256"}),
    )
    .await;
    ok(&west(&kms), "DescribeKey", json!({"KeyId": described})).await;
    let unread = kms.test_unread_keys();
    assert!(unread > 0);
    let file = kms.export("a sealed passphrase").await.unwrap();
    assert_eq!(
        kms.test_unread_keys(),
        unread,
        "an export reads keys into its file only"
    );
    let sealed_material = kms.test_material("us-west-2", &described);
    assert!(!sealed_material.is_empty());
    assert!(
        sealed_material.iter().all(Vec::is_empty),
        "the export unwraps a sealed key for the file only"
    );
    drop(kms);

    // Everything is there, opened unsealed, and in the export.
    Sandbox::test_set_eager_keys(None);
    let mut e = expected.clone();
    e.keys.get_mut(&ids[1]).unwrap().tags.insert("late".into());
    e.keys.get_mut(&ids[2]).unwrap().rotations = 2;
    let kms = Sandbox::test_open_detached(&name).await.unwrap();
    assert!(kms.damaged().is_empty(), "{:?}", kms.damaged());
    check(&kms, &e, "reopened unsealed").await;
    ok(
        &west(&kms),
        "Verify",
        json!({"KeyId": signer, "Message": b64(b"m"), "SigningAlgorithm": "ECDSA_SHA_256",
               "Signature": signed["Signature"]}),
    )
    .await;
    drop(kms);
    let copy = unique("sealed-copy");
    let restored = Sandbox::import(&copy, &file, "a sealed passphrase", Default::default())
        .await
        .unwrap();
    check(&restored, &e, "the export of a sealed sandbox").await;
    for key in [&idle, &described] {
        let sealed = ok(
            &west(&restored),
            "Encrypt",
            json!({"KeyId": key, "Plaintext": b64(b"idle")}),
        )
        .await;
        let opened = ok(
            &west(&restored),
            "Decrypt",
            json!({"CiphertextBlob": sealed["CiphertextBlob"]}),
        )
        .await;
        assert_eq!(unb64(&opened["Plaintext"]), b"idle");
    }
    drop(restored);
    delete_sandbox(&copy).await.unwrap();

    // A damaged record is found when its key is first used: that key is gone, the rest works.
    wait(corrupt_material(&db_name(&name), &storage_key(&ids[1]))).await;
    Sandbox::test_set_eager_keys(Some(0));
    let kms = Sandbox::test_open_detached(&name).await.unwrap();
    assert!(
        kms.damaged().is_empty(),
        "not unwrapped yet: {:?}",
        kms.damaged()
    );
    let err = fails(
        &kms,
        "Encrypt",
        json!({"KeyId": ids[1], "Plaintext": b64(b"x")}),
    )
    .await;
    assert_eq!(err.error_type.as_str(), "NotFoundException");
    let damaged: Vec<String> = kms
        .damaged()
        .iter()
        .map(|d| d.storage_key.clone())
        .collect();
    assert_eq!(damaged, vec![storage_key(&ids[1])]);
    let pt = ok(
        &kms,
        "Decrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"]}),
    )
    .await;
    assert_eq!(unb64(&pt["Plaintext"]), b"fresh");
    Sandbox::test_set_eager_keys(None);
    drop(kms);
    delete_sandbox(&name).await.unwrap();
}

/// A big sandbox opens from its key summaries: a key record without one is read whole, and a
/// summary without its key record is left out (neither is damage), in pages of every size.
#[wasm_bindgen_test]
async fn a_key_without_a_summary_is_read_whole_and_a_summary_without_a_key_is_left_out() {
    let name = unique("summaries");
    let a = Sandbox::test_open_detached(&name).await.unwrap();
    let expected = seed(&a, 3).await;
    let ids: Vec<String> = expected.keys.keys().cloned().collect();
    drop(a);
    // One key loses its summary to a key id that is not there, and another's is copied to a
    // second one. (As many summaries as key records, but not paired, would pass for paired:
    // only a hand edit makes that.)
    let orphans = [
        "0f0f0f0f-1111-2222-3333-444455556666",
        "0f0f0f0f-1111-2222-3333-777788889999",
    ];
    wait(move_summary(
        &db_name(&name),
        &storage_key(&ids[1]),
        &storage_key(orphans[0]),
        false,
    ))
    .await;
    wait(move_summary(
        &db_name(&name),
        &storage_key(&ids[2]),
        &storage_key(orphans[1]),
        true,
    ))
    .await;
    Sandbox::test_set_eager_keys(Some(0));
    for page in [1, 2, 500] {
        Sandbox::test_set_read_page(Some(page));
        let kms = Sandbox::test_open_detached(&name).await.unwrap();
        let label = format!("pages of {page}");
        assert!(kms.damaged().is_empty(), "{label}: {:?}", kms.damaged());
        let listed = ok(&kms, "ListKeys", json!({})).await;
        for orphan in orphans {
            assert!(
                !listed.to_string().contains(orphan),
                "{label}: a summary without its key is listed"
            );
        }
        // Every key but the one without a summary, which was read on open.
        let keys = listed["Keys"].as_array().unwrap().len();
        assert_eq!(kms.test_unread_keys(), keys - 1, "{label}");
        check(&kms, &expected, &label).await;
        drop(kms);
    }
    Sandbox::test_set_read_page(None);
    Sandbox::test_set_eager_keys(None);
    delete_sandbox(&name).await.unwrap();
}

/// A read of the whole database comes in pages, each parsed while IndexedDB reads the next:
/// with pages of one and of two records, a sandbox opens whole, its keys unwrapped at once or
/// sealed, and a damaged record in a later page is reported alone.
#[wasm_bindgen_test]
async fn a_read_in_many_pages_opens_every_record() {
    let name = unique("paged");
    let a = Sandbox::test_open_detached(&name).await.unwrap();
    let expected = seed(&a, 4).await;
    let ids: Vec<String> = expected.keys.keys().cloned().collect();
    drop(a);
    for (page, eager) in [(1, None), (2, Some(0)), (2, None)] {
        Sandbox::test_set_read_page(Some(page));
        Sandbox::test_set_eager_keys(eager);
        let kms = Sandbox::test_open_detached(&name).await.unwrap();
        let label = format!("pages of {page}, eager keys {eager:?}");
        assert!(kms.damaged().is_empty(), "{label}: {:?}", kms.damaged());
        check(&kms, &expected, &label).await;
        drop(kms);
    }
    // The last key's record comes in the last page.
    let last = ids.iter().max_by_key(|id| storage_key(id)).unwrap().clone();
    wait(corrupt_material(&db_name(&name), &storage_key(&last))).await;
    Sandbox::test_set_eager_keys(None);
    let kms = Sandbox::test_open_detached(&name).await.unwrap();
    let damaged: Vec<String> = kms
        .damaged()
        .iter()
        .map(|d| d.storage_key.clone())
        .collect();
    assert_eq!(damaged, vec![storage_key(&last)]);
    for id in ids.iter().filter(|id| **id != last) {
        ok(
            &kms,
            "Encrypt",
            json!({"KeyId": id, "Plaintext": b64(b"x")}),
        )
        .await;
    }
    Sandbox::test_set_read_page(None);
    drop(kms);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_record_moved_or_edited_by_hand_is_refused() {
    let name = unique("moved");
    let a = Sandbox::open(&name, None, None).await.unwrap();
    let expected = seed(&a, 2).await;
    let ids: Vec<String> = expected.keys.keys().cloned().collect();
    drop(a);
    let db = db_name(&name);
    // Another key id (a UUID that no key has), with the record edited to match it: the HSM's
    // additional data named the original key id, ARN and storage key.
    let other = "00000000-1111-4222-8333-444444444444";
    wait(move_record(
        &db,
        &storage_key(&ids[0]),
        &storage_key(other),
        Some(other.to_string()),
    ))
    .await;
    // Moved without editing: the record says it is another key than where it is stored.
    let other2 = "00000000-1111-4222-8333-555555555555";
    wait(move_record(
        &db,
        &storage_key(&ids[1]),
        &storage_key(other2),
        None,
    ))
    .await;
    open_damaged(
        &name,
        &[&storage_key(other), &storage_key(other2)],
        &expected,
    )
    .await;
    // An edited revision: the original record of ids[1] now fails too.
    wait(set_record_rev(&db, &storage_key(&ids[1]), 1.0e6)).await;
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    let damaged: Vec<String> = kms
        .damaged()
        .iter()
        .map(|d| d.storage_key.clone())
        .collect();
    assert!(damaged.contains(&storage_key(&ids[1])), "{damaged:?}");
    let e = fails(&kms, "DescribeKey", json!({"KeyId": ids[1]})).await;
    assert_eq!(e.error_type.as_str(), "NotFoundException");
    // ids[0] is intact where it is.
    ok(&kms, "DescribeKey", json!({"KeyId": ids[0]})).await;
    drop(kms);
    delete_sandbox(&name).await.unwrap();
}

/// The records of `source` as the build before layout 2 would have stored them: its keys (records
/// and material) and aliases.
async fn legacy_records(source: &Sandbox) -> JsValue {
    let raw = wait(raw_records(&db_name(&source.name()))).await;
    let out = js_sys::Array::new();
    for pair in js_sys::Array::from(&raw).iter() {
        let pair = js_sys::Array::from(&pair);
        let key = pair.get(0).as_string().unwrap();
        if key.starts_with("summary/") {
            // Layout 1 kept no key summaries.
            continue;
        }
        let value = pair.get(1);
        let kind = get(&value, "kind").as_string().unwrap();
        // Stored as JSON text now; format 1 stored an object.
        let record = js_sys::JSON::parse(&get(&value, "record").as_string().unwrap()).unwrap();
        let items = js_sys::Array::new();
        if kind == "key" {
            let id = get(&record, "key_id").as_string().unwrap();
            let material = source.test_material(REGION, &id);
            let backing = js_sys::Array::from(&get(&record, "backing_keys"));
            for (b, m) in backing.iter().zip(material) {
                items.push(&js_sys::Array::of2(
                    &get(&b, "id"),
                    &js_sys::Uint8Array::from(&m[..]),
                ));
            }
        } else if kind != "alias" {
            continue;
        }
        out.push(&js_sys::Array::of4(
            &key.into(),
            &kind.into(),
            &record,
            &items,
        ));
    }
    out.into()
}

/// A sandbox the build of layout 2 wrote (records as objects) opens as it is, read in pages and
/// unwrapped or sealed; it is marked layout 3, and a record is written as JSON text when it
/// changes.
#[wasm_bindgen_test]
async fn a_layout_2_sandbox_opens_as_it_is() {
    let name = unique("layout2");
    let a = Sandbox::test_open_detached(&name).await.unwrap();
    let mut expected = seed(&a, 3).await;
    let ids: Vec<String> = expected.keys.keys().cloned().collect();
    drop(a);
    let db = db_name(&name);
    wait(to_layout_2(&db)).await;
    Sandbox::test_set_read_page(Some(2));
    // The first open adds the key summaries (layout 4); the last one opens from them.
    for eager in [Some(0), None, Some(0)] {
        Sandbox::test_set_eager_keys(eager);
        let kms = Sandbox::test_open_detached(&name).await.unwrap();
        assert!(kms.damaged().is_empty(), "{:?}", kms.damaged());
        check(&kms, &expected, &format!("layout 2, eager keys {eager:?}")).await;
        drop(kms);
    }
    Sandbox::test_set_eager_keys(None);
    Sandbox::test_set_read_page(None);
    let meta = wait(raw_meta(&db)).await;
    assert_eq!(get(&meta, "schema").as_f64(), Some(4.0));
    let kms = Sandbox::test_open_detached(&name).await.unwrap();
    ok(
        &kms,
        "TagResource",
        json!({"KeyId": ids[0], "Tags": [{"TagKey": "new", "TagValue": "1"}]}),
    )
    .await;
    expected
        .keys
        .get_mut(&ids[0])
        .unwrap()
        .tags
        .insert("new".into());
    let formats: BTreeMap<String, f64> = js_sys::Array::from(&wait(raw_records(&db)).await)
        .iter()
        .map(|pair| js_sys::Array::from(&pair))
        .filter(|pair| !pair.get(0).as_string().unwrap().starts_with("summary/"))
        .map(|pair| {
            let format = get(&pair.get(1), "format").as_f64().unwrap();
            (pair.get(0).as_string().unwrap(), format)
        })
        .collect();
    assert_eq!(formats[&storage_key(&ids[0])], 3.0);
    assert_eq!(formats[&storage_key(&ids[1])], 2.0);
    drop(kms);
    let kms = Sandbox::test_open_detached(&name).await.unwrap();
    check(&kms, &expected, "mixed formats").await;
    drop(kms);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn an_old_format_sandbox_is_migrated_after_a_blocked_upgrade() {
    let source_name = unique("legacy-src");
    let source = Sandbox::open(&source_name, None, None).await.unwrap();
    let expected = seed(&source, 2).await;
    let records = legacy_records(&source).await;
    drop(source);
    delete_sandbox(&source_name).await.unwrap();

    // The old build's database, and an old tab that holds it open and does not let go.
    let name = unique("legacy");
    let db = db_name(&name);
    let held = wait(write_legacy_db(&db, "111122223333", &records, true)).await;
    let e = Sandbox::open(&name, None, None)
        .await
        .err()
        .expect("blocked");
    assert_eq!(e.error_type.as_str(), "KMSInternalException");
    assert!(e.message.contains("older build"), "{}", e.message);
    let _ = &expected;

    // The old tab goes: the next open upgrades and migrates.
    close_db(&held);
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    assert!(kms.damaged().is_empty(), "{:?}", kms.damaged());
    check(&kms, &expected, "migrated").await;
    let meta = wait(raw_meta(&db)).await;
    assert_eq!(get(&meta, "version").as_f64(), Some(5.0));
    assert_eq!(get(&meta, "schema").as_f64(), Some(4.0));
    // Every record is in the new format now, and every key has its summary.
    let raw = wait(raw_records(&db)).await;
    let (mut keys, mut summaries) = (Vec::new(), Vec::new());
    for pair in js_sys::Array::from(&raw).iter() {
        let pair = js_sys::Array::from(&pair);
        let storage_key = pair.get(0).as_string().unwrap();
        if let Some(rest) = storage_key.strip_prefix("summary/") {
            assert!(pair.get(1).as_string().unwrap().contains("\"keyState\""));
            summaries.push(rest.to_string());
            continue;
        }
        if let Some(rest) = storage_key.strip_prefix("key/") {
            keys.push(rest.to_string());
        }
        assert_eq!(get(&pair.get(1), "format").as_f64(), Some(3.0));
    }
    assert!(!keys.is_empty());
    assert_eq!(keys, summaries);
    ok(&kms, "CreateKey", json!({})).await;
    drop(kms);
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    assert!(kms.damaged().is_empty());
    let mut e2 = expected.clone();
    for id in customer_keys(&kms, REGION).await {
        e2.keys.entry(id).or_insert(ExpectedKey {
            state: "Enabled",
            ..Default::default()
        });
    }
    check(&kms, &e2, "reopened after migration").await;
    drop(kms);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_database_deleted_from_another_connection_fails_writes_clearly() {
    let name = unique("gone");
    let a = Sandbox::open(&name, None, None).await.unwrap();
    let expected = seed(&a, 2).await;
    wait(delete_db(&db_name(&name))).await;
    let e = fails(&a, "CreateKey", json!({})).await;
    assert_eq!(e.error_type.as_str(), "KMSInternalException");
    assert!(e.message.contains("deleted or closed"), "{}", e.message);
    // What it holds is still usable for reads in this tab: every key, alias and ciphertext.
    check(&a, &expected, "after the deletion").await;
    drop(a);
    // A new open starts afresh.
    let b = Sandbox::open(&name, None, None).await.unwrap();
    assert!(customer_keys(&b, REGION).await.is_empty());
    drop(b);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn every_write_that_answered_is_there_after_a_burst_is_cut_short() {
    let name = unique("burst");
    let a = Sandbox::open(&name, None, None).await.unwrap();
    let mut expected = seed(&a, 1).await;
    let id = expected.keys.keys().next().unwrap().clone();
    let answered = Rc::new(RefCell::new(Vec::<(bool, String)>::new()));
    let promises = js_sys::Array::new();
    // Tags and aliases (at most 50 of each per key: seed + 45), all in flight at once.
    for i in 0..90 {
        let (a, answered, id) = (a.clone(), answered.clone(), id.clone());
        promises.push(&wasm_bindgen_futures::future_to_promise(async move {
            let (is_tag, label, op, req) = if i < 45 {
                let tag = format!("t{i}");
                let req = json!({"KeyId": id, "Tags": [{"TagKey": tag, "TagValue": "v"}]});
                (true, tag, "TagResource", req)
            } else {
                let alias = format!("alias/burst{i}");
                let req = json!({"AliasName": alias, "TargetKeyId": id});
                (false, alias, "CreateAlias", req)
            };
            a.call(op, req).await.unwrap();
            answered.borrow_mut().push((is_tag, label));
            Ok(JsValue::UNDEFINED)
        }));
    }
    // "The tab is killed" part way: a new tab opens now, while the burst is still running, and
    // must find every call that answered before it opened.
    wait(sleep(25)).await;
    let seen_by_then = answered.borrow().clone();
    let c = Sandbox::test_open_detached(&name).await.unwrap();
    let tags = ok(&c, "ListResourceTags", json!({"KeyId": id, "Limit": 50})).await;
    let stored: BTreeSet<String> = tags["Tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["TagKey"].as_str().unwrap().to_string())
        .collect();
    for (is_tag, label) in &seen_by_then {
        if *is_tag {
            assert!(stored.contains(label), "{label} answered but is not stored");
        } else {
            let d = ok(&c, "DescribeKey", json!({"KeyId": label})).await;
            assert_eq!(key_id(&d), id, "{label}");
        }
    }
    drop(c);
    wait(all(&promises)).await;
    assert!(
        seen_by_then.len() < 90,
        "the burst was over before the new tab opened"
    );
    for (is_tag, label) in answered.borrow().iter() {
        if *is_tag {
            expected
                .keys
                .get_mut(&id)
                .unwrap()
                .tags
                .insert(label.clone());
        } else {
            expected.aliases.insert(label.clone(), id.clone());
        }
    }
    check(&a, &expected, "after the burst").await;
    drop(a);
    let c = Sandbox::open(&name, None, None).await.unwrap();
    check(&c, &expected, "reopened").await;
    drop(c);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn hostile_input_answers_errors_and_the_sandbox_lives() {
    let name = unique("hostile");
    let a = Sandbox::open(&name, None, None).await.unwrap();
    let expected = seed(&a, 1).await;
    let id = expected.keys.keys().next().unwrap().clone();
    let kms = JsValue::from(KmsSandbox::from(a.clone()));
    // A cycle.
    let cyclic = js(json!({"KeyId": id, "EncryptionContext": {}}));
    js_sys::Reflect::set(&cyclic, &"Self".into(), &cyclic).unwrap();
    let tags = js_sys::Array::new();
    let tag = js(json!({"TagKey": "k"}));
    js_sys::Reflect::set(&tag, &"TagValue".into(), &tags).unwrap();
    tags.push(&tag);
    let cyclic2 = js(json!({"KeyId": id}));
    js_sys::Reflect::set(&cyclic2, &"Tags".into(), &tags).unwrap();
    for input in [cyclic, cyclic2] {
        let (name, _) = js_fails(&kms, "TagResource", input).await;
        assert!(
            name == "SerializationException" || name == "ValidationException",
            "{name}"
        );
    }
    // Depth over the limit.
    let mut deep = json!("x");
    for _ in 0..200 {
        deep = json!({ "a": deep });
    }
    let (err, msg) = js_fails(&kms, "DescribeKey", js(json!({"KeyId": id, "X": deep}))).await;
    assert_eq!(err, "SerializationException", "{msg}");
    // Oversized: a 64 MiB blob is refused before it is copied.
    let big = js_sys::Uint8Array::new_with_length(64 * 1024 * 1024);
    let o = js(json!({"KeyId": id}));
    js_sys::Reflect::set(&o, &"Plaintext".into(), &big).unwrap();
    let (err, msg) = js_fails(&kms, "Encrypt", o).await;
    assert_eq!(err, "ValidationException", "{msg}");
    // Too many elements.
    let many = js_sys::Array::new_with_length(200_000);
    let o = js(json!({"KeyId": id}));
    js_sys::Reflect::set(&o, &"GrantTokens".into(), &many).unwrap();
    let (err, _) = js_fails(&kms, "Encrypt", o).await;
    assert_eq!(err, "ValidationException");
    // Wrong types.
    let (err, _) = js_fails(&kms, "DescribeKey", js(json!({"KeyId": 7}))).await;
    assert!(
        err == "SerializationException" || err == "ValidationException",
        "{err}"
    );
    let (err, _) = js_fails(&kms, "ListKeys", js(json!({"Limit": "ten"}))).await;
    assert!(
        err == "SerializationException" || err == "ValidationException",
        "{err}"
    );
    // The SDK's request handler refuses a body over the limit before copying it.
    let handler = a.to_js();
    let handler = get(&handler, "requestHandler");
    let headers = js(
        json!({"x-amz-target": "TrentService.Encrypt", "content-type": "application/x-amz-json-1.1"}),
    );
    let request =
        js(json!({"method": "POST", "hostname": "kms.ap-southeast-2.amazonaws.com", "path": "/"}));
    js_sys::Reflect::set(&request, &"headers".into(), &headers).unwrap();
    js_sys::Reflect::set(
        &request,
        &"body".into(),
        &js_sys::Uint8Array::new_with_length(2 * 1024 * 1024),
    )
    .unwrap();
    let handle: js_sys::Function = get(&handler, "handle").unchecked_into();
    let answer = wait(handle.call1(&handler, &request).unwrap().unchecked_into()).await;
    let response = get(&answer, "response");
    assert_eq!(get(&response, "statusCode").as_f64(), Some(400.0));
    let body = String::from_utf8(bytes(&get(&response, "body"))).unwrap();
    assert!(body.contains("ValidationException"), "{body}");
    check(&a, &expected, "after hostile input").await;
    drop(kms);
    drop(a);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn after_a_panic_the_sandbox_is_reopened_from_indexeddb() {
    let name = unique("panic");
    let a = Sandbox::open(&name, None, None).await.unwrap();
    let mut expected = seed(&a, 1).await;
    // What a panic's hook does (a real panic would abort this test): later calls on state from
    // before it reopen the sandbox instead.
    a.test_mark_panicked();
    check(&a, &expected, "after the panic").await;
    let id = key_id(&ok(&a, "CreateKey", json!({})).await);
    expected.keys.insert(
        id,
        ExpectedKey {
            state: "Enabled",
            ..Default::default()
        },
    );
    check(&a, &expected, "written after the panic").await;
    drop(a);
    let c = Sandbox::open(&name, None, None).await.unwrap();
    check(&c, &expected, "reopened").await;
    drop(c);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn deployments_under_different_paths_do_not_share_sandboxes() {
    let name = unique("scoped");
    Sandbox::test_set_scope(Some("/courses/kms/"));
    assert_eq!(
        Sandbox::test_db_name(&name),
        format!("kms-sandbox@/courses/kms/#{name}")
    );
    let a = Sandbox::open(&name, None, None).await.unwrap();
    let expected = seed(&a, 1).await;
    drop(a);
    assert!(list_sandboxes().await.unwrap().contains(&name));
    Sandbox::test_set_scope(Some("/other/"));
    assert!(!list_sandboxes().await.unwrap().contains(&name));
    let b = Sandbox::open(&name, None, None).await.unwrap();
    assert!(
        customer_keys(&b, REGION).await.is_empty(),
        "another deployment's keys"
    );
    drop(b);
    delete_sandbox(&name).await.unwrap();
    // The root path keeps the names sandboxes always had.
    Sandbox::test_set_scope(Some("/"));
    assert_eq!(Sandbox::test_db_name(&name), format!("kms-sandbox/{name}"));
    assert!(!list_sandboxes().await.unwrap().contains(&name));
    Sandbox::test_set_scope(Some("/courses/kms/"));
    let a = Sandbox::open(&name, None, None).await.unwrap();
    check(&a, &expected, "the same deployment again").await;
    drop(a);
    delete_sandbox(&name).await.unwrap();
    Sandbox::test_set_scope(None);
}
