//! Backups: `sandbox.export({ passphrase })` and `KmsSandbox.import(name, file, { passphrase })`.
//! A sandbox exported and imported under a new name works as the old one did (old ciphertexts
//! of every Region decrypt, aliases resolve, grants and an IAM user's access key work, the event
//! history and the clock are there); a wrong passphrase, a damaged, cut or other-version file,
//! and an existing name write nothing.

use crate::common::*;
use kms_web::{delete_sandbox, ImportOptions, KmsError, Sandbox};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

const REGION: &str = "us-east-1";
const OTHER: &str = "eu-west-1";
const PASSPHRASE: &str = "correct horse battery staple";

async fn iam(kms: &Sandbox, op: &str, req: Value) -> Value {
    kms.call_service(kms_web_service("iam"), REGION, op, req.clone())
        .await
        .unwrap_or_else(|e| panic!("{op} {req} failed: {e}"))
}

fn kms_web_service(name: &str) -> kms_core::Service {
    kms_core::Service::from_name(name).unwrap()
}

/// What a populated sandbox holds, to check in its copy.
struct Made {
    key_id: String,
    ciphertext: Value,
    other_ciphertext: Value,
    access_key: (String, String),
    material: Vec<Vec<u8>>,
}

/// A sandbox with a rotated, tagged key behind an alias, a grant to an IAM user with an access
/// key, a key in a second Region, ciphertexts, events and a clock moved a day ahead.
async fn populate(kms: &Sandbox) -> Made {
    let key = ok(
        kms,
        "CreateKey",
        json!({"Description": "backed up", "Tags": [{"TagKey": "team", "TagValue": "blue"}]}),
    )
    .await;
    let key_id = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    ok(
        kms,
        "CreateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": key_id}),
    )
    .await;
    let ciphertext = ok(
        kms,
        "Encrypt",
        json!({"KeyId": "alias/app", "Plaintext": b64(b"hello from before")}),
    )
    .await["CiphertextBlob"]
        .clone();
    ok(kms, "RotateKeyOnDemand", json!({"KeyId": key_id})).await;
    iam(kms, "CreateUser", json!({"UserName": "dev"})).await;
    let created = iam(kms, "CreateAccessKey", json!({"UserName": "dev"})).await;
    let access_key = (
        created["AccessKey"]["AccessKeyId"]
            .as_str()
            .unwrap()
            .to_string(),
        created["AccessKey"]["SecretAccessKey"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    ok(
        kms,
        "CreateGrant",
        json!({"KeyId": key_id, "GranteePrincipal": "arn:aws:iam::111122223333:user/dev",
               "Operations": ["Decrypt"]}),
    )
    .await;
    let other = ok_in(kms, OTHER, "CreateKey", json!({})).await;
    let other_ciphertext = ok_in(
        kms,
        OTHER,
        "Encrypt",
        json!({"KeyId": other["KeyMetadata"]["KeyId"], "Plaintext": b64(b"elsewhere")}),
    )
    .await["CiphertextBlob"]
        .clone();
    kms.advance_clock(86_400.0).await.unwrap();
    kms.flush_events().await.unwrap();
    Made {
        material: kms.test_material(REGION, &key_id),
        key_id,
        ciphertext,
        other_ciphertext,
        access_key,
    }
}

async fn import(
    name: &str,
    file: &[u8],
    passphrase: &str,
    replace: bool,
) -> Result<Sandbox, KmsError> {
    let options = ImportOptions {
        replace,
        region: Some(REGION.into()),
    };
    Sandbox::import(name, &js_sys::Uint8Array::from(file), passphrase, options).await
}

async fn exists(name: &str) -> bool {
    let names = wait(database_names()).await;
    js_sys::Array::from(&names)
        .iter()
        .any(|n| n.as_string().as_deref() == Some(&db_name(name)))
}

/// Event ids of `name` events in `region`, newest first.
async fn event_ids(kms: &Sandbox, region: &str, name: &str) -> Vec<String> {
    let out = kms
        .call_service(
            kms_web_service("cloudtrail"),
            region,
            "LookupEvents",
            json!({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": name}],
                   "MaxResults": 50}),
        )
        .await
        .unwrap();
    out["Events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["EventId"].as_str().unwrap().to_string())
        .collect()
}

#[wasm_bindgen_test]
async fn an_exported_sandbox_imports_under_a_new_name_and_works() {
    let name = unique("backup-src");
    let kms = Sandbox::open(&name, Some(REGION.into()), None)
        .await
        .unwrap();
    let made = populate(&kms).await;

    // Through the JS API, as a page would call it.
    let js_kms = kms.to_js();
    let options = obj(&[("passphrase", PASSPHRASE.into())]);
    let file = wait(
        call_method(&js_kms, "export", &js_sys::Array::of1(&options))
            .unwrap()
            .unchecked_into(),
    )
    .await;
    let file = bytes(&file);
    let (year, month) = kms_core::bill::month_of(now_ms() as i64);
    let used = kms
        .bill(Some(year), Some(month))
        .unwrap()
        .free_requests_used;
    assert!(used >= 2, "{used}");
    let newline = file.iter().position(|b| *b == b'\n').unwrap();
    let header = String::from_utf8_lossy(&file[..newline]).to_string();
    assert!(
        header.starts_with("{\"format\":\"kms-sandbox-backup\",\"version\":2,"),
        "{header}"
    );
    assert!(header.contains("\"iterations\":600000"), "{header}");
    assert!(header.contains("\"chunkSize\":1048576"), "{header}");
    // Nothing in the clear: no key material, secret access key or name of a key's tag.
    for m in &made.material {
        assert!(!contains(&file, m), "key material in the file");
    }
    assert!(!contains(&file, made.access_key.1.as_bytes()));
    assert!(!contains(&file, b"alias/app"));
    assert!(!contains(&file, b"backed up"));

    let copy_name = unique("backup-copy");
    let class = class_of(&js_kms);
    let args = js_sys::Array::of3(
        &copy_name.as_str().into(),
        &js_sys::Uint8Array::from(&file[..]),
        &obj(&[("passphrase", PASSPHRASE.into()), ("region", REGION.into())]),
    );
    let imported = JsFuture::from(js_sys::Promise::from(
        call_method(&class, "import", &args).unwrap(),
    ))
    .await
    .unwrap_or_else(|e| panic!("import failed: {:?}", error_parts(&e)));
    assert_eq!(get(&imported, "name").as_string().unwrap(), copy_name);
    // The Rust handle of the same stored sandbox.
    let copy = Sandbox::open(&copy_name, Some(REGION.into()), None)
        .await
        .unwrap();

    // Old ciphertexts decrypt in both Regions; the alias resolves; rotations, tags and the
    // grant are there; the material is the same bytes.
    let pt = ok(&copy, "Decrypt", json!({"CiphertextBlob": made.ciphertext})).await;
    assert_eq!(unb64(&pt["Plaintext"]), b"hello from before");
    let pt = ok_in(
        &copy,
        OTHER,
        "Decrypt",
        json!({"CiphertextBlob": made.other_ciphertext}),
    )
    .await;
    assert_eq!(unb64(&pt["Plaintext"]), b"elsewhere");
    let d = ok(&copy, "DescribeKey", json!({"KeyId": "alias/app"})).await;
    assert_eq!(d["KeyMetadata"]["KeyId"], made.key_id.as_str());
    assert_eq!(d["KeyMetadata"]["Description"], "backed up");
    let rotations = ok(&copy, "ListKeyRotations", json!({"KeyId": made.key_id})).await;
    assert_eq!(rotations["Rotations"].as_array().unwrap().len(), 1);
    let tags = ok(&copy, "ListResourceTags", json!({"KeyId": made.key_id})).await;
    assert_eq!(
        tags["Tags"],
        json!([{"TagKey": "team", "TagValue": "blue"}])
    );
    let grants = ok(&copy, "ListGrants", json!({"KeyId": made.key_id})).await;
    assert_eq!(grants["Grants"].as_array().unwrap().len(), 1);
    assert_eq!(copy.test_material(REGION, &made.key_id), made.material);
    // Wrapped under the copy's own HSM key, not the original's.
    assert!(!js_sys::Object::is(
        &copy.test_hsm_key().unwrap(),
        &kms.test_hsm_key().unwrap()
    ));

    // The user's access key works through the SDK: who it is, and Decrypt by the grant.
    let handler = get(&copy.to_js(), "requestHandler");
    let (id, secret) = made.access_key.clone();
    let sts = service_client(
        "sts",
        REGION,
        &handler,
        Some(id.clone()),
        Some(secret.clone()),
        None,
    );
    let me = JsFuture::from(sdk_send(&sts, "GetCallerIdentity", &js(json!({}))))
        .await
        .unwrap();
    assert_eq!(
        get(&me, "Arn").as_string().unwrap(),
        "arn:aws:iam::111122223333:user/dev"
    );
    let dev_kms = service_client("kms", REGION, &handler, Some(id), Some(secret), None);
    let blob = js_sys::Uint8Array::from(&unb64(&made.ciphertext)[..]);
    let decrypted = JsFuture::from(sdk_send(
        &dev_kms,
        "Decrypt",
        &obj(&[("CiphertextBlob", blob.into())]),
    ))
    .await
    .unwrap_or_else(|e| panic!("Decrypt as dev failed: {:?}", error_parts(&e)));
    assert_eq!(bytes(&get(&decrypted, "Plaintext")), b"hello from before");

    // The event history came along (the same event ids), and the clock is a day ahead.
    let before = event_ids(&kms, REGION, "CreateAlias").await;
    assert_eq!(before.len(), 1);
    assert_eq!(event_ids(&copy, REGION, "CreateAlias").await, before);
    assert_eq!(event_ids(&copy, OTHER, "CreateKey").await.len(), 1);
    assert!(copy.now() - kms.now() > -60_000, "the clock went back");
    assert!(copy.now() > now_ms() as i64 + 86_000_000);
    // Usage: the copy's bill counts the original's requests (of the month they were made in).
    assert!(
        copy.bill(Some(year), Some(month))
            .unwrap()
            .free_requests_used
            >= used
    );

    // A copy of a copy, from an in-memory sandbox too.
    let memory = Sandbox::memory(Some(REGION.into()), None);
    let k = ok(&memory, "CreateKey", json!({})).await;
    let ct = ok(
        &memory,
        "Encrypt",
        json!({"KeyId": k["KeyMetadata"]["KeyId"], "Plaintext": b64(b"m")}),
    )
    .await;
    let file = memory.export("").await.unwrap().to_vec();
    let from_memory = import(&unique("backup-mem"), &file, "", false)
        .await
        .unwrap();
    let pt = ok(
        &from_memory,
        "Decrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"]}),
    )
    .await;
    assert_eq!(unb64(&pt["Plaintext"]), b"m");
    assert_eq!(event_ids(&from_memory, REGION, "Encrypt").await.len(), 1);
}

