//! [`Kms`]: one sandbox seen from one Region, with typed helpers over [`Kms::send`].

use super::{requests as r, ApiError, DeniedCall, Request};
use crate::access::{parse_explain, Decision};
use crate::key_list::KeyListing;
use crate::model::{AliasEntry, KeyMetadata, RotationEntry, RotationStatus, Tag};
use kms_web::types::Service;
use kms_web::Sandbox;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::rc::Rc;

/// The session name of the role sessions the console acts as (AWS's own default here).
pub const CONSOLE_SESSION: &str = "console";

/// The sandbox the console is working on, in the Region the header selects, as the principal
/// the header's "Acting as" picks.
#[derive(Clone)]
pub struct Kms {
    /// The account root's handle.
    root: Sandbox,
    /// The handle every request goes through: `root`, or `root.acting_as(...)`.
    sandbox: Sandbox,
    region: String,
    /// Bumped when the sandbox's contents change under the console (reset), so views reload.
    epoch: u32,
}

impl PartialEq for Kms {
    fn eq(&self, other: &Self) -> bool {
        self.sandbox.name() == other.sandbox.name()
            && self.region == other.region
            && self.epoch == other.epoch
            && self.sandbox.principal() == other.sandbox.principal()
    }
}

impl From<kms_web::KmsError> for ApiError {
    fn from(e: kms_web::KmsError) -> Self {
        ApiError {
            error_type: e.error_type.as_str().to_string(),
            message: e.message,
            denied: None,
        }
    }
}

thread_local! {
    /// How many key listings this page has made: each one's generation.
    static LISTINGS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// A key and its aliases, as a key table row shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyRow {
    pub meta: KeyMetadata,
    pub aliases: Vec<String>,
}

fn parse<T: DeserializeOwned>(v: Value) -> Result<T, ApiError> {
    serde_json::from_value(v).map_err(|e| ApiError::local("SerializationException", e.to_string()))
}

impl Kms {
    pub fn new(sandbox: Sandbox, region: String, epoch: u32) -> Self {
        Kms {
            root: sandbox.clone(),
            sandbox,
            region,
            epoch,
        }
    }

    /// The same sandbox, calling as `principal` (an IAM user's or role's ARN; a role acts
    /// through a session named [`CONSOLE_SESSION`]), or as the account root for `None` or a
    /// principal that no longer exists.
    pub fn acting_as(&self, principal: Option<&str>) -> Kms {
        let sandbox = match principal {
            Some(arn) if self.principals().iter().any(|(a, _)| a == arn) => {
                let session = arn.contains(":role/").then_some(CONSOLE_SESSION);
                self.root.acting_as(arn, session)
            }
            _ => self.root.clone(),
        };
        Kms {
            sandbox,
            ..self.clone()
        }
    }

    /// The IAM user or role the console acts as (`None`: the account root).
    pub fn principal_arn(&self) -> Option<String> {
        self.sandbox.principal().map(|p| p.arn.clone())
    }

    /// The ARN AWS names the caller by (a role session's `assumed-role` ARN).
    pub fn caller_arn(&self) -> String {
        self.sandbox
            .caller()
            .map(|c| c.arn(&self.region))
            .unwrap_or_else(|_| {
                kms_web::types::arn::arn("iam", &self.region, &self.account_id(), "root")
            })
    }

    /// The sandbox's IAM users and roles: `(ARN, "user" | "role")`, sorted by ARN.
    pub fn principals(&self) -> Vec<(String, &'static str)> {
        self.root.principals()
    }

    /// One IAM request as the acting principal (IAM's JSON value form).
    pub async fn iam(&self, operation: &str, body: Value) -> Result<Value, ApiError> {
        Ok(self
            .sandbox
            .call_service(Service::Iam, &self.region, operation, body)
            .await?)
    }

    /// One request of any service the sandbox answers, as the acting principal, in `region`
    /// (the terminal page sends what `aws ...` parses to).
    pub async fn call_service(
        &self,
        service: Service,
        region: &str,
        operation: &str,
        body: Value,
    ) -> Result<Value, kms_web::KmsError> {
        self.sandbox
            .call_service(service, region, operation, body)
            .await
    }

