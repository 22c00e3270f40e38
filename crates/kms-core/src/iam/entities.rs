//! Users and roles, and what both carry: tags, inline policies and attached managed policies.

use super::documents::{policy_size, validate_identity_policy, validate_trust_policy};
use super::{listed, merge_tags, parse_arn, remove_tags, request_tags, tag_list, IamTx, IamView};
use crate::access::PrincipalType;
use crate::caller::Identity;
use crate::error::{KmsError, Result};
use crate::records::iam::{role_key, user_key, IamRecord, RoleRecord, UserRecord};
use crate::tx::{wire_time, Req};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// IAM's default quotas for users and roles.
const USERS_PER_ACCOUNT: usize = 5000;
const ROLES_PER_ACCOUNT: usize = 1000;
const MANAGED_POLICIES_PER_ENTITY: usize = 10;
const USER_INLINE_POLICY_SIZE: usize = 2048;
const ROLE_INLINE_POLICY_SIZE: usize = 10_240;
const TRUST_POLICY_SIZE: usize = 2048;
const DEFAULT_MAX_SESSION_DURATION: i64 = 3600;

/// Users or roles, for the operations both have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    User,
    Role,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Role => "role",
        }
    }
    fn name_member(self) -> &'static str {
        match self {
            Kind::User => "UserName",
            Kind::Role => "RoleName",
        }
    }
    fn inline_policy_size(self) -> usize {
        match self {
            Kind::User => USER_INLINE_POLICY_SIZE,
            Kind::Role => ROLE_INLINE_POLICY_SIZE,
        }
    }
    fn attached_quota(self) -> &'static str {
        match self {
            Kind::User => "PoliciesPerUser",
            Kind::Role => "PoliciesPerRole",
        }
    }
    fn tag_quota(self) -> &'static str {
        match self {
            Kind::User => "TagsPerUser",
            Kind::Role => "TagsPerRole",
        }
    }
}

/// A user or a role, copied out of the transaction to be changed and put back.
enum Entity {
    User(UserRecord),
    Role(RoleRecord),
}

impl Entity {
    fn load(tx: &IamTx<'_>, kind: Kind, name: &str) -> Result<Entity> {
        match kind {
            Kind::User => tx
                .user(name)
                .cloned()
                .map(Entity::User)
                .ok_or_else(|| no_such_user(name)),
            Kind::Role => tx
                .role(name)
                .cloned()
                .map(Entity::Role)
                .ok_or_else(|| no_such_role(name)),
        }
    }
    fn name(&self) -> &str {
        match self {
            Entity::User(u) => &u.name,
            Entity::Role(r) => &r.name,
        }
    }
    fn tags(&mut self) -> &mut BTreeMap<String, String> {
        match self {
            Entity::User(u) => &mut u.tags,
            Entity::Role(r) => &mut r.tags,
        }
    }
    fn inline(&mut self) -> &mut BTreeMap<String, String> {
        match self {
            Entity::User(u) => &mut u.inline_policies,
            Entity::Role(r) => &mut r.inline_policies,
        }
    }
    fn attached(&mut self) -> &mut Vec<String> {
        match self {
            Entity::User(u) => &mut u.attached_policies,
            Entity::Role(r) => &mut r.attached_policies,
        }
    }
    fn save(self, tx: &mut IamTx<'_>) {
        tx.put(match self {
            Entity::User(u) => IamRecord::User(u),
            Entity::Role(r) => IamRecord::Role(r),
        });
    }
}

pub(crate) fn no_such_user(name: &str) -> KmsError {
    KmsError::no_such_entity(format!("The user with name {name} cannot be found."))
}

pub(crate) fn no_such_role(name: &str) -> KmsError {
    KmsError::no_such_entity(format!("The role with name {name} cannot be found."))
}

fn boundaries_unsupported() -> KmsError {
    KmsError::invalid_input("Permissions boundaries are not supported by this sandbox.")
}

fn quota(name: &str, n: usize) -> KmsError {
    KmsError::iam_limit_exceeded(format!("Cannot exceed quota for {name}: {n}"))
}

