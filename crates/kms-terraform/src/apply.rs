//! Refresh, apply and destroy: each resource read and each change become the provider's KMS
//! calls, sent one at a time by the caller ([`Run::next`], [`Run::answer`]) so that a browser
//! can await each.

use crate::diag::Diagnostic;
use crate::eval::Scope;
use crate::plan::{desired, same_value, Action, Change};
use crate::refresh::{normalize_json, Read, Reader};
use crate::schema::resource_type;
use crate::state::{Instance, State};
use crate::Env;
use kms_core::KmsError;
use serde_json::{json, Map, Value};
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

use crate::call::Call;

/// What an answer is for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Purpose {
    /// The call that makes the object: its answer names it.
    Created,
    /// A read (refresh, or the read that ends a create or update).
    Read(Read),
    /// A delete: NotFound (and, for a key, "is pending deletion") is success.
    Delete,
    Ignore,
}

/// One step of apply: a resource made, changed or destroyed.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    pub change: Change,
    /// Destroy the old object (destroy, or the first half of a replacement).
    pub destroy: bool,
    /// The old object of a create_before_destroy replacement (`deposed object ...`).
    pub deposed: Option<String>,
}

/// A queued call: what it is for, the call, and the provider's words before the SDK's error.
type Queued = (Purpose, Call, String);

pub(crate) struct Current {
    step: Step,
    calls: VecDeque<Queued>,
    attrs: Map<String, Value>,
    /// The read that ends a create or update, once its calls are made.
    reader: Option<Reader>,
    read_done: bool,
}

/// The refresh before a plan: the state's resources read one after another.
pub(crate) struct Refresh {
    pub queue: VecDeque<String>,
    pub reader: Option<(String, Reader)>,
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

/// Civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `20060102150405` and four digits of fractional seconds (PrefixedUniqueId's timestamp) of a
/// time in tenths of milliseconds since the epoch.
fn timestamp(tenths_ms: i64) -> String {
    let secs = tenths_ms.div_euclid(10_000);
    let frac = tenths_ms.rem_euclid(10_000);
    let (y, m, d) = civil(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}{frac:04}",
        t / 3600,
        (t / 60) % 60,
        t % 60
    )
}

