//! JavaScript values to and from AWS's JSON wire form, led by the API model the engine embeds.
//!
//! On the JavaScript side blobs are `Uint8Array` and timestamps `Date`, as the AWS SDK for
//! JavaScript v3 has them; on the wire blobs are base64 and timestamps epoch seconds. Inputs are
//! lenient the way the SDK is: a blob may also be any `ArrayBuffer`/view or a string (its UTF-8
//! bytes), a timestamp a number (seconds since the epoch, as the SDK sends a number it is given,
//! so that one input means the same time through `send` and through the SDK) or a date string. A value of the wrong type is passed on as it is, for the engine's validation to
//! name.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use js_sys::{Array, ArrayBuffer, Date, Object, Reflect, Uint8Array};
use kms_core::model::{model, Model};
use kms_core::{ErrorType, KmsError, Value};
use serde_json::{Map, Number};
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use zeroize::Zeroize;

// The response metadata and error objects, made in one call each. A request's id is the one its
// event history record carries (made in Rust); errors outside any request get a random (version 4)
// UUID formatted from a pool of `getRandomValues` bytes, which costs a fraction of
// `crypto.randomUUID()` per call.
#[wasm_bindgen(inline_js = r#"
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const POOL = new Uint8Array(4096);
let next = POOL.length;
function requestId() {
  if (next + 16 > POOL.length) {
    crypto.getRandomValues(POOL);
    next = 0;
  }
  const b = POOL, i = next;
  next += 16;
  return HEX[b[i]] + HEX[b[i + 1]] + HEX[b[i + 2]] + HEX[b[i + 3]] + "-" + HEX[b[i + 4]] + HEX[b[i + 5]] +
    "-" + HEX[(b[i + 6] & 0x0f) | 0x40] + HEX[b[i + 7]] + "-" + HEX[(b[i + 8] & 0x3f) | 0x80] + HEX[b[i + 9]] +
    "-" + HEX[b[i + 10]] + HEX[b[i + 11]] + HEX[b[i + 12]] + HEX[b[i + 13]] + HEX[b[i + 14]] + HEX[b[i + 15]];
}
function metadata(status, id) {
  return { httpStatusCode: status, requestId: id || requestId(), attempts: 1, totalRetryDelay: 0 };
}
// The id arrives as its ASCII bytes (a view of wasm memory): TextDecoder's fixed cost per call
// was about 6% of a symmetric `send`.
export function withMetadata(output, idBytes) {
  output.$metadata = metadata(200, String.fromCharCode.apply(null, idBytes));
  return output;
}
// A property set without Reflect.set's try/catch wrapper (on objects made here, it cannot throw).
export function setProperty(o, k, v) {
  o[k] = v;
}
export function kmsError(name, message, status, id) {
  const e = new Error(message);
  e.name = name;
  e.$fault = status >= 500 ? "server" : "client";
  e.$metadata = metadata(status, id);
  return e;
}
// The SDK request handler's side of the SDK's objects (sdk.rs): reading a request's headers and
// building its response took a crossing from wasm per header name and per property. Here, not in
// a snippet of its own: every snippet is one more module request when a page loads.
const METADATA = Object.freeze({ handlerProtocol: "h1" });
export function handlerMetadata() {
  return METADATA;
}
const str = (v) => (typeof v === "string" ? v : undefined);
export function requestParts(request, options) {
  const parts = { aborted: options?.abortSignal?.aborted === true };
  if (parts.aborted) return parts;
  // Headers by name without regard to case; the first of a name wins.
  const headers = request?.headers;
  const found = {};
  if (headers !== null && typeof headers === "object") {
    for (const name of Object.keys(headers)) {
      const lower = name.toLowerCase();
      if (!(lower in found)) found[lower] = str(headers[name]);
    }
  }
  parts.target = found["x-amz-target"];
  parts.authorization = found["authorization"];
  // CloudTrail records the User-Agent header (Node.js sends the SDK's whole one there, and only
  // its first token in x-amz-user-agent); a browser does not let the SDK set User-Agent, so
  // there x-amz-user-agent is all there is.
  parts.userAgent = found["user-agent"] ?? found["x-amz-user-agent"];
  parts.hostname = str(request?.hostname);
  parts.body = request?.body;
  return parts;
}
// What a SigV4 signature covers besides the body, as JSON text (read only for a request signed
// with credentials the sandbox issued).
export function signedRequest(request) {
  const headers = [];
  const h = request?.headers;
  if (h !== null && typeof h === "object") {
    for (const name of Object.keys(h)) {
      const v = h[name];
      if (typeof v === "string") headers.push([name, v]);
    }
  }
  const query = [];
  const q = request?.query;
  if (q !== null && typeof q === "object") {
    for (const name of Object.keys(q)) {
      const v = q[name];
      if (typeof v === "string") query.push([name, [v]]);
      else if (Array.isArray(v)) query.push([name, v.filter((x) => typeof x === "string")]);
    }
  }
  const hostname = str(request?.hostname) ?? "";
  const port = request?.port;
  return JSON.stringify({
    method: str(request?.method) ?? "POST",
    path: str(request?.path) ?? "/",
    query,
    headers,
    host: port ? `${hostname}:${port}` : hostname,
  });
}
// The SDK's own handlers' AbortError (@smithy's buildAbortError): the signal's reason as the
// message when it is not an Error, else "Request aborted" with the reason as its cause.
export function abortError(options) {
  const reason = options?.abortSignal?.reason;
  const error = new Error(reason && !(reason instanceof Error) ? String(reason) : "Request aborted");
  error.name = "AbortError";
  if (reason instanceof Error) error.cause = reason;
  return error;
}
// `answer`, or an AbortError as soon as the request's signal aborts, as the SDK's handlers reject
// a request in flight (what the sandbox did meanwhile stays done, as on a server).
export function abortable(answer, options) {
  const signal = options?.abortSignal;
  if (signal == null || typeof signal !== "object") return answer;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortError(options));
    const stop = () => {
      if (typeof signal.removeEventListener === "function") signal.removeEventListener("abort", onAbort);
      else if (signal.onabort === onAbort) signal.onabort = null;
    };
    if (typeof signal.addEventListener === "function") signal.addEventListener("abort", onAbort, { once: true });
    else signal.onabort = onAbort;
    answer.then((v) => { stop(); resolve(v); }, (e) => { stop(); reject(e); });
  });
}
export function httpResponse(statusCode, contentType, body, requestId) {
  const headers = {
    "content-type": contentType,
    "content-length": String(body.length),
    "x-amzn-requestid": requestId,
  };
  return { response: { statusCode, headers, body } };
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = withMetadata)]
    fn with_metadata_js(output: &JsValue, request_id: &[u8]) -> JsValue;
    #[wasm_bindgen(js_name = setProperty)]
    fn set_property(o: &JsValue, key: &JsValue, v: &JsValue);
    #[wasm_bindgen(js_name = kmsError)]
    fn kms_error_js(name: &str, message: &str, status: u16, request_id: &str) -> JsValue;

    #[wasm_bindgen(js_name = handlerMetadata)]
    pub(crate) fn handler_metadata() -> JsValue;
    #[wasm_bindgen(js_name = abortError)]
    pub(crate) fn abort_error(options: &JsValue) -> JsValue;
    pub(crate) fn abortable(answer: &js_sys::Promise, options: &JsValue) -> js_sys::Promise;
    pub(crate) type RequestParts;
    #[wasm_bindgen(js_name = requestParts)]
    pub(crate) fn request_parts(request: &JsValue, options: &JsValue) -> RequestParts;
    #[wasm_bindgen(js_name = signedRequest)]
    pub(crate) fn signed_request_json(request: &JsValue) -> String;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn aborted(this: &RequestParts) -> bool;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn target(this: &RequestParts) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn authorization(this: &RequestParts) -> Option<String>;
    #[wasm_bindgen(method, getter, js_name = userAgent)]
    pub(crate) fn user_agent(this: &RequestParts) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn hostname(this: &RequestParts) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn body(this: &RequestParts) -> JsValue;
    #[wasm_bindgen(js_name = httpResponse)]
    pub(crate) fn http_response(
        status: u16,
        content_type: &str,
        body: &Uint8Array,
        request_id: &str,
    ) -> JsValue;
}

