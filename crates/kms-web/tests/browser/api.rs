//! The JavaScript API (`KmsSandbox`, called from JavaScript on the object wasm-bindgen exports)
//! in a real browser: the SDK's value shapes, errors, regions, ciphertext integrity, and
//! interoperability with WebCrypto (signatures, RSA-OAEP, RSA keys from WebCrypto).

use crate::common::*;
use js_sys::{Array, Date, Uint8Array};
use kms_web::Sandbox;
use serde_json::json;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

/// The `KmsSandbox` class, reached from JavaScript through an instance.
fn kms_class() -> JsValue {
    class_of(&Sandbox::memory(None, None).to_js())
}

/// `KmsSandbox.<method>(...args)`, awaited if it returns a promise.
async fn static_call(method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let args: Array = args.iter().collect();
    let r = call_method(&kms_class(), method, &args)?;
    match r.dyn_into::<js_sys::Promise>() {
        Ok(p) => wasm_bindgen_futures::JsFuture::from(p).await,
        Err(v) => Ok(v),
    }
}

async fn memory(region: &str) -> JsValue {
    static_call("memory", &[js(json!({"region": region}))])
        .await
        .unwrap()
}

fn is_date_near_now(v: &JsValue) -> bool {
    v.dyn_ref::<Date>()
        .is_some_and(|d| (d.get_time() - now_ms()).abs() < 60_000.0)
}

async fn create_key(kms: &JsValue, fields: serde_json::Value) -> String {
    path_str(
        &js_ok(kms, "CreateKey", js(fields)).await,
        "KeyMetadata.KeyId",
    )
}

#[wasm_bindgen_test]
async fn send_answers_in_the_shapes_of_the_aws_sdk() {
    let kms = memory("us-east-1").await;
    assert_eq!(get(&kms, "name").as_string().unwrap(), "(memory)");
    assert_eq!(get(&kms, "region").as_string().unwrap(), "us-east-1");
    assert_eq!(get(&kms, "accountId").as_string().unwrap(), "111122223333");
    assert_eq!(get(&kms, "persistent").as_bool(), Some(false));

    let created = js_ok(&kms, "CreateKey", js(json!({"Description": "shapes"}))).await;
    let meta = get(&created, "KeyMetadata");
    assert!(
        is_date_near_now(&get(&meta, "CreationDate")),
        "CreationDate is a Date"
    );
    assert_eq!(get(&meta, "Enabled").as_bool(), Some(true));
    assert_eq!(path_str(&meta, "KeyUsage"), "ENCRYPT_DECRYPT");
    let arn = path_str(&meta, "Arn");
    assert!(
        arn.starts_with("arn:aws:kms:us-east-1:111122223333:key/"),
        "{arn}"
    );
    let algs = Array::from(&get(&meta, "EncryptionAlgorithms"));
    assert_eq!(algs.get(0).as_string().unwrap(), "SYMMETRIC_DEFAULT");
    let md = get(&created, "$metadata");
    assert_eq!(get(&md, "httpStatusCode").as_f64(), Some(200.0));
    assert_eq!(path_str(&md, "requestId").len(), 36);
    let key_id = path_str(&meta, "KeyId");

    // Blobs in and out are Uint8Array; a string blob is taken as its UTF-8 bytes.
    let plaintext: Vec<u8> = (0..100u8).collect();
    let enc = js_ok(
        &kms,
        "Encrypt",
        input(
            json!({"KeyId": key_id, "EncryptionContext": {"app": "shapes"}}),
            &[("Plaintext", &plaintext)],
        ),
    )
    .await;
    assert!(get(&enc, "CiphertextBlob").is_instance_of::<Uint8Array>());
    assert_eq!(path_str(&enc, "KeyId"), arn);
    assert_eq!(path_str(&enc, "EncryptionAlgorithm"), "SYMMETRIC_DEFAULT");
    let dec = js_ok(
        &kms,
        "Decrypt",
        input(
            json!({"EncryptionContext": {"app": "shapes"}}),
            &[("CiphertextBlob", &bytes(&get(&enc, "CiphertextBlob")))],
        ),
    )
    .await;
    assert_eq!(bytes(&get(&dec, "Plaintext")), plaintext);
    assert_eq!(path_str(&dec, "KeyId"), arn);
    let enc = js_ok(
        &kms,
        "Encrypt",
        js(json!({"KeyId": key_id, "Plaintext": "héllo"})),
    )
    .await;
    let dec = js_ok(
        &kms,
        "Decrypt",
        input(
            json!({}),
            &[("CiphertextBlob", &bytes(&get(&enc, "CiphertextBlob")))],
        ),
    )
    .await;
    assert_eq!(bytes(&get(&dec, "Plaintext")), "héllo".as_bytes());

    // GenerateDataKey: a 32-byte plaintext key and its ciphertext, which decrypts to it.
    let dk = js_ok(
        &kms,
        "GenerateDataKey",
        js(json!({"KeyId": key_id, "KeySpec": "AES_256"})),
    )
    .await;
    let dk_plain = bytes(&get(&dk, "Plaintext"));
    assert_eq!(dk_plain.len(), 32);
    let dec = js_ok(
        &kms,
        "Decrypt",
        input(
            json!({}),
            &[("CiphertextBlob", &bytes(&get(&dk, "CiphertextBlob")))],
        ),
    )
    .await;
    assert_eq!(bytes(&get(&dec, "Plaintext")), dk_plain);

    // Timestamps in: a Date (or milliseconds) goes in as a timestamp.
    let del = js_ok(
        &kms,
        "ScheduleKeyDeletion",
        js(json!({"KeyId": key_id, "PendingWindowInDays": 7})),
    )
    .await;
    let deletion = get(&del, "DeletionDate")
        .dyn_into::<Date>()
        .expect("DeletionDate is a Date");
    let days = (deletion.get_time() - now_ms()) / 86_400_000.0;
    assert!((6.0..=8.0).contains(&days), "{days}");
    js_ok(&kms, "CancelKeyDeletion", js(json!({"KeyId": key_id}))).await;

    // Lists are arrays of plain objects.
    let keys = js_ok(&kms, "ListKeys", JsValue::UNDEFINED).await;
    let keys = Array::from(&get(&keys, "Keys"));
    assert!(keys.iter().any(|k| path_str(&k, "KeyId") == key_id));
}

