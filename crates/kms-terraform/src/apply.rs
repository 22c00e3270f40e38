//! Apply and destroy: each change becomes the provider's KMS calls, sent one at a time by the
//! caller ([`Run::next`], [`Run::answer`]) so that a browser can await each.

use crate::diag::Diagnostic;
use crate::eval::Scope;
use crate::plan::{desired, Action, Change};
use crate::state::{Instance, State};
use crate::Env;
use kms_core::KmsError;
use serde_json::{json, Map, Value};
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

/// One KMS request.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub region: String,
    pub operation: String,
    pub input: Value,
}

/// What an answer is for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Purpose {
    Created,
    Policy,
    TargetArn,
    RotationStatus,
    Ignore,
}

/// One step of apply: a resource made, changed or destroyed.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    pub change: Change,
    /// Destroy the old object (destroy, or the first half of a replacement).
    pub destroy: bool,
}

pub(crate) struct Current {
    step: Step,
    calls: VecDeque<(Purpose, Call)>,
    attrs: Map<String, Value>,
}

fn s<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(Value::as_str)
}

fn tags_list(v: &Value) -> Option<Value> {
    let o = v.as_object()?;
    Some(Value::Array(
        o.iter()
            .map(|(k, v)| json!({"TagKey": k, "TagValue": v.as_str().unwrap_or_default()}))
            .collect(),
    ))
}

fn verb(step: &Step) -> (&'static str, &'static str) {
    match (step.destroy, step.change.action) {
        (true, _) => ("Destroying...", "Destruction complete after 0s"),
        (false, Action::Update) => ("Modifying...", "Modifications complete after 0s"),
        _ => ("Creating...", "Creation complete after 0s"),
    }
}

/// The provider's error message for a failed call of a step.
fn what(step: &Step) -> String {
    let noun = match step.change.ty.as_str() {
        "aws_kms_key" => "KMS Key",
        "aws_kms_alias" => "KMS Alias",
        "aws_kms_replica_key" => "KMS Replica Key",
        "aws_kms_grant" => "KMS Grant",
        _ => "KMS Key Policy",
    };
    let doing = match (step.destroy, step.change.action) {
        (true, _) => "deleting",
        (false, Action::Update) => "updating",
        _ => "creating",
    };
    // The provider names an alias by its name (`creating KMS Alias (alias/x)`).
    let alias = match step.change.ty.as_str() {
        "aws_kms_alias" => [&step.change.after, &step.change.before]
            .into_iter()
            .flatten()
            .find_map(|a| {
                a.get("name")
                    .and_then(Value::as_str)
                    .filter(|n| !n.contains(crate::eval::UNKNOWN))
            }),
        _ => None,
    };
    match alias {
        Some(name) => format!("{doing} {noun} ({name})"),
        None => format!("{doing} {noun}"),
    }
}

pub struct Run {
    pub(crate) env: Env,
    pub(crate) files: Vec<(String, String)>,
    pub(crate) cfg: crate::config::Config,
    pub(crate) base: Scope,
    pub(crate) steps: VecDeque<Step>,
    pub(crate) current: Option<Current>,
    pub(crate) inflight: Option<Purpose>,
    pub(crate) state: State,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    pub(crate) failed: bool,
    pub(crate) done: bool,
    pub(crate) destroy_mode: bool,
    pub(crate) counts: (usize, usize, usize),
    pub(crate) changed_state: bool,
    /// Apply or destroy went past the approval: the state and outputs are written at the end.
    pub(crate) applying: bool,
    pub(crate) prefix_counter: u64,
    pub(crate) last_operation: String,
    /// Requests sent (an error's RequestID is made from it).
    pub(crate) requests: u64,
}

impl Run {
    fn call(&self, operation: &str, input: Value) -> Call {
        Call {
            region: self.env.region.clone(),
            operation: operation.to_string(),
            input,
        }
    }

    fn scope(&self) -> Scope {
        let mut scope = self.base.clone();
        for inst in &self.state.resources {
            scope
                .resources
                .entry(inst.ty.clone())
                .or_default()
                .insert(inst.name.clone(), Value::Object(inst.attributes.clone()));
        }
        crate::eval_locals(&self.cfg, &mut scope);
        scope
    }

    fn fail(&mut self, diags: &[Diagnostic]) {
        self.stderr
            .push_str(&crate::diag::render_all(diags, &self.files));
        self.failed = true;
        self.steps.clear();
        self.current = None;
    }