#[wasm_bindgen_test]
async fn a_wrong_passphrase_or_a_damaged_file_writes_nothing() {
    let name = unique("backup-bad");
    let kms = Sandbox::open(&name, Some(REGION.into()), None)
        .await
        .unwrap();
    let key = ok(&kms, "CreateKey", json!({})).await;
    let key_id = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let file = kms.export(PASSPHRASE).await.unwrap().to_vec();
    let newline = file.iter().position(|b| *b == b'\n').unwrap();

    let refused = |r: Result<Sandbox, KmsError>| match r {
        Ok(_) => panic!("the import should have been refused"),
        Err(e) => e,
    };
    let target = unique("backup-none");

    let e = refused(import(&target, &file, "not the passphrase", false).await);
    assert_eq!(e.error_type.as_str(), "InvalidPassphraseException", "{e}");
    assert!(!exists(&target).await, "a database was created");

    let mut flipped = file.clone();
    let at = newline + 1 + (file.len() - newline) / 2;
    flipped[at] ^= 0x01;
    let e = refused(import(&target, &flipped, PASSPHRASE, false).await);
    assert_eq!(e.error_type.as_str(), "InvalidBackupException", "{e}");
    assert!(e.message.contains("damaged"), "{e}");
    assert!(!exists(&target).await);

    // The header is bound too: the name in it changed.
    let text = String::from_utf8_lossy(&file[..newline]).to_string();
    let renamed = text.replacen(&name, &name.to_uppercase(), 1);
    let mut edited = renamed.into_bytes();
    edited.extend_from_slice(&file[newline..]);
    let e = refused(import(&target, &edited, PASSPHRASE, false).await);
    assert_eq!(e.error_type.as_str(), "InvalidBackupException", "{e}");

    for cut in [file.len() - 1, newline + 10, newline + 1, newline, 20, 0] {
        let e = refused(import(&target, &file[..cut], PASSPHRASE, false).await);
        assert_eq!(
            e.error_type.as_str(),
            "InvalidBackupException",
            "cut at {cut}: {e}"
        );
    }
    let mut longer = file.clone();
    longer.push(0);
    let e = refused(import(&target, &longer, PASSPHRASE, false).await);
    assert_eq!(e.error_type.as_str(), "InvalidBackupException", "{e}");

    let other_version = text.replacen("\"version\":2,", "\"version\":3,", 1);
    let mut v3 = other_version.into_bytes();
    v3.extend_from_slice(&file[newline..]);
    let e = refused(import(&target, &v3, PASSPHRASE, false).await);
    assert!(e.message.contains("version 3"), "{e}");

    let e = refused(import(&target, b"PK\x03\x04 a zip file", PASSPHRASE, false).await);
    assert!(e.message.contains("not a KMS Sandbox backup"), "{e}");
    assert!(!exists(&target).await, "a database was created");

    // Replacing a sandbox with a bad file leaves it as it was, byte for byte.
    let before = wait(raw_snapshot(&db_name(&name)))
        .await
        .as_string()
        .unwrap();
    let e = refused(import(&name, &flipped, PASSPHRASE, true).await);
    assert_eq!(e.error_type.as_str(), "InvalidBackupException");
    let e = refused(import(&name, &file, "wrong", true).await);
    assert_eq!(e.error_type.as_str(), "InvalidPassphraseException");
    let after = wait(raw_snapshot(&db_name(&name)))
        .await
        .as_string()
        .unwrap();
    assert_eq!(before, after);
    ok(&kms, "DescribeKey", json!({"KeyId": key_id})).await;
}

