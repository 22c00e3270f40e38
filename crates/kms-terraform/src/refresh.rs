//! The provider's Read of each resource type, as its KMS calls: refresh before a plan, and the
//! read that ends a create or an update. A key NotFound or pending deletion, an alias or a
//! grant not found, is gone (`d.SetId("")`).

use crate::call::Call;
use crate::plan::policies_equivalent;
use kms_core::KmsError;
use serde_json::{json, Map, Value};
use std::collections::VecDeque;

/// What a read call is for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Read {
    Describe,
    Policy,
    Rotation,
    Tags,
    Aliases,
    Grants,
}

/// One resource being read.
pub(crate) struct Reader {
    pub ty: String,
    pub id: String,
    /// The attributes: the prior ones, then what KMS answers.
    pub attrs: Map<String, Value>,
    pub calls: VecDeque<(Read, Call)>,
    /// The object no longer exists.
    pub gone: bool,
    /// A read at the end of a create or update: not finding it is not a removal.
    new_resource: bool,
    region: String,
    md: Value,
    policy: Option<String>,
    rotation: Option<(Value, Value)>,
    tags: Map<String, Value>,
    entry: Option<Value>,
}

/// Go's json.Marshal of a decoded document (structure.NormalizeJsonString): compact, keys
/// sorted, `<`, `>` and `&` escaped.
pub fn normalize_json(s: &str) -> String {
    match serde_json::from_str::<Value>(s) {
        Ok(v) => v
            .to_string()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026"),
        Err(_) => s.to_string(),
    }
}

/// verify.SecondJSONUnlessEquivalent.
fn second_unless_equivalent(old: &str, new: &str) -> String {
    if new.trim().is_empty() {
        return String::new();
    }
    if new.trim() == "{}" {
        return "{}".into();
    }
    if old.trim().is_empty() || old.trim() == "{}" {
        return new.to_string();
    }
    if policies_equivalent(old, new) {
        old.to_string()
    } else {
        new.to_string()
    }
}

/// create.NamePrefixFromName: the prefix of a name made by PrefixedUniqueId (26 hex digits).
pub fn name_prefix_from_name(name: &str) -> Value {
    let n = name.len();
    if n > 26 && name[n - 26..].chars().all(|c| c.is_ascii_hexdigit()) {
        json!(name[..n - 26])
    } else {
        Value::Null
    }
}

impl Reader {
    pub fn new(ty: &str, attrs: Map<String, Value>, region: &str, new_resource: bool) -> Reader {
        let id = attrs
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let mut r = Reader {
            ty: ty.to_string(),
            id,
            attrs,
            calls: VecDeque::new(),
            gone: false,
            new_resource,
            region: region.to_string(),
            md: Value::Null,
            policy: None,
            rotation: None,
            tags: Map::new(),
            entry: None,
        };
        match ty {
            "aws_kms_alias" => r.push(Read::Aliases, "ListAliases", json!({})),
            "aws_kms_grant" => {
                let (key, _) = r.grant_parts();
                r.push(
                    Read::Grants,
                    "ListGrants",
                    json!({"KeyId": key, "Limit": 100}),
                )
            }
            _ => {
                let id = r.id.clone();
                r.push(Read::Describe, "DescribeKey", json!({"KeyId": id}))
            }
        }
        r
    }

    fn push(&mut self, read: Read, op: &str, input: Value) {
        self.calls.push_back((
            read,
            Call {
                region: self.region.clone(),
                operation: op.to_string(),
                input,
            },
        ));
    }

    /// grantParseResourceID: `KEY:GRANT`, the key possibly an ARN.
    fn grant_parts(&self) -> (String, String) {
        let id = &self.id;
        if id.starts_with("arn:") {
            if let Some((prefix, rest)) = id.split_once('/') {
                if let Some((key, grant)) = rest.split_once(':') {
                    return (format!("{prefix}/{key}"), grant.to_string());
                }
            }
        }
        match id.split_once(':') {
            Some((k, g)) => (k.to_string(), g.to_string()),
            None => (id.clone(), String::new()),
        }
    }

    /// The provider's words before the SDK's error for a failed read call.
    pub fn error_prefix(&self, read: Read) -> String {
        let id = &self.id;
        let outer = match self.ty.as_str() {
            "aws_kms_alias" => return format!("reading KMS Alias ({id})"),
            "aws_kms_grant" => return format!("reading KMS Grant ({id})"),
            "aws_kms_replica_key" => format!("reading KMS Replica Key ({id})"),
            _ => format!("reading KMS Key ({id})"),
        };
        let inner = match read {
            Read::Policy => format!("reading KMS Key ({id}) policy"),
            Read::Rotation => format!("reading KMS Key ({id}) rotation enabled"),
            Read::Tags => format!("listing tags for KMS Key ({id})"),
            _ => format!("reading KMS Key ({id})"),
        };
        format!("{outer}: {inner}")
    }

    fn vanish(&mut self) {
        self.calls.clear();
        if !self.new_resource {
            self.gone = true;
        }
    }