/// A hasher for the address-and-length keys of [`NAMES`]: they need no protection against
/// chosen collisions, and SipHash would cost more than the lookup saves.
#[derive(Default)]
struct AddressHasher(u64);

impl std::hash::Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

type AddressMap<V> = HashMap<(usize, usize), V, std::hash::BuildHasherDefault<AddressHasher>>;

thread_local! {
    /// JavaScript strings of the API model's member names and enum values (keyed by address and
    /// length), made once: a property name is then a table lookup instead of a UTF-8 to UTF-16
    /// decode in every response.
    static NAMES: RefCell<AddressMap<JsValue>> = RefCell::new(AddressMap::default());
    /// JavaScript strings of the key ids, ARNs and key material ids answers carried lately:
    /// a program's calls name a few keys again and again, and decoding the same ARN into a new
    /// string cost more than the rest of its answer's members. None of these is secret.
    static RECENT_IDS: RefCell<HashMap<String, JsValue>> = RefCell::new(HashMap::new());
}

/// How many strings [`RECENT_IDS`] keeps before it starts again.
const RECENT_IDS_KEPT: usize = 64;

/// The JavaScript string of `text`, an identifier (a key id, ARN or key material id), reused
/// while it is among the recent ones.
fn recent_id(text: &str) -> JsValue {
    RECENT_IDS.with(|ids| {
        let mut ids = ids.borrow_mut();
        if let Some(js) = ids.get(text) {
            return js.clone();
        }
        if ids.len() >= RECENT_IDS_KEPT {
            ids.clear();
        }
        let js = JsValue::from_str(text);
        ids.insert(text.to_owned(), js.clone());
        js
    })
}

