//! The durable store in a real browser: persistence across reopen, the HSM key, no plaintext
//! material in IndexedDB, failed writes, serialized mutations, sandboxes side by side.

mod common;

use common::*;
use js_sys::Uint8Array;
use kms_web::{delete_sandbox, list_sandboxes, Sandbox};
use serde_json::{json, Value};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

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

fn key_ids(list: &Value) -> Vec<String> {
    let mut ids: Vec<String> =
        list["Keys"].as_array().unwrap().iter().map(|k| k["KeyId"].as_str().unwrap().to_string()).collect();
    ids.sort();
    ids
}

#[wasm_bindgen_test]
async fn everything_survives_a_reopen_and_old_ciphertexts_decrypt() {
    let name = unique("persist");
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    assert!(kms.is_persistent());
    assert_eq!(kms.name(), name);
    assert_eq!(kms.region(), "ap-southeast-2");
    assert_eq!(kms.account_id(), "111122223333");

    let a = ok(&kms, "CreateKey", json!({"Description": "key a", "Tags": [{"TagKey": "team", "TagValue": "blue"}]})).await;
    let a = a["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let b = ok(&kms, "CreateKey", json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"})).await;
    let b = b["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let c = ok(&kms, "CreateKey", json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"})).await;
    let c = c["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();

    ok(&kms, "CreateAlias", json!({"AliasName": "alias/app", "TargetKeyId": a})).await;
    ok(&kms, "TagResource", json!({"KeyId": a, "Tags": [{"TagKey": "env", "TagValue": "test"}]})).await;
    ok(&kms, "PutKeyPolicy", json!({"KeyId": a, "PolicyName": "default", "Policy": policy("marker-7")})).await;
    ok(&kms, "EnableKeyRotation", json!({"KeyId": a, "RotationPeriodInDays": 120})).await;
    let old = ok(&kms, "Encrypt", json!({"KeyId": "alias/app", "Plaintext": b64(b"before rotation"),
        "EncryptionContext": {"purpose": "reopen"}}))
    .await;
    ok(&kms, "RotateKeyOnDemand", json!({"KeyId": a})).await;
    let new = ok(&kms, "Encrypt", json!({"KeyId": a, "Plaintext": b64(b"after rotation")})).await;
    let mac = ok(&kms, "GenerateMac", json!({"KeyId": b, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_256"})).await;
    let sig = ok(&kms, "Sign", json!({"KeyId": c, "Message": b64(b"s"), "SigningAlgorithm": "ECDSA_SHA_256"})).await;
    ok(&kms, "DisableKey", json!({"KeyId": b})).await;
    let before_keys = key_ids(&ok(&kms, "ListKeys", json!({})).await);
    let before_rotations = ok(&kms, "ListKeyRotations", json!({"KeyId": a})).await;
    drop(kms);

    let kms = Sandbox::open(&name, None, None).await.unwrap();
    assert_eq!(key_ids(&ok(&kms, "ListKeys", json!({})).await), before_keys);
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
    let p = ok(&kms, "GetKeyPolicy", json!({"KeyId": a, "PolicyName": "default"})).await;
    assert!(p["Policy"].as_str().unwrap().contains("marker-7"));
    let rot = ok(&kms, "GetKeyRotationStatus", json!({"KeyId": a})).await;
    assert_eq!(rot["KeyRotationEnabled"], true);
    assert_eq!(rot["RotationPeriodInDays"], 120);
    assert_eq!(ok(&kms, "ListKeyRotations", json!({"KeyId": a})).await, before_rotations);
    let desc = ok(&kms, "DescribeKey", json!({"KeyId": a})).await;
    assert_eq!(desc["KeyMetadata"]["Description"], "key a");
    let desc_b = ok(&kms, "DescribeKey", json!({"KeyId": b})).await;
    assert_eq!(desc_b["KeyMetadata"]["KeyState"], "Disabled");

    // Material of both backing keys came back: the pre-rotation ciphertext decrypts.
    let pt = ok(&kms, "Decrypt", json!({"CiphertextBlob": old["CiphertextBlob"],
        "EncryptionContext": {"purpose": "reopen"}}))
    .await;
    assert_eq!(unb64(&pt["Plaintext"]), b"before rotation");
    assert_eq!(pt["KeyId"], desc["KeyMetadata"]["Arn"]);
    let pt = ok(&kms, "Decrypt", json!({"CiphertextBlob": new["CiphertextBlob"]})).await;
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
    assert_eq!(ok(&kms, "DescribeKey", json!({"KeyId": b})).await["KeyMetadata"]["KeyState"], "Enabled");
    drop(kms);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_hsm_key_in_indexeddb_is_a_non_extractable_aes_gcm_key() {
    let name = unique("hsm");
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    ok(&kms, "CreateKey", json!({})).await;
    let stored = wait(raw_get(&db_name(&name), "meta", "hsm")).await;
    let key: web_sys::CryptoKey = stored.dyn_into().expect("the stored HSM key is a CryptoKey object");
    assert!(!key.extractable());
    assert_eq!(get(&key.algorithm().unwrap(), "name").as_string().unwrap(), "AES-GCM");
    assert_eq!(get(&key.algorithm().unwrap(), "length").as_f64().unwrap(), 256.0);
    for format in ["raw", "jwk", "pkcs8"] {
        assert!(wait(export_rejects(&key, format)).await.as_bool().unwrap(), "exportKey({format}) must reject");
    }
    // The key the sandbox uses is the stored one, not a copy made elsewhere.
    let in_use = kms.test_hsm_key().unwrap();
    assert!(!in_use.extractable());
    // A second open reads the same key back and can unwrap what the first wrote.
    drop(kms);
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    assert_eq!(ok(&kms, "ListKeys", json!({})).await["Keys"].as_array().unwrap().len(), 1);
    drop(kms);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn no_stored_value_holds_plaintext_key_material() {
    let name = unique("scan");
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    let mut keys = Vec::new();
    for spec in [json!({}), json!({"KeySpec": "HMAC_512", "KeyUsage": "GENERATE_VERIFY_MAC"}),
                 json!({"KeySpec": "ECC_NIST_P384", "KeyUsage": "SIGN_VERIFY"}),
                 json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"})] {
        let k = ok(&kms, "CreateKey", spec).await;
        keys.push(k["KeyMetadata"]["KeyId"].as_str().unwrap().to_string());
    }
    ok(&kms, "RotateKeyOnDemand", json!({"KeyId": keys[0]})).await;
    let dk = ok(&kms, "GenerateDataKey", json!({"KeyId": keys[0], "KeySpec": "AES_256"})).await;
    ok(&kms, "Encrypt", json!({"KeyId": keys[0], "Plaintext": b64(b"hello")})).await;
    ok(&kms, "TagResource", json!({"KeyId": keys[3], "Tags": [{"TagKey": "k", "TagValue": "v"}]})).await;

    let mut secrets: Vec<Vec<u8>> = Vec::new();
    for k in &keys {
        let material = kms.test_material("ap-southeast-2", k);
        assert!(!material.is_empty(), "the test hook sees the material of {k}");
        secrets.extend(material);
    }
    assert_eq!(secrets.len(), 5, "two backing keys for the rotated key, one for each other key");
    secrets.push(unb64(&dk["Plaintext"]));
    // Also the material's text encodings, should anything have stringified it.
    let mut needles: Vec<Vec<u8>> = Vec::new();
    for s in &secrets {
        assert!(s.len() >= 28, "material is at least 28 bytes");
        needles.push(s.clone());
        needles.push(b64(s).into_bytes());
        needles.push(s.iter().map(|b| format!("{b:02x}")).collect::<String>().into_bytes());
        needles.push(s.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(",").into_bytes());
    }

    let values = wait(raw_values(&db_name(&name))).await;
    let values: js_sys::Array = values.dyn_into().unwrap();
    // 4 keys (no alias) + meta (hsm, settings).
    assert_eq!(values.length(), 6);
    let mut sequences: Vec<Vec<u8>> = Vec::new();
    for v in values.iter() {
        for s in byte_sequences(&v).iter() {
            sequences.push(s.dyn_into::<Uint8Array>().unwrap().to_vec());
        }
    }
    // The scan does see the records: key ids and wrapped blobs are there.
    let all: Vec<u8> = sequences.concat();
    for k in &keys {
        assert!(contains(&all, k.as_bytes()), "the scan reads key {k}'s record");
    }
    let wrapped_blobs = sequences.iter().filter(|s| s.len() >= 44).count();
    assert!(wrapped_blobs >= 5, "the scan sees the wrapped material");
    for (i, needle) in needles.iter().enumerate() {
        for seq in &sequences {
            assert!(!contains(seq, needle), "secret #{} (form {}) found in IndexedDB", i / 4, i % 4);
        }
    }
    // Positive control: the same scan finds material planted in a structured value.
    let planted = obj(&[("x", obj(&[("y", Uint8Array::from(&secrets[2][..]).into())]))]);
    let found = byte_sequences(&planted).iter().any(|s| contains(&s.dyn_into::<Uint8Array>().unwrap().to_vec(), &secrets[2]));
    assert!(found, "the scanner detects material when it is there");
    drop(kms);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn an_aborted_write_leaves_engine_and_store_as_they_were() {
    let name = unique("abort");
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    let a = ok(&kms, "CreateKey", json!({"Description": "kept"})).await["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();

    kms.test_fail_next_write();
    let e = fails(&kms, "CreateKey", json!({"Description": "lost"})).await;
    assert_eq!(e.error_type.as_str(), "KMSInternalException");
    assert!(e.message.contains("AbortError"), "{}", e.message);
    kms.test_fail_next_write();
    let e = fails(&kms, "UpdateKeyDescription", json!({"KeyId": a, "Description": "changed"})).await;
    assert_eq!(e.error_type.as_str(), "KMSInternalException");
    kms.test_fail_next_write();
    let e = fails(&kms, "CreateAlias", json!({"AliasName": "alias/lost", "TargetKeyId": a})).await;
    assert_eq!(e.error_type.as_str(), "KMSInternalException");

    // The engine did not apply any of them.
    assert_eq!(key_ids(&ok(&kms, "ListKeys", json!({})).await), vec![a.clone()]);
    assert_eq!(ok(&kms, "DescribeKey", json!({"KeyId": a})).await["KeyMetadata"]["Description"], "kept");
    let e = fails(&kms, "DescribeKey", json!({"KeyId": "alias/lost"})).await;
    assert_eq!(e.error_type.as_str(), "NotFoundException");
    // The store is still usable, and holds exactly the committed state.
    ok(&kms, "CreateAlias", json!({"AliasName": "alias/lost", "TargetKeyId": a})).await;
    drop(kms);
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    assert_eq!(key_ids(&ok(&kms, "ListKeys", json!({})).await), vec![a.clone()]);
    assert_eq!(ok(&kms, "DescribeKey", json!({"KeyId": "alias/lost"})).await["KeyMetadata"]["Description"], "kept");
    drop(kms);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn deleting_the_database_from_under_an_open_sandbox_fails_writes_not_the_engine() {
    let name = unique("yank");
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    let a = ok(&kms, "CreateKey", json!({})).await["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let ct = ok(&kms, "Encrypt", json!({"KeyId": a, "Plaintext": b64(b"x")})).await;
    // Not blocked by the open connection: the store closes it when asked.
    delete_sandbox(&name).await.unwrap();
    assert!(!list_sandboxes().await.unwrap().contains(&name));

    let e = fails(&kms, "CreateKey", json!({})).await;
    assert_eq!(e.error_type.as_str(), "KMSInternalException");
    assert!(e.message.contains("could not save"), "{}", e.message);
    let e = fails(&kms, "ScheduleKeyDeletion", json!({"KeyId": a, "PendingWindowInDays": 7})).await;
    assert_eq!(e.error_type.as_str(), "KMSInternalException");
    // Reads still answer from the last committed state.
    assert_eq!(key_ids(&ok(&kms, "ListKeys", json!({})).await), vec![a.clone()]);
    assert_eq!(ok(&kms, "DescribeKey", json!({"KeyId": a})).await["KeyMetadata"]["KeyState"], "Enabled");
    let pt = ok(&kms, "Decrypt", json!({"CiphertextBlob": ct["CiphertextBlob"]})).await;
    assert_eq!(unb64(&pt["Plaintext"]), b"x");
    drop(kms);
    // Opening the name again starts an empty sandbox with a new HSM key.
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    assert_eq!(ok(&kms, "ListKeys", json!({})).await["Keys"], json!([]));
    let e = fails(&kms, "Decrypt", json!({"CiphertextBlob": ct["CiphertextBlob"]})).await;
    assert_ne!(e.error_type.as_str(), "KMSInternalException");
    drop(kms);
    delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn concurrent_mutations_are_serialized_and_none_is_lost() {
    let name = unique("queue");
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    let a = ok(&kms, "CreateKey", json!({})).await["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    // Twelve tag changes and six aliases in flight at once, plus reads among them.
    let spawn = |op: &'static str, req: Value| {
        let kms = kms.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            kms.call(op, req).await.map(|_| wasm_bindgen::JsValue::TRUE).map_err(|e| e.to_string().into())
        })
    };
    let promises = js_sys::Array::new();
    for i in 0..12 {
        promises.push(&spawn("TagResource", json!({"KeyId": a, "Tags": [{"TagKey": format!("t{i:02}"), "TagValue": "v"}]})));
        if i % 2 == 0 {
            promises.push(&spawn("CreateAlias", json!({"AliasName": format!("alias/q{i:02}"), "TargetKeyId": a})));
            promises.push(&spawn("Encrypt", json!({"KeyId": a, "Plaintext": b64(b"r")})));
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
    let kms2 = Sandbox::open(&two, Some("eu-west-1".into()), Some("444455556666".into())).await.unwrap();
    let k1 = ok(&kms1, "CreateKey", json!({})).await;
    assert!(k1["KeyMetadata"]["Arn"].as_str().unwrap().starts_with("arn:aws:kms:ap-southeast-2:111122223333:key/"));
    let k2 = ok(&kms2, "CreateKey", json!({})).await;
    assert!(k2["KeyMetadata"]["Arn"].as_str().unwrap().starts_with("arn:aws:kms:eu-west-1:444455556666:key/"));
    assert_eq!(ok(&kms1, "ListKeys", json!({})).await["Keys"].as_array().unwrap().len(), 1);
    assert_eq!(ok(&kms2, "ListKeys", json!({})).await["Keys"].as_array().unwrap().len(), 1);
    let names = list_sandboxes().await.unwrap();
    assert!(names.contains(&one) && names.contains(&two), "{names:?}");
    // The account id is the sandbox's: reopening with another is refused, without one it is kept.
    drop(kms2);
    let e = Sandbox::open(&two, None, Some("111122223333".into())).await.err().unwrap();
    assert_eq!(e.error_type.as_str(), "KMSInternalException");
    assert!(e.message.contains("444455556666"), "{}", e.message);
    let kms2 = Sandbox::open(&two, None, None).await.unwrap();
    assert_eq!(kms2.account_id(), "444455556666");
    assert_eq!(kms2.region(), "ap-southeast-2");
    // Region is per call: eu-west-1 has the key, the default region has none.
    assert_eq!(ok(&kms2, "ListKeys", json!({})).await["Keys"], json!([]));
    assert_eq!(kms2.call_in("eu-west-1", "ListKeys", json!({})).await.unwrap()["Keys"].as_array().unwrap().len(), 1);
    drop(kms2);
    delete_sandbox(&two).await.unwrap();
    let names = list_sandboxes().await.unwrap();
    assert!(names.contains(&one) && !names.contains(&two), "{names:?}");
    let dbs = wait(database_names()).await;
    assert!(!js_sys::Array::from(&dbs).iter().any(|d| d.as_string() == Some(db_name(&two))));
    assert_eq!(ok(&kms1, "ListKeys", json!({})).await["Keys"].as_array().unwrap().len(), 1);
    drop(kms1);
    delete_sandbox(&one).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_memory_sandbox_works_and_writes_nothing() {
    let before = wait(database_names()).await;
    let kms = Sandbox::memory(Some("us-east-1".into()), None);
    assert!(!kms.is_persistent());
    let k = ok(&kms, "CreateKey", json!({"Tags": [{"TagKey": "a", "TagValue": "b"}]})).await;
    let id = k["KeyMetadata"]["KeyId"].as_str().unwrap();
    assert!(k["KeyMetadata"]["Arn"].as_str().unwrap().starts_with("arn:aws:kms:us-east-1:111122223333:"));
    let ct = ok(&kms, "Encrypt", json!({"KeyId": id, "Plaintext": b64(b"mem")})).await;
    assert_eq!(unb64(&ok(&kms, "Decrypt", json!({"CiphertextBlob": ct["CiphertextBlob"]})).await["Plaintext"]), b"mem");
    ok(&kms, "CreateAlias", json!({"AliasName": "alias/m", "TargetKeyId": id})).await;
    assert_eq!(ok(&kms, "ListAliases", json!({"KeyId": id})).await["Aliases"].as_array().unwrap().len(), 1);
    let after = wait(database_names()).await;
    assert_eq!(js_sys::Array::from(&before).length(), js_sys::Array::from(&after).length());
    assert!(Sandbox::try_memory(Some("Not A Region".into()), None).is_err());
    assert!(Sandbox::try_memory(None, Some("12".into())).is_err());
}

#[wasm_bindgen_test]
async fn rsa_keys_come_from_webcrypto() {
    let kms = Sandbox::memory(None, None);
    let start = performance_now();
    let k = ok(&kms, "CreateKey", json!({"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"})).await;
    let ms = performance_now() - start;
    assert_eq!(kms.test_webcrypto_rsa_keys(), 1);
    assert_eq!(k["KeyMetadata"]["KeySpec"], "RSA_2048");
    let pk = ok(&kms, "GetPublicKey", json!({"KeyId": k["KeyMetadata"]["KeyId"]})).await;
    assert!(unb64(&pk["PublicKey"]).len() > 290);
    let pair = ok(&kms, "GenerateDataKeyPair", json!({"KeyId": ok(&kms, "CreateKey", json!({})).await["KeyMetadata"]["KeyId"], "KeyPairSpec": "RSA_3072"})).await;
    assert_eq!(kms.test_webcrypto_rsa_keys(), 2);
    assert!(unb64(&pair["PrivateKeyPlaintext"]).len() > 1700);
    console_log!("RSA_2048 CreateKey (memory sandbox, WebCrypto keygen): {ms:.0} ms");
}

/// Slow: RSA-4096 keys (WebCrypto: about a second each). Run with `-- --include-ignored`.
#[wasm_bindgen_test]
#[ignore]
async fn measure_rsa_4096_and_write_latency() {
    let name = unique("measure");
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    let mut rsa = Vec::new();
    for _ in 0..3 {
        let start = performance_now();
        ok(&kms, "CreateKey", json!({"KeySpec": "RSA_4096", "KeyUsage": "SIGN_VERIFY"})).await;
        rsa.push(performance_now() - start);
    }
    assert_eq!(kms.test_webcrypto_rsa_keys(), 3);
    let a = ok(&kms, "CreateKey", json!({})).await["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let mut writes = Vec::new();
    for i in 0..40 {
        let start = performance_now();
        ok(&kms, "TagResource", json!({"KeyId": a, "Tags": [{"TagKey": format!("t{i}"), "TagValue": "v"}]})).await;
        writes.push(performance_now() - start);
    }
    let mut reads = Vec::new();
    for _ in 0..40 {
        let start = performance_now();
        ok(&kms, "Encrypt", json!({"KeyId": a, "Plaintext": b64(b"x")})).await;
        reads.push(performance_now() - start);
    }
    drop(kms);
    let start = performance_now();
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    let open_ms = performance_now() - start;
    drop(kms);
    delete_sandbox(&name).await.unwrap();
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    };
    console_log!(
        "{}",
        format!(
            "RSA_4096 CreateKey: {:?} ms; TagResource (one IndexedDB write) median {:.1} ms; \
             Encrypt (no write) median {:.2} ms; reopen with 4 keys {open_ms:.0} ms",
            rsa.iter().map(|x| x.round()).collect::<Vec<_>>(),
            median(&mut writes),
            median(&mut reads)
        )
    );
}