    /// Starts a step: its first calls.
    fn begin(&mut self, step: Step) {
        let addr = step.change.address();
        let (start, _) = verb(&step);
        let before = step.change.before.clone().unwrap_or_default();
        if step.destroy || step.change.action == Action::Update {
            self.stdout.push_str(&format!(
                "{addr}: {start} [id={}]\n",
                s(&before, "id").unwrap_or("")
            ));
        } else {
            self.stdout.push_str(&format!("{addr}: {start}\n"));
        }
        let mut calls = VecDeque::new();
        let mut attrs = Map::new();
        if step.destroy {
            let id = s(&before, "id").unwrap_or_default().to_string();
            match step.change.ty.as_str() {
                "aws_kms_key" | "aws_kms_replica_key" => {
                    let days = before
                        .get("deletion_window_in_days")
                        .and_then(Value::as_i64)
                        .unwrap_or(30);
                    calls.push_back((
                        Purpose::Ignore,
                        self.call(
                            "ScheduleKeyDeletion",
                            json!({"KeyId": id, "PendingWindowInDays": days}),
                        ),
                    ));
                }
                "aws_kms_alias" => calls.push_back((
                    Purpose::Ignore,
                    self.call("DeleteAlias", json!({"AliasName": id})),
                )),
                "aws_kms_grant" => {
                    let key = s(&before, "key_id").unwrap_or_default();
                    let grant = s(&before, "grant_id").unwrap_or_default();
                    let op = if before.get("retire_on_delete") == Some(&json!(true)) {
                        "RetireGrant"
                    } else {
                        "RevokeGrant"
                    };
                    calls.push_back((
                        Purpose::Ignore,
                        self.call(op, json!({"KeyId": key, "GrantId": grant})),
                    ));
                }
                _ => {
                    let key = s(&before, "key_id").unwrap_or_default();
                    let policy =
                        kms_core::default_key_policy(&self.env.region, &self.env.account_id);
                    calls.push_back((
                        Purpose::Ignore,
                        self.call(
                            "PutKeyPolicy",
                            json!({"KeyId": key, "PolicyName": "default", "Policy": policy}),
                        ),
                    ));
                }
            }
        } else {
            let r = self
                .cfg
                .resource(&addr)
                .expect("planned from the configuration")
                .clone();
            let scope = self.scope();
            let args = match desired(&r, &scope) {
                Ok(a) => a,
                Err(d) => return self.fail(&d),
            };
            if let Some((k, _)) = args.iter().find(|(_, v)| crate::eval::is_unknown(v)) {
                let d = Diagnostic::error(
                    "Provider produced inconsistent final plan",
                    format!("The value of \"{k}\" is still unknown."),
                )
                .at(r.pos.clone(), Some(r.context()));
                return self.fail(&[d]);
            }
            attrs = args.clone();
            let update = step.change.action == Action::Update;
            let old = before.clone();
            let changed = |k: &str| !update || old.get(k) != args.get(k);
            let id = s(&old, "id").unwrap_or_default().to_string();
            match r.ty.as_str() {
                "aws_kms_key" if update => {
                    for (k, v) in &old {
                        if !attrs.contains_key(k) || attrs[k].is_null() {
                            attrs.insert(k.clone(), v.clone());
                        }
                    }
                    if changed("description") && args["description"].is_string() {
                        calls.push_back((
                            Purpose::Ignore,
                            self.call(
                                "UpdateKeyDescription",
                                json!({"KeyId": id, "Description": args["description"]}),
                            ),
                        ));
                    }
                    if changed("policy") && args["policy"].is_string() {
                        calls.push_back((Purpose::Ignore, self.call("PutKeyPolicy", json!({"KeyId": id, "PolicyName": "default", "Policy": args["policy"], "BypassPolicyLockoutSafetyCheck": args["bypass_policy_lockout_safety_check"]}))));
                    }
                    if changed("is_enabled") {
                        let op = if args["is_enabled"] == json!(false) {
                            "DisableKey"
                        } else {
                            "EnableKey"
                        };
                        calls.push_back((Purpose::Ignore, self.call(op, json!({"KeyId": id}))));
                    }
                    if changed("enable_key_rotation") || changed("rotation_period_in_days") {
                        if args["enable_key_rotation"] == json!(true) {
                            let mut input = json!({"KeyId": id});
                            if let Some(p) = args["rotation_period_in_days"].as_i64() {
                                input["RotationPeriodInDays"] = json!(p);
                            }
                            calls.push_back((
                                Purpose::Ignore,
                                self.call("EnableKeyRotation", input),
                            ));
                        } else {
                            calls.push_back((
                                Purpose::Ignore,
                                self.call("DisableKeyRotation", json!({"KeyId": id})),
                            ));
                        }
                    }
                    if changed("tags") {
                        let new = args["tags"].as_object().cloned().unwrap_or_default();
                        let gone: Vec<&String> = old
                            .get("tags")
                            .and_then(Value::as_object)
                            .map(|o| o.keys().filter(|k| !new.contains_key(*k)).collect())
                            .unwrap_or_default();
                        if !gone.is_empty() {
                            calls.push_back((
                                Purpose::Ignore,
                                self.call("UntagResource", json!({"KeyId": id, "TagKeys": gone})),
                            ));
                        }
                        if !new.is_empty() {
                            calls.push_back((
                                Purpose::Ignore,
                                self.call(
                                    "TagResource",
                                    json!({"KeyId": id, "Tags": tags_list(&args["tags"])}),
                                ),
                            ));
                        }
                        attrs.insert("tags_all".into(), Value::Object(new));
                    }
                }
                "aws_kms_key" => {
                    let mut input = json!({
                        "KeyUsage": args["key_usage"],
                        "KeySpec": args["customer_master_key_spec"],
                        "BypassPolicyLockoutSafetyCheck": args["bypass_policy_lockout_safety_check"],
                    });
                    for (k, m) in [
                        ("description", "Description"),
                        ("policy", "Policy"),
                        ("multi_region", "MultiRegion"),
                        ("custom_key_store_id", "CustomKeyStoreId"),
                        ("xks_key_id", "XksKeyId"),
                    ] {
                        if !args[k].is_null() {
                            input[m] = args[k].clone();
                        }
                    }
                    // The provider's origin for a key in a custom key store.
                    if !args["custom_key_store_id"].is_null() {
                        input["Origin"] = json!(if args["xks_key_id"].is_null() {
                            "AWS_CLOUDHSM"
                        } else {
                            "EXTERNAL_KEY_STORE"
                        });
                    }
                    if let Some(t) = tags_list(&args["tags"]) {
                        input["Tags"] = t;
                    }
                    calls.push_back((Purpose::Created, self.call("CreateKey", input)));
                }
                "aws_kms_alias" => {
                    let name = match (s(&args, "name"), s(&args, "name_prefix")) {
                        (Some(n), _) => n.to_string(),
                        (None, Some(p)) => {
                            self.prefix_counter += 1;
                            format!("{p}{:026}", self.state.serial * 1000 + self.prefix_counter)
                        }
                        (None, None) => {
                            self.prefix_counter += 1;
                            format!(
                                "alias/terraform-{:026}",
                                self.state.serial * 1000 + self.prefix_counter
                            )
                        }
                    };
                    attrs.insert("name".into(), json!(name));
                    let target = args["target_key_id"].clone();
                    let op = if update { "UpdateAlias" } else { "CreateAlias" };
                    calls.push_back((
                        Purpose::Ignore,
                        self.call(op, json!({"AliasName": name, "TargetKeyId": target})),
                    ));
                    calls.push_back((
                        Purpose::TargetArn,
                        self.call("DescribeKey", json!({"KeyId": target})),
                    ));
                }
                "aws_kms_replica_key" => {
                    let primary = s(&args, "primary_key_arn").unwrap_or_default().to_string();
                    let primary_region = primary
                        .split(':')
                        .nth(3)
                        .unwrap_or(&self.env.region)
                        .to_string();
                    let mut input = json!({
                        "KeyId": primary,
                        "ReplicaRegion": self.env.region,
                        "BypassPolicyLockoutSafetyCheck": args["bypass_policy_lockout_safety_check"],
                    });
                    for (k, m) in [("description", "Description"), ("policy", "Policy")] {
                        if !args[k].is_null() {
                            input[m] = args[k].clone();
                        }
                    }
                    if let Some(t) = tags_list(&args["tags"]) {
                        input["Tags"] = t;
                    }
                    calls.push_back((
                        Purpose::Created,
                        Call {
                            region: primary_region,
                            operation: "ReplicateKey".into(),
                            input,
                        },
                    ));
                }
                "aws_kms_grant" => {
                    let mut input = json!({
                        "KeyId": args["key_id"],
                        "GranteePrincipal": args["grantee_principal"],
                        "Operations": args["operations"],
                    });
                    for (k, m) in [
                        ("name", "Name"),
                        ("retiring_principal", "RetiringPrincipal"),
                    ] {
                        if !args[k].is_null() {
                            input[m] = args[k].clone();
                        }
                    }
                    calls.push_back((Purpose::Created, self.call("CreateGrant", input)));
                }
                _ => {
                    calls.push_back((Purpose::Ignore, self.call("PutKeyPolicy", json!({
                        "KeyId": args["key_id"], "PolicyName": "default", "Policy": args["policy"],
                        "BypassPolicyLockoutSafetyCheck": args["bypass_policy_lockout_safety_check"],
                    }))));
                    attrs.insert("id".into(), args["key_id"].clone());
                }
            }
        }
        self.current = Some(Current { step, calls, attrs });
    }