    /// An answer to the call `read`: `Err` is the error to report (the read stops).
    pub fn answer(&mut self, read: Read, result: Result<Value, KmsError>) -> Result<(), KmsError> {
        let v = match result {
            Ok(v) => v,
            Err(e) if e.error_type.as_str() == "NotFoundException" => {
                self.vanish();
                return Ok(());
            }
            // AWS answers `KeyRotationEnabled: false` for asymmetric and HMAC keys; the sandbox
            // refuses the call for them: read as AWS answers.
            Err(e)
                if read == Read::Rotation
                    && e.error_type.as_str() == "UnsupportedOperationException" =>
            {
                json!({"KeyRotationEnabled": false})
            }
            Err(e) => {
                self.calls.clear();
                return Err(e);
            }
        };
        match read {
            Read::Describe => {
                let md = v["KeyMetadata"].clone();
                // Once pending (replica) deletion, the provider considers the key deleted.
                if matches!(
                    md["KeyState"].as_str(),
                    Some("PendingDeletion" | "PendingReplicaDeletion")
                ) {
                    self.vanish();
                    return Ok(());
                }
                let id = self.id.clone();
                self.push(
                    Read::Policy,
                    "GetKeyPolicy",
                    json!({"KeyId": id, "PolicyName": "default"}),
                );
                if md["Origin"] == "AWS_KMS" {
                    self.push(Read::Rotation, "GetKeyRotationStatus", json!({"KeyId": id}));
                }
                self.push(Read::Tags, "ListResourceTags", json!({"KeyId": id}));
                self.md = md;
            }
            Read::Policy => {
                self.policy = Some(normalize_json(v["Policy"].as_str().unwrap_or_default()));
            }
            Read::Rotation => {
                self.rotation = Some((
                    v["KeyRotationEnabled"].clone(),
                    v.get("RotationPeriodInDays")
                        .cloned()
                        .unwrap_or(Value::Null),
                ));
            }
            Read::Tags => {
                for t in v["Tags"].as_array().into_iter().flatten() {
                    if let Some(k) = t["TagKey"].as_str() {
                        self.tags.insert(k.to_string(), t["TagValue"].clone());
                    }
                }
                if v["Truncated"] == json!(true) {
                    let id = self.id.clone();
                    self.calls.push_front((
                        Read::Tags,
                        Call {
                            region: self.region.clone(),
                            operation: "ListResourceTags".into(),
                            input: json!({"KeyId": id, "Marker": v["NextMarker"]}),
                        },
                    ));
                }
            }
            Read::Aliases => {
                let found = v["Aliases"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|a| a["AliasName"].as_str() == Some(self.id.as_str()));
                if let Some(a) = found {
                    self.entry = Some(a.clone());
                } else if v["Truncated"] == json!(true) {
                    self.push(
                        Read::Aliases,
                        "ListAliases",
                        json!({"Marker": v["NextMarker"]}),
                    );
                } else {
                    self.vanish();
                }
            }
            Read::Grants => {
                let (key, grant) = self.grant_parts();
                let found = v["Grants"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|g| g["GrantId"].as_str() == Some(grant.as_str()));
                if let Some(g) = found {
                    self.entry = Some(g.clone());
                } else if v["Truncated"] == json!(true) {
                    self.push(
                        Read::Grants,
                        "ListGrants",
                        json!({"KeyId": key, "Limit": 100, "Marker": v["NextMarker"]}),
                    );
                } else {
                    self.vanish();
                }
            }
        }
        Ok(())
    }

