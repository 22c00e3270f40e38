//! Customer managed policies: versions (at most five), tags, and where they are attached. AWS
//! managed policies (`arn:aws:iam::aws:policy/...`) are not modelled: ListPolicies leaves them out
//! and naming one is `NoSuchEntity`.

use super::documents::{policy_size, validate_identity_policy};
use super::entities::policy_arn;
use super::{
    listed, merge_policy_tags, page, remove_policy_tags, request_policy_tags, tag_list, IamTx,
    IamView,
};
use crate::error::{KmsError, Result};
use crate::records::iam::{policy_key, IamRecord, ManagedPolicyRecord, PolicyVersionRecord};
use crate::tx::{wire_time, Req};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

const POLICIES_PER_ACCOUNT: usize = 1500;
const MANAGED_POLICY_SIZE: usize = 6144;
const VERSIONS_PER_POLICY: usize = 5;
const TAG_QUOTA: &str = "TagsPerPolicy";

fn not_found(arn: &str) -> KmsError {
    KmsError::no_such_entity(format!("Policy {arn} was not found."))
}

fn load(tx: &IamTx<'_>, arn: &str) -> Result<ManagedPolicyRecord> {
    tx.policy(arn).cloned().ok_or_else(|| not_found(arn))
}

fn check_document(doc: &str) -> Result<()> {
    validate_identity_policy(doc)?;
    if policy_size(doc) > MANAGED_POLICY_SIZE {
        return Err(KmsError::iam_limit_exceeded(format!(
            "Cannot exceed quota for PolicySize: {MANAGED_POLICY_SIZE}"
        )));
    }
    Ok(())
}

/// How many users and roles each policy is attached to.
fn attachment_counts(tx: &IamTx<'_>) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    let users = tx.all_users();
    let roles = tx.all_roles();
    let lists = users
        .iter()
        .map(|u| &u.attached_policies)
        .chain(roles.iter().map(|r| &r.attached_policies));
    for arn in lists.flatten() {
        *counts.entry(arn.clone()).or_insert(0) += 1;
    }
    counts
}

/// A policy as IAM describes it; `Description` and `Tags` only where GetPolicy and CreatePolicy
/// give them (ListPolicies leaves them out).
fn policy_value(p: &ManagedPolicyRecord, attachments: usize, detail: bool) -> Value {
    let mut m = Map::new();
    m.insert("PolicyName".into(), json!(p.name));
    m.insert("PolicyId".into(), json!(p.policy_id));
    m.insert("Arn".into(), json!(p.arn));
    m.insert("Path".into(), json!(p.path));
    m.insert("DefaultVersionId".into(), json!(p.default_version));
    m.insert("AttachmentCount".into(), json!(attachments));
    m.insert("PermissionsBoundaryUsageCount".into(), json!(0));
    m.insert("IsAttachable".into(), json!(true));
    if detail {
        if let Some(d) = &p.description {
            m.insert("Description".into(), json!(d));
        }
    }
    m.insert("CreateDate".into(), wire_time(p.created));
    m.insert("UpdateDate".into(), wire_time(p.updated));
    if detail && !p.tags.is_empty() {
        m.insert("Tags".into(), tag_list(&p.tags));
    }
    Value::Object(m)
}

fn version_value(p: &ManagedPolicyRecord, v: &PolicyVersionRecord, with_document: bool) -> Value {
    let mut m = Map::new();
    if with_document {
        m.insert("Document".into(), json!(v.document));
    }
    m.insert("VersionId".into(), json!(v.version_id));
    m.insert(
        "IsDefaultVersion".into(),
        json!(v.version_id == p.default_version),
    );
    m.insert("CreateDate".into(), wire_time(v.created));
    Value::Object(m)
}