    /// Follow-up calls once the object exists.
    fn created(&mut self, answer: &Value) {
        let region = self.env.region.clone();
        let Some(cur) = self.current.as_mut() else {
            return;
        };
        let a = &mut cur.attrs;
        let call = |op: &str, input: Value| Call {
            region: region.clone(),
            operation: op.into(),
            input,
        };
        match cur.step.change.ty.as_str() {
            "aws_kms_key" | "aws_kms_replica_key" => {
                let md = if cur.step.change.ty == "aws_kms_key" {
                    &answer["KeyMetadata"]
                } else {
                    &answer["ReplicaKeyMetadata"]
                };
                let id = md["KeyId"].as_str().unwrap_or_default().to_string();
                a.insert("arn".into(), md["Arn"].clone());
                a.insert("key_id".into(), json!(id));
                a.insert("id".into(), json!(id));
                if a.get("description").is_none_or(Value::is_null) {
                    a.insert("description".into(), md["Description"].clone());
                }
                let tags = a
                    .get("tags")
                    .cloned()
                    .filter(|t| !t.is_null())
                    .unwrap_or(json!({}));
                a.insert("tags_all".into(), tags);
                if cur.step.change.ty == "aws_kms_key" {
                    a.insert("multi_region".into(), md["MultiRegion"].clone());
                    if a["enable_key_rotation"] == json!(true) {
                        let period = a
                            .get("rotation_period_in_days")
                            .and_then(Value::as_i64)
                            .unwrap_or(365);
                        a.insert("rotation_period_in_days".into(), json!(period));
                        cur.calls.push_back((
                            Purpose::Ignore,
                            call(
                                "EnableKeyRotation",
                                json!({"KeyId": id, "RotationPeriodInDays": period}),
                            ),
                        ));
                    }
                    if a["is_enabled"] == json!(false) {
                        cur.calls
                            .push_back((Purpose::Ignore, call("DisableKey", json!({"KeyId": id}))));
                    }
                } else {
                    a.insert("key_spec".into(), md["KeySpec"].clone());
                    a.insert("key_usage".into(), md["KeyUsage"].clone());
                    if a["enabled"] == json!(false) {
                        cur.calls
                            .push_back((Purpose::Ignore, call("DisableKey", json!({"KeyId": id}))));
                    }
                    cur.calls.push_back((
                        Purpose::RotationStatus,
                        call("GetKeyRotationStatus", json!({"KeyId": id})),
                    ));
                }
                if a.get("policy").is_none_or(Value::is_null) {
                    cur.calls.push_back((
                        Purpose::Policy,
                        call(
                            "GetKeyPolicy",
                            json!({"KeyId": id, "PolicyName": "default"}),
                        ),
                    ));
                }
            }
            "aws_kms_grant" => {
                let grant = answer["GrantId"].as_str().unwrap_or_default();
                let key = a
                    .get("key_id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                a.insert("grant_id".into(), json!(grant));
                a.insert("grant_token".into(), answer["GrantToken"].clone());
                a.insert("id".into(), json!(format!("{key}:{grant}")));
            }
            _ => {}
        }
    }

    /// The next request to send, or `None` when the run is over (then [`Run::finish`]).
    // Not an Iterator: each request waits for its answer ([`Run::answer`]) before the next.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<Call> {
        loop {
            if self.failed || self.done {
                return None;
            }
            if let Some(cur) = self.current.as_mut() {
                if let Some((purpose, call)) = cur.calls.pop_front() {
                    self.inflight = Some(purpose);
                    self.last_operation = call.operation.clone();
                    self.requests += 1;
                    return Some(call);
                }
                let cur = self.current.take().expect("checked");
                self.complete(cur);
                continue;
            }
            match self.steps.pop_front() {
                Some(step) => self.begin(step),
                None => {
                    self.done = true;
                    return None;
                }
            }
        }
    }

