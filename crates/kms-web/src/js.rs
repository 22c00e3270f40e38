//! The JavaScript API: the `KmsSandbox` class (wasm-bindgen), a thin layer over
//! [`Sandbox`] that converts between JavaScript values and AWS's wire JSON.
//!
//! ```js
//! import init, { KmsSandbox } from "kms-web";
//! await init();
//! const kms = await KmsSandbox.open("demo");
//! const { KeyMetadata } = await kms.send("CreateKey", {});
//! const { CiphertextBlob } = await kms.send("Encrypt", { KeyId: KeyMetadata.KeyId, Plaintext: "hi" });
//! const client = new KMSClient({ region: kms.region, credentials, requestHandler: kms.requestHandler });
//! ```

use crate::convert;
use crate::sandbox::{self, Begun, Sandbox, Who, USER_AGENT_JS};
use crate::sdk::RequestHandler;
use js_sys::Reflect;
use kms_core::{KmsError, Service};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(typescript_custom_section)]
const KMS_TYPES: &str = include_str!(concat!(env!("OUT_DIR"), "/kms-types.d.ts"));

/// A KMS sandbox: AWS Key Management Service running in this browser tab, its keys kept in
/// IndexedDB with their material wrapped by a non-extractable WebCrypto key.
/// The benchmark's ceiling (`tests/bench`), not part of the API: `count` AES-256-GCM seals of
/// `plaintext_len` bytes with `aad_len` bytes of additional data, with the engine's own cipher.
#[wasm_bindgen(js_name = benchAesGcm, skip_typescript)]
pub fn bench_aes_gcm(count: u32, plaintext_len: u32, aad_len: u32) -> f64 {
    let (plaintext, aad) = (
        vec![7u8; plaintext_len as usize],
        vec![9u8; aad_len as usize],
    );
    kms_core::crypto::aes_gcm_seal_repeatedly(&[1; 32], &aad, &plaintext, count) as f64
}

#[wasm_bindgen(js_name = KmsSandbox)]
pub struct KmsSandbox {
    sandbox: Sandbox,
    /// `onchange`, and the subscription that calls it.
    onchange: std::cell::RefCell<Option<(js_sys::Function, crate::ChangeSubscription)>>,
}

impl From<Sandbox> for KmsSandbox {
    fn from(sandbox: Sandbox) -> Self {
        KmsSandbox {
            sandbox,
            onchange: std::cell::RefCell::new(None),
        }
    }
}

impl KmsSandbox {
    /// The Rust [`Sandbox`] behind this object.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }
}

/// A KMS error outside any request as the JavaScript `Error` the API rejects with.
fn js_error(e: &KmsError) -> JsValue {
    convert::error_to_js(e, "")
}

/// What `send` resolves or rejects with, from the wire answer of `operation` (of model `m`).
fn answer(
    m: &'static kms_core::model::Model,
    operation: &str,
    result: Result<kms_core::Value, KmsError>,
    request_id: &str,
) -> Result<JsValue, JsValue> {
    match result {
        Ok(mut output) => {
            let js = convert::output_from_wire_in(m, operation, &output);
            convert::wipe(&mut output);
            Ok(convert::with_metadata(js, request_id))
        }
        Err(e) => Err(convert::error_to_js(&e, request_id)),
    }
}

/// Runs one operation of `service` through `sandbox` from JavaScript input: the one path of
/// `send` and `service(name).send`. Answers without a future when the sandbox can (reads, and
/// failures): an already settled promise.
/// A string argument from JS. wasm-bindgen's `String` parameters trust their caller: a number
/// there reads wasm memory out of bounds. So the API takes `JsValue` and checks, as a JS
/// function would, with a `TypeError`.
fn js_string(value: &JsValue, what: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| {
        js_sys::TypeError::new(&format!(
            "{what} must be a string, not {}",
            value.js_typeof().as_string().unwrap_or_default()
        ))
        .into()
    })
}

/// An optional string argument: `undefined` and `null` are absent.
fn js_optional_string(value: &JsValue, what: &str) -> Result<Option<String>, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else {
        js_string(value, what).map(Some)
    }
}