#[wasm_bindgen_test]
async fn send_rejects_with_an_error_named_after_the_aws_error() {
    let kms = memory("us-east-1").await;
    let missing = "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000";
    let e = js_call(&kms, "DescribeKey", js(json!({"KeyId": missing})))
        .await
        .unwrap_err();
    let (name, message) = error_parts(&e);
    assert_eq!(name, "NotFoundException");
    assert!(message.contains(missing), "{message}");
    assert_eq!(get(&e, "$fault").as_string().unwrap(), "client");
    assert_eq!(path(&e, "$metadata.httpStatusCode").as_f64(), Some(400.0));
    assert_eq!(path_str(&e, "$metadata.requestId").len(), 36);

    let (name, message) = js_fails(&kms, "Encrypt", js(json!({"Plaintext": "x"}))).await;
    assert_eq!(name, "ValidationException", "{message}");
    assert!(message.to_lowercase().contains("keyid"), "{message}");
    let (name, _) = js_fails(&kms, "CreateKey", js(json!({"KeySpec": "AES_999"}))).await;
    assert_eq!(name, "ValidationException");
    let (name, _) = js_fails(&kms, "NoSuchOperation", js(json!({}))).await;
    assert_eq!(name, "UnknownOperationException");
    // A key-only operation refuses an alias before looking it up.
    let (name, _) = js_fails(&kms, "DisableKey", js(json!({"KeyId": "alias/none"}))).await;
    assert_eq!(name, "InvalidArnException");
    // A disabled key.
    let id = create_key(&kms, json!({})).await;
    js_ok(&kms, "DisableKey", js(json!({"KeyId": id}))).await;
    let (name, _) = js_fails(&kms, "Encrypt", js(json!({"KeyId": id, "Plaintext": "x"}))).await;
    assert_eq!(name, "DisabledException");
    // Options of the wrong type are refused with a named error too.
    let e = static_call("memory", &[js(json!({"region": 5}))])
        .await
        .unwrap_err();
    assert_eq!(error_parts(&e).0, "ValidationException");
    let e = static_call("memory", &[js(json!({"region": "Not A Region"}))])
        .await
        .unwrap_err();
    assert_eq!(error_parts(&e).0, "ValidationException");
    let e = static_call("open", &[JsValue::from_str(""), JsValue::UNDEFINED])
        .await
        .unwrap_err();
    assert_eq!(error_parts(&e).0, "ValidationException");
}

