//! The sandbox in a dedicated worker, where there is no window and no document: IndexedDB, the
//! WebCrypto HSM key, Web Locks and the event history work there as in a page, and what a worker
//! stores is what another copy of the sandbox (another worker or tab) reads.

use kms_core::Service;
use kms_web::Sandbox;
use serde_json::json;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const REGION: &str = "eu-west-1";

#[wasm_bindgen_test]
async fn a_sandbox_in_a_worker_persists_what_another_copy_reads() {
    let name = format!("worker-{}", (js_sys::Math::random() * 1e12) as u64);
    let kms = Sandbox::open(&name, Some(REGION.into()), None)
        .await
        .unwrap();
    assert!(kms.is_persistent());
    let key = kms
        .call("CreateKey", json!({"Description": "made in a worker"}))
        .await
        .unwrap()["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let blob = kms
        .call("Encrypt", json!({"KeyId": key, "Plaintext": "aGVsbG8="}))
        .await
        .unwrap()["CiphertextBlob"]
        .clone();
    kms.call("RotateKeyOnDemand", json!({"KeyId": key}))
        .await
        .unwrap();
    kms.flush_events().await.unwrap();

    // Another copy, read from IndexedDB as another worker or tab reads it.
    let other = Sandbox::test_open_detached(&name).await.unwrap();
    let back = other
        .call_in(REGION, "Decrypt", json!({"CiphertextBlob": blob}))
        .await
        .unwrap();
    assert_eq!(back["Plaintext"], "aGVsbG8=");
    let described = other
        .call_in(REGION, "DescribeKey", json!({"KeyId": key}))
        .await
        .unwrap();
    assert_eq!(described["KeyMetadata"]["Description"], "made in a worker");
    let rotations = other
        .call_in(REGION, "ListKeyRotations", json!({"KeyId": key}))
        .await
        .unwrap();
    assert_eq!(rotations["Rotations"].as_array().unwrap().len(), 1);
    let events = other
        .call_service(
            Service::CloudTrail,
            REGION,
            "LookupEvents",
            json!({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "Encrypt"}]}),
        )
        .await
        .unwrap();
    assert_eq!(events["Events"].as_array().unwrap().len(), 1, "{events}");
}