fn send_js(
    sandbox: &Sandbox,
    service: Service,
    operation: &JsValue,
    input: &JsValue,
) -> js_sys::Promise {
    let operation = match js_string(operation, "The operation name") {
        Ok(op) => op,
        Err(e) => return js_sys::Promise::reject(&e),
    };
    let m = convert::service_model(service);
    let call = sandbox.new_call(
        service,
        sandbox.region_str(),
        &operation,
        USER_AGENT_JS,
        None,
    );
    let settled = |result: Result<JsValue, JsValue>| match result {
        Ok(output) => js_sys::Promise::resolve(&output),
        Err(error) => js_sys::Promise::reject(&error),
    };
    // Who asks first, as AWS authenticates a request before it reads it.
    let caller = match sandbox.caller() {
        Ok(caller) => caller,
        Err(e) => {
            let e = sandbox.refuse(&call, sandbox.unknown_caller(), e);
            return settled(Err(convert::error_to_js(&e, &call.request_id)));
        }
    };
    let request = match convert::input_to_wire_in(m, &operation, input) {
        Ok(request) => request,
        Err(e) => {
            let e = sandbox.refuse(&call, Who::Caller(&caller), e);
            return settled(Err(convert::error_to_js(&e, &call.request_id)));
        }
    };
    let request_id = call.request_id.clone();
    match sandbox.begin(call, caller, request) {
        Begun::Ready(result) => settled(answer(m, &operation, result, &request_id)),
        Begun::Pending(pending) => wasm_bindgen_futures::future_to_promise(async move {
            answer(m, &operation, pending.await, &request_id)
        }),
    }
}

/// Reads `{ region?, accountId? }`, refusing members of the wrong type.
fn options(options: &JsValue) -> Result<(Option<String>, Option<String>), JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok((None, None));
    }
    let read = |name: &str| -> Result<Option<String>, JsValue> {
        let v = Reflect::get(options, &name.into())?;
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        v.as_string().map(Some).ok_or_else(|| {
            js_error(&KmsError::validation(format!(
                "options.{name} must be a string"
            )))
        })
    };
    Ok((read("region")?, read("accountId")?))
}

/// Reads `options.passphrase`: a string (it may be empty), required.
fn passphrase_option(options: &JsValue) -> Result<String, JsValue> {
    let v = if options.is_object() {
        Reflect::get(options, &"passphrase".into())?
    } else {
        JsValue::UNDEFINED
    };
    v.as_string().ok_or_else(|| {
        js_error(&KmsError::validation(
            "options.passphrase must be a string (an empty one is allowed)",
        ))
    })
}

/// The latest time a clock may start at: 9999-12-31T23:59:59.999Z.
const MAX_TIME_MS: f64 = 253_402_300_799_999.0;

/// Reads `{ seed?, now? }` of `KmsSandbox.memory`: the seed as text (a number as JavaScript
/// writes it, `42` and `"42"` alike) and the fixed clock's start in ms.
fn deterministic_options(options: &JsValue) -> Result<(Option<String>, Option<i64>), JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok((None, None));
    }
    let get = |name: &str| -> Result<Option<JsValue>, JsValue> {
        let v = Reflect::get(options, &name.into())?;
        Ok((!v.is_undefined() && !v.is_null()).then_some(v))
    };
    let seed = match get("seed")? {
        None => None,
        Some(v) => Some(match (v.as_string(), v.as_f64()) {
            (Some(s), _) => s,
            (None, Some(n)) if n.is_finite() => {
                String::from(js_sys::Number::from(n).to_string_with_radix(10)?)
            }
            _ => {
                return Err(js_error(&KmsError::validation(
                    "options.seed must be a number or a string",
                )))
            }
        }),
    };
    let now = match get("now")? {
        None => None,
        Some(v) => {
            let ms = match v.dyn_ref::<js_sys::Date>() {
                Some(date) => date.get_time(),
                None => v.as_f64().unwrap_or(f64::NAN),
            };
            if !ms.is_finite() || !(0.0..=MAX_TIME_MS).contains(&ms) {
                return Err(js_error(&KmsError::validation(
                    "options.now must be a valid Date or milliseconds since the epoch (1970 to 9999)",
                )));
            }
            Some(ms.floor() as i64)
        }
    };
    Ok((seed, now))
}

#[wasm_bindgen(js_class = KmsSandbox)]
impl KmsSandbox {
    /// Opens the sandbox `name` (default "default") stored in this origin's IndexedDB, creating
    /// it on first use. `options.region` is the region of `send` (default "ap-southeast-2");
    /// `options.accountId` (default "111122223333") is fixed when the sandbox is created.
    pub async fn open(
        #[wasm_bindgen(unchecked_optional_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "KmsSandboxOptions")] options: JsValue,
    ) -> Result<KmsSandbox, JsValue> {
        let name = js_optional_string(&name, "The sandbox name")?;
        let (region, account_id) = self::options(&options)?;
        if deterministic_options(&options)? != (None, None) {
            return Err(js_error(&KmsError::validation(
                "options.seed and options.now are for KmsSandbox.memory only: a stored sandbox is never deterministic",
            )));
        }
        let name = name.unwrap_or_else(|| "default".to_string());
        Sandbox::open(&name, region, account_id)
            .await
            .map(KmsSandbox::from)
            .map_err(|e| js_error(&e))
    }