/// A policy ARN of the right form, or IAM's `ValidationError` (what AWS answers for a
/// `PolicyArn` that is no ARN, LocalStack's test_iam_roles snapshot; a PermissionsBoundary's is
/// `InvalidInput`).
pub(crate) fn policy_arn<'r>(req: &'r Req<'_>) -> Result<&'r str> {
    let arn = req.req_str("PolicyArn");
    match parse_arn(arn) {
        Some(("iam", _, resource)) if resource.starts_with("policy/") => Ok(arn),
        _ => Err(KmsError::validation_error(format!(
            "ARN {arn} is not valid."
        ))),
    }
}

fn path(req: &Req<'_>) -> String {
    req.str("Path").unwrap_or("/").to_string()
}

// ---------------------------------------------------------------- users

/// A user as IAM describes it; `Tags` only where GetUser and CreateUser give them (the List
/// operations leave them out).
pub(crate) fn user_value(u: &UserRecord, with_tags: bool) -> Value {
    let mut m = Map::new();
    m.insert("Path".into(), json!(u.path));
    m.insert("UserName".into(), json!(u.name));
    m.insert("UserId".into(), json!(u.user_id));
    m.insert("Arn".into(), json!(u.arn));
    m.insert("CreateDate".into(), wire_time(u.created));
    if with_tags && !u.tags.is_empty() {
        m.insert("Tags".into(), tag_list(&u.tags));
    }
    Value::Object(m)
}

pub(crate) fn create_user(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let name = req.req_str("UserName");
    if tx.user(name).is_some() {
        return Err(KmsError::entity_already_exists(format!(
            "User with name {name} already exists."
        )));
    }
    if req.has("PermissionsBoundary") {
        return Err(boundaries_unsupported());
    }
    let mut tags = BTreeMap::new();
    merge_tags(&mut tags, request_tags(req)?, Kind::User.tag_quota())?;
    if tx.all_users().len() >= USERS_PER_ACCOUNT {
        return Err(quota("UsersPerAccount", USERS_PER_ACCOUNT));
    }
    let path = path(req);
    let u = UserRecord {
        name: name.to_string(),
        arn: tx.arn("iam", &format!("user{path}{name}")),
        path,
        user_id: tx.unique_id("AIDA"),
        created: tx.now,
        tags,
        inline_policies: BTreeMap::new(),
        attached_policies: vec![],
    };
    let out = json!({"User": user_value(&u, true)});
    tx.put(IamRecord::User(u));
    Ok(out)
}

pub(crate) fn get_user(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let name = match (req.str("UserName"), &tx.caller.identity) {
        (Some(name), _) => name,
        (None, Identity::User { name, .. }) => name.as_str(),
        // The root user has no name and no path; AWS gives its account id and ARN.
        (None, Identity::Root { account_id }) => {
            return Ok(json!({"User": {
                "UserId": account_id,
                "Arn": tx.caller.arn(tx.region),
                "CreateDate": wire_time(tx.now),
            }}))
        }
        (None, Identity::AssumedRole { .. }) => return Err(needs_user_name()),
    };
    let u = tx.user(name).ok_or_else(|| no_such_user(name))?;
    Ok(json!({"User": user_value(u, true)}))
}

pub(crate) fn needs_user_name() -> KmsError {
    KmsError::validation_error("Must specify userName when calling with non-User credentials")
}

pub(crate) fn list_users(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let prefix = req.str("PathPrefix").unwrap_or("/");
    let users = tx
        .all_users()
        .into_iter()
        .filter(|u| u.path.starts_with(prefix))
        .map(|u| (u.name.to_lowercase(), user_value(u, false)))
        .collect();
    listed("Users", users, req)
}

pub(crate) fn delete_user(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let name = req.req_str("UserName");
    let u = tx.user(name).ok_or_else(|| no_such_user(name))?;
    // In the order AWS's DeleteUser documentation lists what must go first.
    if tx
        .all_access_keys()
        .iter()
        .any(|k| k.user_id.as_ref() == Some(&u.user_id))
    {
        return Err(KmsError::delete_conflict(
            "Cannot delete entity, must delete access keys first.",
        ));
    }
    if !u.inline_policies.is_empty() {
        return Err(KmsError::delete_conflict(
            "Cannot delete entity, must delete policies first.",
        ));
    }
    if !u.attached_policies.is_empty() {
        return Err(KmsError::delete_conflict(
            "Cannot delete entity, must detach all policies first.",
        ));
    }
    let key = user_key(&u.name);
    tx.delete(key);
    Ok(json!({}))
}