/// Runs `f` with the JavaScript string of `name`, a string that lives for the whole program
/// (the model's member names and enum values), made on first use.
pub(crate) fn with_static<R>(name: &'static str, f: impl FnOnce(&JsValue) -> R) -> R {
    NAMES.with(|names| {
        let mut names = names.borrow_mut();
        let js = names
            .entry((name.as_ptr() as usize, name.len()))
            .or_insert_with(|| JsValue::from_str(name));
        f(js)
    })
}

/// Sets `o[name] = v` for a `name` that lives for the whole program.
fn set_static(o: &JsValue, name: &'static str, v: &JsValue) {
    with_static(name, |key| set_property(o, key, v))
}

/// The deepest a request's values may nest. AWS's shapes nest a few levels (a list of tag
/// structures is 3); deeper input, and input that contains itself, is refused before it is
/// walked further.
pub(crate) const MAX_DEPTH: usize = 32;
/// The most bytes of strings and blobs one request may carry (AWS's largest members, policies,
/// are 32 KiB; KMS's blobs 6 KiB): checked before anything is copied out of JavaScript.
pub(crate) const MAX_REQUEST_BYTES: usize = 1024 * 1024;
/// The most members and list elements one request may have.
pub(crate) const MAX_ITEMS: usize = 100_000;

/// What a request may still use while it is converted; the first limit it passes is its error.
struct Budget {
    depth: usize,
    items: usize,
    bytes: usize,
    error: Option<KmsError>,
}

impl Budget {
    fn new() -> Budget {
        Budget {
            depth: 0,
            items: MAX_ITEMS,
            bytes: MAX_REQUEST_BYTES,
            error: None,
        }
    }

    /// Takes `n` bytes of strings or blobs; false (and the error set) when over.
    fn take_bytes(&mut self, n: usize) -> bool {
        if self.error.is_some() {
            return false;
        }
        match self.bytes.checked_sub(n) {
            Some(left) => {
                self.bytes = left;
                true
            }
            None => {
                self.error = Some(KmsError::validation(format!(
                    "1 validation error detected: the request is larger than {MAX_REQUEST_BYTES} \
                     bytes of strings and blobs"
                )));
                false
            }
        }
    }