    /// A sandbox with the same API that keeps everything in memory and persists nothing.
    /// `options.seed` (a number or string) makes it deterministic: the same sequence of calls
    /// gives the same key ids, ciphertexts, grant ids, request ids and event ids; its clock is
    /// then fixed at `options.now` (a Date or ms; default 2025-01-01T00:00:00Z) and moves only
    /// by `clock.advance(seconds)`. `options.now` alone fixes the clock only.
    pub fn memory(
        #[wasm_bindgen(unchecked_optional_param_type = "KmsMemoryOptions")] options: JsValue,
    ) -> Result<KmsSandbox, JsValue> {
        let (region, account_id) = self::options(&options)?;
        let (seed, now) = deterministic_options(&options)?;
        Sandbox::deterministic(region, account_id, seed.as_deref(), now)
            .map(KmsSandbox::from)
            .map_err(|e| js_error(&e))
    }

    /// Whether this sandbox is deterministic (`KmsSandbox.memory({ seed })` or `{ now }`).
    #[wasm_bindgen(getter)]
    pub fn deterministic(&self) -> bool {
        self.sandbox.is_deterministic()
    }

    /// Names of the sandboxes stored on this origin, sorted.
    pub async fn list() -> Result<Vec<String>, JsValue> {
        sandbox::list_sandboxes().await.map_err(|e| js_error(&e))
    }

    /// Deletes sandbox `name`: its database, keys and HSM key. Objects still open on it can no
    /// longer save changes.
    pub async fn delete(
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    ) -> Result<(), JsValue> {
        let name = js_string(&name, "The sandbox name")?;
        sandbox::delete_sandbox(&name)
            .await
            .map_err(|e| js_error(&e))
    }

    /// One file (a `.kmssandbox`, as bytes) holding the whole sandbox: keys of every Region with
    /// their material, aliases, policies, grants, tags, IAM records, stacks, the clock and the
    /// CloudTrail event history, encrypted under a key derived from `options.passphrase`
    /// (PBKDF2-SHA-256, 600,000 iterations; AES-256-GCM). `KmsSandbox.import` restores it.
    #[wasm_bindgen(unchecked_return_type = "Promise<Uint8Array>")]
    pub fn export(
        &self,
        #[wasm_bindgen(unchecked_param_type = "KmsExportOptions")] options: JsValue,
    ) -> js_sys::Promise {
        let sandbox = self.sandbox.clone();
        let passphrase = passphrase_option(&options);
        wasm_bindgen_futures::future_to_promise(async move {
            let passphrase = passphrase?;
            let file = sandbox
                .export(&passphrase)
                .await
                .map_err(|e| js_error(&e))?;
            Ok(file.into())
        })
    }