// ---------------------------------------------------------------- roles

/// A role as IAM describes it; `Tags` only where GetRole and CreateRole give them.
pub(crate) fn role_value(r: &RoleRecord, with_tags: bool) -> Value {
    let mut m = Map::new();
    m.insert("Path".into(), json!(r.path));
    m.insert("RoleName".into(), json!(r.name));
    m.insert("RoleId".into(), json!(r.role_id));
    m.insert("Arn".into(), json!(r.arn));
    m.insert("CreateDate".into(), wire_time(r.created));
    m.insert(
        "AssumeRolePolicyDocument".into(),
        json!(r.assume_role_policy),
    );
    if let Some(d) = &r.description {
        m.insert("Description".into(), json!(d));
    }
    m.insert("MaxSessionDuration".into(), json!(r.max_session_duration));
    if with_tags && !r.tags.is_empty() {
        m.insert("Tags".into(), tag_list(&r.tags));
    }
    Value::Object(m)
}

/// The actions a trust policy may name (IAM: "AssumeRole policy may only specify STS AssumeRole
/// actions.").
const TRUST_ACTIONS: &[&str] = &[
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:tagsession",
    "sts:setsourceidentity",
    "sts:setcontext",
];

/// Whether a trust policy's `Action` entry names an STS assume action: one of them (in any
/// case), or a wildcard that covers one (`sts:*`, `sts:AssumeRole*`, `*`). Matched as policies
/// match actions (linear in the pattern's stars, whatever a request sends).
fn is_trust_action(action: &str) -> bool {
    let pattern = crate::access::pattern::ActionPattern::new(action);
    TRUST_ACTIONS
        .iter()
        .any(|t| pattern.matches(&crate::access::pattern::Action::new(t)))
}

fn check_trust_policy(tx: &IamTx<'_>, doc: &str) -> Result<()> {
    let policy = validate_trust_policy(doc)?;
    if policy_size(doc) > TRUST_POLICY_SIZE {
        return Err(quota("ACLSizePerRole", TRUST_POLICY_SIZE));
    }
    let only_sts = policy
        .statements()
        .iter()
        .filter(|s| !s.is_not_action())
        .all(|s| s.actions().all(is_trust_action));
    if !only_sts {
        return Err(KmsError::iam_malformed_policy(
            crate::access::messages::iam::TRUST_ACTIONS_ONLY,
        ));
    }
    for p in policy.principals() {
        if p.kind() == PrincipalType::Aws && !super::principal_exists(tx, tx.account_id, p.as_str())
        {
            return Err(KmsError::iam_malformed_policy(
                crate::access::messages::iam::invalid_principal("AWS", p.as_str()),
            ));
        }
    }
    Ok(())
}

pub(crate) fn create_role(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let name = req.req_str("RoleName");
    if tx.role(name).is_some() {
        return Err(KmsError::entity_already_exists(format!(
            "Role with name {name} already exists."
        )));
    }
    if req.has("PermissionsBoundary") {
        return Err(boundaries_unsupported());
    }
    let doc = req.req_str("AssumeRolePolicyDocument");
    check_trust_policy(tx, doc)?;
    let mut tags = BTreeMap::new();
    merge_tags(&mut tags, request_tags(req)?, Kind::Role.tag_quota())?;
    if tx.all_roles().len() >= ROLES_PER_ACCOUNT {
        return Err(quota("RolesPerAccount", ROLES_PER_ACCOUNT));
    }
    let path = path(req);
    let r = RoleRecord {
        name: name.to_string(),
        arn: tx.arn("iam", &format!("role{path}{name}")),
        path,
        role_id: tx.unique_id("AROA"),
        created: tx.now,
        assume_role_policy: doc.to_string(),
        description: req.str("Description").map(str::to_string),
        max_session_duration: req
            .int("MaxSessionDuration")
            .unwrap_or(DEFAULT_MAX_SESSION_DURATION),
        tags,
        inline_policies: BTreeMap::new(),
        attached_policies: vec![],
        last_used: None,
        last_used_region: None,
    };
    let mut role = role_value(&r, true);
    // CreateRole's answer leaves MaxSessionDuration and Description out (GetRole and ListRoles
    // give them): LocalStack's test_iam_roles snapshots of AWS, February 2026, of roles created
    // with a Description (test_list_roles_pagination, test_role_permissions_boundary_lifecycle).
    if let Some(m) = role.as_object_mut() {
        m.remove("MaxSessionDuration");
        m.remove("Description");
    }
    let out = json!({ "Role": role });
    tx.put(IamRecord::Role(r));
    Ok(out)
}