pub(crate) fn create_policy(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let name = req.req_str("PolicyName");
    if tx.policy_named(name).is_some() {
        return Err(KmsError::entity_already_exists(format!(
            "A policy called {name} already exists. Duplicate names are not allowed."
        )));
    }
    let doc = req.req_str("PolicyDocument");
    check_document(doc)?;
    let requested = request_policy_tags(req)?;
    let mut tags = BTreeMap::new();
    merge_policy_tags(&mut tags, requested.clone(), TAG_QUOTA)?;
    if tx.all_policies().len() >= POLICIES_PER_ACCOUNT {
        return Err(KmsError::iam_limit_exceeded(format!(
            "Cannot exceed quota for PoliciesPerAccount: {POLICIES_PER_ACCOUNT}"
        )));
    }
    let path = req.str("Path").unwrap_or("/").to_string();
    let p = ManagedPolicyRecord {
        name: name.to_string(),
        arn: tx.arn("iam", &format!("policy{path}{name}")),
        path,
        policy_id: tx.unique_id("ANPA"),
        description: req.str("Description").map(str::to_string),
        created: tx.now,
        updated: tx.now,
        default_version: "v1".into(),
        versions: vec![PolicyVersionRecord {
            version_id: "v1".into(),
            document: doc.to_string(),
            created: tx.now,
        }],
        next_version: 2,
        tags,
    };
    let mut out = json!({"Policy": policy_value(&p, 0, true)});
    // CreatePolicy's answer has no Description: the model's Policy.Description "is included in
    // the response to the GetPolicy operation", and AWS leaves it out here (LocalStack's
    // test_iam_policies snapshot of AWS, February 2026: test_policy_tag_lifecycle).
    if let Some(m) = out["Policy"].as_object_mut() {
        m.remove("Description");
    }
    // CreatePolicy answers the tags in the order they were given (GetPolicy and ListPolicyTags
    // in their own).
    if !requested.is_empty() {
        out["Policy"]["Tags"] = requested
            .iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect();
    }
    tx.put(IamRecord::Policy(p));
    Ok(out)
}

pub(crate) fn get_policy(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let arn = policy_arn(req)?;
    let p = tx.policy(arn).ok_or_else(|| not_found(arn))?;
    let count = attachment_counts(tx).get(arn).copied().unwrap_or(0);
    let mut policy = policy_value(p, count, true);
    // GetPolicy always answers Tags, `[]` for a policy without (LocalStack's test_iam_policies
    // snapshots of AWS, February 2026); CreatePolicy only when it was given some.
    if policy.get("Tags").is_none() {
        policy["Tags"] = json!([]);
    }
    Ok(json!({ "Policy": policy }))
}

pub(crate) fn list_policies(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    // Only customer managed policies exist here: Scope AWS lists none, All the same as Local.
    // No policy is a permissions boundary.
    if req.str("Scope") == Some("AWS")
        || req.str("PolicyUsageFilter") == Some("PermissionsBoundary")
    {
        return listed("Policies", vec![], req);
    }
    let counts = attachment_counts(tx);
    let prefix = req.str("PathPrefix").unwrap_or("/");
    let only_attached = req.bool("OnlyAttached");
    let policies = tx
        .all_policies()
        .into_iter()
        .filter(|p| p.path.starts_with(prefix))
        .map(|p| (p, counts.get(&p.arn).copied().unwrap_or(0)))
        .filter(|(_, n)| !only_attached || *n > 0)
        .map(|(p, n)| (p.name.to_lowercase(), policy_value(p, n, false)))
        .collect();
    listed("Policies", policies, req)
}

pub(crate) fn delete_policy(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let arn = policy_arn(req)?;
    let p = tx.policy(arn).ok_or_else(|| not_found(arn))?;
    if attachment_counts(tx).get(arn).copied().unwrap_or(0) > 0 {
        return Err(KmsError::delete_conflict(
            "Cannot delete a policy attached to entities.",
        ));
    }
    if p.versions.len() > 1 {
        return Err(KmsError::delete_conflict(
            "This policy has more than one version. Before you delete a policy, you must delete \
             the policy's versions. The default version is deleted with the policy.",
        ));
    }
    let key = policy_key(&p.name);
    tx.delete(key);
    Ok(json!({}))
}

fn no_such_version(arn: &str, version_id: &str) -> KmsError {
    KmsError::no_such_entity(format!(
        "Policy {arn} version {version_id} does not exist or is not attachable."
    ))
}

pub(crate) fn create_policy_version(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let arn = policy_arn(req)?;
    let mut p = load(tx, arn)?;
    if p.versions.len() >= VERSIONS_PER_POLICY {
        return Err(KmsError::iam_limit_exceeded(format!(
            "A managed policy can have up to {VERSIONS_PER_POLICY} versions. Before you create a \
             new version, you must delete an existing version."
        )));
    }
    let doc = req.req_str("PolicyDocument");
    check_document(doc)?;
    let v = PolicyVersionRecord {
        version_id: format!("v{}", p.next_version),
        document: doc.to_string(),
        created: tx.now,
    };
    p.next_version += 1;
    p.updated = tx.now;
    if req.bool("SetAsDefault") {
        p.default_version = v.version_id.clone();
    }
    let out = json!({"PolicyVersion": version_value(&p, &v, false)});
    p.versions.push(v);
    tx.put(IamRecord::Policy(p));
    Ok(out)
}

