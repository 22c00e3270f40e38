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

/// The reason CloudFormation gives when a resource handler fails of itself, with a
/// CloudFormation exception of the handler library (no KMS error behind it): its message and its
/// HandlerErrorCode.
fn handler_failure(run: &mut Run<'_>, message: &str, code: &str) -> String {
    let token = run.uuid();
    format!(
        "Resource handler returned message: \"{message}\" (RequestToken: {token}, HandlerErrorCode: {code})"
    )
}

/// `CfnInvalidRequestException(message)`: "Invalid request provided: " and the message.
fn invalid_request(run: &mut Run<'_>, message: &str) -> String {
    handler_failure(
        run,
        &format!("Invalid request provided: {message}"),
        "InvalidRequest",
    )
}

/// `CfnNotFoundException(type, id)`.
fn not_found(run: &mut Run<'_>, rtype: &str, id: &str) -> String {
    handler_failure(
        run,
        &format!("Resource of type '{rtype}' with identifier '{id}' was not found."),
        "NotFound",
    )
}

/// `CfnAlreadyExistsException(type, id)`.
fn already_exists(run: &mut Run<'_>, rtype: &str, id: &str) -> String {
    handler_failure(
        run,
        &format!("Resource of type '{rtype}' with identifier '{id}' already exists."),
        "AlreadyExists",
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
        if let ("Tags", Value::Array(tags)) = (k.as_str(), v) {
            problems.extend(tag_problems(tags));
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

/// How a `Tags` array breaks the schemas' `Tag` definition (AWS::KMS::Key and
/// AWS::KMS::ReplicaKey alike): `uniqueItems`, each item an object of a required `Key` (1 to 128
/// characters) and `Value` (0 to 256), and nothing else (`additionalProperties: false`).
fn tag_problems(tags: &[Value]) -> Vec<String> {
    let mut problems = vec![];
    if tags.iter().enumerate().any(|(i, t)| tags[..i].contains(t)) {
        problems.push("#/Tags: array items are not unique".to_string());
    }
    for (i, tag) in tags.iter().enumerate() {
        let at = format!("#/Tags/{i}");
        let Value::Object(m) = tag else {
            problems.push(format!(
                "{at}: expected type: JSONObject, found: {}",
                json_type(tag)
            ));
            continue;
        };
        for k in m.keys().filter(|k| *k != "Key" && *k != "Value") {
            problems.push(format!("{at}: extraneous key [{k}] is not permitted"));
        }
        for r in ["Key", "Value"].iter().filter(|r| !m.contains_key(**r)) {
            problems.push(format!("{at}: required key [{r}] not found"));
        }
        for (name, min, max) in [("Key", 1, 128), ("Value", 0, 256)] {
            let Some(v) = m.get(name) else { continue };
            if !matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_)) {
                problems.push(format!(
                    "{at}/{name}: expected type: String, found: {}",
                    json_type(v)
                ));
            } else if let Some(problem) = rule_problem(&Rule::Length(min, max), v) {
                problems.push(format!("{at}/{name}: {problem}"));
            }
        }
    }
    problems
}

/// The validator's name of a JSON value's type.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "Integer",
        Value::Number(_) => "Number",
        Value::String(_) => "String",
        Value::Array(_) => "JSONArray",
        Value::Object(_) => "JSONObject",
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
    let found = json_type(v);
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

/// The Region of a ReplicaKey's PrimaryKeyArn as the handler reads it (ClientBuilder's
/// `arn.split(":")[3]`, Java's split dropping trailing empty strings), or none.
fn arn_region(arn: &str) -> Option<&str> {
    let mut parts: Vec<&str> = arn.split(':').collect();
    while parts.last() == Some(&"") {
        parts.pop();
    }
    parts.get(3).copied()
}

/// A Region the handler's KMS client takes: a Region of KMS, or one the sandbox already holds
/// (the engine takes any Region name).
fn kms_region(run: &Run<'_>, region: &str) -> bool {
    crate::regions::is_kms_region(region)
        || region == run.region
        || run.scratch.region_state(region).is_some()
}

/// An AWS::KMS::Key's properties with the handler's defaults (ModelAdapter's setDefaults):
/// what it compares.
struct KeyModel {
    description: String,
    enabled: bool,
    rotation: bool,
    period: Option<i64>,
    key_usage: String,
    key_spec: String,
    origin: String,
    multi_region: bool,
    policy: Option<String>,
}

impl KeyModel {
    fn of(p: &Value) -> KeyModel {
        let text_or = |k: &str, default: &str| {
            p.get(k)
                .map(super::template::text)
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| default.to_string())
        };
        KeyModel {
            description: text_or("Description", ""),
            enabled: truthy(p.get("Enabled")).unwrap_or(true),
            rotation: truthy(p.get("EnableKeyRotation")).unwrap_or(false),
            period: int(p.get("RotationPeriodInDays")),
            key_usage: text_or("KeyUsage", "ENCRYPT_DECRYPT"),
            key_spec: text_or("KeySpec", "SYMMETRIC_DEFAULT"),
            origin: text_or("Origin", "AWS_KMS"),
            multi_region: truthy(p.get("MultiRegion")).unwrap_or(false),
            policy: p.get("KeyPolicy").map(policy_text),
        }
    }
}