    /// Restores a file of `sandbox.export(...)` into a new stored sandbox `name` (its secrets
    /// wrapped under that sandbox's own new HSM key) and opens it. Rejects, writing nothing,
    /// with `InvalidBackupException` (not a backup, of another version, damaged or cut short),
    /// `InvalidPassphraseException`, or `AlreadyExistsException` when `name` is taken and
    /// `options.replace` is not true.
    #[wasm_bindgen(js_name = import, unchecked_return_type = "Promise<KmsSandbox>")]
    pub fn import_backup(
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] file: JsValue,
        #[wasm_bindgen(unchecked_param_type = "KmsImportOptions")] options: JsValue,
    ) -> js_sys::Promise {
        let passphrase = passphrase_option(&options);
        let region = self::options(&options).map(|(region, _)| region);
        let replace = Reflect::get(&options, &"replace".into())
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null());
        // A copy, so that a change to the caller's bytes during the import does not show; made
        // in JavaScript memory, which is given back (wasm memory never is).
        let bytes = if let Some(b) = file.dyn_ref::<js_sys::Uint8Array>() {
            Some(b.slice(0, b.length()))
        } else {
            file.dyn_ref::<js_sys::ArrayBuffer>()
                .map(|b| js_sys::Uint8Array::new(&b.slice(0)))
        };
        let name = js_string(&name, "The sandbox name");
        wasm_bindgen_futures::future_to_promise(async move {
            let name = name?;
            let passphrase = passphrase?;
            let region = region?;
            let replace = match replace {
                None => false,
                Some(v) => v.as_bool().ok_or_else(|| {
                    js_error(&KmsError::validation("options.replace must be a boolean"))
                })?,
            };
            let bytes = bytes.ok_or_else(|| {
                js_error(&KmsError::validation(
                    "The backup must be a Uint8Array or an ArrayBuffer",
                ))
            })?;
            let options = sandbox::ImportOptions { replace, region };
            Sandbox::import(&name, &bytes, &passphrase, options)
                .await
                .map(|s| KmsSandbox::from(s).into())
                .map_err(|e| js_error(&e))
        })
    }

    /// Runs one KMS operation (see the `KmsSandbox` interface in the declarations for types).
    #[wasm_bindgen(skip_typescript)]
    pub fn send(&self, operation: JsValue, input: JsValue) -> js_sys::Promise {
        send_js(&self.sandbox, Service::Kms, &operation, &input)
    }

    /// Writes the CloudTrail events recorded so far to IndexedDB and resolves once they are
    /// durable. (Events are otherwise written in batches a moment after their calls answer, and
    /// when the page is hidden or closed.)
    #[wasm_bindgen(js_name = flushEvents, unchecked_return_type = "Promise<void>")]
    pub fn flush_events(&self) -> js_sys::Promise {
        let sandbox = self.sandbox.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            sandbox.flush_events().await.map_err(|e| js_error(&e))?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// This sandbox's bill for a month of sandbox time (`{ year, month }`, month 1-12; default
    /// the current month): keys prorated by the hour, rotations, requests by price class after
    /// the free tier, per Region, and the cost of each day.
    #[wasm_bindgen(unchecked_return_type = "KmsBill")]
    pub fn bill(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "{ year?: number; month?: number }")]
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let read = |name: &str| -> Option<f64> {
            if options.is_undefined() || options.is_null() {
                return None;
            }
            Reflect::get(&options, &name.into()).ok()?.as_f64()
        };
        let month = read("month").map(|m| {
            if m.fract() == 0.0 && (1.0..=12.0).contains(&m) {
                m as u32
            } else {
                0
            }
        });
        let year = read("year").map(|y| y as i64);
        let bill = self.sandbox.bill(year, month).map_err(|e| js_error(&e))?;
        serde::Serialize::serialize(&bill, &serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|e| js_error(&KmsError::internal(e.to_string())))
    }

    /// Whether requests are recorded in the CloudTrail event history (true). Setting it to false
    /// stops recording for every handle of this sandbox: AWS has no such switch; it is here to
    /// measure what recording costs.
    #[wasm_bindgen(getter, js_name = trailEnabled)]
    pub fn trail_enabled(&self) -> bool {
        self.sandbox.trail_enabled()
    }

    #[wasm_bindgen(setter, js_name = trailEnabled)]
    pub fn set_trail_enabled(&self, on: bool) {
        self.sandbox.set_trail_enabled(on);
    }

    /// The sandbox's name ("(memory)" for an in-memory sandbox).
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.sandbox.name()
    }

    /// The region `send` works in.
    #[wasm_bindgen(getter)]
    pub fn region(&self) -> String {
        self.sandbox.region()
    }

    /// The account id in the sandbox's ARNs.
    #[wasm_bindgen(getter, js_name = accountId)]
    pub fn account_id(&self) -> String {
        self.sandbox.account_id()
    }

    /// Whether the sandbox is stored in IndexedDB.
    #[wasm_bindgen(getter)]
    pub fn persistent(&self) -> bool {
        self.sandbox.is_persistent()
    }

    /// Stored records that could not be read (changed or moved by hand, or damaged), which the
    /// sandbox opened without: `[{ storageKey, keyId?, region?, reason }]`.
    #[wasm_bindgen(
        unchecked_return_type = "Array<{ storageKey: string; keyId?: string; region?: string; reason: string }>"
    )]
    pub fn damaged(&self) -> js_sys::Array {
        self.sandbox
            .damaged()
            .iter()
            .map(|d| {
                let o = js_sys::Object::new();
                let set = |k: &str, v: &JsValue| {
                    let _ = Reflect::set(&o, &k.into(), v);
                };
                set("storageKey", &d.storage_key.as_str().into());
                if let Some(id) = &d.key_id {
                    set("keyId", &id.as_str().into());
                }
                if let Some(r) = &d.region {
                    set("region", &r.as_str().into());
                }
                set("reason", &d.reason.as_str().into());
                JsValue::from(o)
            })
            .collect()
    }

    /// This origin's storage: `{ persisted, usage, quota }` (whether the browser agreed to keep
    /// it, `navigator.storage.persist()` being asked on the first write; bytes used and
    /// available, from `navigator.storage.estimate()`); `null` where the browser does not tell.
    #[wasm_bindgen(
        unchecked_return_type = "Promise<{ persisted: boolean | null; usage: number | null; quota: number | null }>"
    )]
    pub fn storage(&self) -> js_sys::Promise {
        wasm_bindgen_futures::future_to_promise(async move {
            let info = crate::storage_info().await;
            let o = js_sys::Object::new();
            let opt = |v: Option<f64>| v.map_or(JsValue::NULL, JsValue::from_f64);
            let _ = Reflect::set(
                &o,
                &"persisted".into(),
                &info.persisted.map_or(JsValue::NULL, JsValue::from_bool),
            );
            let _ = Reflect::set(&o, &"usage".into(), &opt(info.usage));
            let _ = Reflect::set(&o, &"quota".into(), &opt(info.quota));
            Ok(o.into())
        })
    }

    /// Called with `{ keys }` (the storage keys of the records: `key/<region>/<id>`,
    /// `alias/<region>/<name>`, `iam/...`, `meta/settings`) when changes another tab or worker
    /// made to this sandbox have been loaded into this one. `null` stops it.
    #[wasm_bindgen(
        getter,
        unchecked_return_type = "((event: { keys: string[] }) => void) | null"
    )]
    pub fn onchange(&self) -> JsValue {
        self.onchange
            .borrow()
            .as_ref()
            .map_or(JsValue::NULL, |(f, _)| f.clone().into())
    }

    #[wasm_bindgen(setter)]
    pub fn set_onchange(
        &self,
        #[wasm_bindgen(unchecked_param_type = "((event: { keys: string[] }) => void) | null")]
        listener: JsValue,
    ) {
        let Some(function) = listener.dyn_ref::<js_sys::Function>().cloned() else {
            *self.onchange.borrow_mut() = None;
            return;
        };
        let call = function.clone();
        let subscription = self.sandbox.on_change(move |keys| {
            let event = js_sys::Object::new();
            let list: js_sys::Array = keys.iter().map(|k| JsValue::from_str(k)).collect();
            let _ = Reflect::set(&event, &"keys".into(), &list);
            if let Err(e) = call.call1(&JsValue::NULL, &event) {
                web_sys::console::error_1(&e);
            }
        });
        *self.onchange.borrow_mut() = Some((function, subscription));
    }

    /// A handle on the same sandbox that acts as `principalArn`: an IAM user
    /// (`arn:aws:iam::ACCOUNT:user/NAME`), or a session named `sessionName` of an IAM role
    /// (`arn:aws:iam::ACCOUNT:role/NAME`, as if assumed), or the account root. Its `send`,
    /// `service(...)` and `requestHandler` all call as that principal. The principal must exist.
    #[wasm_bindgen(js_name = as)]
    pub fn acting_as(
        &self,
        #[wasm_bindgen(js_name = principalArn, unchecked_param_type = "string")]
        principal_arn: JsValue,
        #[wasm_bindgen(js_name = sessionName, unchecked_optional_param_type = "string")]
        session_name: JsValue,
    ) -> Result<KmsSandbox, JsValue> {
        let principal_arn = js_string(&principal_arn, "principalArn")?;
        let session_name = js_optional_string(&session_name, "sessionName")?;
        let handle = self
            .sandbox
            .acting_as(&principal_arn, session_name.as_deref());
        handle.caller().map_err(|e| js_error(&e))?;
        Ok(KmsSandbox::from(handle))
    }

    /// The ARN of the principal this handle acts as (the account root's for `KmsSandbox.open`
    /// and `memory`; for a role session, the assumed-role ARN).
    #[wasm_bindgen(getter)]
    pub fn principal(&self) -> Result<String, JsValue> {
        self.sandbox
            .caller()
            .map(|c| c.arn(&self.sandbox.region()))
            .map_err(|e| js_error(&e))
    }

    /// How AWS would decide the KMS `operation` with `input` for this handle's principal, without
    /// running it: `[{ Action, Resource, Allowed, Why }]`, one entry per permission the request
    /// needs; `Why` names the policies and statements (by Sid) or the grant that decided.
    #[wasm_bindgen(
        unchecked_return_type = "Array<{ Action: string; Resource: string; Allowed: boolean; Why: string }>"
    )]
    pub fn explain(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] operation: JsValue,
        #[wasm_bindgen(unchecked_param_type = "any")] input: JsValue,
    ) -> Result<JsValue, JsValue> {
        let operation = js_string(&operation, "The operation name")?;
        let request = convert::input_to_wire(&operation, &input).map_err(|e| js_error(&e))?;
        let out = self
            .sandbox
            .explain(self.sandbox.region_str(), &operation, &request)
            .map_err(|e| js_error(&e))?;
        Ok(convert::plain_from_wire(&out))
    }

    /// Another service of this sandbox's account, with the same caller:
    /// `sandbox.service('iam').send('CreateUser', { UserName: 'alice' })`. Services: `kms`,
    /// `iam`, `sts`, `cloudtrail` (LookupEvents over the sandbox's event history) and
    /// `cloudformation`.
    pub fn service(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "'kms' | 'iam' | 'sts' | 'cloudtrail' | 'cloudformation'"
        )]
        name: JsValue,
    ) -> Result<ServiceClient, JsValue> {
        let name = js_string(&name, "The service name")?;
        let service = Service::from_name(&name).ok_or_else(|| {
            js_error(&KmsError::validation(format!(
                "Unknown service '{name}': this sandbox answers kms, iam, sts, cloudtrail and \
                 cloudformation"
            )))
        })?;
        Ok(ServiceClient {
            sandbox: self.sandbox.clone(),
            service,
        })
    }

    /// The sandbox's clock: real time plus an offset that only moves forward
    /// (`sandbox.clock.now()`, `await sandbox.clock.advance(seconds)`).
    #[wasm_bindgen(getter)]
    pub fn clock(&self) -> SandboxClock {
        SandboxClock {
            sandbox: self.sandbox.clone(),
        }
    }

    /// A request handler for the AWS SDK for JavaScript v3:
    /// `new KMSClient({ region, credentials, requestHandler: sandbox.requestHandler })`. The
    /// client's region picks the sandbox region.
    #[wasm_bindgen(getter, js_name = requestHandler)]
    pub fn request_handler(&self) -> RequestHandler {
        RequestHandler::new(self.sandbox.clone())
    }
}

