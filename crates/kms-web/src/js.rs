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
use crate::sandbox::{self, Begun, Sandbox};
use crate::sdk::RequestHandler;
use js_sys::Reflect;
use kms_core::{KmsError, Service};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const KMS_TYPES: &str = include_str!(concat!(env!("OUT_DIR"), "/kms-types.d.ts"));

/// A KMS sandbox: AWS Key Management Service running in this browser tab, its keys kept in
/// IndexedDB with their material wrapped by a non-extractable WebCrypto key.
#[wasm_bindgen(js_name = KmsSandbox)]
pub struct KmsSandbox {
    sandbox: Sandbox,
}

impl From<Sandbox> for KmsSandbox {
    fn from(sandbox: Sandbox) -> Self {
        KmsSandbox { sandbox }
    }
}

impl KmsSandbox {
    /// The Rust [`Sandbox`] behind this object.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }
}

/// A KMS error as the JavaScript `Error` the API rejects with.
fn js_error(e: &KmsError) -> JsValue {
    convert::error_to_js(e)
}

/// What `send` resolves or rejects with, from the wire answer of `operation`.
fn answer(operation: &str, result: Result<kms_core::Value, KmsError>) -> Result<JsValue, JsValue> {
    match result {
        Ok(mut output) => {
            let js = convert::output_from_wire(operation, &output);
            convert::wipe(&mut output);
            Ok(convert::with_metadata(js))
        }
        Err(e) => Err(js_error(&e)),
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

#[wasm_bindgen(js_class = KmsSandbox)]
impl KmsSandbox {
    /// Opens the sandbox `name` (default "default") stored in this origin's IndexedDB, creating
    /// it on first use. `options.region` is the region of `send` (default "ap-southeast-2");
    /// `options.accountId` (default "111122223333") is fixed when the sandbox is created.
    pub async fn open(
        #[wasm_bindgen(unchecked_optional_param_type = "string")] name: Option<String>,
        #[wasm_bindgen(unchecked_optional_param_type = "KmsSandboxOptions")] options: JsValue,
    ) -> Result<KmsSandbox, JsValue> {
        let (region, account_id) = self::options(&options)?;
        let name = name.unwrap_or_else(|| "default".to_string());
        Sandbox::open(&name, region, account_id)
            .await
            .map(KmsSandbox::from)
            .map_err(|e| js_error(&e))
    }

    /// A sandbox with the same API that keeps everything in memory and persists nothing.
    pub fn memory(
        #[wasm_bindgen(unchecked_optional_param_type = "KmsSandboxOptions")] options: JsValue,
    ) -> Result<KmsSandbox, JsValue> {
        let (region, account_id) = self::options(&options)?;
        Sandbox::try_memory(region, account_id)
            .map(KmsSandbox::from)
            .map_err(|e| js_error(&e))
    }

    /// Names of the sandboxes stored on this origin, sorted.
    pub async fn list() -> Result<Vec<String>, JsValue> {
        sandbox::list_sandboxes().await.map_err(|e| js_error(&e))
    }

    /// Deletes sandbox `name`: its database, keys and HSM key. Objects still open on it can no
    /// longer save changes.
    pub async fn delete(name: String) -> Result<(), JsValue> {
        sandbox::delete_sandbox(&name)
            .await
            .map_err(|e| js_error(&e))
    }

    /// Runs one KMS operation (see the `KmsSandbox` interface in the declarations for types).
    #[wasm_bindgen(skip_typescript)]
    pub fn send(&self, operation: String, input: JsValue) -> js_sys::Promise {
        let request = match convert::input_to_wire(&operation, &input) {
            Ok(request) => request,
            Err(e) => return js_sys::Promise::reject(&js_error(&e)),
        };
        // Reads (and failures) answer without a future: an already settled promise.
        let caller = match self.sandbox.caller() {
            Ok(caller) => caller,
            Err(e) => return js_sys::Promise::reject(&js_error(&e)),
        };
        match self.sandbox.begin(
            Service::Kms,
            self.sandbox.region_str(),
            &operation,
            request,
            caller,
        ) {
            Begun::Ready(result) => match answer(&operation, result) {
                Ok(output) => js_sys::Promise::resolve(&output),
                Err(error) => js_sys::Promise::reject(&error),
            },
            Begun::Pending(pending) => {
                wasm_bindgen_futures::future_to_promise(
                    async move { answer(&operation, pending.await) },
                )
            }
        }
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

    /// A handle on the same sandbox that acts as `principalArn`: an IAM user
    /// (`arn:aws:iam::ACCOUNT:user/NAME`), or a session named `sessionName` of an IAM role
    /// (`arn:aws:iam::ACCOUNT:role/NAME`, as if assumed), or the account root. Its `send`,
    /// `service(...)` and `requestHandler` all call as that principal. The principal must exist.
    #[wasm_bindgen(js_name = as)]
    pub fn acting_as(
        &self,
        #[wasm_bindgen(js_name = principalArn)] principal_arn: String,
        #[wasm_bindgen(js_name = sessionName, unchecked_optional_param_type = "string")]
        session_name: Option<String>,
    ) -> Result<KmsSandbox, JsValue> {
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
            .map(|c| c.arn())
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
        operation: String,
        #[wasm_bindgen(unchecked_param_type = "any")] input: JsValue,
    ) -> Result<JsValue, JsValue> {
        let request = convert::input_to_wire(&operation, &input).map_err(|e| js_error(&e))?;
        let out = self
            .sandbox
            .explain(self.sandbox.region_str(), &operation, &request)
            .map_err(|e| js_error(&e))?;
        Ok(convert::plain_from_wire(&out))
    }

    /// Another service of this sandbox's account, with the same caller:
    /// `sandbox.service('iam').send('CreateUser', { UserName: 'alice' })`. Services: `kms`,
    /// `iam`, `sts`.
    pub fn service(&self, name: String) -> Result<ServiceClient, JsValue> {
        let service = Service::from_name(&name).ok_or_else(|| {
            js_error(&KmsError::validation(format!(
                "Unknown service '{name}': this sandbox answers kms, iam and sts"
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
    /// The service's name: `kms`, `iam` or `sts`.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.service.name().to_string()
    }

    /// Runs one operation of the service, with AWS SDK v3 input and output shapes.
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn send(
        &self,
        operation: String,
        #[wasm_bindgen(unchecked_param_type = "any")] input: JsValue,
    ) -> js_sys::Promise {
        let m = convert::service_model(self.service);
        let request = match convert::input_to_wire_in(m, &operation, &input) {
            Ok(request) => request,
            Err(e) => return js_sys::Promise::reject(&js_error(&e)),
        };
        let sandbox = self.sandbox.clone();
        let service = self.service;
        wasm_bindgen_futures::future_to_promise(async move {
            let region = sandbox.region();
            match sandbox
                .call_service(service, &region, &operation, request)
                .await
            {
                Ok(mut output) => {
                    let js = convert::output_from_wire_in(m, &operation, &output);
                    convert::wipe(&mut output);
                    Ok(convert::with_metadata(js))
                }
                Err(e) => Err(js_error(&e)),
            }
        })
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
