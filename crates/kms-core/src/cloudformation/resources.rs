//! The KMS resource types, each made, updated and deleted by the engine's KMS operations.

use super::{Run, StackRecord};
use crate::error::KmsError;
use crate::records::{Change, KeyRecord};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

type Made = (String, BTreeMap<String, String>);

/// What a resource schema allows of a property's value beyond its type, as CloudFormation's
/// validator checks it.
enum Rule {
    Enum(&'static [&'static str]),
    /// The KMS model's enum of that name.
    KmsEnum(&'static str),
    /// `minimum` and `maximum`.
    Range(i64, i64),
    /// `minLength` and `maxLength`, in characters.
    Length(usize, usize),
    Pattern(&'static str),
}

/// A resource type's properties (every other is extraneous) with their rules, and the required
/// ones: the resource schemas of aws-cloudformation-resource-providers-kms.
struct Schema {
    properties: &'static [(&'static str, &'static [Rule])],
    required: &'static [&'static str],
}

const DESCRIPTION: &[Rule] = &[Rule::Length(0, 8192)];
const PENDING_WINDOW: &[Rule] = &[Rule::Range(7, 30)];

const KEY: Schema = Schema {
    properties: &[
        ("BypassPolicyLockoutSafetyCheck", &[]),
        ("Description", DESCRIPTION),
        ("Enabled", &[]),
        ("EnableKeyRotation", &[]),
        ("KeyPolicy", &[]),
        ("KeySpec", &[Rule::KmsEnum("KeySpec")]),
        (
            "KeyUsage",
            &[Rule::Enum(&[
                "ENCRYPT_DECRYPT",
                "SIGN_VERIFY",
                "GENERATE_VERIFY_MAC",
                "KEY_AGREEMENT",
            ])],
        ),
        ("MultiRegion", &[]),
        ("Origin", &[Rule::Enum(&["AWS_KMS", "EXTERNAL"])]),
        ("PendingWindowInDays", PENDING_WINDOW),
        ("RotationPeriodInDays", &[Rule::Range(90, 2560)]),
        ("Tags", &[]),
    ],
    required: &[],
};
const ALIAS: Schema = Schema {
    properties: &[
        (
            "AliasName",
            &[
                Rule::Length(1, 256),
                Rule::Pattern("^(alias/)[a-zA-Z0-9:/_-]+$"),
            ],
        ),
        ("TargetKeyId", &[Rule::Length(1, 256)]),
    ],
    required: &["AliasName", "TargetKeyId"],
};
const REPLICA: Schema = Schema {
    properties: &[
        ("Description", DESCRIPTION),
        ("Enabled", &[]),
        ("KeyPolicy", &[]),
        ("PendingWindowInDays", PENDING_WINDOW),
        ("PrimaryKeyArn", &[Rule::Length(1, 256)]),
        ("Tags", &[]),
    ],
    required: &["PrimaryKeyArn", "KeyPolicy"],
};

fn schema(rtype: &str) -> Option<&'static Schema> {
    match rtype {
        "AWS::KMS::Key" => Some(&KEY),
        "AWS::KMS::Alias" => Some(&ALIAS),
        "AWS::KMS::ReplicaKey" => Some(&REPLICA),
        _ => None,
    }
}

/// The reason CloudFormation gives when a KMS call of a resource handler fails.
fn handler_error(run: &mut Run<'_>, e: KmsError) -> String {
    let code = match e.error_type {
        crate::ErrorType::AccessDenied => "AccessDenied",
        crate::ErrorType::NotFound => "NotFound",
        crate::ErrorType::AlreadyExists => "AlreadyExists",
        crate::ErrorType::LimitExceeded => "ServiceLimitExceeded",
        _ => "InvalidRequest",
    };
    let request_id = run.uuid();
    let token = run.uuid();
    format!(
        "Resource handler returned message: \"{} (Service: Kms, Status Code: {}, Request ID: {request_id})\" (RequestToken: {token}, HandlerErrorCode: {code})",
        e.message,
        e.status()
    )
}