    /// Takes `n` members or elements; false (and the error set) when over.
    fn take_items(&mut self, n: usize) -> bool {
        if self.error.is_some() {
            return false;
        }
        match self.items.checked_sub(n) {
            Some(left) => {
                self.items = left;
                true
            }
            None => {
                self.error = Some(KmsError::validation(format!(
                    "1 validation error detected: the request has more than {MAX_ITEMS} members \
                     and list elements"
                )));
                false
            }
        }
    }

    /// One level deeper; false (and the error set) beyond [`MAX_DEPTH`].
    fn enter(&mut self) -> bool {
        if self.error.is_some() {
            return false;
        }
        if self.depth >= MAX_DEPTH {
            self.error = Some(KmsError::serialization(format!(
                "The request could not be serialized: its values nest deeper than {MAX_DEPTH} \
                 levels (or contain themselves)"
            )));
            return false;
        }
        self.depth += 1;
        true
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}

/// The length of a JavaScript string in bytes at most (UTF-16 units times 3), without copying it.
fn string_bytes(v: &JsValue) -> Option<usize> {
    if v.is_string() {
        let units = v.unchecked_ref::<js_sys::JsString>().length() as usize;
        Some(units.saturating_mul(3))
    } else {
        None
    }
}

/// A JavaScript string's text, if the budget allows it.
fn string_of(v: &JsValue, budget: &mut Budget) -> Option<String> {
    let n = string_bytes(v)?;
    if !budget.take_bytes(n) {
        return None;
    }
    v.as_string()
}

/// Largest integer a JavaScript number holds exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Converts `input` of `operation` to its wire JSON. `undefined`/`null` is an empty request.
pub(crate) fn input_to_wire(operation: &str, input: &JsValue) -> Result<Value, KmsError> {
    input_to_wire_in(model(), operation, input)
}

/// [`input_to_wire`] for an operation of another service's model.
pub(crate) fn input_to_wire_in(
    m: &'static Model,
    operation: &str,
    input: &JsValue,
) -> Result<Value, KmsError> {
    let op = m
        .operations
        .get(operation)
        .ok_or_else(|| match m.protocol {
            // IAM and STS answer an action they do not have as they do through the SDK.
            kms_core::model::Protocol::Query => m.unknown_operation(operation),
            kms_core::model::Protocol::Json => KmsError::new(
                ErrorType::UnknownOperation,
                format!("Unknown operation {operation}"),
            ),
        })?;
    if input.is_undefined() || input.is_null() {
        return Ok(Value::Object(Map::new()));
    }
    let mut budget = Budget::new();
    let mut wire = match &op.input {
        Some(shape) => to_wire(m, shape, input, &mut budget),
        None => generic_to_wire(input, &mut budget),
    };
    match budget.error {
        Some(e) => {
            wipe(&mut wire);
            Err(e)
        }
        None => Ok(wire),
    }
}

/// The API model of a service of the sandbox.
pub(crate) fn service_model(service: kms_core::Service) -> &'static Model {
    match service {
        kms_core::Service::Kms => model(),
        kms_core::Service::Iam => kms_core::model::iam(),
        kms_core::Service::Sts => kms_core::model::sts(),
        kms_core::Service::CloudTrail => kms_core::model::cloudtrail(),
        kms_core::Service::CloudFormation => kms_core::model::cloudformation(),
    }
}

/// Converts the wire JSON `output` of `operation` (of the service model `m`) to the JavaScript
/// object the SDK would return (without `$metadata`).
pub(crate) fn output_from_wire_in(m: &'static Model, operation: &str, output: &Value) -> JsValue {
    match m
        .operations
        .get(operation)
        .and_then(|op| op.output.as_deref())
    {
        Some(shape) => from_wire(m, shape, output),
        None => generic_from_wire(output),
    }
}

/// Adds the SDK's `$metadata` (status 200, the request's id) to an output object.
pub(crate) fn with_metadata(output: JsValue, request_id: &str) -> JsValue {
    // `send`'s request ids are UUIDs the sandbox makes (`Sandbox::new_call`): ASCII.
    debug_assert!(request_id.is_ascii());
    with_metadata_js(&output, request_id.as_bytes())
}