    /// How AWS decides the KMS request for `principal` (`None`: the root; a role acts through a
    /// session named `session`), without sending it.
    pub fn explain_for(
        &self,
        principal: Option<(&str, Option<&str>)>,
        region: &str,
        operation: &str,
        body: &Value,
    ) -> Result<Vec<Decision>, ApiError> {
        let handle = match principal {
            Some((arn, session)) => self.root.acting_as(arn, session),
            None => self.root.clone(),
        };
        Ok(parse_explain(&handle.explain(region, operation, body)?))
    }

    pub fn region(&self) -> &str {
        &self.region
    }
    pub fn account_id(&self) -> String {
        self.sandbox.account_id()
    }
    pub fn sandbox_name(&self) -> String {
        self.sandbox.name()
    }

    /// Stored records of the sandbox that could not be read (see `kms_web::Damage`).
    pub fn damaged(&self) -> Vec<kms_web::Damage> {
        self.sandbox.damaged()
    }

    /// Sends one request in the selected Region.
    pub async fn send(&self, request: &Request) -> Result<Value, ApiError> {
        self.send_in(&self.region, request).await
    }

    /// Sends `requests` one after another, as a change to several keys or tags is made: the first
    /// refusal stops the rest (what was sent before it stays done) and is the error; otherwise
    /// every answer, in order.
    pub async fn send_each(&self, requests: &[Request]) -> Result<Vec<Value>, ApiError> {
        let mut answers = Vec::with_capacity(requests.len());
        for request in requests {
            answers.push(self.send(request).await?);
        }
        Ok(answers)
    }

    pub async fn send_in(&self, region: &str, request: &Request) -> Result<Value, ApiError> {
        self.sandbox
            .call_in(region, request.operation, request.body.clone())
            .await
            .map_err(|e| {
                let mut e = ApiError::from(e);
                if e.error_type == "AccessDeniedException" {
                    e.denied = Some(Rc::new(DeniedCall {
                        region: region.to_string(),
                        operation: request.operation.to_string(),
                        body: request.body.clone(),
                        principal: self
                            .sandbox
                            .principal()
                            .map(|p| (p.arn.clone(), p.session_name.clone())),
                    }));
                }
                e
            })
    }

