//! `sandbox.requestHandler`: an HTTP handler the official AWS SDK for JavaScript v3
//! (`@aws-sdk/client-kms`, `-iam`, `-sts`, `-cloudtrail`, `-cloudformation`) takes as its `requestHandler`,
//! answering from the sandbox instead of the network.
//!
//! The KMS client serialises each call to an AWS JSON 1.1 request (`X-Amz-Target:
//! TrentService.<Operation>`, JSON body, host `kms.<region>.amazonaws.com`) and hands it to
//! `handle`; the answer is the response AWS would send: status, JSON 1.1 content type, and the
//! JSON body (`{"__type", "message"}` for errors). The region comes from the host name, so each
//! client region is its own key space, as in AWS. CloudTrail speaks the same protocol
//! (`CloudTrail_20131101.LookupEvents`, host `cloudtrail.<region>.amazonaws.com`); IAM, STS and
//! CloudFormation speak the query protocol (form-encoded requests, XML answers).
//!
//! Each HTTP request gets a request id (`x-amzn-RequestId`), which its CloudTrail record carries
//! too, and is recorded whether it is answered or refused.

use crate::convert::{
    abort_error, abortable, handler_metadata, http_response, request_parts, wipe,
};
use crate::sandbox::{Sandbox, Who};
use js_sys::{Object, Uint8Array};
use kms_core::{query, trail, Caller, ErrorType, KmsError, Service, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use zeroize::Zeroize;

const TARGET_PREFIX: &str = "TrentService.";

/// An AWS SDK v3 `HttpHandler` over a sandbox. Get one from `sandbox.requestHandler`.
#[wasm_bindgen(js_name = KmsRequestHandler)]
pub struct RequestHandler {
    sandbox: Sandbox,
}

impl RequestHandler {
    pub(crate) fn new(sandbox: Sandbox) -> Self {
        RequestHandler { sandbox }
    }
}

#[wasm_bindgen(js_class = KmsRequestHandler)]
impl RequestHandler {
    /// Answers one SDK `HttpRequest` with `{ response: HttpResponse }`. Service errors are error
    /// responses, as from AWS; it rejects only a request for a service the sandbox does not
    /// have (`UnsupportedServiceError`) and an aborted one (`AbortError`).
    #[wasm_bindgen(unchecked_return_type = "Promise<{ response: KmsHttpResponse }>")]
    pub fn handle(
        &self,
        #[wasm_bindgen(unchecked_param_type = "KmsHttpRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ abortSignal?: { aborted: boolean } }")]
        options: JsValue,
    ) -> js_sys::Promise {
        // What the handler reads of the request, in one call to JavaScript.
        let parts = request_parts(&request, &options);
        if parts.aborted() {
            return js_sys::Promise::reject(&abort_error(&options));
        }
        let sandbox = self.sandbox.clone();
        let answer = crate::webcrypto::promise_of(async move {
            let target = parts.target();
            let hostname = parts.hostname();
            let authorization = parts.authorization();
            let scope = authorization.as_deref().and_then(credential_scope);
            let service = match service_of(target.as_deref(), hostname.as_deref(), scope.as_ref()) {
                Ok(service) => service,
                Err(other) => {
                    let err = js_sys::Error::new(&format!(
                        "KMS Sandbox answers KMS, IAM, STS, CloudTrail and CloudFormation; this \
                         request is for {other}."
                    ));
                    err.set_name("UnsupportedServiceError");
                    return Err(err.into());
                }
            };
            let region = match service {
                Service::Iam => sandbox.region(),
                _ => hostname
                    .as_deref()
                    .and_then(region_of_host)
                    .or_else(|| scope.as_ref().map(|s| s.region.clone()))
                    .filter(|r| !r.is_empty())
                    .unwrap_or_else(|| match service {
                        Service::Sts => "us-east-1".to_string(),
                        _ => sandbox.region(),
                    }),
            };
            let request_id = sandbox.new_id();
            let access_key_id = scope.as_ref().map(|s| s.access_key_id.as_str());
            // A body larger than any request may be is refused before it is copied.
            let (mut body, caller) = match body_bytes(&parts.body()) {
                Some(body) => {
                    let signed = || signed_request(&request, &body);
                    let caller = sandbox.caller_for_request(
                        service,
                        authorization.as_deref(),
                        access_key_id,
                        signed,
                    );
                    (body, caller)
                }
                None => (
                    Vec::new(),
                    Err(KmsError::validation(format!(
                        "1 validation error detected: the request body is larger than {} bytes",
                        crate::convert::MAX_REQUEST_BYTES
                    ))),
                ),
            };
            let sent = Sent {
                region: &region,
                request_id: &request_id,
                user_agent: user_agent(parts.user_agent()),
                access_key_id,
            };
            let (status, mut response_body) = match service {
                Service::Kms | Service::CloudTrail => {
                    answer(&sandbox, service, &sent, target.as_deref(), &body, caller).await
                }
                Service::Iam | Service::Sts | Service::CloudFormation => {
                    answer_query(&sandbox, service, &sent, &body, caller).await
                }
            };
            body.zeroize();
            let content_type = match service {
                Service::Kms | Service::CloudTrail => "application/x-amz-json-1.1",
                Service::Iam | Service::Sts | Service::CloudFormation => "text/xml",
            };
            let out = http_response(
                status,
                content_type,
                &Uint8Array::from(&response_body[..]),
                &request_id,
            );
            response_body.zeroize();
            Ok(out)
        });
        abortable(&answer, &options)
    }

    /// Part of the SDK's `HttpHandler` interface; the sandbox has no HTTP client to configure.
    #[wasm_bindgen(js_name = updateHttpClientConfig)]
    pub fn update_http_client_config(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue,
    ) {
        let _ = (key, value);
    }

    /// Part of the SDK's `HttpHandler` interface: no HTTP client settings.
    #[wasm_bindgen(js_name = httpHandlerConfigs, unchecked_return_type = "Record<string, never>")]
    pub fn http_handler_configs(&self) -> Object {
        Object::new()
    }

    /// Part of the SDK's `HttpHandler` interface (the client calls it from `destroy()`); the
    /// sandbox stays usable.
    pub fn destroy(&self) {}

    /// What the SDK reads to learn the handler's protocol.
    #[wasm_bindgen(getter, unchecked_return_type = "{ handlerProtocol: string }")]
    pub fn metadata(&self) -> JsValue {
        handler_metadata()
    }
}

/// The request's body, or `None` if it is larger than a request may be (checked before it is
/// copied).
fn body_bytes(body: &JsValue) -> Option<Vec<u8>> {
    const MAX: usize = crate::convert::MAX_REQUEST_BYTES;
    if body.is_string() {
        let units = body.unchecked_ref::<js_sys::JsString>().length() as usize;
        (units <= MAX).then(|| body.as_string().unwrap_or_default().into_bytes())
    } else if let Some(a) = body.dyn_ref::<Uint8Array>() {
        (a.length() as usize <= MAX).then(|| a.to_vec())
    } else if let Some(b) = body.dyn_ref::<js_sys::ArrayBuffer>() {
        (b.byte_length() as usize <= MAX).then(|| Uint8Array::new(b).to_vec())
    } else {
        Some(Vec::new())
    }
}

/// What a SigV4 signature of `request` covers, `body` included.
fn signed_request(request: &JsValue, body: &[u8]) -> kms_core::sigv4::SignedRequest {
    #[derive(serde::Deserialize)]
    struct Parts {
        method: String,
        path: String,
        query: Vec<(String, Vec<String>)>,
        headers: Vec<(String, String)>,
        host: String,
    }
    let json = crate::convert::signed_request_json(request);
    // The JSON is the glue's own: it always parses; an empty request would only fail to verify.
    let p: Parts = serde_json::from_str(&json).unwrap_or(Parts {
        method: String::new(),
        path: String::new(),
        query: Vec::new(),
        headers: Vec::new(),
        host: String::new(),
    });
    kms_core::sigv4::SignedRequest {
        method: p.method,
        path: p.path,
        query: p.query,
        headers: p.headers,
        host: p.host,
        body: body.to_vec().into(),
    }
}

/// The credential scope of a SigV4 `Authorization` header:
/// `AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, SignedHeaders=..., ...`.
pub(crate) struct Scope {
    pub access_key_id: String,
    pub region: String,
    pub service: String,
}

pub(crate) fn credential_scope(authorization: &str) -> Option<Scope> {
    let credential = authorization
        .split([' ', ','])
        .find_map(|part| part.trim().strip_prefix("Credential="))?;
    let mut parts = credential.split('/');
    let access_key_id = parts.next().filter(|id| !id.is_empty())?.to_string();
    let _date = parts.next();
    Some(Scope {
        access_key_id,
        region: parts.next().unwrap_or_default().to_string(),
        service: parts.next().unwrap_or_default().to_string(),
    })
}

/// The `userAgent` a request's record names: `User-Agent`, else the SDK's `x-amz-user-agent` (a
/// browser does not let it set `User-Agent`), at most 256 characters.
fn user_agent(agent: Option<String>) -> String {
    let agent = agent.unwrap_or_else(|| "kms-sandbox-request-handler".to_string());
    agent.chars().take(256).collect()
}

/// What the record of an HTTP request needs besides the request itself.
struct Sent<'a> {
    region: &'a str,
    request_id: &'a str,
    user_agent: String,
    access_key_id: Option<&'a str>,
}