/// An `Error` whose `name` is the AWS error type and `message` AWS's message, with the SDK's
/// `$fault` and `$metadata` (the request's id; a fresh one when `request_id` is empty).
pub(crate) fn error_to_js(e: &KmsError, request_id: &str) -> JsValue {
    // An error answered without a message (InvalidCiphertextException) is "UnknownError" to
    // the SDK's deserializer; `send` says the same, so that both report one error alike.
    let message = if e.message.is_empty() {
        "UnknownError"
    } else {
        &e.message
    };
    kms_error_js(sdk_error_name(e), message, e.status(), request_id)
}

/// The name the AWS SDK gives an error: for IAM and STS codes the error shape that carries the
/// code (`NoSuchEntity` is `NoSuchEntityException`), else the code itself.
fn sdk_error_name(e: &KmsError) -> &'static str {
    let code = e.error_type.as_str();
    if code.ends_with("Exception") {
        return code;
    }
    [kms_core::model::iam(), kms_core::model::sts()]
        .into_iter()
        .find_map(|m| m.exception_name(code))
        .unwrap_or(code)
}

/// Zeroes every string in a wire JSON value (its blobs may be plaintext or key material).
pub(crate) fn wipe(value: &mut Value) {
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(members) => members.values_mut().for_each(wipe),
        _ => {}
    }
}

fn set(o: &JsValue, k: &str, v: &JsValue) {
    set_property(o, &JsValue::from_str(k), v);
}