/// Validates a resource's properties against its type's schema before any call, as
/// CloudFormation does, with its reason. The validator's wording (its test suite, and stack
/// events users quote) hides the value for enum, pattern, minimum and maximum.
fn check_properties(logical: &str, rtype: &str, p: &Value) -> Result<(), String> {
    let Some(schema) = schema(rtype) else {
        return Ok(());
    };
    let empty = Map::new();
    let m = p.as_object().unwrap_or(&empty);
    let rules = |k: &str| schema.properties.iter().find(|(n, _)| *n == k);
    let mut problems = vec![];
    for k in m.keys() {
        if rules(k).is_none() {
            problems.push(format!("#: extraneous key [{k}] is not permitted"));
        }
    }
    for r in schema.required {
        if !m.contains_key(*r) {
            problems.push(format!("#: required key [{r}] not found"));
        }
    }
    for (k, v) in m {
        if let Some(problem) = type_problem(k, v) {
            problems.push(format!("#/{k}: {problem}"));
            continue;
        }
        for rule in rules(k).map_or(&[][..], |(_, r)| r) {
            if let Some(problem) = rule_problem(rule, v) {
                problems.push(format!("#/{k}: {problem}"));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "Properties validation failed for resource {logical} with message: [{}]",
            problems.join(", ")
        ))
    }
}

/// How a value (of the right type) breaks a rule, as the validator words it.
fn rule_problem(rule: &Rule, v: &Value) -> Option<String> {
    let text = super::template::text(v);
    let keyword = |k: &str| format!("failed validation constraint for keyword [{k}]");
    match *rule {
        Rule::Enum(values) => (!values.contains(&text.as_str())).then(|| keyword("enum")),
        Rule::KmsEnum(shape) => {
            let values = crate::model::kms().shapes[shape].enum_values.as_deref();
            (!values.unwrap_or_default().contains(&text)).then(|| keyword("enum"))
        }
        Rule::Range(min, max) => match int(Some(v)) {
            Some(n) if n < min => Some(keyword("minimum")),
            Some(n) if n > max => Some(keyword("maximum")),
            _ => None,
        },
        Rule::Length(min, max) => {
            let len = text.chars().count();
            if len > max {
                Some(format!("expected maxLength: {max}, actual: {len}"))
            } else if len < min {
                Some(format!("expected minLength: {min}, actual: {len}"))
            } else {
                None
            }
        }
        Rule::Pattern(pattern) => {
            let re = regex_lite::Regex::new(pattern).expect("a schema's pattern");
            (!re.is_match(&text)).then(|| keyword("pattern"))
        }
    }
}

/// What the resource schemas say of a property's type, as CloudFormation's validator words a
/// value of another type. Strings `true` and `false` pass for booleans, and numbers and booleans
/// for strings, as CloudFormation converts them.
fn type_problem(name: &str, v: &Value) -> Option<String> {
    let found = match v {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "Integer",
        Value::Number(_) => "Number",
        Value::String(_) => "String",
        Value::Array(_) => "JSONArray",
        Value::Object(_) => "JSONObject",
    };
    let ok = match name {
        "BypassPolicyLockoutSafetyCheck" | "Enabled" | "EnableKeyRotation" | "MultiRegion" => {
            matches!(v, Value::Bool(_))
                || matches!(v, Value::String(s) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false"))
        }
        "Description" | "KeySpec" | "KeyUsage" | "Origin" | "AliasName" | "TargetKeyId"
        | "PrimaryKeyArn" => matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_)),
        "KeyPolicy" => matches!(v, Value::Object(_) | Value::String(_)),
        "Tags" => matches!(v, Value::Array(_)),
        "PendingWindowInDays" | "RotationPeriodInDays" => int(Some(v)).is_some(),
        _ => true,
    };
    if ok {
        return None;
    }
    let expected = match name {
        "BypassPolicyLockoutSafetyCheck" | "Enabled" | "EnableKeyRotation" | "MultiRegion" => {
            "Boolean"
        }
        "KeyPolicy" => "JSONObject",
        "Tags" => "JSONArray",
        "PendingWindowInDays" | "RotationPeriodInDays" => "Integer",
        _ => "String",
    };
    Some(format!("expected type: {expected}, found: {found}"))
}

fn truthy(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => Some(s.eq_ignore_ascii_case("true")),
        _ => None,
    }
}

