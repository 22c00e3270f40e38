//! The official AWS SDK for JavaScript v3 (`@aws-sdk/client-kms`, bundled by esbuild into
//! tests/js/dist/sdk-bundle.js by scripts/test-shell.sh) against a sandbox, through
//! `sandbox.requestHandler`: no network, the client's region picks the sandbox region.

use crate::common::*;
use js_sys::{Date, Uint8Array};
use kms_web::Sandbox;
use serde_json::json;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

#[wasm_bindgen(module = "/tests/js/dist/sdk-bundle.js")]
extern "C" {
    #[wasm_bindgen(js_name = sdkClient)]
    fn sdk_client(region: &str, request_handler: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = sdkVersion)]
    fn sdk_version() -> String;
}

/// `client.send(new <op>Command(input))`.
/// A client in `region` over `sandbox`'s request handler.
fn client(sandbox: &Sandbox, region: &str) -> JsValue {
    let handler = get(&sandbox.to_js(), "requestHandler");
    sdk_client(region, &handler)
}

#[wasm_bindgen_test]
async fn the_official_sdk_runs_against_the_sandbox() {
    console_log!("@aws-sdk/client-kms {}", sdk_version());
    let name = unique("sdk");
    let sandbox = Sandbox::open(&name, None, None).await.unwrap();
    let kms = client(&sandbox, "us-west-2");

    let created = sdk_ok(
        &kms,
        "CreateKey",
        js(json!({"Description": "made by the SDK"})),
    )
    .await;
    let meta = get(&created, "KeyMetadata");
    let key_id = path_str(&meta, "KeyId");
    let arn = path_str(&meta, "Arn");
    // The client's region chose the sandbox region, not the sandbox's default one.
    assert!(
        arn.starts_with("arn:aws:kms:us-west-2:111122223333:key/"),
        "{arn}"
    );
    let created_at = get(&meta, "CreationDate")
        .dyn_into::<Date>()
        .expect("the SDK parsed a Date");
    assert!((created_at.get_time() - now_ms()).abs() < 60_000.0);
    assert_eq!(
        path(&created, "$metadata.httpStatusCode").as_f64(),
        Some(200.0)
    );
    assert_eq!(path_str(&created, "$metadata.requestId").len(), 36);

    // Encrypt / Decrypt with an encryption context.
    let plaintext: Vec<u8> = (0..=255u8).collect();
    let enc = sdk_ok(
        &kms,
        "Encrypt",
        input(
            json!({"KeyId": key_id, "EncryptionContext": {"by": "sdk"}}),
            &[("Plaintext", &plaintext)],
        ),
    )
    .await;
    assert_eq!(path_str(&enc, "KeyId"), arn);
    let blob = bytes(&get(&enc, "CiphertextBlob"));
    let dec = sdk_ok(
        &kms,
        "Decrypt",
        input(
            json!({"EncryptionContext": {"by": "sdk"}}),
            &[("CiphertextBlob", &blob)],
        ),
    )
    .await;
    assert_eq!(bytes(&get(&dec, "Plaintext")), plaintext);
    assert_eq!(path_str(&dec, "KeyId"), arn);
    assert_eq!(path_str(&dec, "EncryptionAlgorithm"), "SYMMETRIC_DEFAULT");
    // The same blob through the sandbox's own API, in the same region: the same plaintext.
    let same = ok_in(
        &sandbox,
        "us-west-2",
        "Decrypt",
        json!({"CiphertextBlob": b64(&blob), "EncryptionContext": {"by": "sdk"}}),
    )
    .await;
    assert_eq!(unb64(&same["Plaintext"]), plaintext);

    // GenerateDataKey: its ciphertext decrypts to its plaintext.
    let dk = sdk_ok(
        &kms,
        "GenerateDataKey",
        js(json!({"KeyId": key_id, "KeySpec": "AES_256"})),
    )
    .await;
    let dk_plain = bytes(&get(&dk, "Plaintext"));
    assert_eq!(dk_plain.len(), 32);
    let dec = sdk_ok(
        &kms,
        "Decrypt",
        input(
            json!({}),
            &[("CiphertextBlob", &bytes(&get(&dk, "CiphertextBlob")))],
        ),
    )
    .await;
    assert_eq!(bytes(&get(&dec, "Plaintext")), dk_plain);

    // Sign / Verify with an ECC key.
    let signer = sdk_ok(
        &kms,
        "CreateKey",
        js(json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"})),
    )
    .await;
    let signer = path_str(&signer, "KeyMetadata.KeyId");
    let message = b"signed through the SDK".to_vec();
    let signed = sdk_ok(
        &kms,
        "Sign",
        input(
            json!({"KeyId": signer, "SigningAlgorithm": "ECDSA_SHA_256", "MessageType": "RAW"}),
            &[("Message", &message)],
        ),
    )
    .await;
    let signature = bytes(&get(&signed, "Signature"));
    let verified = sdk_ok(
        &kms,
        "Verify",
        input(
            json!({"KeyId": signer, "SigningAlgorithm": "ECDSA_SHA_256", "MessageType": "RAW"}),
            &[("Message", &message), ("Signature", &signature)],
        ),
    )
    .await;
    assert_eq!(get(&verified, "SignatureValid").as_bool(), Some(true));
    // And WebCrypto agrees, with the public key the SDK fetched.
    let pk = sdk_ok(&kms, "GetPublicKey", js(json!({"KeyId": signer}))).await;
    let spki = get(&pk, "PublicKey").dyn_into::<Uint8Array>().unwrap();
    let valid = wait(webcrypto_verify(
        &spki,
        "ECDSA_SHA_256",
        &Uint8Array::from(&message[..]),
        &Uint8Array::from(&signature[..]),
    ))
    .await;
    assert_eq!(valid.as_bool(), Some(true));
    // A signature for another message: the SDK throws KMSInvalidSignatureException.
    let e = sdk(
        &kms,
        "Verify",
        input(
            json!({"KeyId": signer, "SigningAlgorithm": "ECDSA_SHA_256"}),
            &[("Message", &b"other"[..]), ("Signature", &signature)],
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(error_parts(&e).0, "KMSInvalidSignatureException");

    // Everything the SDK made was persisted in the sandbox, in us-west-2.
    drop(sandbox);
    let again = Sandbox::open(&name, None, None).await.unwrap();
    assert_eq!(customer_keys(&again, "us-west-2").await.len(), 2);
    assert!(customer_keys(&again, "us-west-2").await.contains(&key_id));
    drop(again);
    kms_web::delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn sdk_errors_carry_the_aws_error_name_and_message() {
    let sandbox = Sandbox::memory(Some("eu-central-1".into()), None);
    let kms = client(&sandbox, "eu-central-1");
    let missing = "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let e = sdk(&kms, "DescribeKey", js(json!({"KeyId": missing})))
        .await
        .unwrap_err();
    let (name, message) = error_parts(&e);
    assert_eq!(name, "NotFoundException");
    // The SDK's message is the sandbox's, word for word.
    let direct = sandbox
        .call("DescribeKey", json!({"KeyId": missing}))
        .await
        .unwrap_err();
    assert_eq!(message, direct.message);
    assert!(message.contains(missing), "{message}");
    assert_eq!(get(&e, "$fault").as_string().as_deref(), Some("client"));
    assert_eq!(path(&e, "$metadata.httpStatusCode").as_f64(), Some(400.0));
    // Other error types come through by name too.
    let e = sdk(
        &kms,
        "Encrypt",
        js(json!({"KeyId": "alias/none", "Plaintext": "x"})),
    )
    .await
    .unwrap_err();
    assert_eq!(error_parts(&e).0, "NotFoundException");
    let id = sdk_ok(&kms, "CreateKey", js(json!({}))).await;
    let id = path_str(&id, "KeyMetadata.KeyId");
    let e = sdk(
        &kms,
        "Sign",
        input(
            json!({"KeyId": id, "SigningAlgorithm": "ECDSA_SHA_256"}),
            &[("Message", &b"m"[..])],
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(error_parts(&e).0, "InvalidKeyUsageException");
    let e = sdk(
        &kms,
        "Decrypt",
        input(json!({}), &[("CiphertextBlob", &[7u8; 80][..])]),
    )
    .await
    .unwrap_err();
    assert_eq!(error_parts(&e).0, "InvalidCiphertextException");
    let e = sdk(
        &kms,
        "ScheduleKeyDeletion",
        js(json!({"KeyId": id, "PendingWindowInDays": 3})),
    )
    .await
    .unwrap_err();
    assert_eq!(error_parts(&e).0, "ValidationException");
}

#[wasm_bindgen_test]
async fn the_client_region_picks_the_key_space() {
    let sandbox = Sandbox::memory(Some("ap-southeast-2".into()), None);
    let tokyo = client(&sandbox, "ap-northeast-1");
    let frankfurt = client(&sandbox, "eu-central-1");
    let k = sdk_ok(&tokyo, "CreateKey", js(json!({}))).await;
    let id = path_str(&k, "KeyMetadata.KeyId");
    assert!(path_str(&k, "KeyMetadata.Arn").starts_with("arn:aws:kms:ap-northeast-1:"));
    // Another client in the same region sees it; a client in another region does not, and
    // neither does the sandbox's own default region.
    let tokyo2 = client(&sandbox, "ap-northeast-1");
    sdk_ok(&tokyo2, "DescribeKey", js(json!({"KeyId": id}))).await;
    let e = sdk(&frankfurt, "DescribeKey", js(json!({"KeyId": id})))
        .await
        .unwrap_err();
    assert_eq!(error_parts(&e).0, "NotFoundException");
    let e = sandbox
        .call("DescribeKey", json!({"KeyId": id}))
        .await
        .unwrap_err();
    assert_eq!(e.error_type.as_str(), "NotFoundException");
    assert_eq!(
        customer_keys(&sandbox, "ap-northeast-1").await,
        vec![id.clone()]
    );
    assert_eq!(
        customer_keys(&sandbox, "eu-central-1").await,
        Vec::<String>::new()
    );
}

/// `handler.handle(request, options)` as the SDK calls it, with a request made by hand.
async fn handle(handler: &JsValue, request: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let handle: js_sys::Function = get(handler, "handle").unchecked_into();
    let promise: js_sys::Promise = handle
        .call2(handler, &request, &options)
        .unwrap()
        .unchecked_into();
    wasm_bindgen_futures::JsFuture::from(promise).await
}

#[wasm_bindgen_test]
async fn the_handler_reads_headers_in_any_case_and_honours_an_aborted_signal() {
    let sandbox = Sandbox::memory(Some("us-east-1".into()), None);
    let handler = get(&sandbox.to_js(), "requestHandler");
    assert_eq!(path_str(&handler, "metadata.handlerProtocol"), "h1");
    // Header names as a browser's fetch or a proxy might spell them; the host picks the Region.
    let request = js(json!({
        "method": "POST",
        "protocol": "https:",
        "hostname": "kms.eu-west-1.amazonaws.com",
        "path": "/",
        "headers": {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "TrentService.CreateKey",
            "X-Amz-User-Agent": "hand-made/1.0",
        },
        "body": "{\"Description\":\"by hand\"}",
    }));
    let out = handle(&handler, request.clone(), JsValue::UNDEFINED)
        .await
        .unwrap();
    assert_eq!(path(&out, "response.statusCode").as_f64(), Some(200.0));
    assert_eq!(
        path_str(&out, "response.headers.content-type"),
        "application/x-amz-json-1.1"
    );
    let body = bytes(&path(&out, "response.body"));
    assert_eq!(
        path_str(&out, "response.headers.content-length"),
        body.len().to_string()
    );
    let request_id = path_str(&out, "response.headers.x-amzn-requestid");
    assert_eq!(request_id.len(), 36);
    let answer: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let arn = answer["KeyMetadata"]["Arn"].as_str().unwrap();
    assert!(arn.starts_with("arn:aws:kms:eu-west-1:"), "{arn}");
    assert_eq!(answer["KeyMetadata"]["Description"], "by hand");
    // Its record carries the request id and the user agent the headers gave.
    let out = sandbox
        .call_service(
            kms_core::Service::from_name("cloudtrail").unwrap(),
            "eu-west-1",
            "LookupEvents",
            json!({}),
        )
        .await
        .unwrap();
    let record = out["Events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            serde_json::from_str::<serde_json::Value>(e["CloudTrailEvent"].as_str().unwrap())
                .unwrap()
        })
        .find(|r| r["requestID"] == request_id.as_str())
        .expect("the request's record");
    assert_eq!(record["userAgent"], "hand-made/1.0");
    assert_eq!(record["awsRegion"], "eu-west-1");

    // A request whose signal is already aborted is refused as fetch refuses it, and not run.
    let aborted = js(json!({ "abortSignal": { "aborted": true } }));
    let e = handle(&handler, request.clone(), aborted)
        .await
        .unwrap_err();
    assert_eq!(error_parts(&e).0, "AbortError");
    let keys = customer_keys(&sandbox, "eu-west-1").await;
    assert_eq!(keys.len(), 1, "the aborted CreateKey made no key");
    let not_aborted = js(json!({ "abortSignal": { "aborted": false } }));
    handle(&handler, request, not_aborted).await.unwrap();
    assert_eq!(customer_keys(&sandbox, "eu-west-1").await.len(), 2);
}