#[wasm_bindgen_test]
async fn an_existing_name_is_refused_unless_replace_is_given() {
    let name = unique("backup-exists");
    let kms = Sandbox::open(&name, Some(REGION.into()), None)
        .await
        .unwrap();
    let key = ok(&kms, "CreateKey", json!({})).await;
    let key_id = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let file = kms.export(PASSPHRASE).await.unwrap().to_vec();

    let other = unique("backup-other");
    let victim = Sandbox::open(&other, Some(REGION.into()), None)
        .await
        .unwrap();
    let old = ok(&victim, "CreateKey", json!({})).await;
    let before = wait(raw_snapshot(&db_name(&other)))
        .await
        .as_string()
        .unwrap();
    let e = match import(&other, &file, PASSPHRASE, false).await {
        Ok(_) => panic!("an existing name should be refused"),
        Err(e) => e,
    };
    assert_eq!(e.error_type.as_str(), "AlreadyExistsException", "{e}");
    assert!(e.message.contains("replace: true"), "{e}");
    let after = wait(raw_snapshot(&db_name(&other)))
        .await
        .as_string()
        .unwrap();
    assert_eq!(before, after);

    // From JavaScript, the rejection is an Error named as the error type.
    let class = class_of(&kms.to_js());
    let args = js_sys::Array::of3(
        &other.as_str().into(),
        &js_sys::Uint8Array::from(&file[..]),
        &obj(&[("passphrase", PASSPHRASE.into())]),
    );
    let rejected = JsFuture::from(js_sys::Promise::from(
        call_method(&class, "import", &args).unwrap(),
    ))
    .await
    .unwrap_err();
    assert_eq!(error_parts(&rejected).0, "AlreadyExistsException");
    let args = js_sys::Array::of3(
        &unique("backup-js").into(),
        &js_sys::Uint8Array::from(&file[..]),
        &obj(&[]),
    );
    let rejected = JsFuture::from(js_sys::Promise::from(
        call_method(&class, "import", &args).unwrap(),
    ))
    .await
    .unwrap_err();
    assert_eq!(error_parts(&rejected).0, "ValidationException");

    // With replace, the old sandbox is gone and the backup's is there.
    let replaced = import(&other, &file, PASSPHRASE, true).await.unwrap();
    ok(&replaced, "DescribeKey", json!({"KeyId": key_id})).await;
    let e = fails(
        &replaced,
        "DescribeKey",
        json!({"KeyId": old["KeyMetadata"]["KeyId"]}),
    )
    .await;
    assert_eq!(e.error_type.as_str(), "NotFoundException");
    // The old handle's state is gone from storage too: a fresh open sees the backup's.
    let reopened = Sandbox::open(&other, Some(REGION.into()), None)
        .await
        .unwrap();
    ok(&reopened, "DescribeKey", json!({"KeyId": key_id})).await;
}