/// One service of a sandbox's account (`sandbox.service(name)`), calling as the handle's
/// principal.
#[wasm_bindgen(js_name = KmsSandboxService)]
pub struct ServiceClient {
    sandbox: Sandbox,
    service: Service,
}

#[wasm_bindgen(js_class = KmsSandboxService)]
impl ServiceClient {
    /// The service's name: `kms`, `iam`, `sts`, `cloudtrail` or `cloudformation`.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.service.name().to_string()
    }

    /// Runs one operation of the service, with AWS SDK v3 input and output shapes.
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn send(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] operation: JsValue,
        #[wasm_bindgen(unchecked_param_type = "any")] input: JsValue,
    ) -> js_sys::Promise {
        send_js(&self.sandbox, self.service, &operation, &input)
    }
}

/// A sandbox's clock (`sandbox.clock`). Every handle of one sandbox shares it.
#[wasm_bindgen(js_name = KmsSandboxClock)]
pub struct SandboxClock {
    sandbox: Sandbox,
}

#[wasm_bindgen(js_class = KmsSandboxClock)]
impl SandboxClock {
    /// The sandbox's current time.
    pub fn now(&self) -> js_sys::Date {
        js_sys::Date::new(&JsValue::from_f64(self.sandbox.now() as f64))
    }

    /// Moves the clock forward by `seconds` (persisted) and does what AWS would have done by
    /// then: keys whose deletion window ended are deleted, due rotations happen. Resolves with
    /// the new time.
    #[wasm_bindgen(unchecked_return_type = "Promise<Date>")]
    pub fn advance(&self, seconds: f64) -> js_sys::Promise {
        let sandbox = self.sandbox.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let now = sandbox
                .advance_clock(seconds)
                .await
                .map_err(|e| js_error(&e))?;
            Ok(js_sys::Date::new(&JsValue::from_f64(now as f64)).into())
        })
    }
}

impl Sandbox {
    /// The JS `KmsSandbox` object over this same sandbox (the console sets it as `window.kms`).
    pub fn to_js(&self) -> JsValue {
        KmsSandbox::from(self.clone()).into()
    }
}