#[wasm_bindgen_test]
async fn open_list_and_delete_through_the_js_api() {
    let name = unique("js-open");
    let kms = static_call(
        "open",
        &[
            name.as_str().into(),
            js(json!({"region": "eu-west-2", "accountId": "999988887777"})),
        ],
    )
    .await
    .unwrap();
    assert_eq!(get(&kms, "name").as_string().unwrap(), name);
    assert_eq!(get(&kms, "region").as_string().unwrap(), "eu-west-2");
    assert_eq!(get(&kms, "accountId").as_string().unwrap(), "999988887777");
    assert_eq!(get(&kms, "persistent").as_bool(), Some(true));
    let id = create_key(&kms, json!({"Description": "from js"})).await;
    let names = static_call("list", &[]).await.unwrap();
    assert!(Array::from(&names)
        .iter()
        .any(|n| n.as_string() == Some(name.clone())));

    // A second object on the same sandbox reads what the first wrote.
    let again = static_call(
        "open",
        &[name.as_str().into(), js(json!({"region": "eu-west-2"}))],
    )
    .await
    .unwrap();
    assert_eq!(
        get(&again, "accountId").as_string().unwrap(),
        "999988887777"
    );
    let d = js_ok(&again, "DescribeKey", js(json!({"KeyId": id}))).await;
    assert_eq!(path_str(&d, "KeyMetadata.Description"), "from js");

    let done = static_call("delete", &[name.as_str().into()])
        .await
        .unwrap();
    assert!(done.is_undefined());
    let names = static_call("list", &[]).await.unwrap();
    assert!(!Array::from(&names)
        .iter()
        .any(|n| n.as_string() == Some(name.clone())));
    // The objects still open can no longer save anything.
    let (error, _) = js_fails(&kms, "CreateKey", js(json!({}))).await;
    assert_eq!(error, "KMSInternalException");
}