    /// The answer to the request [`Run::next`] gave.
    pub fn answer(&mut self, result: Result<Value, KmsError>) {
        let purpose = self.inflight.take();
        match result {
            Ok(v) => match purpose {
                Some(Purpose::Created) => self.created(&v),
                Some(Purpose::Policy) => {
                    if let Some(c) = self.current.as_mut() {
                        c.attrs.insert("policy".into(), v["Policy"].clone());
                    }
                }
                Some(Purpose::TargetArn) => {
                    if let Some(c) = self.current.as_mut() {
                        let key_arn = v["KeyMetadata"]["Arn"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string();
                        let name = c
                            .attrs
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string();
                        let alias_arn = match key_arn.find(":key/") {
                            Some(i) => format!("{}:{name}", &key_arn[..i]),
                            None => String::new(),
                        };
                        c.attrs.insert("target_key_arn".into(), json!(key_arn));
                        c.attrs.insert("arn".into(), json!(alias_arn));
                        c.attrs.insert("id".into(), json!(name));
                    }
                }
                Some(Purpose::RotationStatus) => {
                    if let Some(c) = self.current.as_mut() {
                        c.attrs.insert(
                            "key_rotation_enabled".into(),
                            v["KeyRotationEnabled"].clone(),
                        );
                    }
                }
                _ => {}
            },
            Err(e) => {
                let Some(cur) = self.current.take() else {
                    return;
                };
                let op = self.last_operation.clone();
                let addr = cur.step.change.address();
                let code = e.error_type.as_str();
                // The Go SDK decodes the errors the operation's model lists into their own
                // types (`Code: message`); any other is a generic `api error Code: message`.
                let modelled = kms_core::model::kms()
                    .operations
                    .get(&op)
                    .is_some_and(|o| o.errors.iter().any(|m| m == code));
                let api = if modelled { "" } else { "api error " };
                // No request id comes back with the error: one is made from what the run knows.
                let mut seed = std::hash::DefaultHasher::new();
                (self.state.serial, self.requests, &op, &e.message).hash(&mut seed);
                let request_id =
                    kms_core::uuid_v4(&mut kms_core::SeededEntropy::new(seed.finish()));
                let mut d = Diagnostic::error(
                    format!(
                        "{}: operation error KMS: {op}, https response error StatusCode: {}, RequestID: {request_id}, {api}{code}: {}",
                        what(&cur.step),
                        e.status(),
                        e.message
                    ),
                    "",
                );
                if let Some(r) = self.cfg.resource(&addr) {
                    d = d.at(r.pos.clone(), Some(r.context()));
                }
                d.with = Some(addr);
                self.fail(&[d]);
            }
        }
    }

    fn complete(&mut self, cur: Current) {
        let addr = cur.step.change.address();
        let (_, end) = verb(&cur.step);
        self.changed_state = true;
        if cur.step.destroy {
            self.state.remove(&addr);
            self.counts.2 += 1;
            self.stdout.push_str(&format!("{addr}: {end}\n"));
            return;
        }
        let schema = crate::schema::resource_type(&cur.step.change.ty).expect("validated type");
        let mut attrs = Map::new();
        for a in schema.attrs {
            attrs.insert(
                a.name.to_string(),
                cur.attrs.get(a.name).cloned().unwrap_or(Value::Null),
            );
        }
        let id = attrs
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let deps = self
            .cfg
            .resource(&addr)
            .map(crate::config::dependencies)
            .unwrap_or_default();
        self.state.put(Instance {
            ty: cur.step.change.ty.clone(),
            name: cur.step.change.name.clone(),
            attributes: attrs,
            dependencies: deps,
        });
        if cur.step.change.action == Action::Update {
            self.counts.1 += 1;
        } else {
            self.counts.0 += 1;
        }
        self.stdout.push_str(&format!("{addr}: {end} [id={id}]\n"));
    }
}