fn int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn policy_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn kms_tags(p: &Value) -> Vec<Value> {
    p.get("Tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| json!({"TagKey": super::template::text(&t["Key"]), "TagValue": super::template::text(&t["Value"])}))
        .collect()
}

fn tag_map(p: &Value) -> BTreeMap<String, String> {
    kms_tags(p)
        .into_iter()
        .map(|t| {
            (
                super::template::text(&t["TagKey"]),
                super::template::text(&t["TagValue"]),
            )
        })
        .collect()
}

fn region_of_arn(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    (parts.len() == 6 && parts[2] == "kms").then(|| parts[3])
}

/// The record of a key the stack made, as the run sees it so far.
fn stack_key(run: &Run<'_>, region: &str, key_id: &str) -> Option<KeyRecord> {
    run.scratch
        .region_state(region)
        .and_then(|r| r.keys.get(key_id))
        .cloned()
}

/// Adds the `aws:cloudformation:*` tags to a key the stack made (KMS refuses `aws:` tags from
/// callers, so they are set on the record, as CloudFormation's own tagging does).
fn stack_tags(run: &mut Run<'_>, region: &str, key_id: &str, stack: &StackRecord, logical: &str) {
    let Some(mut key) = stack_key(run, region, key_id) else {
        return;
    };
    key.tags.insert(
        "aws:cloudformation:stack-name".into(),
        stack.stack_name.clone(),
    );
    key.tags
        .insert("aws:cloudformation:stack-id".into(), stack.stack_id.clone());
    key.tags
        .insert("aws:cloudformation:logical-id".into(), logical.to_string());
    // The stack's own tags go to every resource that takes tags; the resource's Tags win.
    for (k, v) in &stack.tags {
        key.tags.entry(k.clone()).or_insert_with(|| v.clone());
    }
    run.keep(vec![Change::PutKey(key)]);
}

/// A stack's tags changed from `old` to `new`: the key the stack made follows (tags the
/// resource's own Tags set are left to them).
pub(super) fn retag(
    run: &mut Run<'_>,
    region: &str,
    key_id: &str,
    own: &Value,
    old: &[(String, String)],
    new: &[(String, String)],
) {
    let Some(mut key) = stack_key(run, region, key_id) else {
        return;
    };
    let own: Vec<String> = kms_tags(own)
        .iter()
        .filter_map(|t| t["TagKey"].as_str().map(str::to_string))
        .collect();
    for (k, _) in old {
        if !own.contains(k) {
            key.tags.remove(k);
        }
    }
    for (k, v) in new {
        if !own.contains(k) {
            key.tags.insert(k.clone(), v.clone());
        }
    }
    run.keep(vec![Change::PutKey(key)]);
}

fn key_attributes(meta: &Value) -> Made {
    let id = meta["KeyId"].as_str().unwrap_or_default().to_string();
    let mut attrs = BTreeMap::new();
    attrs.insert(
        "Arn".into(),
        meta["Arn"].as_str().unwrap_or_default().to_string(),
    );
    attrs.insert("KeyId".into(), id.clone());
    (id, attrs)
}

/// Makes a resource: its physical id and attributes, or the reason it failed.
pub(super) fn create(
    run: &mut Run<'_>,
    stack: &StackRecord,
    logical: &str,
    rtype: &str,
    p: &Value,
) -> Result<Made, String> {
    let region = run.region.clone();
    check_properties(logical, rtype, p)?;
    match rtype {
        "AWS::KMS::Key" => {
            let mut req = Map::new();
            for k in ["Description", "KeyUsage", "KeySpec", "Origin"] {
                if let Some(v) = p.get(k) {
                    req.insert(k.into(), json!(super::template::text(v)));
                }
            }
            if let Some(b) = truthy(p.get("MultiRegion")) {
                req.insert("MultiRegion".into(), json!(b));
            }
            if let Some(b) = truthy(p.get("BypassPolicyLockoutSafetyCheck")) {
                req.insert("BypassPolicyLockoutSafetyCheck".into(), json!(b));
            }
            if let Some(policy) = p.get("KeyPolicy") {
                req.insert("Policy".into(), json!(policy_text(policy)));
            }
            let tags = kms_tags(p);
            if !tags.is_empty() {
                req.insert("Tags".into(), json!(tags));
            }
            let meta = run
                .kms(&region, "CreateKey", Value::Object(req))
                .map_err(|e| handler_error(run, e))?["KeyMetadata"]
                .clone();
            let made = key_attributes(&meta);
            stack_tags(run, &region, &made.0, stack, logical);
            let after = configure_key(run, &region, &made.0, &json!({}), p);
            if let Err(e) = after {
                // The key exists: CloudFormation's handler cleans it up before failing.
                let _ = run.kms(
                    &region,
                    "ScheduleKeyDeletion",
                    json!({"KeyId": made.0, "PendingWindowInDays": 7}),
                );
                return Err(e);
            }
            Ok(made)
        }
        "AWS::KMS::Alias" => {
            let name = super::template::text(&p["AliasName"]);
            run.kms(
                &region,
                "CreateAlias",
                json!({"AliasName": name, "TargetKeyId": super::template::text(&p["TargetKeyId"])}),
            )
            .map_err(|e| handler_error(run, e))?;
            Ok((name, BTreeMap::new()))
        }
        "AWS::KMS::ReplicaKey" => {
            let primary = super::template::text(&p["PrimaryKeyArn"]);
            let Some(primary_region) = region_of_arn(&primary).map(str::to_string) else {
                return Err(format!(
                    "Properties validation failed for resource {logical} with message: [#/PrimaryKeyArn: failed validation constraint for keyword [pattern]]"
                ));
            };
            let mut req = json!({
                "KeyId": primary,
                "ReplicaRegion": region,
                "Policy": policy_text(&p["KeyPolicy"]),
            });
            if let Some(d) = p.get("Description") {
                req["Description"] = json!(super::template::text(d));
            }
            let tags = kms_tags(p);
            if !tags.is_empty() {
                req["Tags"] = json!(tags);
            }
            let meta = run
                .kms(&primary_region, "ReplicateKey", req)
                .map_err(|e| handler_error(run, e))?["ReplicaKeyMetadata"]
                .clone();
            let made = key_attributes(&meta);
            stack_tags(run, &region, &made.0, stack, logical);
            if truthy(p.get("Enabled")) == Some(false) {
                run.kms(&region, "DisableKey", json!({"KeyId": made.0}))
                    .map_err(|e| handler_error(run, e))?;
            }
            Ok(made)
        }
        other => Err(format!("Unsupported resource type {other}")),
    }
}

/// What an update of a key's mutable properties does: old `o` to new `n`.
fn configure_key(
    run: &mut Run<'_>,
    region: &str,
    key_id: &str,
    o: &Value,
    n: &Value,
) -> Result<(), String> {
    let call = |run: &mut Run<'_>, op: &str, req: Value| -> Result<(), String> {
        run.kms(region, op, req)
            .map(|_| ())
            .map_err(|e| handler_error(run, e))
    };
    let enabled = |v: &Value| truthy(v.get("Enabled")).unwrap_or(true);
    let rotation = |v: &Value| truthy(v.get("EnableKeyRotation")).unwrap_or(false);
    let creating = o.as_object().is_some_and(Map::is_empty);
    if !creating && o.get("Description") != n.get("Description") {
        let d = n
            .get("Description")
            .map(super::template::text)
            .unwrap_or_default();
        call(
            run,
            "UpdateKeyDescription",
            json!({"KeyId": key_id, "Description": d}),
        )?;
    }
    if !creating && o.get("KeyPolicy") != n.get("KeyPolicy") {
        let policy = match n.get("KeyPolicy") {
            Some(p) => policy_text(p),
            None => crate::default_key_policy(region, run.scratch.account_id()),
        };
        let mut req = json!({"KeyId": key_id, "PolicyName": "default", "Policy": policy});
        if let Some(b) = truthy(n.get("BypassPolicyLockoutSafetyCheck")) {
            req["BypassPolicyLockoutSafetyCheck"] = json!(b);
        }
        call(run, "PutKeyPolicy", req)?;
    }
    if (creating && !enabled(n)) || (!creating && enabled(o) != enabled(n)) {
        call(
            run,
            if enabled(n) {
                "EnableKey"
            } else {
                "DisableKey"
            },
            json!({"KeyId": key_id}),
        )?;
    }
    let period = int(n.get("RotationPeriodInDays"));
    if rotation(n) && (creating || !rotation(o) || int(o.get("RotationPeriodInDays")) != period) {
        let mut req = json!({"KeyId": key_id});
        if let Some(d) = period {
            req["RotationPeriodInDays"] = json!(d);
        }
        call(run, "EnableKeyRotation", req)?;
    } else if !creating && rotation(o) && !rotation(n) {
        call(run, "DisableKeyRotation", json!({"KeyId": key_id}))?;
    }
    if !creating {
        let (old, new) = (tag_map(o), tag_map(n));
        let removed: Vec<&String> = old.keys().filter(|k| !new.contains_key(*k)).collect();
        if !removed.is_empty() {
            call(
                run,
                "UntagResource",
                json!({"KeyId": key_id, "TagKeys": removed}),
            )?;
        }
        let changed: Vec<Value> = new
            .iter()
            .filter(|(k, v)| old.get(*k) != Some(v))
            .map(|(k, v)| json!({"TagKey": k, "TagValue": v}))
            .collect();
        if !changed.is_empty() {
            call(
                run,
                "TagResource",
                json!({"KeyId": key_id, "Tags": changed}),
            )?;
        }
    }
    Ok(())
}