    /// Once every call is answered: the attributes as the provider sets them, or its error.
    pub fn finish(&mut self) -> Result<(), String> {
        if self.gone || (self.md.is_null() && self.entry.is_none()) {
            return Ok(());
        }
        let (grant_key, _) = self.grant_parts();
        let a = &mut self.attrs;
        let id = self.id.clone();
        let tags = |a: &mut Map<String, Value>, tags: &Map<String, Value>| {
            let old_null = a.get("tags").is_none_or(Value::is_null);
            a.insert(
                "tags".into(),
                if tags.is_empty() && old_null {
                    Value::Null
                } else {
                    Value::Object(tags.clone())
                },
            );
            a.insert("tags_all".into(), Value::Object(tags.clone()));
        };
        let md = &self.md;
        let kms_policy = self.policy.clone().unwrap_or_default();
        let old_policy = a
            .get("policy")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let or_null = |v: &Value| if v.is_null() { Value::Null } else { v.clone() };
        match self.ty.as_str() {
            "aws_kms_key" => {
                if md["MultiRegion"] == json!(true)
                    && md["MultiRegionConfiguration"]["MultiRegionKeyType"] != "PRIMARY"
                {
                    return Err(format!("KMS Key ({id}) is not a multi-Region primary key"));
                }
                let (rotation, period) = self.rotation.clone().unwrap_or((json!(false), json!(0)));
                a.insert("arn".into(), md["Arn"].clone());
                a.insert(
                    "custom_key_store_id".into(),
                    or_null(&md["CustomKeyStoreId"]),
                );
                a.insert("customer_master_key_spec".into(), md["KeySpec"].clone());
                a.insert(
                    "description".into(),
                    json!(md["Description"].as_str().unwrap_or_default()),
                );
                a.insert("enable_key_rotation".into(), rotation);
                a.insert("is_enabled".into(), md["Enabled"].clone());
                a.insert("key_id".into(), md["KeyId"].clone());
                a.insert("key_usage".into(), md["KeyUsage"].clone());
                a.insert(
                    "multi_region".into(),
                    json!(md["MultiRegion"] == json!(true)),
                );
                a.insert(
                    "policy".into(),
                    json!(normalize_json(&second_unless_equivalent(
                        &old_policy,
                        &kms_policy
                    ))),
                );
                a.insert(
                    "rotation_period_in_days".into(),
                    if period.is_null() { json!(0) } else { period },
                );
                a.insert(
                    "xks_key_id".into(),
                    or_null(&md["XksKeyConfiguration"]["Id"]),
                );
                tags(a, &self.tags);
            }
            "aws_kms_replica_key" => {
                let manager = md["KeyManager"].as_str().unwrap_or_default();
                if manager != "CUSTOMER" {
                    return Err(format!(
                        "KMS Replica Key ({id}) has invalid KeyManager: {manager}"
                    ));
                }
                let origin = md["Origin"].as_str().unwrap_or_default();
                if origin != "AWS_KMS" {
                    return Err(format!(
                        "KMS Replica Key ({id}) has invalid Origin: {origin}"
                    ));
                }
                if md["MultiRegion"] != json!(true)
                    || md["MultiRegionConfiguration"]["MultiRegionKeyType"] != "REPLICA"
                {
                    return Err(format!(
                        "KMS Replica Key ({id}) is not a multi-Region replica key"
                    ));
                }
                let (rotation, _) = self.rotation.clone().unwrap_or((json!(false), Value::Null));
                a.insert("arn".into(), md["Arn"].clone());
                a.insert(
                    "description".into(),
                    json!(md["Description"].as_str().unwrap_or_default()),
                );
                a.insert("enabled".into(), md["Enabled"].clone());
                a.insert("key_id".into(), md["KeyId"].clone());
                a.insert("key_rotation_enabled".into(), rotation);
                a.insert("key_spec".into(), md["KeySpec"].clone());
                a.insert("key_usage".into(), md["KeyUsage"].clone());
                a.insert(
                    "policy".into(),
                    json!(second_unless_equivalent(&old_policy, &kms_policy)),
                );
                a.insert(
                    "primary_key_arn".into(),
                    md["MultiRegionConfiguration"]["PrimaryKey"]["Arn"].clone(),
                );
                tags(a, &self.tags);
            }
            "aws_kms_key_policy" => {
                a.insert("key_id".into(), md["KeyId"].clone());
                a.insert(
                    "policy".into(),
                    json!(normalize_json(&second_unless_equivalent(
                        &old_policy,
                        &kms_policy
                    ))),
                );
            }
            "aws_kms_alias" => {
                let e = self.entry.clone().unwrap_or_default();
                let alias_arn = e["AliasArn"].as_str().unwrap_or_default();
                let target = e["TargetKeyId"].as_str().unwrap_or_default();
                // AliasARNToKeyARN.
                let key_arn = match alias_arn.splitn(6, ':').collect::<Vec<_>>().as_slice() {
                    [_, p, s, r, acct, _] => format!("arn:{p}:{s}:{r}:{acct}:key/{target}"),
                    _ => String::new(),
                };
                let name = e["AliasName"].as_str().unwrap_or_default();
                a.insert("arn".into(), json!(alias_arn));
                a.insert("name".into(), json!(name));
                a.insert("name_prefix".into(), name_prefix_from_name(name));
                a.insert("target_key_arn".into(), json!(key_arn));
                a.insert("target_key_id".into(), json!(target));
            }
            "aws_kms_grant" => {
                let key = grant_key;
                let e = self.entry.clone().unwrap_or_default();
                let c = &e["Constraints"];
                if c.is_object() {
                    let pick = |k: &str| match &c[k] {
                        Value::Object(o) if !o.is_empty() => Value::Object(o.clone()),
                        _ => Value::Null,
                    };
                    a.insert(
                        "constraints".into(),
                        json!([{
                            "encryption_context_equals": pick("EncryptionContextEquals"),
                            "encryption_context_subset": pick("EncryptionContextSubset"),
                        }]),
                    );
                }
                a.insert("grant_id".into(), e["GrantId"].clone());
                if !e["GranteePrincipal"].is_null() {
                    a.insert("grantee_principal".into(), e["GranteePrincipal"].clone());
                }
                a.insert("key_id".into(), json!(key));
                if e["Name"].as_str().is_some_and(|n| !n.is_empty()) {
                    a.insert("name".into(), e["Name"].clone());
                }
                let mut ops: Vec<String> = e["Operations"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|o| o.as_str().map(str::to_string))
                    .collect();
                ops.sort();
                a.insert("operations".into(), json!(ops));
                if !e["RetiringPrincipal"].is_null() {
                    a.insert("retiring_principal".into(), e["RetiringPrincipal"].clone());
                }
            }
            _ => {}
        }
        Ok(())
    }
}