/// The key handler's checks of a model (and of the change from the `previous` one on update),
/// before it calls KMS to change anything (BaseHandlerStd's validateResourceModel).
fn validate_key(run: &mut Run<'_>, previous: Option<&Value>, p: &Value) -> Result<(), String> {
    let new = KeyModel::of(p);
    if new.rotation && (new.key_spec != "SYMMETRIC_DEFAULT" || new.origin == "EXTERNAL") {
        return Err(invalid_request(
            run,
            "You cannot set the EnableKeyRotation property to true on asymmetric or external keys.",
        ));
    }
    let Some(old) = previous.map(KeyModel::of) else {
        return Ok(());
    };
    if !old.enabled && !new.enabled && old.rotation != new.rotation {
        return Err(invalid_request(
            run,
            "You cannot change the EnableKeyRotation property while the Enabled property is false.",
        ));
    }
    // The schema has no createOnlyProperties: a change of these reaches the handler, which
    // refuses it ("the update request fails, regardless of the value of the
    // UpdateReplacePolicy attribute", AWS::KMS::Key's reference), defaults applied to both.
    if old.key_usage != new.key_usage
        || old.key_spec != new.key_spec
        || old.multi_region != new.multi_region
        || old.origin != new.origin
    {
        return Err(invalid_request(
            run,
            "You cannot change the values of the KeySpec, KeyUsage, Origin, or MultiRegion properties of an AWS::KMS::Key resource.",
        ));
    }
    Ok(())
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
            validate_key(run, None, p)?;
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
            let after = configure_key(run, &region, &made.0, None, p);
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
            // The handler first looks the name up: an alias that answers (or one it may not
            // see) is taken, whoever made it.
            match run.kms(&region, "DescribeKey", json!({"KeyId": name})) {
                Err(e) if e.error_type == crate::ErrorType::NotFound => {}
                Ok(_) => return Err(already_exists(run, rtype, &name)),
                Err(e) if e.error_type == crate::ErrorType::AccessDenied => {
                    return Err(already_exists(run, rtype, &name))
                }
                Err(e) => return Err(handler_error(run, e)),
            }
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
            // The schema has no pattern for PrimaryKeyArn: the handler's client for the
            // primary's Region refuses what it cannot read a Region of.
            let Some(primary_region) = arn_region(&primary).map(str::to_string) else {
                return Err(handler_failure(
                    run,
                    "Invalid Arn Provided. Unable to determine the region of the supplied arn.",
                    "InvalidRequest",
                ));
            };
            if !kms_region(run, &primary_region) {
                return Err(handler_failure(
                    run,
                    &format!("'{primary_region}' is not a valid KMS Region."),
                    "InvalidRequest",
                ));
            }
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

/// What the handler does to a key's mutable properties, in its order: on create (no `o`),
/// rotation then disabling; on update from `o`, enabling, rotation, disabling, description,
/// policy and tags (the key handlers' CreateHandler and UpdateHandler). KMS refuses rotation on a
/// disabled key, hence the order.
fn configure_key(
    run: &mut Run<'_>,
    region: &str,
    key_id: &str,
    o: Option<&Value>,
    n: &Value,
) -> Result<(), String> {
    let call = |run: &mut Run<'_>, op: &str, req: Value| -> Result<(), String> {
        run.kms(region, op, req)
            .map(|_| ())
            .map_err(|e| handler_error(run, e))
    };
    let new = KeyModel::of(n);
    let old = o.map(KeyModel::of);
    let was_enabled = old.as_ref().is_none_or(|m| m.enabled);
    let had_rotation = old.as_ref().is_some_and(|m| m.rotation);
    if !was_enabled && new.enabled {
        call(run, "EnableKey", json!({"KeyId": key_id}))?;
    }
    let period_changed = old.as_ref().is_some_and(|m| m.period != new.period);
    if new.rotation && (!had_rotation || period_changed) {
        let mut req = json!({"KeyId": key_id});
        if let Some(d) = new.period {
            req["RotationPeriodInDays"] = json!(d);
        }
        call(run, "EnableKeyRotation", req)?;
    } else if had_rotation && !new.rotation {
        call(run, "DisableKeyRotation", json!({"KeyId": key_id}))?;
    }
    if was_enabled && !new.enabled {
        call(run, "DisableKey", json!({"KeyId": key_id}))?;
    }
    let (Some(o), Some(old)) = (o, old) else {
        return Ok(());
    };
    if old.description != new.description {
        call(
            run,
            "UpdateKeyDescription",
            json!({"KeyId": key_id, "Description": new.description}),
        )?;
    }
    if old.policy != new.policy {
        let policy = match new.policy {
            Some(p) => p,
            None => crate::default_key_policy(region, run.scratch.account_id()),
        };
        let mut req = json!({"KeyId": key_id, "PolicyName": "default", "Policy": policy});
        if let Some(b) = truthy(n.get("BypassPolicyLockoutSafetyCheck")) {
            req["BypassPolicyLockoutSafetyCheck"] = json!(b);
        }
        call(run, "PutKeyPolicy", req)?;
    }
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
            // The handler describes the key first: one deleted outside the stack, or pending
            // deletion, is not found (KeyHandlerHelper's describeKey).
            let meta = run
                .kms(&region, "DescribeKey", json!({"KeyId": physical}))
                .map_err(|e| handler_error(run, e))?["KeyMetadata"]
                .clone();
            if matches!(
                meta["KeyState"].as_str(),
                Some("PendingDeletion" | "PendingReplicaDeletion")
            ) {
                let id = meta["KeyId"].as_str().unwrap_or(physical).to_string();
                return Err(not_found(run, rtype, &id));
            }
            if rtype == "AWS::KMS::Key" {
                validate_key(run, Some(o), n)?;
            }
            configure_key(run, &region, physical, Some(o), n)
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