/// Whether going from `o` to `n` needs a new physical resource (the resource reference's
/// "Update requires: Replacement").
pub(super) fn needs_replacement(rtype: &str, o: &Value, n: &Value) -> bool {
    let fields: &[&str] = match rtype {
        "AWS::KMS::Alias" => &["AliasName"],
        "AWS::KMS::ReplicaKey" => &["PrimaryKeyArn"],
        _ => &[],
    };
    fields.iter().any(|f| o.get(*f) != n.get(*f))
}

/// Updates a resource in place.
pub(super) fn update(
    run: &mut Run<'_>,
    logical: &str,
    rtype: &str,
    physical: &str,
    o: &Value,
    n: &Value,
) -> Result<(), String> {
    let region = run.region.clone();
    check_properties(logical, rtype, n)?;
    match rtype {
        "AWS::KMS::Key" | "AWS::KMS::ReplicaKey" => {
            if rtype == "AWS::KMS::Key" {
                // "If you change the value of the KeySpec, KeyUsage, Origin, or MultiRegion
                // properties of an existing KMS key, the update request fails, regardless of the
                // value of the UpdateReplacePolicy attribute" (AWS::KMS::Key's reference).
                let fixed = ["KeySpec", "KeyUsage", "Origin", "MultiRegion"];
                if let Some(f) = fixed.iter().find(|f| o.get(**f) != n.get(**f)) {
                    return Err(format!(
                        "Resource handler returned message: \"{f} cannot be changed on an existing KMS key: you cannot change the KeySpec, KeyUsage, Origin, or MultiRegion properties of a KMS key.\" (HandlerErrorCode: NotUpdatable)"
                    ));
                }
            }
            configure_key(run, &region, physical, o, n)
        }
        "AWS::KMS::Alias" => run
            .kms(
                &region,
                "UpdateAlias",
                json!({"AliasName": physical, "TargetKeyId": super::template::text(&n["TargetKeyId"])}),
            )
            .map(|_| ())
            .map_err(|e| handler_error(run, e)),
        other => Err(format!("Unsupported resource type {other}")),
    }
}