pub(crate) fn get_role(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let name = req.req_str("RoleName");
    let r = tx.role(name).ok_or_else(|| no_such_role(name))?;
    let mut role = role_value(r, true);
    // Always there, empty until the role is used (AWS tracks the trailing 400 days); the
    // sandbox counts a role as used when a session of it is made.
    let last_used = match (r.last_used, &r.last_used_region) {
        (Some(t), Some(region)) => json!({"LastUsedDate": wire_time(t), "Region": region}),
        (Some(t), None) => json!({"LastUsedDate": wire_time(t)}),
        (None, _) => json!({}),
    };
    role["RoleLastUsed"] = last_used;
    Ok(json!({ "Role": role }))
}

pub(crate) fn list_roles(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let prefix = req.str("PathPrefix").unwrap_or("/");
    let roles = tx
        .all_roles()
        .into_iter()
        .filter(|r| r.path.starts_with(prefix))
        .map(|r| (r.name.to_lowercase(), role_value(r, false)))
        .collect();
    listed("Roles", roles, req)
}

pub(crate) fn delete_role(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let name = req.req_str("RoleName");
    let r = tx.role(name).ok_or_else(|| no_such_role(name))?;
    if !r.inline_policies.is_empty() {
        return Err(KmsError::delete_conflict(
            "Cannot delete entity, must delete policies first.",
        ));
    }
    if !r.attached_policies.is_empty() {
        return Err(KmsError::delete_conflict(
            "Cannot delete entity, must detach all policies first.",
        ));
    }
    // Its sessions go on until they expire, as their credentials do on AWS, with none of its
    // policies (a role recreated under the same name is another role).
    let key = role_key(&r.name);
    tx.delete(key);
    Ok(json!({}))
}

pub(crate) fn update_role(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let name = req.req_str("RoleName");
    let mut r = tx.role(name).cloned().ok_or_else(|| no_such_role(name))?;
    if let Some(d) = req.str("Description") {
        r.description = Some(d.to_string());
    }
    if let Some(m) = req.int("MaxSessionDuration") {
        r.max_session_duration = m;
    }
    tx.put(IamRecord::Role(r));
    Ok(json!({}))
}

pub(crate) fn update_assume_role_policy(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let name = req.req_str("RoleName");
    let mut r = tx.role(name).cloned().ok_or_else(|| no_such_role(name))?;
    let doc = req.req_str("PolicyDocument");
    check_trust_policy(tx, doc)?;
    r.assume_role_policy = doc.to_string();
    tx.put(IamRecord::Role(r));
    Ok(json!({}))
}

// ---------------------------------------------------------------- tags

pub(crate) fn tag(tx: &mut IamTx<'_>, kind: Kind, req: &Req<'_>) -> Result<Value> {
    let mut e = Entity::load(tx, kind, req.req_str(kind.name_member()))?;
    merge_tags(e.tags(), request_tags(req)?, kind.tag_quota())?;
    e.save(tx);
    Ok(json!({}))
}

pub(crate) fn untag(tx: &mut IamTx<'_>, kind: Kind, req: &Req<'_>) -> Result<Value> {
    let mut e = Entity::load(tx, kind, req.req_str(kind.name_member()))?;
    remove_tags(e.tags(), &req.list("TagKeys"));
    e.save(tx);
    Ok(json!({}))
}

pub(crate) fn list_tags(tx: &mut IamTx<'_>, kind: Kind, req: &Req<'_>) -> Result<Value> {
    let mut e = Entity::load(tx, kind, req.req_str(kind.name_member()))?;
    let tags = e
        .tags()
        .iter()
        .map(|(k, v)| (k.clone(), json!({"Key": k, "Value": v})))
        .collect();
    listed("Tags", tags, req)
}

// ---------------------------------------------------------------- inline policies