pub(crate) fn get_policy_version(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let arn = policy_arn(req)?;
    let version_id = req.req_str("VersionId");
    let p = tx
        .policy(arn)
        .ok_or_else(|| no_such_version(arn, version_id))?;
    let v = p
        .version(version_id)
        .ok_or_else(|| no_such_version(arn, version_id))?;
    Ok(json!({"PolicyVersion": version_value(p, v, true)}))
}

pub(crate) fn list_policy_versions(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let arn = policy_arn(req)?;
    let p = tx.policy(arn).ok_or_else(|| not_found(arn))?;
    // Newest first, as IAM lists them.
    let versions = p
        .versions
        .iter()
        .rev()
        .enumerate()
        .map(|(i, v)| (format!("{i:02}"), version_value(p, v, false)))
        .collect();
    listed("Versions", versions, req)
}

pub(crate) fn delete_policy_version(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let arn = policy_arn(req)?;
    let version_id = req.req_str("VersionId");
    let mut p = load(tx, arn)?;
    if p.version(version_id).is_none() {
        return Err(no_such_version(arn, version_id));
    }
    if p.default_version == version_id {
        return Err(KmsError::delete_conflict(
            "Cannot delete the default version of a policy.",
        ));
    }
    p.versions.retain(|v| v.version_id != version_id);
    tx.put(IamRecord::Policy(p));
    Ok(json!({}))
}

pub(crate) fn set_default_policy_version(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let arn = policy_arn(req)?;
    let version_id = req.req_str("VersionId");
    let mut p = tx
        .policy(arn)
        .cloned()
        .ok_or_else(|| no_such_version(arn, version_id))?;
    if p.version(version_id).is_none() {
        return Err(no_such_version(arn, version_id));
    }
    p.default_version = version_id.to_string();
    tx.put(IamRecord::Policy(p));
    Ok(json!({}))
}

pub(crate) fn tag_policy(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut p = load(tx, policy_arn(req)?)?;
    merge_policy_tags(&mut p.tags, request_policy_tags(req)?, TAG_QUOTA)?;
    tx.put(IamRecord::Policy(p));
    Ok(json!({}))
}

pub(crate) fn untag_policy(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut p = load(tx, policy_arn(req)?)?;
    remove_policy_tags(&mut p.tags, &req.list("TagKeys"));
    tx.put(IamRecord::Policy(p));
    Ok(json!({}))
}

pub(crate) fn list_policy_tags(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let arn = policy_arn(req)?;
    let p = tx.policy(arn).ok_or_else(|| not_found(arn))?;
    let tags = p
        .tags
        .iter()
        .map(|(k, v)| (k.clone(), json!({"Key": k, "Value": v})))
        .collect();
    listed("Tags", tags, req)
}

pub(crate) fn list_entities_for_policy(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let arn = policy_arn(req)?;
    if tx.policy(arn).is_none() {
        return Err(KmsError::no_such_entity(format!(
            "Policy {arn} does not exist or is not attachable."
        )));
    }
    let filter = req.str("EntityFilter");
    let prefix = req.str("PathPrefix").unwrap_or("/");
    let boundary = req.str("PolicyUsageFilter") == Some("PermissionsBoundary");
    let mut entities: Vec<(String, Value)> = Vec::new();
    if !boundary && filter.is_none_or(|f| f == "User") {
        entities.extend(
            tx.all_users()
                .into_iter()
                .filter(|u| {
                    u.path.starts_with(prefix) && u.attached_policies.iter().any(|a| a == arn)
                })
                .map(|u| {
                    (
                        format!("r{}", u.name.to_lowercase()),
                        json!({"UserName": u.name, "UserId": u.user_id}),
                    )
                }),
        );
    }
    if !boundary && filter.is_none_or(|f| f == "Role") {
        entities.extend(
            tx.all_roles()
                .into_iter()
                .filter(|r| {
                    r.path.starts_with(prefix) && r.attached_policies.iter().any(|a| a == arn)
                })
                .map(|r| {
                    (
                        format!("s{}", r.name.to_lowercase()),
                        json!({"RoleName": r.name, "RoleId": r.role_id}),
                    )
                }),
        );
    }
    // Users sort before roles ("r" < "s"); one page may hold both.
    entities.sort_by(|a, b| a.0.cmp(&b.0));
    let (items, mut out) = page(entities, req)?;
    let (users, roles): (Vec<Value>, Vec<Value>) =
        items.into_iter().partition(|v| v.get("UserName").is_some());
    out.insert("PolicyGroups".into(), json!([]));
    out.insert("PolicyUsers".into(), Value::Array(users));
    out.insert("PolicyRoles".into(), Value::Array(roles));
    Ok(Value::Object(out))
}