/// Deletes a resource: a key is scheduled for deletion (PendingWindowInDays, 30 by default), an
/// alias deleted. One already gone counts as deleted, as in CloudFormation.
pub(super) fn delete(
    run: &mut Run<'_>,
    rtype: &str,
    physical: &str,
    p: &Value,
) -> Result<(), String> {
    let region = run.region.clone();
    let result = match rtype {
        "AWS::KMS::Key" | "AWS::KMS::ReplicaKey" => {
            let days = int(p.get("PendingWindowInDays")).unwrap_or(30);
            let pending = run
                .scratch
                .region_state(&region)
                .and_then(|r| r.key_state(physical))
                .is_none_or(|state| {
                    matches!(
                        state,
                        crate::KeyState::PendingDeletion | crate::KeyState::PendingReplicaDeletion
                    )
                });
            if pending {
                return Ok(());
            }
            run.kms(
                &region,
                "ScheduleKeyDeletion",
                json!({"KeyId": physical, "PendingWindowInDays": days}),
            )
        }
        "AWS::KMS::Alias" => run.kms(&region, "DeleteAlias", json!({"AliasName": physical})),
        _ => return Ok(()),
    };
    match result {
        Ok(_) => Ok(()),
        Err(e) if e.error_type == crate::ErrorType::NotFound => Ok(()),
        Err(e) => Err(handler_error(run, e)),
    }
}