#[wasm_bindgen_test]
async fn tampered_ciphertext_and_a_wrong_context_are_invalid_ciphertext() {
    let name = unique("tamper");
    let kms = Sandbox::open(&name, Some("us-east-1".into()), None)
        .await
        .unwrap()
        .to_js();
    let id = create_key(&kms, json!({})).await;
    let other = create_key(&kms, json!({})).await;
    let context = json!({"tenant": "a", "purpose": "test"});
    let enc = js_ok(
        &kms,
        "Encrypt",
        input(
            json!({"KeyId": id, "EncryptionContext": context}),
            &[("Plaintext", &b"integrity"[..])],
        ),
    )
    .await;
    let blob = bytes(&get(&enc, "CiphertextBlob"));
    let decrypt = |blob: Vec<u8>, context: serde_json::Value| {
        let kms = kms.clone();
        async move {
            js_call(
                &kms,
                "Decrypt",
                input(
                    json!({"EncryptionContext": context}),
                    &[("CiphertextBlob", &blob)],
                ),
            )
            .await
        }
    };
    // The untouched blob and context decrypt (the control).
    let ok = decrypt(blob.clone(), context.clone()).await.unwrap();
    assert_eq!(bytes(&get(&ok, "Plaintext")), b"integrity");

    // One flipped bit anywhere past the key id: in the backing key id, the nonce, the
    // ciphertext, the tag. Then a truncated blob and one with a byte appended.
    let len = blob.len();
    for at in [20, 40, 52, 60, 61, len - 17, len - 1] {
        let mut bad = blob.clone();
        bad[at] ^= 0x01;
        let e = decrypt(bad, context.clone()).await.unwrap_err();
        assert_eq!(
            error_parts(&e).0,
            "InvalidCiphertextException",
            "bit flipped at byte {at} of {len}"
        );
    }
    for bad in [
        blob[..len - 1].to_vec(),
        blob[..30].to_vec(),
        [&blob[..], &[0u8]].concat(),
        vec![1u8; 70],
    ] {
        let e = decrypt(bad.clone(), context.clone()).await.unwrap_err();
        assert_eq!(
            error_parts(&e).0,
            "InvalidCiphertextException",
            "blob of {} bytes",
            bad.len()
        );
    }
    // The wrong encryption context: a changed value, a missing pair, an extra pair, none.
    for wrong in [
        json!({"tenant": "b", "purpose": "test"}),
        json!({"tenant": "a"}),
        json!({"tenant": "a", "purpose": "test", "x": "y"}),
        json!({"tenanta": "", "purpose": "test"}),
        json!({}),
    ] {
        let e = decrypt(blob.clone(), wrong.clone()).await.unwrap_err();
        assert_eq!(
            error_parts(&e).0,
            "InvalidCiphertextException",
            "context {wrong}"
        );
    }
    // Naming another key than the blob's is IncorrectKeyException, as in AWS.
    let e = js_call(
        &kms,
        "Decrypt",
        input(
            json!({"KeyId": other, "EncryptionContext": context}),
            &[("CiphertextBlob", &blob)],
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(error_parts(&e).0, "IncorrectKeyException");
    // The failures changed nothing: the blob still decrypts, also after a reopen.
    assert!(decrypt(blob.clone(), context.clone()).await.is_ok());
    let kms = Sandbox::open(&name, Some("us-east-1".into()), None)
        .await
        .unwrap()
        .to_js();
    let back = js_ok(
        &kms,
        "Decrypt",
        input(
            json!({"EncryptionContext": context}),
            &[("CiphertextBlob", &blob)],
        ),
    )
    .await;
    assert_eq!(bytes(&get(&back, "Plaintext")), b"integrity");
    let mut bad = blob.clone();
    bad[len - 1] ^= 0x80;
    let (e, _) = js_fails(
        &kms,
        "Decrypt",
        input(
            json!({"EncryptionContext": context}),
            &[("CiphertextBlob", &bad)],
        ),
    )
    .await;
    assert_eq!(e, "InvalidCiphertextException");
    drop(kms);
    kms_web::delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn regions_are_separate_key_spaces() {
    let name = unique("regions");
    let east = Sandbox::open(&name, Some("us-east-1".into()), None)
        .await
        .unwrap();
    let west = Sandbox::open(&name, Some("eu-west-1".into()), None)
        .await
        .unwrap();
    let (east_js, west_js) = (east.to_js(), west.to_js());
    let a = js_ok(&east_js, "CreateKey", js(json!({"Description": "east"}))).await;
    let a_id = path_str(&a, "KeyMetadata.KeyId");
    let a_arn = path_str(&a, "KeyMetadata.Arn");
    assert!(a_arn.starts_with("arn:aws:kms:us-east-1:"), "{a_arn}");
    let b = js_ok(&west_js, "CreateKey", js(json!({"Description": "west"}))).await;
    let b_arn = path_str(&b, "KeyMetadata.Arn");
    assert!(b_arn.starts_with("arn:aws:kms:eu-west-1:"), "{b_arn}");

    // A key is not found in another region, by id or ARN.
    let (e, _) = js_fails(&west_js, "DescribeKey", js(json!({"KeyId": a_id}))).await;
    assert_eq!(e, "NotFoundException");
    let (e, _) = js_fails(&west_js, "DescribeKey", js(json!({"KeyId": a_arn}))).await;
    assert_eq!(e, "NotFoundException");
    // The same alias name in both regions names two different keys.
    js_ok(
        &east_js,
        "CreateAlias",
        js(json!({"AliasName": "alias/app", "TargetKeyId": a_id})),
    )
    .await;
    let (e, _) = js_fails(&west_js, "DescribeKey", js(json!({"KeyId": "alias/app"}))).await;
    assert_eq!(e, "NotFoundException");
    js_ok(
        &west_js,
        "CreateAlias",
        js(json!({"AliasName": "alias/app", "TargetKeyId": path_str(&b, "KeyMetadata.KeyId")})),
    )
    .await;
    let east_app = js_ok(&east_js, "DescribeKey", js(json!({"KeyId": "alias/app"}))).await;
    let west_app = js_ok(&west_js, "DescribeKey", js(json!({"KeyId": "alias/app"}))).await;
    assert_eq!(path_str(&east_app, "KeyMetadata.Description"), "east");
    assert_eq!(path_str(&west_app, "KeyMetadata.Description"), "west");
    // A ciphertext of one region does not decrypt in the other.
    let enc = js_ok(
        &east_js,
        "Encrypt",
        js(json!({"KeyId": "alias/app", "Plaintext": "east only"})),
    )
    .await;
    let blob = bytes(&get(&enc, "CiphertextBlob"));
    let (e, _) = js_fails(
        &west_js,
        "Decrypt",
        input(json!({}), &[("CiphertextBlob", &blob)]),
    )
    .await;
    assert_eq!(e, "InvalidCiphertextException");
    js_ok(
        &east_js,
        "Decrypt",
        input(json!({}), &[("CiphertextBlob", &blob)]),
    )
    .await;
    // Each region lists only its own keys (and its own AWS managed keys).
    let east_keys = all_keys(&east, "us-east-1").await;
    let west_keys = all_keys(&east, "eu-west-1").await;
    assert!(east_keys.iter().all(|k| !west_keys.contains(k)));
    assert_eq!(customer_keys(&east, "us-east-1").await, vec![a_id.clone()]);
    assert_eq!(
        customer_keys(&east, "ap-south-1").await,
        Vec::<String>::new()
    );
    // Both regions live in one database and come back on reopen.
    drop((east, west, east_js, west_js));
    let again = Sandbox::open(&name, None, None).await.unwrap();
    assert_eq!(all_keys(&again, "us-east-1").await, east_keys);
    assert_eq!(all_keys(&again, "eu-west-1").await, west_keys);
    drop(again);
    kms_web::delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn signatures_verify_with_webcrypto() {
    let kms = memory("us-east-1").await;
    let message: Vec<u8> = b"signed by the sandbox, verified by the browser".to_vec();
    let cases = [
        ("ECC_NIST_P256", "ECDSA_SHA_256"),
        ("ECC_NIST_P384", "ECDSA_SHA_384"),
        ("RSA_2048", "RSASSA_PSS_SHA_256"),
        ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256"),
    ];
    for (spec, alg) in cases {
        let id = create_key(&kms, json!({"KeySpec": spec, "KeyUsage": "SIGN_VERIFY"})).await;
        let pk = js_ok(&kms, "GetPublicKey", js(json!({"KeyId": id}))).await;
        assert_eq!(path_str(&pk, "KeySpec"), spec);
        assert!(Array::from(&get(&pk, "SigningAlgorithms"))
            .iter()
            .any(|a| a.as_string().as_deref() == Some(alg)));
        let spki = get(&pk, "PublicKey").dyn_into::<Uint8Array>().unwrap();
        let signed = js_ok(
            &kms,
            "Sign",
            input(
                json!({"KeyId": id, "SigningAlgorithm": alg, "MessageType": "RAW"}),
                &[("Message", &message)],
            ),
        )
        .await;
        assert_eq!(path_str(&signed, "SigningAlgorithm"), alg);
        let signature = get(&signed, "Signature").dyn_into::<Uint8Array>().unwrap();
        let valid = wait(webcrypto_verify(
            &spki,
            alg,
            &Uint8Array::from(&message[..]),
            &signature,
        ))
        .await;
        assert_eq!(
            valid.as_bool(),
            Some(true),
            "{spec} {alg}: WebCrypto rejects the signature"
        );
        // Control: WebCrypto does reject it for another message.
        let valid = wait(webcrypto_verify(
            &spki,
            alg,
            &Uint8Array::from(&b"another message"[..]),
            &signature,
        ))
        .await;
        assert_eq!(
            valid.as_bool(),
            Some(false),
            "{spec} {alg}: the check is not vacuous"
        );
        // And the sandbox verifies its own signature, and rejects a damaged one.
        let ok = js_ok(
            &kms,
            "Verify",
            input(
                json!({"KeyId": id, "SigningAlgorithm": alg}),
                &[("Message", &message), ("Signature", &signature.to_vec())],
            ),
        )
        .await;
        assert_eq!(get(&ok, "SignatureValid").as_bool(), Some(true));
        let mut bad = signature.to_vec();
        let n = bad.len();
        bad[n - 2] ^= 0x01;
        let (e, _) = js_fails(
            &kms,
            "Verify",
            input(
                json!({"KeyId": id, "SigningAlgorithm": alg}),
                &[("Message", &message), ("Signature", &bad)],
            ),
        )
        .await;
        assert_eq!(e, "KMSInvalidSignatureException", "{spec} {alg}");
    }
}

#[wasm_bindgen_test]
async fn rsa_oaep_ciphertext_made_by_webcrypto_decrypts() {
    let kms = memory("us-east-1").await;
    let id = create_key(
        &kms,
        json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}),
    )
    .await;
    let pk = js_ok(&kms, "GetPublicKey", js(json!({"KeyId": id}))).await;
    let algs: Vec<String> = Array::from(&get(&pk, "EncryptionAlgorithms"))
        .iter()
        .filter_map(|a| a.as_string())
        .collect();
    assert!(algs.contains(&"RSAES_OAEP_SHA_256".to_string()), "{algs:?}");
    let spki = get(&pk, "PublicKey").dyn_into::<Uint8Array>().unwrap();
    for (hash, alg) in [
        ("SHA-256", "RSAES_OAEP_SHA_256"),
        ("SHA-1", "RSAES_OAEP_SHA_1"),
    ] {
        let secret = format!("sealed outside the sandbox with {hash}").into_bytes();
        let sealed = wait(webcrypto_oaep_encrypt(
            &spki,
            hash,
            &Uint8Array::from(&secret[..]),
        ))
        .await;
        let sealed = bytes(&sealed);
        assert_eq!(sealed.len(), 256);
        let out = js_ok(
            &kms,
            "Decrypt",
            input(
                json!({"KeyId": id, "EncryptionAlgorithm": alg}),
                &[("CiphertextBlob", &sealed)],
            ),
        )
        .await;
        assert_eq!(bytes(&get(&out, "Plaintext")), secret, "{alg}");
        assert_eq!(path_str(&out, "EncryptionAlgorithm"), alg);
        // With the other OAEP hash it does not decrypt.
        let other = if alg == "RSAES_OAEP_SHA_256" {
            "RSAES_OAEP_SHA_1"
        } else {
            "RSAES_OAEP_SHA_256"
        };
        let (e, _) = js_fails(
            &kms,
            "Decrypt",
            input(
                json!({"KeyId": id, "EncryptionAlgorithm": other}),
                &[("CiphertextBlob", &sealed)],
            ),
        )
        .await;
        assert_eq!(e, "InvalidCiphertextException");
    }
}

#[wasm_bindgen_test]
async fn an_rsa_4096_key_comes_from_webcrypto_and_the_page_stays_responsive() {
    let name = unique("rsa4096");
    let sandbox = Sandbox::open(&name, Some("us-east-1".into()), None)
        .await
        .unwrap();
    let kms = sandbox.to_js();
    create_key(&kms, json!({})).await; // the region's first operation (its AWS managed keys)
    assert_eq!(sandbox.test_webcrypto_rsa_keys(), 0);

    let ticker = start_ticker();
    let start = performance_now();
    let created = js_ok(
        &kms,
        "CreateKey",
        js(json!({"KeySpec": "RSA_4096", "KeyUsage": "SIGN_VERIFY"})),
    )
    .await;
    let ms = performance_now() - start;
    let (ticks, max_gap_ms) = stop_ticker(&ticker);
    assert_eq!(
        sandbox.test_webcrypto_rsa_keys(),
        1,
        "the key came from WebCrypto"
    );
    console_log!("RSA_4096 CreateKey: {ms:.0} ms; event loop ran {ticks} times meanwhile, longest stall {max_gap_ms:.0} ms");
    // The rsa crate in wasm blocks the page 4 to 24 s for an RSA-4096 key; WebCrypto makes it
    // off the main thread, so the event loop keeps running.
    assert!(ticks >= 3, "setTimeout ticks during CreateKey: {ticks}");
    assert!(
        max_gap_ms < 2_000.0,
        "the page was blocked for {max_gap_ms:.0} ms"
    );

    let id = path_str(&created, "KeyMetadata.KeyId");
    let pk = js_ok(&kms, "GetPublicKey", js(json!({"KeyId": id}))).await;
    let spki = get(&pk, "PublicKey").dyn_into::<Uint8Array>().unwrap();
    let info = wait(rsa_spki_info(&spki)).await;
    assert_eq!(get(&info, "modulusLength").as_f64(), Some(4096.0));
    assert_eq!(
        bytes(&Uint8Array::new(&get(&info, "publicExponent"))),
        [1, 0, 1]
    );
    let message = b"a 4096-bit signature";
    let signed = js_ok(
        &kms,
        "Sign",
        input(
            json!({"KeyId": id, "SigningAlgorithm": "RSASSA_PSS_SHA_256"}),
            &[("Message", &message[..])],
        ),
    )
    .await;
    let signature = get(&signed, "Signature").dyn_into::<Uint8Array>().unwrap();
    assert_eq!(signature.length(), 512);
    let valid = wait(webcrypto_verify(
        &spki,
        "RSASSA_PSS_SHA_256",
        &Uint8Array::from(&message[..]),
        &signature,
    ))
    .await;
    assert_eq!(valid.as_bool(), Some(true));
    // Its private key was wrapped and stored: it signs again after a reopen.
    drop((sandbox, kms));
    let again = Sandbox::open(&name, Some("us-east-1".into()), None)
        .await
        .unwrap()
        .to_js();
    let signed = js_ok(
        &again,
        "Sign",
        input(
            json!({"KeyId": id, "SigningAlgorithm": "RSASSA_PKCS1_V1_5_SHA_256"}),
            &[("Message", &message[..])],
        ),
    )
    .await;
    let signature = get(&signed, "Signature").dyn_into::<Uint8Array>().unwrap();
    let valid = wait(webcrypto_verify(
        &spki,
        "RSASSA_PKCS1_V1_5_SHA_256",
        &Uint8Array::from(&message[..]),
        &signature,
    ))
    .await;
    assert_eq!(valid.as_bool(), Some(true));
    drop(again);
    kms_web::delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_sandbox_clock_moves_forward_does_what_aws_would_have_done_and_persists() {
    let name = unique("clock");
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    let js = kms.to_js();
    let clock = get(&js, "clock");
    let before = call_method(&clock, "now", &Array::new())
        .unwrap()
        .unchecked_into::<Date>()
        .get_time();
    assert!((before - now_ms()).abs() < 60_000.0, "starts at real time");
    let k = ok(&kms, "CreateKey", json!({})).await;
    let id = k["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    ok(
        &kms,
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 7}),
    )
    .await;
    // Six days: still pending deletion. The clock refuses to go back.
    let advance = |seconds: f64| {
        let clock = clock.clone();
        async move {
            let p = call_method(&clock, "advance", &Array::of1(&seconds.into()))
                .unwrap()
                .unchecked_into::<js_sys::Promise>();
            wasm_bindgen_futures::JsFuture::from(p).await
        }
    };
    advance(6.0 * 86_400.0).await.unwrap();
    let m = ok(&kms, "DescribeKey", json!({"KeyId": id})).await;
    assert_eq!(m["KeyMetadata"]["KeyState"], "PendingDeletion");
    let e = advance(-1.0).await.unwrap_err();
    assert_eq!(error_parts(&e).0, "ValidationException");
    // A day more: the window has ended and the key is gone, without any other call.
    let after = advance(86_400.0 + 60.0)
        .await
        .unwrap()
        .unchecked_into::<Date>()
        .get_time();
    assert!(after - before >= 7.0 * 86_400_000.0);
    drop(kms);
    drop(js);
    // The clock and the deletion were stored.
    let again = Sandbox::open(&name, None, None).await.unwrap();
    assert!(again.now() as f64 >= after);
    let e = again
        .call("DescribeKey", json!({"KeyId": id}))
        .await
        .unwrap_err();
    assert_eq!(e.error_type, kms_web::KmsError::not_found("").error_type);
    drop(again);
    kms_web::delete_sandbox(&name).await.unwrap();
}

/// One seeded sandbox's run: a key, an Encrypt, a failure, and the ids and times they carry.
async fn seeded_run(seed: JsValue) -> (String, String, String, String, f64) {
    let options = obj(&[
        ("seed", seed),
        (
            "now",
            Date::new(&JsValue::from_f64(1_700_000_000_000.0)).into(),
        ),
    ]);
    let kms = static_call("memory", &[options]).await.unwrap();
    assert_eq!(get(&kms, "deterministic").as_bool(), Some(true));
    let created = js_ok(&kms, "CreateKey", js(json!({}))).await;
    let key_id = path_str(&created, "KeyMetadata.KeyId");
    let enc = js_ok(
        &kms,
        "Encrypt",
        input(json!({ "KeyId": key_id }), &[("Plaintext", b"hi")]),
    )
    .await;
    let failed = js_call(&kms, "DescribeKey", js(json!({"KeyId": "alias/none"})))
        .await
        .unwrap_err();
    let created_at = path(&created, "KeyMetadata.CreationDate")
        .dyn_into::<Date>()
        .unwrap()
        .get_time();
    (
        key_id,
        b64(&bytes(&get(&enc, "CiphertextBlob"))),
        path_str(&enc, "$metadata.requestId"),
        path_str(&failed, "$metadata.requestId"),
        created_at,
    )
}

#[wasm_bindgen_test]
async fn a_seeded_memory_sandbox_repeats_its_ids_ciphertexts_and_time() {
    let a = seeded_run(JsValue::from_f64(42.0)).await;
    // A number seed is its text: 42 and "42" are one seed.
    let b = seeded_run(JsValue::from_str("42")).await;
    assert_eq!(a, b);
    assert_eq!(a.4, 1_700_000_000_000.0, "the clock starts at options.now");
    let c = seeded_run(JsValue::from_str("43")).await;
    assert_ne!(a.0, c.0);
    assert_ne!(a.1, c.1);
    assert_ne!(a.2, c.2);

    // Off by default; never for a stored sandbox; a seed is a number or a string.
    let plain = memory("us-east-1").await;
    assert_eq!(get(&plain, "deterministic").as_bool(), Some(false));
    let refused = static_call(
        "open",
        &[JsValue::from_str("seeded"), obj(&[("seed", 1.into())])],
    )
    .await
    .unwrap_err();
    assert_eq!(error_parts(&refused).0, "ValidationException");
    let bad = static_call("memory", &[obj(&[("seed", JsValue::TRUE)])])
        .await
        .unwrap_err();
    assert_eq!(error_parts(&bad).0, "ValidationException");

    // The fixed clock moves only when advanced; a seed alone fixes it at 2025-01-01.
    let kms = Sandbox::deterministic(None, None, Some("clock"), None).unwrap();
    assert_eq!(kms.now(), 1_735_689_600_000);
    assert_eq!(kms.advance_clock(60.0).await.unwrap(), 1_735_689_660_000);
    assert_eq!(kms.now(), 1_735_689_660_000);
}
