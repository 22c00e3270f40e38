//! A big sandbox opens from key summaries ([`KeySummary`]) and reads a key's record when a
//! request first names it: ListKeys and the bill need no record, a request that names a key asks
//! for that key only, due deletions and grant lookups ask for the keys they need, and every
//! answer is the one the engine gives with every record read.

use kms_core::{
    json, Clock, Engine, KeyRecord, KeySummary, Outcome, Record, Sandbox, Service, Value,
};
use std::collections::BTreeMap;

/// A sandbox with three keys: one with an alias and a grant, one pending deletion (7 days), one
/// plain.
fn populated() -> (Sandbox, Vec<String>, String) {
    let mut kms = Sandbox::in_memory(11);
    let mut ids = Vec::new();
    for description in ["granted", "leaving", "plain"] {
        let key = kms
            .call("CreateKey", json!({"Description": description}))
            .unwrap();
        ids.push(key["KeyMetadata"]["KeyId"].as_str().unwrap().to_string());
    }
    kms.call(
        "CreateAlias",
        json!({"AliasName": "alias/granted", "TargetKeyId": ids[0]}),
    )
    .unwrap();
    // A grant's principals of this account must exist.
    for role in ["app", "ops"] {
        let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]});
        kms.call_service(
            Service::Iam,
            "CreateRole",
            json!({"RoleName": role, "AssumeRolePolicyDocument": trust.to_string()}),
        )
        .unwrap();
    }
    let grant = kms
        .call(
            "CreateGrant",
            json!({
                "KeyId": ids[0],
                "GranteePrincipal": "arn:aws:iam::111122223333:role/app",
                "RetiringPrincipal": "arn:aws:iam::111122223333:role/ops",
                "Operations": ["Encrypt", "Decrypt"],
            }),
        )
        .unwrap();
    kms.call(
        "ScheduleKeyDeletion",
        json!({"KeyId": ids[1], "PendingWindowInDays": 7}),
    )
    .unwrap();
    let token = grant["GrantToken"].as_str().unwrap().to_string();
    (kms, ids, token)
}

/// The same account in a new engine that holds its keys as summaries only, and the records the
/// shell would read, by storage key.
fn reopened(kms: &Sandbox) -> (Engine, BTreeMap<String, KeyRecord>) {
    let mut engine = Engine::new(kms.engine.account_id());
    let mut stored = BTreeMap::new();
    for record in kms.engine.records() {
        match record {
            Record::Key(k) => {
                engine.load_unread(KeySummary::of(&k));
                stored.insert(kms_core::key_storage_key(&k.region, &k.key_id), k);
            }
            other => engine.load(other),
        }
    }
    (engine, stored)
}

/// Runs a request as the shell does: reads the keys an attempt asks for, and asks again. Returns
/// the outcome and the keys read, in order.
fn run(
    kms: &mut Sandbox,
    engine: &mut Engine,
    stored: &BTreeMap<String, KeyRecord>,
    operation: &str,
    request: Value,
) -> (Outcome, Vec<String>) {
    let mut read = Vec::new();
    loop {
        let outcome = engine.handle(
            &kms.region,
            operation,
            &request,
            &kms.caller,
            kms.clock.now(),
            kms.entropy.as_mut(),
        );
        if outcome.unseal.is_empty() {
            engine.apply(outcome.changes.clone());
            return (outcome, read);
        }
        for storage_key in &outcome.unseal {
            assert!(!read.contains(storage_key), "{storage_key} asked for twice");
            engine.load(Record::Key(stored[storage_key].clone()));
            read.push(storage_key.clone());
        }
    }
}

fn storage_key(kms: &Sandbox, id: &str) -> String {
    kms_core::key_storage_key(&kms.region, id)
}