impl Sent<'_> {
    /// The sandbox call of `operation` of `service`, with this request's id.
    fn call(&self, sandbox: &Sandbox, service: Service, operation: &str) -> crate::sandbox::Call {
        sandbox.new_call(
            service,
            self.region,
            operation,
            self.user_agent.clone(),
            Some(self.request_id.to_string()),
        )
    }

    /// Who the record names when the access key was refused.
    fn unknown(&self) -> Who<'_> {
        Who::Unknown {
            arn: None,
            access_key_id: self.access_key_id,
        }
    }
}

/// Which service a request is for: KMS and CloudTrail by their `X-Amz-Target`, IAM and STS
/// (query protocol) by the host name, or else by the service the request was signed for.
/// `Err(name)`: a request signed for a service the sandbox does not have (a Secrets Manager
/// client given the handler), which must not be answered, nor recorded, as KMS.
fn service_of(
    target: Option<&str>,
    hostname: Option<&str>,
    scope: Option<&Scope>,
) -> Result<Service, String> {
    let foreign_scope = scope
        .map(|s| s.service.as_str())
        .filter(|s| !s.is_empty() && Service::from_name(s).is_none());
    if let Some(other) = foreign_scope {
        return Err(other.to_string());
    }
    if target.is_some_and(|t| t.starts_with(TARGET_PREFIX)) {
        return Ok(Service::Kms);
    }
    if target.and_then(trail::operation_of_target).is_some() {
        return Ok(Service::CloudTrail);
    }
    let by_host = hostname
        .and_then(|h| h.split('.').next())
        .and_then(Service::from_name);
    let by_scope = scope.and_then(|s| Service::from_name(&s.service));
    Ok(by_host.or(by_scope).unwrap_or(Service::Kms))
}

