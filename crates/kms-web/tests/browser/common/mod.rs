//! Helpers shared by the browser tests.
#![allow(dead_code)]

use js_sys::{Object, Reflect, Uint8Array};
use kms_web::{KmsError, KmsSandbox, Sandbox};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

// The official AWS SDK for JavaScript v3 clients (KMS, IAM, STS, CloudTrail, CloudFormation),
// bundled by scripts/test-shell.sh.
#[wasm_bindgen(module = "/tests/js/dist/sdk-bundle.js")]
extern "C" {
    #[wasm_bindgen(js_name = serviceClient)]
    pub fn service_client(
        service: &str,
        region: &str,
        request_handler: &JsValue,
        access_key_id: Option<String>,
        secret_access_key: Option<String>,
        session_token: Option<String>,
    ) -> JsValue;
    #[wasm_bindgen(js_name = sdkSend)]
    pub fn sdk_send(client: &JsValue, operation: &str, input: &JsValue) -> js_sys::Promise;
}

#[wasm_bindgen(module = "/tests/js/helpers.js")]
extern "C" {
    #[wasm_bindgen(js_name = rawValues)]
    pub fn raw_values(db_name: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = rawGet)]
    pub fn raw_get(db_name: &str, store: &str, key: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = databaseNames)]
    pub fn database_names() -> js_sys::Promise;
    #[wasm_bindgen(js_name = byteSequences)]
    pub fn byte_sequences(value: &JsValue) -> js_sys::Array;
    #[wasm_bindgen(js_name = exportRejects)]
    pub fn export_rejects(key: &JsValue, format: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = webcryptoVerify)]
    pub fn webcrypto_verify(
        spki: &Uint8Array,
        algorithm: &str,
        message: &Uint8Array,
        signature: &Uint8Array,
    ) -> js_sys::Promise;
    #[wasm_bindgen(js_name = jsSend)]
    pub fn js_send(sandbox: &JsValue, operation: &str, input: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = classOf)]
    pub fn class_of(sandbox: &JsValue) -> JsValue;
    #[wasm_bindgen(catch, js_name = callMethod)]
    pub fn call_method(
        object: &JsValue,
        method: &str,
        args: &js_sys::Array,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = startTicker)]
    pub fn start_ticker() -> JsValue;
    /// Starts collecting the page's uncaught errors; call the answer to stop and get them.
    #[wasm_bindgen(js_name = watchErrors)]
    pub fn watch_errors() -> js_sys::Function;
    /// A promise that resolves after `ms` milliseconds.
    pub fn sleep(ms: u32) -> js_sys::Promise;
    #[wasm_bindgen(js_name = rsaSpkiInfo)]
    pub fn rsa_spki_info(spki: &Uint8Array) -> js_sys::Promise;
    #[wasm_bindgen(js_name = rawSnapshot)]
    pub fn raw_snapshot(db_name: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = rawEvents)]
    pub fn raw_events(db_name: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = webcryptoEcdhPeer)]
    pub fn webcrypto_ecdh_peer(named_curve: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = webcryptoEcdhDerive)]
    pub fn webcrypto_ecdh_derive(
        private_key: &JsValue,
        peer_spki: &Uint8Array,
        named_curve: &str,
        bits: u32,
    ) -> js_sys::Promise;
    #[wasm_bindgen(js_name = webcryptoOaepEncrypt)]
    pub fn webcrypto_oaep_encrypt(
        spki: &Uint8Array,
        hash: &str,
        plaintext: &Uint8Array,
    ) -> js_sys::Promise;
}

/// `client.send(new <op>Command(input))` with an official SDK client.
pub async fn sdk(client: &JsValue, op: &str, input: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(sdk_send(client, op, &input)).await
}

/// [`sdk`] that must succeed.
pub async fn sdk_ok(client: &JsValue, op: &str, input: JsValue) -> JsValue {
    match sdk(client, op, input).await {
        Ok(v) => v,
        Err(e) => panic!("SDK {op} failed: {:?}", error_parts(&e)),
    }
}

/// Awaits a promise, panicking with the rejection.
pub async fn wait(p: js_sys::Promise) -> JsValue {
    JsFuture::from(p)
        .await
        .unwrap_or_else(|e| panic!("promise rejected: {e:?}"))
}

/// A sandbox name no other test (or earlier run) uses.
pub fn unique(prefix: &str) -> String {
    let mut b = [0u8; 6];
    web_sys::window()
        .unwrap()
        .crypto()
        .unwrap()
        .get_random_values_with_u8_array(&mut b)
        .unwrap();
    format!(
        "{prefix}-{}",
        b.iter().map(|x| format!("{x:02x}")).collect::<String>()
    )
}

pub fn db_name(sandbox: &str) -> String {
    format!("kms-sandbox/{sandbox}")
}

