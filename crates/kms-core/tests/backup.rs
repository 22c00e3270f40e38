//! A backup body carries every record with its secrets: read back into a new engine, old
//! ciphertexts decrypt, aliases resolve, grants, access keys and stacks are there. A body that is not
//! one, of another version or missing a secret is refused.

use kms_core::backup::{Backup, BackupReader, BackupWriter};
use kms_core::{json, Engine, Record, Sandbox, Service};

fn populated() -> (Sandbox, String, String) {
    let mut kms = Sandbox::in_memory(3);
    let key = kms
        .call(
            "CreateKey",
            json!({"Tags": [{"TagKey": "team", "TagValue": "blue"}]}),
        )
        .unwrap();
    let key_id = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    kms.call(
        "CreateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": key_id}),
    )
    .unwrap();
    let ct = kms
        .call(
            "Encrypt",
            json!({"KeyId": "alias/app", "Plaintext": "aGVsbG8="}),
        )
        .unwrap()["CiphertextBlob"]
        .as_str()
        .unwrap()
        .to_string();
    kms.call("RotateKeyOnDemand", json!({"KeyId": key_id}))
        .unwrap();
    kms.call_service(Service::Iam, "CreateUser", json!({"UserName": "dev"}))
        .unwrap();
    kms.call(
        "CreateGrant",
        json!({"KeyId": key_id, "GranteePrincipal": "arn:aws:iam::111122223333:user/dev",
               "Operations": ["Decrypt"]}),
    )
    .unwrap();
    kms.call_service(Service::Iam, "CreateAccessKey", json!({"UserName": "dev"}))
        .unwrap();
    let template = json!({"Resources": {"Key": {"Type": "AWS::KMS::Key", "Properties": {}}}});
    kms.call_service(
        Service::CloudFormation,
        "CreateStack",
        json!({"StackName": "lab", "TemplateBody": template.to_string()}),
    )
    .unwrap();
    (kms, key_id, ct)
}

fn backup_of(kms: &Sandbox) -> Backup {
    Backup {
        account_id: kms.engine.account_id().to_string(),
        clock_offset_ms: 5_000,
        records: kms.engine.records(),
        usage: kms.engine.usage().saved_text(),
        events: vec![(
            "001735689600000-001735689600000000-0b1c2d3e-0000-4000-8000-000000000000".into(),
            "{\"eventVersion\":\"1.08\"}".into(),
        )],
    }
}