/// The status and XML body AWS would answer a query-protocol (IAM, STS) request with.
async fn answer_query(
    sandbox: &Sandbox,
    service: Service,
    sent: &Sent<'_>,
    body: &[u8],
    caller: Result<Caller, KmsError>,
) -> (u16, Vec<u8>) {
    let m = crate::convert::service_model(service);
    let result = match (caller, query::decode(m, body)) {
        (Err(e), decoded) => {
            let operation = match decoded {
                Ok((operation, mut request)) => {
                    wipe(&mut request);
                    operation
                }
                Err(_) => action_of(body),
            };
            let call = sent.call(sandbox, service, &operation);
            Err(sandbox.refuse(&call, sent.unknown(), e))
        }
        (Ok(caller), Err(e)) => {
            let call = sent.call(sandbox, service, &action_of(body));
            Err(sandbox.refuse(&call, Who::Caller(&caller), e))
        }
        (Ok(caller), Ok((operation, request))) => {
            let call = sent.call(sandbox, service, &operation);
            sandbox
                .call_as(call, caller, request)
                .await
                .map(|v| (operation, v))
        }
    };
    match result {
        Ok((operation, mut value)) => {
            let xml = query::encode_response(m, &operation, &value, sent.request_id);
            wipe(&mut value);
            (200, xml.into_bytes())
        }
        Err(e) => (
            e.status(),
            query::encode_error(m, &e, sent.request_id).into_bytes(),
        ),
    }
}

/// The `Action` of a query-protocol body the codec refused (for its record), as sent.
fn action_of(body: &[u8]) -> String {
    String::from_utf8_lossy(body)
        .split('&')
        .find_map(|p| p.strip_prefix("Action="))
        .unwrap_or_default()
        .chars()
        .take(128)
        .collect()
}

/// `kms.<region>.amazonaws.com` (also `kms-fips.`, and the `.com.cn` partition) → the region.
pub(crate) fn region_of_host(host: &str) -> Option<String> {
    let mut labels = host.split('.');
    let service = labels.next()?;
    let region = labels.next()?;
    let rest: Vec<&str> = labels.collect();
    let is_aws = rest.first().copied() == Some("amazonaws");
    let known = matches!(
        service,
        "kms" | "kms-fips" | "sts" | "cloudtrail" | "cloudformation"
    );
    (known && is_aws && !region.is_empty()).then(|| region.to_string())
}

/// The status and JSON body AWS would answer a JSON 1.1 request (KMS, CloudTrail) with.
async fn answer(
    sandbox: &Sandbox,
    service: Service,
    sent: &Sent<'_>,
    target: Option<&str>,
    body: &[u8],
    caller: Result<Caller, KmsError>,
) -> (u16, Vec<u8>) {
    let operation = match service {
        Service::CloudTrail => target.and_then(trail::operation_of_target),
        _ => target.and_then(|t| t.strip_prefix(TARGET_PREFIX)),
    };
    // An unknown target is recorded under the name it gave.
    let call = sent.call(sandbox, service, operation.or(target).unwrap_or_default());
    let result = match (caller, operation) {
        (Err(e), _) => Err(sandbox.refuse(&call, sent.unknown(), e)),
        (Ok(caller), None) => Err(sandbox.refuse(
            &call,
            Who::Caller(&caller),
            KmsError::new(ErrorType::UnknownOperation, ""),
        )),
        (Ok(caller), Some(_)) => sandbox.execute_raw(call, caller, body).await,
    };
    match result {
        Ok(mut value) => {
            let bytes = value.to_string().into_bytes();
            wipe(&mut value);
            (200, bytes)
        }
        Err(e) => (e.status(), error_body(&e)),
    }
}

fn error_body(e: &KmsError) -> Vec<u8> {
    let mut v: Value = e.to_json();
    if let Value::Object(o) = &mut v {
        if e.message.is_empty() {
            o.remove("message");
        }
    }
    v.to_string().into_bytes()
}