    /// Every key id in `region` (ListKeys, following markers).
    pub async fn list_key_ids_in(&self, region: &str) -> Result<Vec<String>, ApiError> {
        let mut ids = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .send_in(region, &r::list_keys(marker.as_deref()))
                .await?;
            for k in page["Keys"].as_array().into_iter().flatten() {
                if let Some(id) = k["KeyId"].as_str() {
                    ids.push(id.to_string());
                }
            }
            match (page["Truncated"].as_bool(), page["NextMarker"].as_str()) {
                (Some(true), Some(m)) => marker = Some(m.to_string()),
                _ => return Ok(ids),
            }
        }
    }

    pub async fn describe_key_in(
        &self,
        region: &str,
        key_id: &str,
    ) -> Result<KeyMetadata, ApiError> {
        let v = self.send_in(region, &r::describe_key(key_id)).await?;
        parse(v["KeyMetadata"].clone())
    }

    pub async fn describe_key(&self, key_id: &str) -> Result<KeyMetadata, ApiError> {
        self.describe_key_in(&self.region, key_id).await
    }

    /// All aliases in the Region, or those of one key.
    pub async fn list_aliases(&self, key_id: Option<&str>) -> Result<Vec<AliasEntry>, ApiError> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .send(&r::list_aliases(key_id, marker.as_deref()))
                .await?;
            out.extend(parse::<Vec<AliasEntry>>(page["Aliases"].clone())?);
            match (page["Truncated"].as_bool(), page["NextMarker"].as_str()) {
                (Some(true), Some(m)) => marker = Some(m.to_string()),
                _ => return Ok(out),
            }
        }
    }

    /// The Region's keys as ListKeys and ListAliases know them (every page of each), without
    /// DescribeKey: what the key tables and pickers start from (see [`crate::key_list`]).
    pub async fn key_listing(&self) -> Result<KeyListing, ApiError> {
        let ids = self.list_key_ids_in(&self.region).await?;
        let aliases = self.list_aliases(None).await?;
        let generation = LISTINGS.with(|n| {
            n.set(n.get() + 1);
            n.get()
        });
        Ok(KeyListing::new(generation, ids, &aliases))
    }

    pub async fn tags(&self, key_id: &str) -> Result<Vec<Tag>, ApiError> {
        let v = self.send(&r::list_resource_tags(key_id)).await?;
        parse(v["Tags"].clone())
    }

    pub async fn key_policy(&self, key_id: &str) -> Result<String, ApiError> {
        let v = self.send(&r::get_key_policy(key_id)).await?;
        Ok(v["Policy"].as_str().unwrap_or_default().to_string())
    }

    pub async fn rotation_status(&self, key_id: &str) -> Result<RotationStatus, ApiError> {
        parse(self.send(&r::get_key_rotation_status(key_id)).await?)
    }

    pub async fn rotations(&self, key_id: &str) -> Result<Vec<RotationEntry>, ApiError> {
        let v = self.send(&r::list_key_rotations(key_id)).await?;
        parse(v["Rotations"].clone())
    }

    /// The public key, base64 DER (SubjectPublicKeyInfo).
    pub async fn public_key(&self, key_id: &str) -> Result<String, ApiError> {
        let v = self.send(&r::get_public_key(key_id)).await?;
        Ok(v["PublicKey"].as_str().unwrap_or_default().to_string())
    }

    /// One page of the event history in the selected Region (LookupEvents).
    pub async fn lookup_events(
        &self,
        request: Value,
    ) -> Result<(Vec<crate::trail::TrailEvent>, Option<String>), ApiError> {
        self.lookup_events_in(&self.region, request).await
    }

    /// [`Kms::lookup_events`] in `region`.
    pub async fn lookup_events_in(
        &self,
        region: &str,
        request: Value,
    ) -> Result<(Vec<crate::trail::TrailEvent>, Option<String>), ApiError> {
        let answer = self
            .sandbox
            .call_service(Service::CloudTrail, region, "LookupEvents", request)
            .await?;
        Ok(crate::trail::parse_page(&answer))
    }

    /// The Regions in which the sandbox holds keys or aliases.
    pub fn regions_in_use(&self) -> Vec<String> {
        self.root.regions()
    }

    /// The sandbox's time, ms since the epoch.
    pub fn now(&self) -> i64 {
        self.root.now()
    }

    /// Moves the sandbox clock forward; returns the new time (ms).
    pub async fn advance_clock(&self, seconds: f64) -> Result<i64, ApiError> {
        Ok(self.root.advance_clock(seconds).await?)
    }

    /// This sandbox's bill for a month of sandbox time (`None`: the current month).
    pub async fn bill(
        &self,
        year: Option<i64>,
        month: Option<u32>,
    ) -> Result<kms_web::types::bill::Bill, ApiError> {
        Ok(self.root.bill(year, month)?)
    }

    /// The whole sandbox as a `.kmssandbox` file, encrypted under `passphrase`.
    pub async fn export(&self, passphrase: &str) -> Result<js_sys::Uint8Array, ApiError> {
        Ok(self.root.export(passphrase).await?)
    }

    /// The JS API (`window.kms`) over this sandbox, sending to the selected Region.
    pub fn to_js(&self) -> wasm_bindgen::JsValue {
        self.sandbox
            .in_region(&self.region)
            .unwrap_or_else(|_| self.sandbox.clone())
            .to_js()
    }
}

/// Opens (creating on first use) the persistent sandbox `name`. `account_id` only applies when
/// the sandbox is new.
pub async fn open_sandbox(
    name: &str,
    region: &str,
    account_id: Option<String>,
) -> Result<Sandbox, ApiError> {
    Ok(Sandbox::open(name, Some(region.to_string()), account_id).await?)
}

/// Names of the sandboxes stored in this browser.
pub async fn list_sandboxes() -> Result<Vec<String>, ApiError> {
    Ok(kms_web::list_sandboxes().await?)
}

/// Restores a `.kmssandbox` file as the stored sandbox `name` (replacing one of that name only
/// when `replace`); nothing is written when it fails.
pub async fn import_sandbox(
    name: &str,
    file: &[u8],
    passphrase: &str,
    replace: bool,
    region: &str,
) -> Result<Sandbox, ApiError> {
    let options = kms_web::ImportOptions {
        replace,
        region: Some(region.to_string()),
    };
    let file = js_sys::Uint8Array::from(file);
    Ok(Sandbox::import(name, &file, passphrase, options).await?)
}

/// Deletes a stored sandbox and all its keys, and the Terraform state the console kept for it.
pub async fn delete_sandbox(name: &str) -> Result<(), ApiError> {
    kms_web::delete_sandbox(name).await?;
    crate::tf_state::forget_state(name);
    Ok(())
}