/// The latest `...Date` (epoch seconds) in a KMS answer, in tenths of milliseconds.
fn latest_date(v: &Value) -> Option<i64> {
    match v {
        Value::Object(o) => o
            .iter()
            .filter_map(|(k, v)| match v {
                Value::Number(n) if k.ends_with("Date") => {
                    n.as_f64().map(|f| (f * 10_000.0) as i64)
                }
                other => latest_date(other),
            })
            .max(),
        Value::Array(a) => a.iter().filter_map(latest_date).max(),
        _ => None,
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
    /// The refresh under way, before the plan.
    pub(crate) refresh: Option<Refresh>,
    /// The state as it was before the refresh (what changed outside of Terraform).
    pub(crate) prior: State,
    /// The command (`plan`, `apply`, `destroy`) and `-auto-approve`, for after the refresh.
    pub(crate) cmd: String,
    pub(crate) auto_approve: bool,
    /// The time the caller gave ([`Run::set_clock`]), in tenths of milliseconds.
    pub(crate) clock: Option<i64>,
    /// The latest time seen in KMS's answers and in generated names (tenths of milliseconds).
    pub(crate) seen: i64,
}

impl Run {
    fn call(&self, operation: &str, input: Value) -> Call {
        Call {
            region: self.env.region.clone(),
            operation: operation.to_string(),
            input,
        }
    }

    /// Gives the run the time (milliseconds since the epoch) for the names it generates
    /// (`name_prefix`, as PrefixedUniqueId's timestamp). Without it, the latest time KMS's
    /// answers carry is used.
    pub fn set_clock(&mut self, unix_ms: f64) {
        self.clock = Some((unix_ms * 10.0) as i64);
    }

    /// PrefixedUniqueId: the prefix, a timestamp to the 10,000th of a second and a counter of
    /// eight hex digits (26 characters after the prefix).
    fn unique_id(&mut self, prefix: &str) -> String {
        self.prefix_counter += 1;
        let t = self.clock.unwrap_or(self.seen);
        format!("{prefix}{}{:08x}", timestamp(t), self.prefix_counter)
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

    pub(crate) fn fail(&mut self, diags: &[Diagnostic]) {
        self.stderr
            .push_str(&crate::diag::render_all(diags, &self.files));
        self.failed = true;
        self.steps.clear();
        self.current = None;
        self.refresh = None;
    }

    /// The provider's error for `addr`, at its block in the configuration.
    fn provider_error(&self, addr: &str, summary: String) -> Diagnostic {
        let mut d = Diagnostic::error(summary, "");
        if let Some(r) = self.cfg.resource(addr) {
            d = d.at(r.pos.clone(), Some(r.context()));
        }
        d.with = Some(addr.to_string());
        d
    }

    /// The AWS SDK for Go v2's error for a failed call.
    fn sdk_error(&self, e: &KmsError) -> String {
        let op = &self.last_operation;
        let code = e.error_type.as_str();
        // The Go SDK decodes the errors the operation's model lists into their own types
        // (`Code: message`); any other is a generic `api error Code: message`.
        let modelled = kms_core::model::kms()
            .operations
            .get(op)
            .is_some_and(|o| o.errors.iter().any(|m| m == code));
        let api = if modelled { "" } else { "api error " };
        // No request id comes back with the error: one is made from what the run knows.
        let mut seed = std::hash::DefaultHasher::new();
        (self.state.serial, self.requests, op, &e.message).hash(&mut seed);
        let request_id = kms_core::uuid_v4(&mut kms_core::SeededEntropy::new(seed.finish()));
        format!(
            "operation error KMS: {op}, https response error StatusCode: {}, RequestID: {request_id}, {api}{code}: {}",
            e.status(),
            e.message
        )
    }

    /// Tags updated before the resource's own update (the provider's tagging interceptor):
    /// UntagResource for the keys gone, TagResource for the new and changed ones.
    fn tag_calls(&self, noun: &str, id: &str, old: &Value, new: &Value) -> Vec<Queued> {
        let empty = Map::new();
        let old = old.as_object().unwrap_or(&empty);
        let new = new.as_object().unwrap_or(&empty);
        let mut out = Vec::new();
        let gone: Vec<&String> = old.keys().filter(|k| !new.contains_key(*k)).collect();
        let prefix = format!("updating tags for {noun} ({id})");
        if !gone.is_empty() {
            out.push((
                Purpose::Ignore,
                self.call("UntagResource", json!({"KeyId": id, "TagKeys": gone})),
                format!("{prefix}: untagging resource ({id})"),
            ));
        }
        let updated: Map<String, Value> = new
            .iter()
            .filter(|(k, v)| old.get(*k) != Some(v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !updated.is_empty() {
            out.push((
                Purpose::Ignore,
                self.call(
                    "TagResource",
                    json!({"KeyId": id, "Tags": tags_list(&Value::Object(updated))}),
                ),
                format!("{prefix}: tagging resource ({id})"),
            ));
        }
        out
    }

    /// Starts a step: its first calls.
    fn begin(&mut self, step: Step) {
        let addr = step.change.address();
        let (start, _) = verb(&step);
        let before = step.change.before.clone().unwrap_or_default();
        let shown = match &step.deposed {
            Some(d) => format!("{addr} (deposed object {d})"),
            None => addr.clone(),
        };
        if step.destroy || step.change.action == Action::Update {
            self.stdout.push_str(&format!(
                "{shown}: {start} [id={}]\n",
                s(&before, "id").unwrap_or("")
            ));
        } else {
            self.stdout.push_str(&format!("{shown}: {start}\n"));
        }
        let mut calls: VecDeque<Queued> = VecDeque::new();
        let mut attrs = Map::new();
        if step.destroy {
            let id = s(&before, "id").unwrap_or_default().to_string();
            match step.change.ty.as_str() {
                "aws_kms_key" | "aws_kms_replica_key" => {
                    let noun = if step.change.ty == "aws_kms_key" {
                        "KMS Key"
                    } else {
                        "KMS Replica Key"
                    };
                    let mut input = json!({ "KeyId": id });
                    // d.GetOk: a window of 0 or none is KMS's default (30 days).
                    if let Some(days) = before
                        .get("deletion_window_in_days")
                        .and_then(Value::as_i64)
                        .filter(|d| *d != 0)
                    {
                        input["PendingWindowInDays"] = json!(days);
                    }
                    calls.push_back((
                        Purpose::Delete,
                        self.call("ScheduleKeyDeletion", input),
                        format!("deleting {noun} ({id})"),
                    ));
                }
                "aws_kms_alias" => calls.push_back((
                    Purpose::Delete,
                    self.call("DeleteAlias", json!({"AliasName": id})),
                    format!("deleting KMS Alias ({id})"),
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
                        Purpose::Delete,
                        self.call(op, json!({"KeyId": key, "GrantId": grant})),
                        format!("deleting KMS Grant ({id})"),
                    ));
                }
                _ => {
                    // Without the lockout check bypassed, the default key policy goes back;
                    // with it, nothing is done.
                    if before.get("bypass_policy_lockout_safety_check") != Some(&json!(true)) {
                        let key = s(&before, "key_id").unwrap_or_default();
                        let policy =
                            kms_core::default_key_policy(&self.env.region, &self.env.account_id);
                        calls.push_back((
                            Purpose::Ignore,
                            self.call(
                                "PutKeyPolicy",
                                json!({"KeyId": key, "PolicyName": "default", "Policy": normalize_json(&policy), "BypassPolicyLockoutSafetyCheck": false}),
                            ),
                            format!("updating KMS Key Policy ({key}) policy"),
                        ));
                    }
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
            let schema = resource_type(&r.ty).expect("validated type");
            let update = step.change.action == Action::Update;
            let old = before.clone();
            // d.HasChange.
            let changed = |k: &str| {
                !update
                    || schema.attr(k).is_none_or(|a| {
                        let want = args.get(k).unwrap_or(&Value::Null);
                        // An Optional+Computed argument left out keeps its value.
                        let kept = a.computed && want.is_null();
                        !kept && !same_value(&r.ty, a, want, old.get(k).unwrap_or(&Value::Null))
                    })
            };
            let id = s(&old, "id").unwrap_or_default().to_string();
            attrs = args.clone();
            if update {
                for (k, v) in &old {
                    let keep = !attrs.contains_key(k)
                        || (attrs[k].is_null() && schema.attr(k).is_some_and(|a| a.computed))
                        || schema.attr(k).is_some_and(|a| !changed(a.name));
                    if keep {
                        attrs.insert(k.clone(), v.clone());
                    }
                }
            }
            let flag = |k: &str| args.get(k) == Some(&json!(true));
            match r.ty.as_str() {
                "aws_kms_key" | "aws_kms_replica_key" if update => {
                    let (noun, enabled_attr) = if r.ty == "aws_kms_key" {
                        ("KMS Key", "is_enabled")
                    } else {
                        ("KMS Replica Key", "enabled")
                    };
                    if changed("tags") {
                        calls.extend(self.tag_calls(
                            noun,
                            &id,
                            old.get("tags_all").unwrap_or(&Value::Null),
                            &args["tags"],
                        ));
                    }
                    let enabled = args[enabled_attr] != json!(false);
                    // Enable before any attributes are modified.
                    if changed(enabled_attr) && enabled {
                        calls.push_back((
                            Purpose::Ignore,
                            self.call("EnableKey", json!({"KeyId": id})),
                            format!("enabling {noun} ({id})"),
                        ));
                    }
                    if r.ty == "aws_kms_key"
                        && (changed("enable_key_rotation")
                            || (flag("enable_key_rotation") && changed("rotation_period_in_days")))
                    {
                        if flag("enable_key_rotation") {
                            let mut input = json!({"KeyId": id});
                            if let Some(p) =
                                args["rotation_period_in_days"].as_i64().filter(|p| *p > 0)
                            {
                                input["RotationPeriodInDays"] = json!(p);
                            }
                            calls.push_back((
                                Purpose::Ignore,
                                self.call("EnableKeyRotation", input),
                                format!("enabling {noun} ({id}) rotation"),
                            ));
                        } else {
                            calls.push_back((
                                Purpose::Ignore,
                                self.call("DisableKeyRotation", json!({"KeyId": id})),
                                format!("disabling {noun} ({id}) rotation"),
                            ));
                        }
                    }
                    if changed("description") {
                        calls.push_back((
                            Purpose::Ignore,
                            self.call(
                                "UpdateKeyDescription",
                                json!({"KeyId": id, "Description": args["description"].as_str().unwrap_or_default()}),
                            ),
                            format!("updating {noun} ({id}) description"),
                        ));
                    }
                    if changed("policy") && args["policy"].is_string() {
                        calls.push_back((
                            Purpose::Ignore,
                            self.call(
                                "PutKeyPolicy",
                                json!({"KeyId": id, "PolicyName": "default", "Policy": normalize_json(args["policy"].as_str().unwrap_or_default()), "BypassPolicyLockoutSafetyCheck": flag("bypass_policy_lockout_safety_check")}),
                            ),
                            format!("updating {noun} ({id}) policy"),
                        ));
                    }
                    // Only disable after all attributes have been modified.
                    if changed(enabled_attr) && !enabled {
                        calls.push_back((
                            Purpose::Ignore,
                            self.call("DisableKey", json!({"KeyId": id})),
                            format!("disabling {noun} ({id})"),
                        ));
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
                        ("multi_region", "MultiRegion"),
                        ("custom_key_store_id", "CustomKeyStoreId"),
                        ("xks_key_id", "XksKeyId"),
                    ] {
                        if !args[k].is_null() {
                            input[m] = args[k].clone();
                        }
                    }
                    if let Some(p) = args["policy"].as_str() {
                        input["Policy"] = json!(normalize_json(p));
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
                    calls.push_back((
                        Purpose::Created,
                        self.call("CreateKey", input),
                        "creating KMS Key".into(),
                    ));
                }
                "aws_kms_alias" => {
                    let target = args["target_key_id"].clone();
                    if update {
                        // UpdateAlias with the name the state keeps (d.Id()).
                        if changed("target_key_id") {
                            calls.push_back((
                                Purpose::Ignore,
                                self.call(
                                    "UpdateAlias",
                                    json!({"AliasName": id, "TargetKeyId": target}),
                                ),
                                format!("updating KMS Alias ({id})"),
                            ));
                        }
                    } else {
                        let prefix = s(&args, "name_prefix").unwrap_or("alias/").to_string();
                        let name = match s(&args, "name") {
                            Some(n) => n.to_string(),
                            None => self.unique_id(&prefix),
                        };
                        attrs.insert("name".into(), json!(name));
                        attrs.insert("id".into(), json!(name));
                        calls.push_back((
                            Purpose::Ignore,
                            self.call(
                                "CreateAlias",
                                json!({"AliasName": name, "TargetKeyId": target}),
                            ),
                            format!("creating KMS Alias ({name})"),
                        ));
                    }
                }
                "aws_kms_replica_key" => {
                    let primary = s(&args, "primary_key_arn").unwrap_or_default().to_string();
                    let primary_region = primary
                        .split(':')
                        .nth(3)
                        .unwrap_or(&self.env.region)
                        .to_string();
                    let key = primary
                        .splitn(6, ':')
                        .nth(5)
                        .map(|r| r.trim_start_matches("key/"))
                        .unwrap_or_default()
                        .to_string();
                    let mut input = json!({
                        "KeyId": key,
                        "ReplicaRegion": self.env.region,
                    });
                    if flag("bypass_policy_lockout_safety_check") {
                        input["BypassPolicyLockoutSafetyCheck"] = json!(true);
                    }
                    if let Some(d) = s(&args, "description").filter(|d| !d.is_empty()) {
                        input["Description"] = json!(d);
                    }
                    if let Some(p) = s(&args, "policy").filter(|p| !p.is_empty()) {
                        input["Policy"] = json!(p);
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
                        "creating KMS Replica Key".into(),
                    ));
                }
                "aws_kms_grant" => {
                    let key = args["key_id"].as_str().unwrap_or_default().to_string();
                    let constraints = args["constraints"].as_array().cloned().unwrap_or_default();
                    let set = |c: &Value, k: &str| c[k].as_object().is_some_and(|m| !m.is_empty());
                    let count = constraints
                        .iter()
                        .map(|c| {
                            usize::from(set(c, "encryption_context_equals"))
                                + usize::from(set(c, "encryption_context_subset"))
                        })
                        .sum::<usize>();
                    if count > 1 {
                        let d = self.provider_error(&addr, "A grant constraint can't have both encryption_context_equals and encryption_context_subset set".into());
                        return self.fail(&[d]);
                    }
                    let mut input = json!({
                        "GranteePrincipal": args["grantee_principal"],
                        "KeyId": key,
                        "Operations": args["operations"],
                    });
                    if !constraints.is_empty() {
                        let mut c = Map::new();
                        for item in &constraints {
                            for (k, m) in [
                                ("encryption_context_equals", "EncryptionContextEquals"),
                                ("encryption_context_subset", "EncryptionContextSubset"),
                            ] {
                                if !item[k].is_null() {
                                    c.insert(m.into(), item[k].clone());
                                }
                            }
                        }
                        input["Constraints"] = Value::Object(c);
                    }
                    if args["grant_creation_tokens"]
                        .as_array()
                        .is_some_and(|t| !t.is_empty())
                    {
                        input["GrantTokens"] = args["grant_creation_tokens"].clone();
                    }
                    for (k, m) in [
                        ("name", "Name"),
                        ("retiring_principal", "RetiringPrincipal"),
                    ] {
                        if s(&args, k).is_some_and(|v| !v.is_empty()) {
                            input[m] = args[k].clone();
                        }
                    }
                    calls.push_back((
                        Purpose::Created,
                        self.call("CreateGrant", input),
                        format!("creating KMS Grant for Key ({key})"),
                    ));
                }
                _ => {
                    // aws_kms_key_policy: PutKeyPolicy on the key (an update: on d.Id(), and
                    // only when the policy changed).
                    let key = if update {
                        id.clone()
                    } else {
                        args["key_id"].as_str().unwrap_or_default().to_string()
                    };
                    if changed("policy") {
                        calls.push_back((
                            Purpose::Ignore,
                            self.call("PutKeyPolicy", json!({
                                "KeyId": key, "PolicyName": "default", "Policy": normalize_json(args["policy"].as_str().unwrap_or_default()),
                                "BypassPolicyLockoutSafetyCheck": flag("bypass_policy_lockout_safety_check"),
                            })),
                            format!("updating KMS Key Policy ({key}) policy"),
                        ));
                    }
                    if !update {
                        attrs.insert("id".into(), json!(key));
                    }
                }
            }
        }
        self.current = Some(Current {
            step,
            calls,
            attrs,
            reader: None,
            read_done: false,
        });
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
                a.insert("key_id".into(), json!(id));
                a.insert("id".into(), json!(id));
                if cur.step.change.ty == "aws_kms_key" {
                    if a["enable_key_rotation"] == json!(true) {
                        let mut input = json!({ "KeyId": id });
                        if let Some(p) = a
                            .get("rotation_period_in_days")
                            .and_then(Value::as_i64)
                            .filter(|p| *p > 0)
                        {
                            input["RotationPeriodInDays"] = json!(p);
                        }
                        cur.calls.push_back((
                            Purpose::Ignore,
                            call("EnableKeyRotation", input),
                            format!("enabling KMS Key ({id}) rotation"),
                        ));
                    }
                    if a["is_enabled"] == json!(false) {
                        cur.calls.push_back((
                            Purpose::Ignore,
                            call("DisableKey", json!({"KeyId": id})),
                            format!("disabling KMS Key ({id})"),
                        ));
                    }
                } else if a["enabled"] == json!(false) {
                    cur.calls.push_back((
                        Purpose::Ignore,
                        call("DisableKey", json!({"KeyId": id})),
                        format!("disabling KMS Replica Key ({id})"),
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
            if let Some(rf) = self.refresh.as_mut() {
                if let Some((addr, reader)) = rf.reader.as_mut() {
                    if let Some((read, call)) = reader.calls.pop_front() {
                        self.inflight = Some(Purpose::Read(read));
                        self.last_operation = call.operation.clone();
                        self.requests += 1;
                        return Some(call);
                    }
                    let addr = addr.clone();
                    let (_, mut reader) = rf.reader.take().expect("checked");
                    self.read_done(&addr, &mut reader);
                    continue;
                }
                if let Some(addr) = rf.queue.pop_front() {
                    let Some(inst) = self.state.get(&addr).cloned() else {
                        continue;
                    };
                    self.stdout
                        .push_str(&format!("{addr}: Refreshing state... [id={}]\n", inst.id()));
                    let reader = Reader::new(&inst.ty, inst.attributes, &self.env.region, false);
                    if let Some(rf) = self.refresh.as_mut() {
                        rf.reader = Some((addr, reader));
                    }
                    continue;
                }
                self.refresh = None;
                self.after_refresh();
                continue;
            }
            if let Some(cur) = self.current.as_mut() {
                if let Some((purpose, call, _)) = cur.calls.front().cloned() {
                    self.inflight = Some(purpose);
                    self.last_operation = call.operation.clone();
                    self.requests += 1;
                    return Some(call);
                }
                // The provider's create and update end with its read.
                if !cur.step.destroy && !cur.read_done {
                    let reader = cur.reader.get_or_insert_with(|| {
                        Reader::new(
                            &cur.step.change.ty,
                            cur.attrs.clone(),
                            &self.env.region,
                            true,
                        )
                    });
                    if let Some((read, call)) = reader.calls.pop_front() {
                        self.inflight = Some(Purpose::Read(read));
                        self.last_operation = call.operation.clone();
                        self.requests += 1;
                        return Some(call);
                    }
                    let mut reader = cur.reader.take().expect("just made");
                    cur.read_done = true;
                    let addr = cur.step.change.address();
                    if let Err(m) = reader.finish() {
                        let d = self.provider_error(&addr, m);
                        self.fail(&[d]);
                        continue;
                    }
                    if let Some(cur) = self.current.as_mut() {
                        cur.attrs = reader.attrs;
                    }
                    continue;
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

    /// A refreshed resource: its new attributes in the state, or gone from it.
    fn read_done(&mut self, addr: &str, reader: &mut Reader) {
        if let Err(m) = reader.finish() {
            let d = self.provider_error(addr, m);
            self.fail(&[d]);
            return;
        }
        if reader.gone {
            self.state.remove(addr);
            return;
        }
        if let Some(inst) = self
            .state
            .resources
            .iter_mut()
            .find(|i| i.address() == addr)
        {
            inst.attributes = std::mem::take(&mut reader.attrs);
        }
    }

    /// The answer to the request [`Run::next`] gave.
    pub fn answer(&mut self, result: Result<Value, KmsError>) {
        let purpose = self.inflight.take();
        if let Ok(v) = &result {
            if let Some(t) = latest_date(v) {
                self.seen = self.seen.max(t);
            }
        }
        if let Some(Purpose::Read(read)) = purpose {
            let (addr, reader) = match (self.refresh.as_mut(), self.current.as_mut()) {
                (Some(rf), _) => match rf.reader.as_mut() {
                    Some((addr, r)) => (addr.clone(), r),
                    None => return,
                },
                (None, Some(cur)) => match cur.reader.as_mut() {
                    Some(r) => (cur.step.change.address(), r),
                    None => return,
                },
                _ => return,
            };
            if let Err(e) = reader.answer(read, result) {
                let prefix = reader.error_prefix(read);
                let summary = format!("{prefix}: {}", self.sdk_error(&e));
                let d = self.provider_error(&addr, summary);
                self.fail(&[d]);
            }
            return;
        }
        let Some(cur) = self.current.as_mut() else {
            return;
        };
        let Some((_, _, prefix)) = cur.calls.pop_front() else {
            return;
        };
        match result {
            Ok(v) => {
                if purpose == Some(Purpose::Created) {
                    self.created(&v);
                }
            }
            Err(e) => {
                let gone = e.error_type.as_str() == "NotFoundException"
                    || (e.error_type.as_str() == "KMSInvalidStateException"
                        && e.message.contains("is pending deletion")
                        && matches!(
                            cur.step.change.ty.as_str(),
                            "aws_kms_key" | "aws_kms_replica_key"
                        ));
                if purpose == Some(Purpose::Delete) && gone {
                    return;
                }
                let addr = cur.step.change.address();
                let summary = format!("{prefix}: {}", self.sdk_error(&e));
                let d = self.provider_error(&addr, summary);
                self.fail(&[d]);
            }
        }
    }

    fn complete(&mut self, cur: Current) {
        let addr = cur.step.change.address();
        let (_, end) = verb(&cur.step);
        self.changed_state = true;
        if cur.step.destroy {
            let shown = match &cur.step.deposed {
                Some(d) => format!("{addr} (deposed object {d})"),
                None => {
                    self.state.remove(&addr);
                    addr.clone()
                }
            };
            self.counts.2 += 1;
            self.stdout.push_str(&format!("{shown}: {end}\n"));
            return;
        }
        let schema = resource_type(&cur.step.change.ty).expect("validated type");
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