/// Calls an operation that must succeed.
pub async fn ok(kms: &Sandbox, op: &str, req: Value) -> Value {
    match kms.call(op, req.clone()).await {
        Ok(v) => v,
        Err(e) => panic!("{op} {req} failed: {e}"),
    }
}

/// Calls an operation that must succeed, in `region`.
pub async fn ok_in(kms: &Sandbox, region: &str, op: &str, req: Value) -> Value {
    match kms.call_in(region, op, req.clone()).await {
        Ok(v) => v,
        Err(e) => panic!("{op} {req} in {region} failed: {e}"),
    }
}

/// Every key id in `region` (customer and AWS managed keys), sorted.
pub async fn all_keys(kms: &Sandbox, region: &str) -> Vec<String> {
    let list = ok_in(kms, region, "ListKeys", serde_json::json!({"Limit": 1000})).await;
    assert_ne!(list["Truncated"], true, "more than 1000 keys");
    let mut ids: Vec<String> = list["Keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["KeyId"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

/// The customer managed key ids in `region`, sorted: [`all_keys`] without the AWS managed keys
/// (`aws/...`) that every region holds from its first operation on.
pub async fn customer_keys(kms: &Sandbox, region: &str) -> Vec<String> {
    let mut out = Vec::new();
    for id in all_keys(kms, region).await {
        let d = ok_in(kms, region, "DescribeKey", serde_json::json!({"KeyId": id})).await;
        if d["KeyMetadata"]["KeyManager"] == "CUSTOMER" {
            out.push(id);
        }
    }
    out
}

/// Calls an operation that must fail.
pub async fn fails(kms: &Sandbox, op: &str, req: Value) -> KmsError {
    match kms.call(op, req.clone()).await {
        Ok(v) => panic!("{op} {req} should have failed, answered {v}"),
        Err(e) => e,
    }
}

pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn unb64(v: &Value) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().expect("a base64 string"))
        .expect("valid base64")
}

/// Builds a plain JavaScript object.
pub fn obj(entries: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in entries {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

pub fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(k)).unwrap()
}

pub fn bytes(v: &JsValue) -> Vec<u8> {
    v.dyn_ref::<Uint8Array>()
        .unwrap_or_else(|| panic!("expected a Uint8Array, got {v:?}"))
        .to_vec()
}

/// A JavaScript value from JSON text.
pub fn js(value: Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap()
}

/// A JavaScript input object: `fields` as JSON, plus `Uint8Array` members.
pub fn input(fields: Value, blobs: &[(&str, &[u8])]) -> JsValue {
    let o = js(fields);
    for (k, b) in blobs {
        Reflect::set(&o, &JsValue::from_str(k), &Uint8Array::from(*b)).unwrap();
    }
    o
}

/// `sandbox.send(op, input)` called from JavaScript on a `KmsSandbox` object.
pub async fn js_call(kms: &JsValue, op: &str, input: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(js_send(kms, op, &input)).await
}

/// [`js_call`] that must succeed.
pub async fn js_ok(kms: &JsValue, op: &str, input: JsValue) -> JsValue {
    match js_call(kms, op, input).await {
        Ok(v) => v,
        Err(e) => panic!("{op} failed: {:?}", error_parts(&e)),
    }
}

/// [`js_call`] that must fail: the rejection's `(name, message)`.
pub async fn js_fails(kms: &JsValue, op: &str, input: JsValue) -> (String, String) {
    match js_call(kms, op, input).await {
        Ok(v) => panic!("{op} should have failed, answered {v:?}"),
        Err(e) => error_parts(&e),
    }
}

/// A member path of a JavaScript value, `"KeyMetadata.KeyId"`.
pub fn path(v: &JsValue, p: &str) -> JsValue {
    p.split('.').fold(v.clone(), |v, k| get(&v, k))
}

/// A string member path of a JavaScript value.
pub fn path_str(v: &JsValue, p: &str) -> String {
    path(v, p)
        .as_string()
        .unwrap_or_else(|| panic!("{p} is not a string"))
}

/// The `ticks` and `maxGapMs` a ticker from [`start_ticker`] saw.
pub fn stop_ticker(ticker: &JsValue) -> (u32, f64) {
    let r = call_method(ticker, "stop", &js_sys::Array::new()).unwrap();
    (
        get(&r, "ticks").as_f64().unwrap() as u32,
        get(&r, "maxGapMs").as_f64().unwrap(),
    )
}

/// `sandbox.send(op, input)` through the JavaScript API.
pub async fn send(kms: &KmsSandbox, op: &str, input: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(kms.send(op.into(), input)).await
}

/// The `name` and `message` of a rejected `send`.
pub fn error_parts(e: &JsValue) -> (String, String) {
    let err = e
        .dyn_ref::<js_sys::Error>()
        .unwrap_or_else(|| panic!("expected an Error, got {e:?}"));
    (err.name().into(), err.message().into())
}

/// Whether `needle` occurs in `haystack`, byte for byte.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

pub fn performance_now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}
