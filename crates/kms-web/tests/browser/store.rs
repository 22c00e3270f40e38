//! The durable store in a real browser: persistence across reopen, the HSM key, no plaintext
//! material in IndexedDB, failed writes, serialized mutations, sandboxes side by side.

use crate::common::*;
use js_sys::Uint8Array;
use kms_web::{delete_sandbox, list_sandboxes, Sandbox};
use serde_json::{json, Value};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

/// The default region of a sandbox opened without one.
const REGION: &str = "ap-southeast-2";

fn policy(marker: &str) -> String {
    json!({
        "Version": "2012-10-17",
        "Id": marker,
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "kms:*",
            "Resource": "*"
        }]
    })
    .to_string()
}

#[wasm_bindgen_test]
async fn everything_survives_a_reopen_and_old_ciphertexts_decrypt() {
    let name = unique("persist");
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    assert!(kms.is_persistent());
    assert_eq!(kms.name(), name);
    assert_eq!(kms.region(), "ap-southeast-2");
    assert_eq!(kms.account_id(), "111122223333");

    let a = ok(
        &kms,
        "CreateKey",
        json!({"Description": "key a", "Tags": [{"TagKey": "team", "TagValue": "blue"}]}),
    )
    .await;
    let a = a["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let b = ok(
        &kms,
        "CreateKey",
        json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
    )
    .await;
    let b = b["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let c = ok(
        &kms,
        "CreateKey",
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    )
    .await;
    let c = c["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();

    ok(
        &kms,
        "CreateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": a}),
    )
    .await;
    ok(
        &kms,
        "TagResource",
        json!({"KeyId": a, "Tags": [{"TagKey": "env", "TagValue": "test"}]}),
    )
    .await;
    ok(
        &kms,
        "PutKeyPolicy",
        json!({"KeyId": a, "PolicyName": "default", "Policy": policy("marker-7")}),
    )
    .await;
    ok(
        &kms,
        "EnableKeyRotation",
        json!({"KeyId": a, "RotationPeriodInDays": 120}),
    )
    .await;
    let old = ok(
        &kms,
        "Encrypt",
        json!({"KeyId": "alias/app", "Plaintext": b64(b"before rotation"),
        "EncryptionContext": {"purpose": "reopen"}}),
    )
    .await;
    ok(&kms, "RotateKeyOnDemand", json!({"KeyId": a})).await;
    let new = ok(
        &kms,
        "Encrypt",
        json!({"KeyId": a, "Plaintext": b64(b"after rotation")}),
    )
    .await;
    let mac = ok(
        &kms,
        "GenerateMac",
        json!({"KeyId": b, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_256"}),
    )
    .await;
    let sig = ok(
        &kms,
        "Sign",
        json!({"KeyId": c, "Message": b64(b"s"), "SigningAlgorithm": "ECDSA_SHA_256"}),
    )
    .await;
    ok(&kms, "DisableKey", json!({"KeyId": b})).await;
    let before_keys = all_keys(&kms, REGION).await;
    assert_eq!(customer_keys(&kms, REGION).await.len(), 3);
    let before_rotations = ok(&kms, "ListKeyRotations", json!({"KeyId": a})).await;
    drop(kms);

    let kms = Sandbox::open(&name, None, None).await.unwrap();
    assert_eq!(all_keys(&kms, REGION).await, before_keys);
    for id in [&a, &b, &c] {
        assert!(before_keys.contains(id));
    }
    let aliases = ok(&kms, "ListAliases", json!({"KeyId": a})).await;
    assert_eq!(aliases["Aliases"][0]["AliasName"], "alias/app");
    assert_eq!(aliases["Aliases"][0]["TargetKeyId"], a.as_str());
    let tags = ok(&kms, "ListResourceTags", json!({"KeyId": a})).await;
    assert_eq!(
        tags["Tags"],
        json!([{"TagKey": "env", "TagValue": "test"}, {"TagKey": "team", "TagValue": "blue"}])
    );
    let p = ok(
        &kms,
        "GetKeyPolicy",
        json!({"KeyId": a, "PolicyName": "default"}),
    )
    .await;
    assert!(p["Policy"].as_str().unwrap().contains("marker-7"));
    let rot = ok(&kms, "GetKeyRotationStatus", json!({"KeyId": a})).await;
    assert_eq!(rot["KeyRotationEnabled"], true);
    assert_eq!(rot["RotationPeriodInDays"], 120);
    assert_eq!(
        ok(&kms, "ListKeyRotations", json!({"KeyId": a})).await,
        before_rotations
    );
    let desc = ok(&kms, "DescribeKey", json!({"KeyId": a})).await;
    assert_eq!(desc["KeyMetadata"]["Description"], "key a");
    let desc_b = ok(&kms, "DescribeKey", json!({"KeyId": b})).await;
    assert_eq!(desc_b["KeyMetadata"]["KeyState"], "Disabled");

    // Material of both backing keys came back: the pre-rotation ciphertext decrypts.
    let pt = ok(
        &kms,
        "Decrypt",
        json!({"CiphertextBlob": old["CiphertextBlob"],
        "EncryptionContext": {"purpose": "reopen"}}),
    )
    .await;
    assert_eq!(unb64(&pt["Plaintext"]), b"before rotation");
    assert_eq!(pt["KeyId"], desc["KeyMetadata"]["Arn"]);
    let pt = ok(
        &kms,
        "Decrypt",
        json!({"CiphertextBlob": new["CiphertextBlob"]}),
    )
    .await;
    assert_eq!(unb64(&pt["Plaintext"]), b"after rotation");
    // The HMAC and ECC keys' material too.
    ok(&kms, "EnableKey", json!({"KeyId": b})).await;
    let v = ok(&kms, "VerifyMac", json!({"KeyId": b, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_256", "Mac": mac["Mac"]})).await;
    assert_eq!(v["MacValid"], true);
    let v = ok(&kms, "Verify", json!({"KeyId": c, "Message": b64(b"s"), "SigningAlgorithm": "ECDSA_SHA_256", "Signature": sig["Signature"]})).await;
    assert_eq!(v["SignatureValid"], true);
    // And the enable just made was persisted as well.
    drop(kms);
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    assert_eq!(
        ok(&kms, "DescribeKey", json!({"KeyId": b})).await["KeyMetadata"]["KeyState"],
        "Enabled"
    );
    drop(kms);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_hsm_key_in_indexeddb_is_a_non_extractable_aes_gcm_key() {
    let name = unique("hsm");
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    let a = ok(&kms, "CreateKey", json!({})).await["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let ct = ok(
        &kms,
        "Encrypt",
        json!({"KeyId": a, "Plaintext": b64(b"wrapped")}),
    )
    .await;
    let stored = wait(raw_get(&db_name(&name), "meta", "hsm")).await;
    let key: web_sys::CryptoKey = stored
        .dyn_into()
        .expect("the stored HSM key is a CryptoKey object");
    assert!(!key.extractable());
    assert_eq!(key.type_(), "secret");
    assert_eq!(
        get(&key.algorithm().unwrap(), "name").as_string().unwrap(),
        "AES-GCM"
    );
    assert_eq!(
        get(&key.algorithm().unwrap(), "length").as_f64().unwrap(),
        256.0
    );
    let usages: Vec<String> = js_sys::Array::from(&key.usages())
        .iter()
        .filter_map(|u| u.as_string())
        .collect();
    assert_eq!(usages, ["encrypt", "decrypt"]);
    for format in ["raw", "jwk", "pkcs8"] {
        assert!(
            wait(export_rejects(&key, format)).await.as_bool().unwrap(),
            "exportKey({format}) must reject"
        );
    }
    // The key the sandbox holds in memory is just as locked.
    let in_use = kms.test_hsm_key().unwrap();
    assert!(!in_use.extractable());
    assert!(wait(export_rejects(&in_use, "raw"))
        .await
        .as_bool()
        .unwrap());
    // A second open reads the same key back and unwraps what the first wrote.
    drop(kms);
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    assert_eq!(customer_keys(&kms, REGION).await, vec![a.clone()]);
    let pt = ok(
        &kms,
        "Decrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"]}),
    )
    .await;
    assert_eq!(unb64(&pt["Plaintext"]), b"wrapped");
    drop(kms);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn no_stored_value_holds_plaintext_key_material() {
    let name = unique("scan");
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    let mut keys = Vec::new();
    for spec in [
        json!({}),
        json!({"KeySpec": "HMAC_512", "KeyUsage": "GENERATE_VERIFY_MAC"}),
        json!({"KeySpec": "ECC_NIST_P384", "KeyUsage": "SIGN_VERIFY"}),
        json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}),
    ] {
        let k = ok(&kms, "CreateKey", spec).await;
        keys.push(k["KeyMetadata"]["KeyId"].as_str().unwrap().to_string());
    }
    ok(&kms, "RotateKeyOnDemand", json!({"KeyId": keys[0]})).await;
    let dk = ok(
        &kms,
        "GenerateDataKey",
        json!({"KeyId": keys[0], "KeySpec": "AES_256"}),
    )
    .await;
    ok(
        &kms,
        "Encrypt",
        json!({"KeyId": keys[0], "Plaintext": b64(b"hello")}),
    )
    .await;
    ok(
        &kms,
        "TagResource",
        json!({"KeyId": keys[3], "Tags": [{"TagKey": "k", "TagValue": "v"}]}),
    )
    .await;

    // The material of every key in the sandbox: the four above and the AWS managed keys.
    let every_key = all_keys(&kms, REGION).await;
    let managed = every_key.len() - keys.len();
    assert!(managed >= 1, "the region holds AWS managed keys too");
    let mut secrets: Vec<Vec<u8>> = Vec::new();
    for k in &every_key {
        let material = kms.test_material(REGION, k);
        assert!(
            !material.is_empty(),
            "the test hook sees the material of {k}"
        );
        secrets.extend(material);
    }
    assert_eq!(
        secrets.len(),
        5 + managed,
        "two backing keys for the rotated key, one for each other key"
    );
    secrets.push(unb64(&dk["Plaintext"]));
    // Also the material's text encodings, should anything have stringified it.
    let mut needles: Vec<Vec<u8>> = Vec::new();
    for s in &secrets {
        assert!(s.len() >= 28, "material is at least 28 bytes");
        needles.push(s.clone());
        needles.push(b64(s).into_bytes());
        needles.push(
            s.iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
                .into_bytes(),
        );
        needles.push(
            s.iter()
                .map(|b| b.to_string())
                .collect::<Vec<_>>()
                .join(",")
                .into_bytes(),
        );
    }

    let values = wait(raw_values(&db_name(&name))).await;
    let values: js_sys::Array = values.dyn_into().unwrap();
    // Every key and its summary, every alias (the AWS managed keys' `aws/...` ones), meta (hsm,
    // settings, schema, rev) and the change log (one entry per revision).
    let aliases = ok(&kms, "ListAliases", json!({"Limit": 100})).await;
    let aliases = aliases["Aliases"].as_array().unwrap().len();
    assert!(aliases >= managed);
    assert_eq!(
        values.length() as usize,
        2 * every_key.len() + aliases + 4 + kms.test_revision() as usize
    );
    let mut sequences: Vec<Vec<u8>> = Vec::new();
    for v in values.iter() {
        for s in byte_sequences(&v).iter() {
            sequences.push(s.dyn_into::<Uint8Array>().unwrap().to_vec());
        }
    }
    // The scan does see the records: key ids and wrapped blobs are there.
    let all: Vec<u8> = sequences.concat();
    for k in &every_key {
        assert!(
            contains(&all, k.as_bytes()),
            "the scan reads key {k}'s record"
        );
    }
    let wrapped_blobs = sequences.iter().filter(|s| s.len() >= 44).count();
    assert!(
        wrapped_blobs >= 5 + managed,
        "the scan sees the wrapped material"
    );
    for (i, needle) in needles.iter().enumerate() {
        for seq in &sequences {
            assert!(
                !contains(seq, needle),
                "secret #{} (form {}) found in IndexedDB",
                i / 4,
                i % 4
            );
        }
    }
    // Positive control: the same scan finds material planted in a structured value.
    let planted = obj(&[("x", obj(&[("y", Uint8Array::from(&secrets[2][..]).into())]))]);
    let found = byte_sequences(&planted)
        .iter()
        .any(|s| contains(&s.dyn_into::<Uint8Array>().unwrap().to_vec(), &secrets[2]));
    assert!(found, "the scanner detects material when it is there");
    drop(kms);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn an_aborted_write_leaves_engine_and_store_as_they_were() {
    let name = unique("abort");
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    let a = ok(&kms, "CreateKey", json!({"Description": "kept"})).await["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    ok(&kms, "EnableKeyRotation", json!({"KeyId": a})).await;
    let ct = ok(
        &kms,
        "Encrypt",
        json!({"KeyId": a, "Plaintext": b64(b"before")}),
    )
    .await;
    let keys_before = all_keys(&kms, REGION).await;
    let rotations_before = ok(&kms, "ListKeyRotations", json!({"KeyId": a})).await;
    let material_before = kms.test_material(REGION, &a);
    assert_eq!(material_before.len(), 1);
    let stored_before = wait(raw_snapshot(&db_name(&name)))
        .await
        .as_string()
        .unwrap();
    assert!(
        stored_before.contains(&a),
        "the snapshot holds the key record"
    );

    // Each kind of change, each made to fail: a new key, an update, a new alias, a deletion
    // schedule, a rotation (new backing key), a tag.
    let attempts = [
        ("CreateKey", json!({"Description": "lost"})),
        (
            "UpdateKeyDescription",
            json!({"KeyId": a, "Description": "changed"}),
        ),
        (
            "CreateAlias",
            json!({"AliasName": "alias/lost", "TargetKeyId": a}),
        ),
        (
            "ScheduleKeyDeletion",
            json!({"KeyId": a, "PendingWindowInDays": 7}),
        ),
        ("RotateKeyOnDemand", json!({"KeyId": a})),
        (
            "TagResource",
            json!({"KeyId": a, "Tags": [{"TagKey": "lost", "TagValue": "v"}]}),
        ),
    ];
    for (op, req) in attempts {
        kms.test_fail_next_write();
        let e = fails(&kms, op, req).await;
        assert_eq!(e.error_type.as_str(), "KMSInternalException", "{op}: {e}");
        assert!(e.message.contains("AbortError"), "{op}: {}", e.message);
        // IndexedDB holds exactly what it held before, byte for byte.
        let stored = wait(raw_snapshot(&db_name(&name)))
            .await
            .as_string()
            .unwrap();
        assert!(
            stored == stored_before,
            "{op}: IndexedDB changed after a failed write"
        );
    }

    // The engine did not apply any of them.
    assert_eq!(all_keys(&kms, REGION).await, keys_before);
    let d = ok(&kms, "DescribeKey", json!({"KeyId": a})).await;
    assert_eq!(d["KeyMetadata"]["Description"], "kept");
    assert_eq!(d["KeyMetadata"]["KeyState"], "Enabled");
    assert_eq!(
        ok(&kms, "ListKeyRotations", json!({"KeyId": a})).await,
        rotations_before
    );
    assert_eq!(
        ok(&kms, "ListResourceTags", json!({"KeyId": a})).await["Tags"],
        json!([])
    );
    assert_eq!(kms.test_material(REGION, &a), material_before);
    let e = fails(&kms, "DescribeKey", json!({"KeyId": "alias/lost"})).await;
    assert_eq!(e.error_type.as_str(), "NotFoundException");
    let pt = ok(
        &kms,
        "Decrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"]}),
    )
    .await;
    assert_eq!(unb64(&pt["Plaintext"]), b"before");
    // The hook fails one write only: the store is still usable, and holds the committed state.
    ok(
        &kms,
        "CreateAlias",
        json!({"AliasName": "alias/lost", "TargetKeyId": a}),
    )
    .await;
    drop(kms);
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    assert_eq!(all_keys(&kms, REGION).await, keys_before);
    assert_eq!(customer_keys(&kms, REGION).await, vec![a.clone()]);
    let d = ok(&kms, "DescribeKey", json!({"KeyId": "alias/lost"})).await;
    assert_eq!(d["KeyMetadata"]["Description"], "kept");
    assert_eq!(d["KeyMetadata"]["KeyState"], "Enabled");
    assert_eq!(
        ok(&kms, "ListKeyRotations", json!({"KeyId": a})).await,
        rotations_before
    );
    assert_eq!(kms.test_material(REGION, &a), material_before);
    drop(kms);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn deleting_the_database_from_under_an_open_sandbox_fails_writes_not_the_engine() {
    let name = unique("yank");
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    let a = ok(&kms, "CreateKey", json!({})).await["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let ct = ok(&kms, "Encrypt", json!({"KeyId": a, "Plaintext": b64(b"x")})).await;
    let keys_before = all_keys(&kms, REGION).await;
    // Not blocked by the open connection: the store closes it when asked.
    delete_sandbox(&name).await.unwrap();
    assert!(!list_sandboxes().await.unwrap().contains(&name));

    let e = fails(&kms, "CreateKey", json!({})).await;
    assert_eq!(e.error_type.as_str(), "KMSInternalException");
    assert!(e.message.contains("could not save"), "{}", e.message);
    let e = fails(
        &kms,
        "ScheduleKeyDeletion",
        json!({"KeyId": a, "PendingWindowInDays": 7}),
    )
    .await;
    assert_eq!(e.error_type.as_str(), "KMSInternalException");
    // Reads still answer from the last committed state.
    assert_eq!(all_keys(&kms, REGION).await, keys_before);
    assert_eq!(
        ok(&kms, "DescribeKey", json!({"KeyId": a})).await["KeyMetadata"]["KeyState"],
        "Enabled"
    );
    let pt = ok(
        &kms,
        "Decrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"]}),
    )
    .await;
    assert_eq!(unb64(&pt["Plaintext"]), b"x");
    drop(kms);
    // Opening the name again starts an empty sandbox with a new HSM key.
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    assert_eq!(customer_keys(&kms, REGION).await, Vec::<String>::new());
    let e = fails(
        &kms,
        "Decrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"]}),
    )
    .await;
    assert_ne!(e.error_type.as_str(), "KMSInternalException");
    drop(kms);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn concurrent_mutations_are_serialized_and_none_is_lost() {
    let name = unique("queue");
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    let a = ok(&kms, "CreateKey", json!({})).await["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    // Twelve tag changes and six aliases in flight at once, plus reads among them.
    let spawn = |op: &'static str, req: Value| {
        let kms = kms.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            kms.call(op, req)
                .await
                .map(|_| wasm_bindgen::JsValue::TRUE)
                .map_err(|e| e.to_string().into())
        })
    };
    let promises = js_sys::Array::new();
    for i in 0..12 {
        promises.push(&spawn(
            "TagResource",
            json!({"KeyId": a, "Tags": [{"TagKey": format!("t{i:02}"), "TagValue": "v"}]}),
        ));
        if i % 2 == 0 {
            promises.push(&spawn(
                "CreateAlias",
                json!({"AliasName": format!("alias/q{i:02}"), "TargetKeyId": a}),
            ));
            promises.push(&spawn(
                "Encrypt",
                json!({"KeyId": a, "Plaintext": b64(b"r")}),
            ));
        }
    }
    wait(js_sys::Promise::all(&promises)).await;
    let check = |tags: &Value, aliases: &Value| {
        assert_eq!(tags["Tags"].as_array().unwrap().len(), 12, "{tags}");
        assert_eq!(aliases["Aliases"].as_array().unwrap().len(), 6, "{aliases}");
    };
    check(
        &ok(&kms, "ListResourceTags", json!({"KeyId": a})).await,
        &ok(&kms, "ListAliases", json!({"KeyId": a})).await,
    );
    drop(kms);
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    check(
        &ok(&kms, "ListResourceTags", json!({"KeyId": a})).await,
        &ok(&kms, "ListAliases", json!({"KeyId": a})).await,
    );
    drop(kms);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn sandboxes_live_side_by_side_and_can_be_listed_and_deleted() {
    let (one, two) = (unique("side-one"), unique("side-two"));
    let kms1 = Sandbox::open(&one, None, None).await.unwrap();
    let kms2 = Sandbox::open(&two, Some("eu-west-1".into()), Some("444455556666".into()))
        .await
        .unwrap();
    let k1 = ok(&kms1, "CreateKey", json!({})).await;
    assert!(k1["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws:kms:ap-southeast-2:111122223333:key/"));
    let k2 = ok(&kms2, "CreateKey", json!({})).await;
    assert!(k2["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws:kms:eu-west-1:444455556666:key/"));
    let k1 = k1["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let k2 = k2["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    assert_eq!(customer_keys(&kms1, REGION).await, vec![k1.clone()]);
    assert_eq!(customer_keys(&kms2, "eu-west-1").await, vec![k2.clone()]);
    // Each sandbox's database holds its own keys only.
    let hsm1 = wait(raw_snapshot(&db_name(&one)))
        .await
        .as_string()
        .unwrap();
    assert!(hsm1.contains(&k1) && !hsm1.contains(&k2));
    let names = list_sandboxes().await.unwrap();
    assert!(names.contains(&one) && names.contains(&two), "{names:?}");
    // The account id is the sandbox's: reopening with another is refused, without one it is kept.
    drop(kms2);
    let e = Sandbox::open(&two, None, Some("111122223333".into()))
        .await
        .err()
        .unwrap();
    assert_eq!(e.error_type.as_str(), "KMSInternalException");
    assert!(e.message.contains("444455556666"), "{}", e.message);
    let kms2 = Sandbox::open(&two, None, None).await.unwrap();
    assert_eq!(kms2.account_id(), "444455556666");
    assert_eq!(kms2.region(), "ap-southeast-2");
    // Region is per call: eu-west-1 has the key, the default region has none.
    assert_eq!(customer_keys(&kms2, REGION).await, Vec::<String>::new());
    assert_eq!(customer_keys(&kms2, "eu-west-1").await, vec![k2.clone()]);
    drop(kms2);
    delete_sandbox(&two).await.unwrap();
    let names = list_sandboxes().await.unwrap();
    assert!(names.contains(&one) && !names.contains(&two), "{names:?}");
    let dbs = wait(database_names()).await;
    assert!(!js_sys::Array::from(&dbs)
        .iter()
        .any(|d| d.as_string() == Some(db_name(&two))));
    assert_eq!(customer_keys(&kms1, REGION).await, vec![k1.clone()]);
    drop(kms1);
    // Reopening the deleted name starts from nothing.
    let kms2 = Sandbox::open(&two, None, None).await.unwrap();
    assert_eq!(kms2.account_id(), "111122223333");
    assert_eq!(
        customer_keys(&kms2, "eu-west-1").await,
        Vec::<String>::new()
    );
    drop(kms2);
    delete_sandbox(&two).await.unwrap();
    delete_sandbox(&one).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_memory_sandbox_works_and_writes_nothing() {
    let before = wait(database_names()).await;
    let kms = Sandbox::memory(Some("us-east-1".into()), None);
    assert!(!kms.is_persistent());
    let k = ok(
        &kms,
        "CreateKey",
        json!({"Tags": [{"TagKey": "a", "TagValue": "b"}]}),
    )
    .await;
    let id = k["KeyMetadata"]["KeyId"].as_str().unwrap();
    assert!(k["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws:kms:us-east-1:111122223333:"));
    let ct = ok(
        &kms,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"mem")}),
    )
    .await;
    assert_eq!(
        unb64(
            &ok(
                &kms,
                "Decrypt",
                json!({"CiphertextBlob": ct["CiphertextBlob"]})
            )
            .await["Plaintext"]
        ),
        b"mem"
    );
    ok(
        &kms,
        "CreateAlias",
        json!({"AliasName": "alias/m", "TargetKeyId": id}),
    )
    .await;
    assert_eq!(
        ok(&kms, "ListAliases", json!({"KeyId": id})).await["Aliases"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let after = wait(database_names()).await;
    assert_eq!(
        js_sys::Array::from(&before).length(),
        js_sys::Array::from(&after).length()
    );
    assert!(Sandbox::try_memory(Some("Not A Region".into()), None).is_err());
    assert!(Sandbox::try_memory(None, Some("12".into())).is_err());
}

#[wasm_bindgen_test]
async fn rsa_keys_come_from_webcrypto() {
    let kms = Sandbox::memory(None, None);
    let start = performance_now();
    let k = ok(
        &kms,
        "CreateKey",
        json!({"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}),
    )
    .await;
    let ms = performance_now() - start;
    assert_eq!(kms.test_webcrypto_rsa_keys(), 1);
    assert_eq!(k["KeyMetadata"]["KeySpec"], "RSA_2048");
    let pk = ok(
        &kms,
        "GetPublicKey",
        json!({"KeyId": k["KeyMetadata"]["KeyId"]}),
    )
    .await;
    assert!(unb64(&pk["PublicKey"]).len() > 290);
    let pair = ok(&kms, "GenerateDataKeyPair", json!({"KeyId": ok(&kms, "CreateKey", json!({})).await["KeyMetadata"]["KeyId"], "KeyPairSpec": "RSA_3072"})).await;
    assert_eq!(kms.test_webcrypto_rsa_keys(), 2);
    assert!(unb64(&pair["PrivateKeyPlaintext"]).len() > 1700);
    console_log!("RSA_2048 CreateKey (memory sandbox, WebCrypto keygen): {ms:.0} ms");
}

#[wasm_bindgen_test]
async fn handles_on_one_name_share_one_sandbox() {
    let name = unique("shared");
    let a = Sandbox::open(&name, None, None).await.unwrap();
    let b = Sandbox::open(&name, Some("eu-west-1".into()), None)
        .await
        .unwrap();
    assert_eq!(
        (a.region().as_str(), b.region().as_str()),
        (REGION, "eu-west-1")
    );
    let id = ok(&a, "CreateKey", json!({})).await["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    // Each handle sees the other's changes at once, and neither overwrites the other's.
    ok(
        &a,
        "TagResource",
        json!({"KeyId": id, "Tags": [{"TagKey": "from", "TagValue": "a"}]}),
    )
    .await;
    ok_in(
        &b,
        REGION,
        "TagResource",
        json!({"KeyId": id, "Tags": [{"TagKey": "by", "TagValue": "b"}]}),
    )
    .await;
    let tags = json!([{"TagKey": "by", "TagValue": "b"}, {"TagKey": "from", "TagValue": "a"}]);
    assert_eq!(
        ok(&a, "ListResourceTags", json!({"KeyId": id})).await["Tags"],
        tags
    );
    // A region is set up (its AWS managed keys made) once, whichever handle gets there first.
    let west = all_keys(&b, "eu-west-1").await;
    assert_eq!(all_keys(&a, "eu-west-1").await, west);
    let e = Sandbox::open(&name, None, Some("444455556666".into()))
        .await
        .err()
        .unwrap();
    assert!(e.message.contains("111122223333"), "{}", e.message);
    drop((a, b));
    let again = Sandbox::open(&name, None, None).await.unwrap();
    assert_eq!(
        ok(&again, "ListResourceTags", json!({"KeyId": id})).await["Tags"],
        tags
    );
    assert_eq!(all_keys(&again, "eu-west-1").await, west);
    drop(again);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn only_operations_that_change_something_write_to_indexeddb() {
    let name = unique("writes");
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    assert_eq!(kms.test_writes(), 0, "opening a sandbox writes no records");
    // The region's first operation sets it up (its AWS managed keys): one write, with the key.
    let a = ok(&kms, "CreateKey", json!({})).await["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(kms.test_writes(), 1);
    let mac = ok(
        &kms,
        "CreateKey",
        json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
    )
    .await;
    let mac = mac["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    assert_eq!(kms.test_writes(), 2);
    let ct = ok(&kms, "Encrypt", json!({"KeyId": a, "Plaintext": b64(b"r")})).await;
    let start = kms.test_writes();
    for _ in 0..20 {
        ok(&kms, "Encrypt", json!({"KeyId": a, "Plaintext": b64(b"r")})).await;
        ok(
            &kms,
            "Decrypt",
            json!({"CiphertextBlob": ct["CiphertextBlob"]}),
        )
        .await;
        ok(
            &kms,
            "GenerateDataKey",
            json!({"KeyId": a, "KeySpec": "AES_256"}),
        )
        .await;
        ok(&kms, "GenerateRandom", json!({"NumberOfBytes": 32})).await;
        ok(
            &kms,
            "GenerateMac",
            json!({"KeyId": mac, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_256"}),
        )
        .await;
        ok(&kms, "DescribeKey", json!({"KeyId": a})).await;
        ok(&kms, "ListKeys", json!({})).await;
        ok(&kms, "ListAliases", json!({})).await;
        ok(&kms, "GetKeyPolicy", json!({"KeyId": a})).await;
        fails(&kms, "DescribeKey", json!({"KeyId": "alias/none"})).await;
        fails(
            &kms,
            "TagResource",
            json!({"KeyId": "alias/none", "Tags": []}),
        )
        .await;
    }
    assert_eq!(
        kms.test_writes(),
        start,
        "reads and failed calls wrote to IndexedDB"
    );
    ok(
        &kms,
        "TagResource",
        json!({"KeyId": a, "Tags": [{"TagKey": "k", "TagValue": "v"}]}),
    )
    .await;
    assert_eq!(kms.test_writes(), start + 1);
    drop(kms);
    delete_sandbox(&name).await.unwrap();
}