fn number(n: f64) -> Value {
    if n.is_finite() && n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER {
        Value::from(n as i64)
    } else {
        Number::from_f64(n)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

/// Whether `v` is a `Uint8Array`, `ArrayBuffer` or other `ArrayBuffer` view.
fn is_bytes(v: &JsValue) -> bool {
    v.is_instance_of::<Uint8Array>() || v.is_instance_of::<ArrayBuffer>() || ArrayBuffer::is_view(v)
}

/// The bytes of a `Uint8Array`, `ArrayBuffer` or other `ArrayBuffer` view, copied only if the
/// budget allows their length (`Some(None)`: over budget).
fn bytes_of(v: &JsValue, budget: &mut Budget) -> Option<Option<Vec<u8>>> {
    if let Some(a) = v.dyn_ref::<Uint8Array>() {
        return Some(budget.take_bytes(a.length() as usize).then(|| a.to_vec()));
    }
    if let Some(b) = v.dyn_ref::<ArrayBuffer>() {
        return Some(
            budget
                .take_bytes(b.byte_length() as usize)
                .then(|| Uint8Array::new(b).to_vec()),
        );
    }
    if ArrayBuffer::is_view(v) {
        let buffer = Reflect::get(v, &"buffer".into()).ok()?;
        let offset = Reflect::get(v, &"byteOffset".into()).ok()?.as_f64()?;
        let length = Reflect::get(v, &"byteLength".into()).ok()?.as_f64()?;
        if !(0.0..=f64::from(u32::MAX)).contains(&offset)
            || !(0.0..=f64::from(u32::MAX)).contains(&length)
        {
            return None;
        }
        if !budget.take_bytes(length as usize) {
            return Some(None);
        }
        return Some(Some(
            Uint8Array::new_with_byte_offset_and_length(&buffer, offset as u32, length as u32)
                .to_vec(),
        ));
    }
    None
}

fn blob_to_wire(mut bytes: Vec<u8>) -> Value {
    let encoded = BASE64.encode(&bytes);
    bytes.zeroize();
    Value::String(encoded)
}

fn date_seconds(d: &Date) -> Value {
    number(d.get_time() / 1000.0)
}

fn to_wire(m: &Model, shape_name: &str, v: &JsValue, budget: &mut Budget) -> Value {
    if v.is_undefined() || v.is_null() {
        return Value::Null;
    }
    if !budget.enter() {
        return Value::Null;
    }
    let wire = to_wire_in(m, shape_name, v, budget);
    budget.leave();
    wire
}

/// The members of a plain object, as (name, value) pairs, within the budget.
fn entries(v: &JsValue, budget: &mut Budget) -> Option<Array> {
    let entries = Object::entries(v.unchecked_ref::<Object>());
    budget
        .take_items(entries.length() as usize)
        .then_some(entries)
}

/// The elements of an array, within the budget (counted before they are read).
fn elements(v: &JsValue, budget: &mut Budget) -> Option<Array> {
    let array: &Array = v.unchecked_ref();
    budget
        .take_items(array.length() as usize)
        .then(|| array.clone())
}

fn to_wire_in(m: &Model, shape_name: &str, v: &JsValue, budget: &mut Budget) -> Value {
    let Some(s) = m.shapes.get(shape_name) else {
        return generic_in(v, budget);
    };
    match s.ty.as_str() {
        "structure" if v.is_object() && !Array::is_array(v) && !is_bytes(v) => {
            let mut out = Map::new();
            let Some(entries) = entries(v, budget) else {
                return Value::Null;
            };
            for entry in entries.iter() {
                let entry: Array = entry.unchecked_into();
                let Some(name) = string_of(&entry.get(0), budget) else {
                    continue;
                };
                let value = entry.get(1);
                if value.is_undefined() {
                    continue;
                }
                let wire = match s.members.get(&name) {
                    Some(member_shape) => to_wire(m, member_shape, &value, budget),
                    None => generic_to_wire(&value, budget),
                };
                out.insert(name, wire);
                if budget.error.is_some() {
                    break;
                }
            }
            Value::Object(out)
        }
        "list" if Array::is_array(v) => {
            let member = s.member.as_deref().unwrap_or_default();
            let Some(items) = elements(v, budget) else {
                return Value::Null;
            };
            let mut out = Vec::with_capacity(items.length().min(1024) as usize);
            for item in items.iter() {
                out.push(to_wire(m, member, &item, budget));
                if budget.error.is_some() {
                    break;
                }
            }
            Value::Array(out)
        }
        "map" if v.is_object() && !Array::is_array(v) => {
            let value_shape = s.value.as_deref().unwrap_or_default();
            let mut out = Map::new();
            let Some(entries) = entries(v, budget) else {
                return Value::Null;
            };
            for entry in entries.iter() {
                let entry: Array = entry.unchecked_into();
                if let Some(k) = string_of(&entry.get(0), budget) {
                    out.insert(k, to_wire(m, value_shape, &entry.get(1), budget));
                }
                if budget.error.is_some() {
                    break;
                }
            }
            Value::Object(out)
        }
        "blob" => {
            if let Some(bytes) = bytes_of(v, budget) {
                bytes.map_or(Value::Null, blob_to_wire)
            } else if let Some(text) = string_of(v, budget) {
                blob_to_wire(text.into_bytes())
            } else {
                generic_in(v, budget)
            }
        }
        "timestamp" => {
            if let Some(d) = v.dyn_ref::<Date>() {
                date_seconds(d)
            } else if let Some(seconds) = v.as_f64() {
                number(seconds)
            } else if let Some(text) = string_of(v, budget) {
                let ms = Date::parse(&text);
                if ms.is_nan() {
                    Value::String(text)
                } else {
                    number(ms / 1000.0)
                }
            } else {
                generic_in(v, budget)
            }
        }
        _ => generic_in(v, budget),
    }
}

/// A JavaScript value as JSON, with no model to lead it.
fn generic_to_wire(v: &JsValue, budget: &mut Budget) -> Value {
    if v.is_undefined() || v.is_null() {
        return Value::Null;
    }
    if !budget.enter() {
        return Value::Null;
    }
    let wire = generic_in(v, budget);
    budget.leave();
    wire
}

fn generic_in(v: &JsValue, budget: &mut Budget) -> Value {
    if v.is_undefined() || v.is_null() {
        Value::Null
    } else if let Some(b) = v.as_bool() {
        Value::Bool(b)
    } else if let Some(n) = v.as_f64() {
        number(n)
    } else if v.is_string() {
        string_of(v, budget).map_or(Value::Null, Value::String)
    } else if v.is_bigint() {
        let text: String = v
            .unchecked_ref::<js_sys::BigInt>()
            .to_string(10)
            .map(String::from)
            .unwrap_or_default();
        if !budget.take_bytes(text.len()) {
            return Value::Null;
        }
        text.parse::<i64>()
            .map(Value::from)
            .unwrap_or(Value::String(text))
    } else if let Some(bytes) = bytes_of(v, budget) {
        bytes.map_or(Value::Null, blob_to_wire)
    } else if let Some(d) = v.dyn_ref::<Date>() {
        date_seconds(d)
    } else if Array::is_array(v) {
        let Some(items) = elements(v, budget) else {
            return Value::Null;
        };
        let mut out = Vec::with_capacity(items.length().min(1024) as usize);
        for item in items.iter() {
            out.push(generic_to_wire(&item, budget));
            if budget.error.is_some() {
                break;
            }
        }
        Value::Array(out)
    } else if v.is_object() {
        let mut out = Map::new();
        let Some(entries) = entries(v, budget) else {
            return Value::Null;
        };
        for entry in entries.iter() {
            let entry: Array = entry.unchecked_into();
            if let Some(k) = string_of(&entry.get(0), budget) {
                let value = entry.get(1);
                if !value.is_undefined() {
                    out.insert(k, generic_to_wire(&value, budget));
                }
            }
            if budget.error.is_some() {
                break;
            }
        }
        Value::Object(out)
    } else {
        // A function or symbol: JSON.stringify leaves it out too.
        Value::Null
    }
}

fn from_wire(m: &'static Model, shape_name: &str, v: &Value) -> JsValue {
    let Some(s) = m.shapes.get(shape_name) else {
        return generic_from_wire(v);
    };
    match (s.ty.as_str(), v) {
        ("structure", Value::Object(members)) => {
            let o: JsValue = Object::new().into();
            for (name, value) in members {
                if value.is_null() {
                    continue;
                }
                match s.members.get_key_value(name) {
                    Some((member, member_shape)) => {
                        set_static(&o, member, &from_wire(m, member_shape, value))
                    }
                    None => set(&o, name, &generic_from_wire(value)),
                }
            }
            o
        }
        ("list", Value::Array(items)) => {
            let member = s.member.as_deref().unwrap_or_default();
            items
                .iter()
                .map(|item| from_wire(m, member, item))
                .collect::<Array>()
                .into()
        }
        ("map", Value::Object(entries)) => {
            let value_shape = s.value.as_deref().unwrap_or_default();
            let o = Object::new();
            for (k, value) in entries {
                set(&o, k, &from_wire(m, value_shape, value));
            }
            o.into()
        }
        ("blob", Value::String(text)) => match BASE64.decode(text) {
            Ok(mut bytes) => {
                let array = Uint8Array::from(&bytes[..]);
                bytes.zeroize();
                array.into()
            }
            Err(_) => JsValue::from_str(text),
        },
        ("string", Value::String(text))
            if kms_core::query::URL_ENCODED_SHAPES.contains(&shape_name) =>
        {
            JsValue::from_str(&kms_core::query::url_encode(text))
        }
        // An enum value: the model's own string, made into a JavaScript string once.
        ("string", Value::String(text)) => {
            match s.enum_values.iter().flatten().find(|e| *e == text) {
                Some(value) => with_static(value, JsValue::clone),
                None if matches!(shape_name, "KeyIdType" | "ArnType" | "BackingKeyIdType") => {
                    recent_id(text)
                }
                None => JsValue::from_str(text),
            }
        }
        ("timestamp", Value::Number(n)) => {
            let secs = n.as_f64().unwrap_or(0.0);
            Date::new(&JsValue::from_f64(secs * 1000.0)).into()
        }
        _ => generic_from_wire(v),
    }
}

/// A JSON value as the same JavaScript value, with no model to read it by.
pub(crate) fn plain_from_wire(v: &Value) -> JsValue {
    generic_from_wire(v)
}

fn generic_from_wire(v: &Value) -> JsValue {
    match v {
        Value::Null => JsValue::UNDEFINED,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => JsValue::from_f64(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => JsValue::from_str(s),
        Value::Array(items) => items
            .iter()
            .map(generic_from_wire)
            .collect::<Array>()
            .into(),
        Value::Object(members) => {
            let o = Object::new();
            for (k, value) in members {
                if !value.is_null() {
                    set(&o, k, &generic_from_wire(value));
                }
            }
            o.into()
        }
    }
}