#[test]
fn a_backup_restores_every_record_with_its_secrets() {
    let (kms, key_id, ct) = populated();
    let bytes = backup_of(&kms).to_bytes().unwrap();
    let text = std::str::from_utf8(bytes.expose()).unwrap();
    assert!(text.starts_with("{\"format\":\"kms-sandbox-backup-body\",\"version\":1,"));

    let restored = Backup::from_bytes(bytes.expose()).unwrap();
    assert_eq!(restored.clock_offset_ms, 5_000);
    assert_eq!(restored.events.len(), 1);
    assert_eq!(restored.records.len(), kms.engine.records().len());
    let mut copy = Sandbox::in_memory(4);
    copy.engine = Engine::new(&restored.account_id);
    for r in restored.records {
        copy.engine.load(r);
    }
    let pt = copy.call("Decrypt", json!({"CiphertextBlob": ct})).unwrap();
    assert_eq!(pt["Plaintext"], "aGVsbG8=");
    let described = copy
        .call("DescribeKey", json!({"KeyId": "alias/app"}))
        .unwrap();
    assert_eq!(described["KeyMetadata"]["KeyId"], key_id.as_str());
    let grants = copy.call("ListGrants", json!({"KeyId": key_id})).unwrap();
    assert_eq!(grants["Grants"].as_array().unwrap().len(), 1);
    let tags = copy
        .call("ListResourceTags", json!({"KeyId": key_id}))
        .unwrap();
    assert_eq!(tags["Tags"][0]["TagValue"], "blue");
    let rotations = copy
        .call("ListKeyRotations", json!({"KeyId": key_id}))
        .unwrap();
    assert_eq!(rotations["Rotations"].as_array().unwrap().len(), 1);
    let stacks = copy
        .call_service(
            Service::CloudFormation,
            "DescribeStacks",
            json!({"StackName": "lab"}),
        )
        .unwrap();
    assert_eq!(stacks["Stacks"][0]["StackStatus"], "CREATE_COMPLETE");
    // The access key's secret came back byte for byte.
    let ids: Vec<String> = kms
        .engine
        .iam_records()
        .filter_map(|r| match r {
            kms_core::IamRecord::AccessKey(k) => Some(k.access_key_id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(
        kms.engine.signing_secret(&ids[0]).unwrap().0,
        copy.engine.signing_secret(&ids[0]).unwrap().0
    );
}

#[test]
fn outstanding_import_parameters_do_not_come_back() {
    let mut kms = Sandbox::in_memory(5);
    let key = kms
        .call("CreateKey", json!({"Origin": "EXTERNAL"}))
        .unwrap();
    let key_id = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let params = kms
        .call(
            "GetParametersForImport",
            json!({"KeyId": key_id, "WrappingAlgorithm": "RSAES_OAEP_SHA_256",
                   "WrappingKeySpec": "RSA_2048"}),
        )
        .unwrap();
    let bytes = backup_of(&kms).to_bytes().unwrap();
    let restored = Backup::from_bytes(bytes.expose()).unwrap();
    let mut copy = Sandbox::in_memory(6);
    copy.engine = Engine::new(&restored.account_id);
    for r in restored.records {
        copy.engine.load(r);
    }
    // The key comes back pending import; the source's token is not good here (it carries no
    // wrapping private key): InvalidImportTokenException, as for a token of another key.
    let described = copy.call("DescribeKey", json!({"KeyId": key_id})).unwrap();
    assert_eq!(described["KeyMetadata"]["KeyState"], "PendingImport");
    let e = copy
        .call(
            "ImportKeyMaterial",
            json!({"KeyId": key_id, "ImportToken": params["ImportToken"],
                   "EncryptedKeyMaterial": "AAAA", "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}),
        )
        .unwrap_err();
    assert_eq!(e.error_type, kms_core::ErrorType::InvalidImportToken);
}

#[test]
fn a_body_that_is_not_a_backup_or_misses_a_secret_is_refused() {
    let (kms, _, _) = populated();
    let bytes = backup_of(&kms).to_bytes().unwrap();
    let text = std::str::from_utf8(bytes.expose()).unwrap().to_string();

    let other_version = text.replacen("\"version\":1,", "\"version\":2,", 1);
    let e = Backup::from_bytes(other_version.as_bytes()).err().unwrap();
    assert!(e.contains("version 2"), "{e}");

    let not_a_body = text.replacen("kms-sandbox-backup-body", "something-else", 1);
    assert!(Backup::from_bytes(not_a_body.as_bytes()).is_err());

    // A key without the material of one of its backing keys.
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let key = value["keys"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|k| k["record"]["backing_keys"].as_array().unwrap().len() == 2)
        .unwrap();
    key["material"].as_object_mut().unwrap().clear();
    let e = Backup::from_bytes(value.to_string().as_bytes())
        .err()
        .unwrap();
    assert!(e.contains("has no material"), "{e}");

    // A key moved to another account.
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value["accountId"] = json!("444455556666");
    let e = Backup::from_bytes(value.to_string().as_bytes())
        .err()
        .unwrap();
    assert!(e.contains("is not a key of account 444455556666"), "{e}");

    assert!(Backup::from_bytes(&text.as_bytes()[..text.len() / 2]).is_err());
}

#[test]
fn records_lists_keys_aliases_and_iam_records() {
    let (kms, _, _) = populated();
    let records = kms.engine.records();
    assert!(records
        .iter()
        .any(|r| matches!(r, Record::Alias(a) if a.name == "alias/app")));
    assert!(records.iter().any(|r| matches!(r, Record::Iam(_))));
    assert!(
        records
            .iter()
            .filter(|r| matches!(r, Record::Key(_)))
            .count()
            >= 1
    );
}

/// Read a piece at a time (as the browser shell reads a big backup, giving its page a turn
/// between pieces), a body gives what reading it whole gives, whatever the order of its members;
/// and a body with a member unknown, twice or missing, or with anything after it, is refused.
#[test]
fn a_body_read_a_piece_at_a_time_is_the_body_read_whole() {
    let (kms, _, _) = populated();
    let bytes = backup_of(&kms).to_bytes().unwrap();
    let whole = Backup::from_bytes(bytes.expose()).unwrap();

    let mut reader = BackupReader::new(bytes.expose());
    let mut steps = 1;
    let pieces = loop {
        match reader.step(1).unwrap() {
            Some(backup) => break backup,
            None => steps += 1,
        }
    };
    // Members, the entries of the arrays and the checks of the entries: one step each.
    assert!(steps > 2 * whole.records.len(), "{steps}");
    assert_eq!(
        pieces.to_bytes().unwrap().expose(),
        whole.to_bytes().unwrap().expose()
    );
    assert_eq!(pieces.records.len(), whole.records.len());

    // Members in another order (serde_json's map sorts them by name).
    let text = std::str::from_utf8(bytes.expose()).unwrap().to_string();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let sorted = value.to_string();
    assert!(sorted.starts_with("{\"accountId\""), "{}", &sorted[..20]);
    let reordered = Backup::from_bytes(sorted.as_bytes()).unwrap();
    assert_eq!(
        reordered.to_bytes().unwrap().expose(),
        whole.to_bytes().unwrap().expose()
    );

    let refused = |body: &str| Backup::from_bytes(body.as_bytes()).err().unwrap();
    let e = refused(&text.replacen("{", "{\"extra\":1,", 1));
    assert!(e.contains("unknown field `extra`"), "{e}");
    let e = refused(&text.replacen("{", "{\"version\":1,", 1));
    assert!(e.contains("duplicate field `version`"), "{e}");
    let mut without = value.clone();
    without.as_object_mut().unwrap().remove("iam");
    let e = refused(&without.to_string());
    assert!(e.contains("missing field `iam`"), "{e}");
    let e = refused(&format!("{text} x"));
    assert!(e.contains("trailing characters"), "{e}");
    let e = refused(&text.replacen("\"keys\":[", "\"keys\":[1,", 1));
    assert!(e.contains("do not parse"), "{e}");
}

/// `backup` with `n` events, copies of its first under distinct keys.
fn with_events(mut backup: Backup, n: usize) -> Backup {
    let event = backup.events[0].clone();
    backup.events = (0..n)
        .map(|i| {
            (
                event.0.replacen("0b1c", &format!("{i:04}"), 1),
                event.1.clone(),
            )
        })
        .collect();
    backup
}

/// A history handed to the writer in batches (as the browser shell reads a long one, a page at a
/// time) after the backup's own events makes the body the whole history would: the writer waits
/// while it has no event and more may come, and ends the body only once told.
#[test]
fn events_handed_in_batches_make_the_body_of_the_whole_history() {
    let (kms, _, _) = populated();
    let backup = with_events(backup_of(&kms), 7);
    let whole = backup.to_bytes().unwrap();

    let mut first = Backup {
        account_id: backup.account_id.clone(),
        clock_offset_ms: backup.clock_offset_ms,
        records: backup.records.clone(),
        usage: backup.usage.clone(),
        events: backup.events[..2].to_vec(),
    };
    let mut batches = vec![
        backup.events[2..3].to_vec(),
        backup.events[3..7].to_vec(),
        vec![],
    ];
    batches.reverse();
    let mut writer = BackupWriter::with_streamed_events(&first);
    let (mut waits, mut out) = (0, Vec::new());
    loop {
        let done = writer.step(3).unwrap();
        out.extend_from_slice(writer.take(usize::MAX).expose());
        if done {
            break;
        }
        if writer.wants_events() {
            waits += 1;
            match batches.pop() {
                Some(batch) => writer.push_events(batch),
                None => writer.end_events(),
            }
        }
    }
    assert_eq!(out, whole.expose());
    assert!(waits >= 4, "{waits}");
    // Waiting, a writer makes no progress and is not done.
    first.events.clear();
    let mut waiting = BackupWriter::with_streamed_events(&first);
    assert!(!waiting.step(usize::MAX).unwrap());
    assert!(waiting.wants_events());
    let pending = waiting.pending();
    assert!(!waiting.step(usize::MAX).unwrap());
    assert_eq!(waiting.pending(), pending);
    waiting.end_events();
    assert!(waiting.step(usize::MAX).unwrap());
    let body = waiting.take(usize::MAX);
    assert!(std::str::from_utf8(body.expose())
        .unwrap()
        .ends_with("\"events\":[]}"));
}

/// Written a piece at a time and taken in chunks (as the browser shell seals a big backup, a
/// chunk at a time), a body is the body written whole: valid JSON with its members in the
/// documented order, empty arrays included, that reads back to the same records.
#[test]
fn a_body_written_a_piece_at_a_time_is_the_body_written_whole() {
    let (kms, _, _) = populated();
    let backup = with_events(backup_of(&kms), 5);
    let whole = backup.to_bytes().unwrap();

    let mut writer = BackupWriter::new(&backup);
    let (mut steps, mut taken) = (0, Vec::new());
    loop {
        steps += 1;
        let done = writer.step(1).unwrap();
        // Chunks of an odd size, taken whenever one is full, and the rest at the end.
        while writer.pending() >= 37 {
            let chunk = writer.take(37);
            assert_eq!(chunk.len(), 37);
            taken.extend_from_slice(chunk.expose());
        }
        if done {
            taken.extend_from_slice(writer.take(usize::MAX).expose());
            break;
        }
    }
    assert_eq!(writer.pending(), 0);
    assert!(
        steps > backup.records.len() + backup.events.len(),
        "{steps}"
    );
    assert_eq!(taken, whole.expose());

    let text = std::str::from_utf8(whole.expose()).unwrap();
    let value: serde_json::Value = serde_json::from_str(text).unwrap();
    assert!(text.starts_with(
        "{\"format\":\"kms-sandbox-backup-body\",\"version\":1,\"accountId\":\"111122223333\",\
         \"clockOffsetMs\":5000,\"keys\":[{"
    ));
    let order = [
        "}],\"aliases\":[",
        "}],\"iam\":[",
        "}],\"usage\":",
        ",\"events\":[[",
    ];
    let at: Vec<usize> = order.iter().map(|m| text.find(m).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    assert_eq!(value["events"].as_array().unwrap().len(), 5);
    assert_eq!(value["events"][4][0], backup.events[4].0.as_str());
    let read = Backup::from_bytes(whole.expose()).unwrap();
    assert_eq!(read.records.len(), backup.records.len());
    assert_eq!(read.events, backup.events);

    // No IAM records and no events: empty arrays, still a body.
    let mut bare = backup_of(&kms);
    bare.records.retain(|r| !matches!(r, Record::Iam(_)));
    bare.events.clear();
    let bytes = bare.to_bytes().unwrap();
    let text = std::str::from_utf8(bytes.expose()).unwrap();
    assert!(text.contains("\"iam\":[],\"usage\":"), "{text}");
    assert!(text.ends_with("\"events\":[]}"), "{text}");
    assert_eq!(
        Backup::from_bytes(bytes.expose()).unwrap().records.len(),
        bare.records.len()
    );
}