pub(crate) fn put_inline(tx: &mut IamTx<'_>, kind: Kind, req: &Req<'_>) -> Result<Value> {
    let mut e = Entity::load(tx, kind, req.req_str(kind.name_member()))?;
    let doc = req.req_str("PolicyDocument");
    validate_identity_policy(doc)?;
    e.inline()
        .insert(req.req_str("PolicyName").to_string(), doc.to_string());
    // The quota is on all of the user's (role's) inline policies together.
    let limit = kind.inline_policy_size();
    if e.inline().values().map(|d| policy_size(d)).sum::<usize>() > limit {
        return Err(KmsError::iam_limit_exceeded(format!(
            "Maximum policy size of {limit} bytes exceeded for {} {}",
            kind.word(),
            e.name()
        )));
    }
    e.save(tx);
    Ok(json!({}))
}

fn no_such_inline(kind: Kind, policy_name: &str) -> KmsError {
    KmsError::no_such_entity(format!(
        "The {} policy with name {policy_name} cannot be found.",
        kind.word()
    ))
}

pub(crate) fn get_inline(tx: &mut IamTx<'_>, kind: Kind, req: &Req<'_>) -> Result<Value> {
    let mut e = Entity::load(tx, kind, req.req_str(kind.name_member()))?;
    let policy_name = req.req_str("PolicyName");
    let doc = e
        .inline()
        .get(policy_name)
        .cloned()
        .ok_or_else(|| no_such_inline(kind, policy_name))?;
    Ok(json!({
        kind.name_member(): e.name(),
        "PolicyName": policy_name,
        "PolicyDocument": doc,
    }))
}

pub(crate) fn list_inline(tx: &mut IamTx<'_>, kind: Kind, req: &Req<'_>) -> Result<Value> {
    let mut e = Entity::load(tx, kind, req.req_str(kind.name_member()))?;
    let names = e.inline().keys().map(|n| (n.clone(), json!(n))).collect();
    listed("PolicyNames", names, req)
}

pub(crate) fn delete_inline(tx: &mut IamTx<'_>, kind: Kind, req: &Req<'_>) -> Result<Value> {
    let mut e = Entity::load(tx, kind, req.req_str(kind.name_member()))?;
    let policy_name = req.req_str("PolicyName");
    if e.inline().remove(policy_name).is_none() {
        return Err(no_such_inline(kind, policy_name));
    }
    e.save(tx);
    Ok(json!({}))
}

// ---------------------------------------------------------------- attached managed policies

pub(crate) fn attach(tx: &mut IamTx<'_>, kind: Kind, req: &Req<'_>) -> Result<Value> {
    let mut e = Entity::load(tx, kind, req.req_str(kind.name_member()))?;
    let arn = policy_arn(req)?;
    if tx.policy(arn).is_none() {
        return Err(KmsError::no_such_entity(format!(
            "Policy {arn} does not exist or is not attachable."
        )));
    }
    if e.attached().iter().any(|a| a == arn) {
        return Ok(json!({}));
    }
    if e.attached().len() >= MANAGED_POLICIES_PER_ENTITY {
        return Err(quota(kind.attached_quota(), MANAGED_POLICIES_PER_ENTITY));
    }
    e.attached().push(arn.to_string());
    e.save(tx);
    Ok(json!({}))
}

pub(crate) fn detach(tx: &mut IamTx<'_>, kind: Kind, req: &Req<'_>) -> Result<Value> {
    let mut e = Entity::load(tx, kind, req.req_str(kind.name_member()))?;
    let arn = policy_arn(req)?;
    let before = e.attached().len();
    e.attached().retain(|a| a != arn);
    if e.attached().len() == before {
        return Err(KmsError::no_such_entity(format!(
            "Policy {arn} was not found."
        )));
    }
    e.save(tx);
    Ok(json!({}))
}

pub(crate) fn list_attached(tx: &mut IamTx<'_>, kind: Kind, req: &Req<'_>) -> Result<Value> {
    let mut e = Entity::load(tx, kind, req.req_str(kind.name_member()))?;
    let prefix = req.str("PathPrefix").unwrap_or("/");
    let attached = e
        .attached()
        .iter()
        .filter_map(|arn| tx.policy(arn))
        .filter(|p| p.path.starts_with(prefix))
        .map(|p| {
            (
                p.name.to_lowercase(),
                json!({"PolicyName": p.name, "PolicyArn": p.arn}),
            )
        })
        .collect::<BTreeMap<_, _>>()
        .into_iter()
        .collect();
    listed("AttachedPolicies", attached, req)
}