#[test]
fn list_keys_and_the_bill_read_no_record() {
    let (mut kms, ids, _) = populated();
    let (mut engine, stored) = reopened(&kms);
    let expected = kms.call("ListKeys", json!({})).unwrap();
    let (outcome, read) = run(&mut kms, &mut engine, &stored, "ListKeys", json!({}));
    assert_eq!(outcome.result.unwrap(), expected);
    assert!(read.is_empty(), "ListKeys read {read:?}");
    // Paged, across read and unread keys alike.
    engine.load(Record::Key(stored[&storage_key(&kms, &ids[2])].clone()));
    let (first, _) = run(
        &mut kms,
        &mut engine,
        &stored,
        "ListKeys",
        json!({"Limit": 2}),
    );
    let first = first.result.unwrap();
    let marker = first["NextMarker"].as_str().unwrap().to_string();
    let (rest, read) = run(
        &mut kms,
        &mut engine,
        &stored,
        "ListKeys",
        json!({"Marker": marker}),
    );
    let listed: Vec<Value> = first["Keys"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest.result.unwrap()["Keys"].as_array().unwrap())
        .cloned()
        .collect();
    assert_eq!(Value::Array(listed), expected["Keys"]);
    assert!(read.is_empty());

    let mut lifetimes = engine.key_lifetimes();
    let mut original = kms.engine.key_lifetimes();
    lifetimes.sort_by(|a, b| a.key_id.cmp(&b.key_id));
    original.sort_by(|a, b| a.key_id.cmp(&b.key_id));
    assert_eq!(lifetimes, original);
}

#[test]
fn a_request_reads_the_key_it_names_and_only_that_one() {
    let (mut kms, ids, _) = populated();
    let (mut engine, stored) = reopened(&kms);
    let expected = kms.call("DescribeKey", json!({"KeyId": ids[2]})).unwrap();
    let (outcome, read) = run(
        &mut kms,
        &mut engine,
        &stored,
        "DescribeKey",
        json!({"KeyId": ids[2]}),
    );
    assert_eq!(outcome.result.unwrap(), expected);
    assert_eq!(read, [storage_key(&kms, &ids[2])]);
    assert!(!engine.is_unread(&kms.region, &ids[2]));
    assert!(engine.is_unread(&kms.region, &ids[0]));

    // By alias: the alias record is read, the key it names is asked for.
    let (outcome, read) = run(
        &mut kms,
        &mut engine,
        &stored,
        "Encrypt",
        json!({"KeyId": "alias/granted", "Plaintext": "aGk="}),
    );
    assert!(outcome.result.is_ok(), "{:?}", outcome.result);
    assert_eq!(read, [storage_key(&kms, &ids[0])]);
    // An unknown key is not found, as before, and reads nothing.
    let unknown = "1234abcd-12ab-34cd-56ef-1234567890ab";
    let (outcome, read) = run(
        &mut kms,
        &mut engine,
        &stored,
        "DescribeKey",
        json!({"KeyId": unknown}),
    );
    assert_eq!(
        outcome.result.unwrap_err().error_type.as_str(),
        "NotFoundException"
    );
    assert!(read.is_empty());
}

#[test]
fn grant_lookups_read_the_keys_with_grants_only() {
    let (mut kms, ids, token) = populated();
    let (mut engine, stored) = reopened(&kms);
    let request = json!({"RetiringPrincipal": "arn:aws:iam::111122223333:role/ops"});
    let expected = kms.call("ListRetirableGrants", request.clone()).unwrap();
    let (outcome, read) = run(
        &mut kms,
        &mut engine,
        &stored,
        "ListRetirableGrants",
        request,
    );
    assert_eq!(outcome.result.unwrap(), expected);
    assert_eq!(read, [storage_key(&kms, &ids[0])]);

    let (mut engine, stored) = reopened(&kms);
    let (outcome, read) = run(
        &mut kms,
        &mut engine,
        &stored,
        "RetireGrant",
        json!({"GrantToken": token}),
    );
    assert!(outcome.result.is_ok(), "{:?}", outcome.result);
    assert_eq!(read, [storage_key(&kms, &ids[0])]);
}

#[test]
fn a_due_deletion_reads_its_key_and_happens() {
    let (mut kms, ids, _) = populated();
    let (mut engine, stored) = reopened(&kms);
    kms.advance_days(8);
    let (outcome, read) = run(&mut kms, &mut engine, &stored, "ListKeys", json!({}));
    assert_eq!(read, [storage_key(&kms, &ids[1])]);
    let listed = outcome.result.unwrap()["Keys"].to_string();
    assert!(!listed.contains(&ids[1]), "the deleted key is listed");
    assert!(listed.contains(&ids[0]) && listed.contains(&ids[2]));
    assert_eq!(outcome.service_events.len(), 1);
    // Deleted keys stay on the bill, with the day they were deleted.
    let deleted = engine
        .key_lifetimes()
        .into_iter()
        .chain(engine.usage().deleted_keys().iter().cloned())
        .find(|l| l.key_id == ids[1])
        .unwrap();
    assert!(deleted.deleted.is_some());
}