/// A backup of more records than one chunk of IndexedDB puts (1,000): the import queues them a
/// chunk at a time (so no loop holds the page's main thread), and every key arrives, works and is
/// still there when the sandbox is opened again.
#[wasm_bindgen_test]
async fn a_backup_of_more_records_than_a_chunk_of_puts_imports_whole() {
    let source = Sandbox::memory(Some(REGION.into()), None);
    const KEYS: usize = 1_100;
    let mut first = None;
    let mut last = None;
    for i in 0..KEYS {
        let key = ok(
            &source,
            "CreateKey",
            json!({"Description": format!("k{i}")}),
        )
        .await;
        let id = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
        first.get_or_insert_with(|| id.clone());
        last = Some(id);
    }
    let (first, last) = (first.unwrap(), last.unwrap());
    let sealed = ok(
        &source,
        "Encrypt",
        json!({"KeyId": last, "Plaintext": "bGFzdA=="}),
    )
    .await;
    let file = source.export(PASSPHRASE).await.unwrap().to_vec();

    let name = unique("backup-many");
    let count = |kms: Sandbox| async move {
        let mut n = 0;
        let mut marker: Option<String> = None;
        loop {
            let mut req = json!({"Limit": 1000});
            if let Some(m) = &marker {
                req["Marker"] = json!(m);
            }
            let page = ok(&kms, "ListKeys", req).await;
            n += page["Keys"].as_array().unwrap().len();
            match page["NextMarker"].as_str() {
                Some(m) => marker = Some(m.to_string()),
                None => return (n, kms),
            }
        }
    };
    // The customer managed keys and the sandbox's AWS managed keys.
    let (listed, _) = count(source).await;
    assert!(listed > KEYS, "{listed}");
    let imported = import(&name, &file, PASSPHRASE, false).await.unwrap();
    let (n, imported) = count(imported).await;
    assert_eq!(n, listed);
    let described = ok(&imported, "DescribeKey", json!({"KeyId": first})).await;
    assert_eq!(described["KeyMetadata"]["Description"], "k0");
    drop(imported);

    let reopened = Sandbox::open(&name, Some(REGION.into()), None)
        .await
        .unwrap();
    let (n, reopened) = count(reopened).await;
    assert_eq!(n, listed);
    let plain = ok(
        &reopened,
        "Decrypt",
        json!({"CiphertextBlob": sealed["CiphertextBlob"]}),
    )
    .await;
    assert_eq!(plain["Plaintext"], "bGFzdA==");
    assert!(reopened.damaged().is_empty());
}

