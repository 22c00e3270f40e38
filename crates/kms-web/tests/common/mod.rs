//! Helpers shared by the browser tests.
#![allow(dead_code)]

use js_sys::{Object, Reflect, Uint8Array};
use kms_web::{KmsError, KmsSandbox, Sandbox};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

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
    pub fn webcrypto_verify(spki: &Uint8Array, algorithm: &str, message: &Uint8Array, signature: &Uint8Array) -> js_sys::Promise;
    #[wasm_bindgen(js_name = webcryptoOaepEncrypt)]
    pub fn webcrypto_oaep_encrypt(spki: &Uint8Array, hash: &str, plaintext: &Uint8Array) -> js_sys::Promise;
}

/// Awaits a promise, panicking with the rejection.
pub async fn wait(p: js_sys::Promise) -> JsValue {
    JsFuture::from(p).await.unwrap_or_else(|e| panic!("promise rejected: {e:?}"))
}

/// A sandbox name no other test (or earlier run) uses.
pub fn unique(prefix: &str) -> String {
    let mut b = [0u8; 6];
    web_sys::window().unwrap().crypto().unwrap().get_random_values_with_u8_array(&mut b).unwrap();
    format!("{prefix}-{}", b.iter().map(|x| format!("{x:02x}")).collect::<String>())
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
    base64::engine::general_purpose::STANDARD.decode(v.as_str().expect("a base64 string")).expect("valid base64")
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
    v.dyn_ref::<Uint8Array>().unwrap_or_else(|| panic!("expected a Uint8Array, got {v:?}")).to_vec()
}

/// `sandbox.send(op, input)` through the JavaScript API.
pub async fn send(kms: &KmsSandbox, op: &str, input: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(kms.send(op.to_string(), input)).await
}

/// The `name` and `message` of a rejected `send`.
pub fn error_parts(e: &JsValue) -> (String, String) {
    let err = e.dyn_ref::<js_sys::Error>().unwrap_or_else(|| panic!("expected an Error, got {e:?}"));
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