/// A backup's body is sealed in chunks, each bound to its place and to whether it is the last:
/// the file imports whole, and a chunk dropped (even the last, which leaves a file cut exactly
/// at a chunk's edge), moved or repeated fails as damaged, writing nothing.
#[wasm_bindgen_test]
async fn a_backup_sealed_in_chunks_refuses_a_chunk_dropped_moved_or_repeated() {
    let kms = Sandbox::memory(Some(REGION.into()), None);
    populate(&kms).await;
    Sandbox::test_set_backup_chunk(Some(1024));
    let file = kms.export(PASSPHRASE).await.unwrap().to_vec();
    Sandbox::test_set_backup_chunk(None);
    let newline = file.iter().position(|b| *b == b'\n').unwrap();
    let header = String::from_utf8_lossy(&file[..newline]).to_string();
    assert!(header.contains("\"chunkSize\":1024,"), "{header}");
    let (head, body) = file.split_at(newline + 1);
    let chunks: Vec<&[u8]> = body.chunks(1024 + 16).collect();
    assert!(chunks.len() >= 4, "{}", chunks.len());
    let file_of = |order: &[usize]| {
        let mut f = head.to_vec();
        for i in order {
            f.extend_from_slice(chunks[*i]);
        }
        f
    };

    let name = unique("backup-chunks");
    let whole: Vec<usize> = (0..chunks.len()).collect();
    assert_eq!(file_of(&whole), file);
    let last = chunks.len() - 1;
    let target = unique("backup-chunks-none");
    let mut swapped = whole.clone();
    swapped.swap(1, 2);
    let mut repeated = whole.clone();
    repeated.insert(2, 1);
    for (what, order) in [
        ("the last dropped", whole[..last].to_vec()),
        ("a middle one dropped", [&whole[..1], &whole[2..]].concat()),
        ("two swapped", swapped),
        ("one repeated", repeated),
    ] {
        match import(&target, &file_of(&order), PASSPHRASE, false).await {
            Ok(_) => panic!("{what}: imported"),
            Err(e) => {
                assert_eq!(
                    e.error_type.as_str(),
                    "InvalidBackupException",
                    "{what}: {e}"
                );
                // Told by a chunk's tag, before the body is parsed.
                let tag = "changed, cut short or added to";
                assert!(e.message.contains(tag), "{what}: {e}");
            }
        }
        assert!(!exists(&target).await, "{what}: a database was created");
    }
    let imported = import(&name, &file, PASSPHRASE, false).await.unwrap();
    ok(&imported, "DescribeKey", json!({"KeyId": "alias/app"})).await;
}

/// A file written by an earlier build (version 1: the body sealed whole) still imports, and its
/// ciphertext still decrypts.
#[wasm_bindgen_test]
async fn a_version_1_backup_still_imports() {
    let file = include_bytes!("../data/backup-v1.kmssandbox");
    let made: Value = serde_json::from_str(include_str!("../data/backup-v1.json")).unwrap();
    assert!(file.starts_with(b"{\"format\":\"kms-sandbox-backup\",\"version\":1,"));
    let options = ImportOptions {
        replace: false,
        region: Some("eu-west-1".into()),
    };
    let passphrase = made["passphrase"].as_str().unwrap();
    let file = js_sys::Uint8Array::from(&file[..]);
    let kms = Sandbox::import(&unique("backup-v1"), &file, passphrase, options)
        .await
        .unwrap();
    let key = ok(&kms, "DescribeKey", json!({"KeyId": "alias/v1"})).await;
    assert_eq!(key["KeyMetadata"]["KeyId"], made["keyId"]);
    let plain = ok(
        &kms,
        "Decrypt",
        json!({"CiphertextBlob": made["ciphertext"]}),
    )
    .await;
    assert_eq!(
        unb64(&plain["Plaintext"]),
        made["plaintext"].as_str().unwrap().as_bytes()
    );
}

/// The ids of every Encrypt event of `region`, newest first, through every page of LookupEvents
/// (whose own calls are events too).
async fn all_encrypt_ids(kms: &Sandbox, region: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut request = json!({
            "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "Encrypt"}],
            "MaxResults": 50,
        });
        if let Some(t) = &token {
            request["NextToken"] = json!(t);
        }
        let out = kms
            .call_service(
                kms_web_service("cloudtrail"),
                region,
                "LookupEvents",
                request,
            )
            .await
            .unwrap();
        ids.extend(
            out["Events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["EventId"].as_str().unwrap().to_string()),
        );
        match out["NextToken"].as_str() {
            Some(t) => {
                assert!(
                    ids.len() < 100_000 && token.as_deref() != Some(t),
                    "paging does not end: {} ids, token {t}",
                    ids.len()
                );
                token = Some(t.to_string());
            }
            None => return ids,
        }
    }
}

/// Resolves in a new task of the page's event loop.
async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_history_of_several_pages_is_exported_whole_and_once() {
    // More events than an export reads in one page (1,000), some stored and some still waiting
    // in memory when the export begins.
    let name = unique("backup-history");
    let kms = Sandbox::open(&name, Some(REGION.into()), None)
        .await
        .unwrap();
    let key = ok(&kms, "CreateKey", json!({})).await["KeyMetadata"]["KeyId"].clone();
    for i in 0..1_200 {
        ok(
            &kms,
            "Encrypt",
            json!({"KeyId": key, "Plaintext": b64(format!("event {i}").as_bytes())}),
        )
        .await;
        if i == 900 {
            kms.flush_events().await.unwrap();
        }
        // Calls that answer at once never let the page have a turn: give it one now and then, as
        // a page's own code would, or the test browser stops answering its driver.
        if i % 100 == 0 {
            next_task().await;
        }
    }
    let before = all_encrypt_ids(&kms, REGION).await;
    assert_eq!(before.len(), 1_200);
    let file = kms.export(PASSPHRASE).await.unwrap();
    drop(kms);

    let copy = unique("backup-history-copy");
    let restored = Sandbox::import(&copy, &file, PASSPHRASE, ImportOptions::default())
        .await
        .unwrap();
    let after = all_encrypt_ids(&restored, REGION).await;
    let first_difference = after.iter().zip(&before).position(|(a, b)| a != b);
    assert_eq!(
        (after.len(), first_difference),
        (before.len(), None),
        "every event, once, in the same order"
    );
    drop(restored);
    delete_sandbox(&copy).await.unwrap();
    delete_sandbox(&name).await.unwrap();
}
