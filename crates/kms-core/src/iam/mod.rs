//! IAM and STS inside a sandbox account: users, roles, inline and managed identity policies,
//! access keys, and role sessions from AssumeRole. Account-global state (IAM has no regions),
//! answered through [`Engine::handle_iam`] and [`Engine::handle_sts`] in the JSON value form the
//! engine uses for KMS; `crate::query` translates the query protocol.
//!
//! As for KMS, a handler never mutates the engine: it runs against an overlay of the IAM records
//! and returns the [`Change`]s for the shell to persist and then [`Engine::apply`]. This module
//! does not decide who may call what (the policy evaluator does, around these handlers), with one
//! exception it cannot avoid: whether a role may be assumed is asked of the trust check the
//! integrator passes to [`Engine::handle_sts`].
//!
//! AWS managed policies (`arn:aws:iam::aws:policy/...`), groups, permissions boundaries, login
//! profiles and MFA are not modelled.

mod access_keys;
mod documents;
mod entities;
mod policies;
mod sts;

pub use crate::records::iam::{
    AccessKeyRecord, AccessKeyStatus, IamRecord, ManagedPolicyRecord, PolicyVersionRecord,
    RoleRecord, SessionRecord, UserRecord,
};
pub use documents::{validate_identity_policy, validate_trust_policy};

use crate::caller::{Caller, Identity};
use crate::env::{Clock as _, Entropy, Millis};
use crate::error::{KmsError, Result};
use crate::outcome::Outcome;
use crate::records::iam::*;
pub(crate) use crate::records::iam::{IamState, IamView};
use crate::records::Change;
use crate::state::Engine;
use crate::tx::Req;
use crate::{model, Sandbox, Secret, Service};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Whether an `AWS` principal of a policy names something that exists, as AWS checks when it
/// stores a key policy or a trust policy: `*`, an account id, an ARN in another account, or in
/// this one its root, or a user, role or role session that exists (a user's or role's ARN is the
/// one IAM gave it, so in its partition).
pub(crate) fn principal_exists(iam: &dyn IamView, account_id: &str, principal: &str) -> bool {
    let is_account = |s: &str| s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit());
    if principal == "*" || is_account(principal) {
        return true;
    }
    // Any partition: AWS would refuse a root or other account's ARN of another partition, but
    // policies written for `aws` (the console's, in any Region) keep working in the sandbox.
    let Some((_partition, rest)) = principal
        .strip_prefix("arn:")
        .and_then(|r| r.split_once(':'))
    else {
        return false;
    };
    let mut parts = rest.splitn(4, ':');
    let (service, _region, account, resource) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    if account != account_id {
        return is_account(account);
    }
    let named = |r: &str| r.rsplit('/').next().unwrap_or_default().to_string();
    match (service, resource) {
        ("iam", "root") => true,
        ("iam", r) if r.starts_with("user/") => {
            iam.user(&named(r)).is_some_and(|u| u.arn == principal)
        }
        ("iam", r) if r.starts_with("role/") => {
            iam.role(&named(r)).is_some_and(|x| x.arn == principal)
        }
        ("sts", r) if r.starts_with("assumed-role/") => {
            let role = r.split('/').nth(1).unwrap_or_default();
            iam.role(role).is_some_and(|x| x.name == role)
        }
        _ => false,
    }
}

/// Decides whether `caller` may assume `role` with the (validated) AssumeRole `request`, from the
/// role's trust policy. `Err` is the answer AssumeRole gives, usually `AccessDenied`.
pub type TrustCheck<'a> = dyn Fn(&RoleRecord, &Caller, &Value) -> Result<()> + 'a;

/// Why an access key id does not identify a caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessKeyProblem {
    /// No such key (or its user or role is gone).
    Unknown,
    /// A user's key set `Inactive`.
    Inactive,
    /// A session's credentials past their expiration.
    Expired,
    /// A session's key without its session token, or with another; or a user's key with one.
    BadToken,
    /// The signature is not the one the key's secret makes.
    BadSignature,
}

const SIGNATURE_MISMATCH: &str = "The request signature we calculated does not match the \
    signature you provided. Check your AWS Secret Access Key and signing method. Consult the \
    service documentation for details.";

impl AccessKeyProblem {
    /// The error KMS (JSON protocol) answers with.
    pub fn kms_error(self) -> KmsError {
        match self {
            AccessKeyProblem::Unknown | AccessKeyProblem::Inactive | AccessKeyProblem::BadToken => {
                KmsError::new(
                    crate::ErrorType::UnrecognizedClient,
                    "The security token included in the request is invalid.",
                )
            }
            AccessKeyProblem::Expired => KmsError::new(
                crate::ErrorType::ExpiredTokenException,
                "The security token included in the request is expired",
            ),
            AccessKeyProblem::BadSignature => {
                KmsError::new(crate::ErrorType::InvalidSignature, SIGNATURE_MISMATCH)
            }
        }
    }

    /// The error IAM and STS (query protocol) answer with.
    pub fn query_error(self) -> KmsError {
        match self {
            AccessKeyProblem::Unknown | AccessKeyProblem::Inactive | AccessKeyProblem::BadToken => {
                KmsError::new(
                    crate::ErrorType::InvalidClientTokenId,
                    "The security token included in the request is invalid.",
                )
            }
            AccessKeyProblem::Expired => KmsError::new(
                crate::ErrorType::ExpiredToken,
                "The security token included in the request is expired",
            ),
            AccessKeyProblem::BadSignature => {
                KmsError::new(crate::ErrorType::SignatureDoesNotMatch, SIGNATURE_MISMATCH)
            }
        }
    }
}

/// An IAM or STS operation in progress: reads see the account's records plus this operation's
/// own writes.
pub(crate) struct IamTx<'a> {
    state: &'a IamState,
    pub account_id: &'a str,
    /// The Region of the request: IAM is global, but its ARNs are in this Region's partition.
    pub region: &'a str,
    pub now: Millis,
    pub caller: &'a Caller,
    rng: &'a mut dyn Entropy,
    overlay: BTreeMap<String, Option<IamRecord>>,
}

impl IamView for IamTx<'_> {
    fn get(&self, storage_key: &str) -> Option<&IamRecord> {
        match self.overlay.get(storage_key) {
            Some(o) => o.as_ref(),
            None => self.state.records.get(storage_key),
        }
    }
    fn scan(&self, prefix: &str) -> Vec<&IamRecord> {
        let keys: BTreeSet<&String> = prefixed(&self.state.records, prefix)
            .map(|(k, _)| k)
            .chain(prefixed(&self.overlay, prefix).map(|(k, _)| k))
            .collect();
        keys.into_iter().filter_map(|k| self.get(k)).collect()
    }
}

impl<'a> IamTx<'a> {
    fn new(
        engine: &'a Engine,
        region: &'a str,
        caller: &'a Caller,
        now: Millis,
        rng: &'a mut dyn Entropy,
    ) -> Self {
        IamTx {
            state: &engine.iam,
            account_id: engine.account_id(),
            region,
            now,
            caller,
            rng,
            overlay: BTreeMap::new(),
        }
    }

    pub fn put(&mut self, record: IamRecord) {
        self.overlay.insert(record.storage_key(), Some(record));
    }

    pub fn delete(&mut self, storage_key: String) {
        self.overlay.insert(storage_key, None);
    }

    /// `n` characters drawn uniformly from `alphabet` (whose length divides 256).
    pub fn random_chars(&mut self, n: usize, alphabet: &[u8]) -> String {
        debug_assert_eq!(256 % alphabet.len(), 0);
        let mut bytes = vec![0u8; n];
        self.rng.fill(&mut bytes);
        bytes
            .iter()
            .map(|b| alphabet[*b as usize % alphabet.len()] as char)
            .collect()
    }

    /// A unique id as IAM makes them: `AIDA`, `AROA` or `ANPA` and 17 characters.
    pub fn unique_id(&mut self, prefix: &str) -> String {
        format!("{prefix}{}", self.random_chars(17, ID_ALPHABET))
    }

    /// A new access key id (`AKIA` or `ASIA` and 16 characters) no key or session has.
    pub fn new_access_key_id(&mut self, prefix: &str) -> String {
        loop {
            let id = format!("{prefix}{}", self.random_chars(16, ID_ALPHABET));
            if self.access_key(&id).is_none() && self.session(&id).is_none() {
                return id;
            }
        }
    }

    /// A secret access key: 40 characters of base64's alphabet, as AWS's.
    pub fn new_secret(&mut self, len: usize) -> Secret {
        Secret::new(self.random_chars(len, SECRET_ALPHABET).into_bytes())
    }

    pub fn arn(&self, service: &str, resource: &str) -> String {
        crate::arn::arn(service, self.region, self.account_id, resource)
    }

    fn into_changes(self) -> Vec<Change> {
        self.overlay
            .into_iter()
            .map(|(storage_key, r)| match r {
                Some(r) => Change::PutIam(r),
                None => Change::DeleteIam { storage_key },
            })
            .collect()
    }
}

const ID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn dispatch(tx: &mut IamTx<'_>, operation: &str, req: &Req<'_>) -> Result<Value> {
    use entities::Kind::{Role, User};
    match operation {
        "CreateUser" => entities::create_user(tx, req),
        "GetUser" => entities::get_user(tx, req),
        "ListUsers" => entities::list_users(tx, req),
        "DeleteUser" => entities::delete_user(tx, req),
        "CreateRole" => entities::create_role(tx, req),
        "GetRole" => entities::get_role(tx, req),
        "ListRoles" => entities::list_roles(tx, req),
        "DeleteRole" => entities::delete_role(tx, req),
        "UpdateRole" => entities::update_role(tx, req),
        "UpdateAssumeRolePolicy" => entities::update_assume_role_policy(tx, req),

        "TagUser" => entities::tag(tx, User, req),
        "UntagUser" => entities::untag(tx, User, req),
        "ListUserTags" => entities::list_tags(tx, User, req),
        "TagRole" => entities::tag(tx, Role, req),
        "UntagRole" => entities::untag(tx, Role, req),
        "ListRoleTags" => entities::list_tags(tx, Role, req),

        "PutUserPolicy" => entities::put_inline(tx, User, req),
        "GetUserPolicy" => entities::get_inline(tx, User, req),
        "ListUserPolicies" => entities::list_inline(tx, User, req),
        "DeleteUserPolicy" => entities::delete_inline(tx, User, req),
        "PutRolePolicy" => entities::put_inline(tx, Role, req),
        "GetRolePolicy" => entities::get_inline(tx, Role, req),
        "ListRolePolicies" => entities::list_inline(tx, Role, req),
        "DeleteRolePolicy" => entities::delete_inline(tx, Role, req),

        "AttachUserPolicy" => entities::attach(tx, User, req),
        "DetachUserPolicy" => entities::detach(tx, User, req),
        "ListAttachedUserPolicies" => entities::list_attached(tx, User, req),
        "AttachRolePolicy" => entities::attach(tx, Role, req),
        "DetachRolePolicy" => entities::detach(tx, Role, req),
        "ListAttachedRolePolicies" => entities::list_attached(tx, Role, req),

        "CreatePolicy" => policies::create_policy(tx, req),
        "GetPolicy" => policies::get_policy(tx, req),
        "ListPolicies" => policies::list_policies(tx, req),
        "DeletePolicy" => policies::delete_policy(tx, req),
        "CreatePolicyVersion" => policies::create_policy_version(tx, req),
        "GetPolicyVersion" => policies::get_policy_version(tx, req),
        "ListPolicyVersions" => policies::list_policy_versions(tx, req),
        "DeletePolicyVersion" => policies::delete_policy_version(tx, req),
        "SetDefaultPolicyVersion" => policies::set_default_policy_version(tx, req),
        "TagPolicy" => policies::tag_policy(tx, req),
        "UntagPolicy" => policies::untag_policy(tx, req),
        "ListPolicyTags" => policies::list_policy_tags(tx, req),
        "ListEntitiesForPolicy" => policies::list_entities_for_policy(tx, req),

        "CreateAccessKey" => access_keys::create_access_key(tx, req),
        "ListAccessKeys" => access_keys::list_access_keys(tx, req),
        "UpdateAccessKey" => access_keys::update_access_key(tx, req),
        "DeleteAccessKey" => access_keys::delete_access_key(tx, req),

        _ => Err(model::iam().unknown_operation(operation)),
    }
}

// ---------------------------------------------------------------- shared by the operations

/// Pages a sorted list as IAM's List* operations do: `MaxItems` (default 100), an opaque
/// `Marker`, and `IsTruncated`/`Marker` in the answer.
pub(crate) fn page(
    items: Vec<(String, Value)>,
    req: &Req<'_>,
) -> Result<(Vec<Value>, Map<String, Value>)> {
    use base64::Engine as _;
    let codec = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let limit = req.int("MaxItems").map(|l| l as usize).unwrap_or(100);
    let start_after = match req.str("Marker") {
        None => None,
        Some(m) => Some(
            codec
                .decode(m)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| KmsError::validation_error("Invalid Marker"))?,
        ),
    };
    let mut rest: Vec<(String, Value)> = items
        .into_iter()
        .filter(|(k, _)| start_after.as_ref().is_none_or(|after| k > after))
        .collect();
    let truncated = rest.len() > limit;
    rest.truncate(limit);
    let mut extra = Map::new();
    extra.insert("IsTruncated".into(), json!(truncated));
    if truncated {
        let last = rest.last().map(|(k, _)| k.clone()).unwrap_or_default();
        extra.insert("Marker".into(), json!(codec.encode(last)));
    }
    Ok((rest.into_iter().map(|(_, v)| v).collect(), extra))
}

/// A list answer: `{member: items, IsTruncated, Marker?}`.
pub(crate) fn listed(member: &str, items: Vec<(String, Value)>, req: &Req<'_>) -> Result<Value> {
    let (items, mut out) = page(items, req)?;
    out.insert(member.into(), Value::Array(items));
    Ok(Value::Object(out))
}

/// The request's `Tags` (a list of `{Key, Value}`), refusing keys repeated regardless of case.
pub(crate) fn request_tags(req: &Req<'_>) -> Result<Vec<(String, String)>> {
    let tags = request_tag_list(req);
    if has_duplicate(&tags, |k| k.to_lowercase()) {
        return Err(KmsError::invalid_input(DUPLICATE_TAGS_ANY_CASE));
    }
    Ok(tags)
}

/// IAM's (and STS's) refusal of tags that repeat a key in any case (users, roles, sessions).
pub(crate) const DUPLICATE_TAGS_ANY_CASE: &str =
    "Duplicate tag keys found. Please note that Tag keys are case insensitive.";

/// A request's `Tags`, in the order given.
pub(crate) fn request_tag_list(req: &Req<'_>) -> Vec<(String, String)> {
    req.list("Tags")
        .into_iter()
        .map(|t| {
            let key = t["Key"].as_str().unwrap_or_default().to_string();
            let value = t["Value"].as_str().unwrap_or_default().to_string();
            (key, value)
        })
        .collect()
}

/// Whether two of `tags` have the same key, as `fold` compares keys.
pub(crate) fn has_duplicate(tags: &[(String, String)], fold: impl Fn(&str) -> String) -> bool {
    let mut seen = BTreeSet::new();
    tags.iter().any(|(k, _)| !seen.insert(fold(k)))
}

/// A managed policy's request `Tags`: unlike users' and roles', policies' tag keys are
/// case-sensitive (`a` and `A` are two tags), and IAM's refusal of a repeated key says so by
/// leaving out the case note.
pub(crate) fn request_policy_tags(req: &Req<'_>) -> Result<Vec<(String, String)>> {
    let tags = request_tag_list(req);
    if has_duplicate(&tags, str::to_string) {
        return Err(KmsError::invalid_input("Duplicate tag keys found."));
    }
    Ok(tags)
}

pub(crate) const TAGS_PER_RESOURCE: usize = 50;

/// Adds or replaces tags (a key replaces the same key in any case), within IAM's 50 per resource.
pub(crate) fn merge_tags(
    tags: &mut BTreeMap<String, String>,
    new: Vec<(String, String)>,
    quota: &str,
) -> Result<()> {
    for (k, v) in new {
        tags.retain(|existing, _| !existing.eq_ignore_ascii_case(&k));
        tags.insert(k, v);
    }
    if tags.len() > TAGS_PER_RESOURCE {
        return Err(KmsError::iam_limit_exceeded(format!(
            "Cannot exceed quota for {quota}: {TAGS_PER_RESOURCE}"
        )));
    }
    Ok(())
}

pub(crate) fn remove_tags(tags: &mut BTreeMap<String, String>, keys: &[&Value]) {
    for k in keys.iter().filter_map(|k| k.as_str()) {
        tags.retain(|existing, _| !existing.eq_ignore_ascii_case(k));
    }
}

/// [`merge_tags`] for a managed policy, whose tag keys are case-sensitive.
pub(crate) fn merge_policy_tags(
    tags: &mut BTreeMap<String, String>,
    new: Vec<(String, String)>,
    quota: &str,
) -> Result<()> {
    tags.extend(new);
    if tags.len() > TAGS_PER_RESOURCE {
        return Err(KmsError::iam_limit_exceeded(format!(
            "Cannot exceed quota for {quota}: {TAGS_PER_RESOURCE}"
        )));
    }
    Ok(())
}

/// [`remove_tags`] for a managed policy: only the key exactly as given goes.
pub(crate) fn remove_policy_tags(tags: &mut BTreeMap<String, String>, keys: &[&Value]) {
    for k in keys.iter().filter_map(|k| k.as_str()) {
        tags.remove(k);
    }
}

pub(crate) fn tag_list(tags: &BTreeMap<String, String>) -> Value {
    Value::Array(
        tags.iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect(),
    )
}

/// The pieces of an ARN: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
pub(crate) fn parse_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let _partition = parts.next()?;
    let service = parts.next()?;
    let _region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    Some((service, account, resource))
}

/// The name at the end of an ARN's resource path (`user/dev/alice` is `alice`).
pub(crate) fn last_segment(path: &str) -> Option<&str> {
    path.rsplit('/').next().filter(|n| !n.is_empty())
}

// ---------------------------------------------------------------- the engine's entry points

impl Engine {
    /// Answers one IAM operation in the JSON value form, for `caller`, made from `region` (IAM
    /// is global; its ARNs are in the Region's partition). The request is validated against the
    /// IAM model first. Nothing of the engine changes: the outcome carries the changes (none if
    /// the operation failed).
    pub fn handle_iam(
        &self,
        region: &str,
        operation: &str,
        request: &Value,
        caller: &Caller,
        now: Millis,
        entropy: &mut dyn Entropy,
    ) -> Outcome {
        let mut tx = IamTx::new(self, region, caller, now, entropy);
        let result = model::iam()
            .validate_input(operation, request)
            .and_then(|_| dispatch(&mut tx, operation, &Req(request)));
        finish(tx, result)
    }

    /// Answers one STS operation (GetCallerIdentity, AssumeRole) at `region`'s endpoint, like
    /// [`Engine::handle_iam`]. `trust` decides from the role's trust policy whether the caller
    /// may assume it.
    #[allow(clippy::too_many_arguments)]
    pub fn handle_sts(
        &self,
        region: &str,
        operation: &str,
        request: &Value,
        caller: &Caller,
        now: Millis,
        entropy: &mut dyn Entropy,
        trust: &TrustCheck<'_>,
    ) -> Outcome {
        let mut tx = IamTx::new(self, region, caller, now, entropy);
        let result = model::sts()
            .validate_input(operation, request)
            .and_then(|_| sts::dispatch(&mut tx, operation, &Req(request), trust));
        finish(tx, result)
    }

    /// Who signs with `access_key_id`: a user (or the root user) by a long-term key, or a role
    /// session by its temporary key until it expires at `now`.
    pub fn caller_for_access_key(
        &self,
        access_key_id: &str,
        now: Millis,
    ) -> Result<Caller, AccessKeyProblem> {
        let iam = &self.iam;
        if let Some(k) = iam.access_key(access_key_id) {
            if k.status == AccessKeyStatus::Inactive || k.deleted {
                return Err(AccessKeyProblem::Inactive);
            }
            let mut caller = match &k.user_name {
                None => Caller::root(self.account_id()),
                Some(name) => {
                    let u = iam
                        .user(name)
                        .filter(|u| Some(&u.user_id) == k.user_id.as_ref())
                        .ok_or(AccessKeyProblem::Unknown)?;
                    self.user_caller(u)
                }
            };
            caller.access_key_id = Some(access_key_id.to_string());
            return Ok(caller);
        }
        if let Some(s) = iam.session(access_key_id) {
            if s.spent || now >= s.expiration {
                return Err(AccessKeyProblem::Expired);
            }
            // The role may be gone: its session then has none of its policies.
            let mut caller =
                self.session_caller(&s.role_name, &s.role_path, &s.role_id, &s.session_name);
            caller.access_key_id = Some(access_key_id.to_string());
            return Ok(caller);
        }
        Err(AccessKeyProblem::Unknown)
    }

    /// The caller a principal ARN names, for acting as it without credentials (the console's
    /// "act as"): a user ARN is that user, a role ARN a session of that role (named
    /// `session_name`, default `console`), an assumed-role ARN that session, the root ARN or
    /// the account id the root user. The user or role must exist.
    pub fn caller_for_principal(
        &self,
        principal_arn: &str,
        session_name: Option<&str>,
    ) -> Result<Caller> {
        let invalid = || KmsError::invalid_input(format!("ARN {principal_arn} is not valid."));
        if principal_arn == self.account_id() {
            return Ok(Caller::root(self.account_id()));
        }
        let (service, account, resource) = parse_arn(principal_arn).ok_or_else(invalid)?;
        if account != self.account_id() {
            return Err(invalid());
        }
        let iam = &self.iam;
        match (service, resource.split_once('/')) {
            ("iam", None) if resource == "root" => Ok(Caller::root(self.account_id())),
            ("iam", Some(("user", rest))) => {
                let name = last_segment(rest).ok_or_else(invalid)?;
                let u = iam
                    .user(name)
                    .filter(|u| u.arn == principal_arn)
                    .ok_or_else(|| entities::no_such_user(name))?;
                Ok(self.user_caller(u))
            }
            ("iam", Some(("role", rest))) => {
                let name = last_segment(rest).ok_or_else(invalid)?;
                // A session AssumeRole could have made: its name as STS checks it.
                if let Some(session) = session_name {
                    model::sts().validate_input(
                        "AssumeRole",
                        &json!({"RoleArn": principal_arn, "RoleSessionName": session}),
                    )?;
                }
                let r = iam
                    .role(name)
                    .filter(|r| r.arn == principal_arn)
                    .ok_or_else(|| entities::no_such_role(name))?;
                Ok(self.session_caller(
                    &r.name,
                    &r.path,
                    &r.role_id,
                    session_name.unwrap_or("console"),
                ))
            }
            ("sts", Some(("assumed-role", rest))) => {
                let (role, session) = rest.split_once('/').ok_or_else(invalid)?;
                let r = iam.role(role).ok_or_else(|| entities::no_such_role(role))?;
                Ok(self.session_caller(&r.name, &r.path, &r.role_id, session))
            }
            _ => Err(invalid()),
        }
    }

    fn user_caller(&self, u: &UserRecord) -> Caller {
        Caller {
            identity: Identity::User {
                account_id: self.account_id().to_string(),
                name: u.name.clone(),
                path: u.path.clone(),
                user_id: u.user_id.clone(),
            },
            access_key_id: None,
        }
    }

    fn session_caller(
        &self,
        role_name: &str,
        role_path: &str,
        role_id: &str,
        session_name: &str,
    ) -> Caller {
        Caller {
            identity: Identity::AssumedRole {
                account_id: self.account_id().to_string(),
                role_name: role_name.to_string(),
                role_path: role_path.to_string(),
                role_id: role_id.to_string(),
                session_name: session_name.to_string(),
            },
            access_key_id: None,
        }
    }

    /// The identity-based policies that apply to `caller`, labelled: a user's inline policies
    /// (`inline policy NAME of user USER`) and attached managed policies (by ARN, their default
    /// version); a role session's are its role's (`inline policy NAME of role ROLE`). None for
    /// root, and none for a caller whose user or role no longer exists (or was recreated).
    pub fn identity_policies(&self, caller: &Caller) -> Vec<(String, String)> {
        let iam = &self.iam;
        let (kind, owner, inline, attached) = match &caller.identity {
            Identity::Root { .. } => return vec![],
            Identity::User { name, user_id, .. } => match iam.user(name) {
                Some(u) if &u.user_id == user_id => {
                    ("user", &u.name, &u.inline_policies, &u.attached_policies)
                }
                _ => return vec![],
            },
            Identity::AssumedRole {
                role_name, role_id, ..
            } => match iam.role(role_name) {
                Some(r) if &r.role_id == role_id => {
                    ("role", &r.name, &r.inline_policies, &r.attached_policies)
                }
                _ => return vec![],
            },
        };
        let mut out: Vec<(String, String)> = inline
            .iter()
            .map(|(n, doc)| (format!("inline policy {n} of {kind} {owner}"), doc.clone()))
            .collect();
        out.extend(
            attached
                .iter()
                .filter_map(|arn| iam.policy(arn))
                .map(|p| (p.arn.clone(), p.document().to_string())),
        );
        out
    }

    /// A role session's session policies (AssumeRole's `Policy` and `PolicyArns`), labelled,
    /// when it was given some: the session may do only what these allow too. `None` when the
    /// session has none (or the caller is not a session signing with its temporary key).
    pub fn session_policies(&self, caller: &Caller) -> Option<Vec<(String, String)>> {
        let s = self.iam.session(caller.access_key_id.as_deref()?)?;
        if s.policy.is_none() && s.policy_arns.is_empty() {
            return None;
        }
        let mut out = Vec::new();
        if let Some(doc) = &s.policy {
            let session = format!("assumed-role/{}/{}", s.role_name, s.session_name);
            out.push((format!("session policy of {session}"), doc.clone()));
        }
        for arn in &s.policy_arns {
            // A policy that does not exist here (deleted since, or AWS managed) allows nothing,
            // and still limits the session.
            let doc = match self.iam.policy(arn) {
                Some(p) => p.document().to_string(),
                None => r#"{"Version":"2012-10-17","Statement":[]}"#.to_string(),
            };
            out.push((arn.clone(), doc));
        }
        Some(out)
    }

    /// The session a role session caller signs with (by its access key id), if it has one.
    pub fn session_of(&self, caller: &Caller) -> Option<&SessionRecord> {
        match caller.identity {
            Identity::AssumedRole { .. } => self.iam.session(caller.access_key_id.as_deref()?),
            _ => None,
        }
    }

    /// The tags of a managed policy of the account, by its ARN (`aws:ResourceTag` of IAM
    /// requests on it).
    pub(crate) fn managed_policy_tags(&self, arn: &str) -> Option<&BTreeMap<String, String>> {
        self.iam.policy(arn).map(|p| &p.tags)
    }

    /// `aws:PrincipalTag`: a user's tags; for a role session the role's tags, overridden by
    /// the session's tags. None for root.
    pub fn principal_tags(&self, caller: &Caller) -> BTreeMap<String, String> {
        let iam = &self.iam;
        match &caller.identity {
            Identity::Root { .. } => BTreeMap::new(),
            Identity::User { name, .. } => {
                iam.user(name).map(|u| u.tags.clone()).unwrap_or_default()
            }
            Identity::AssumedRole { role_name, .. } => {
                let mut tags = iam
                    .role(role_name)
                    .map(|r| r.tags.clone())
                    .unwrap_or_default();
                if let Some(s) = caller
                    .access_key_id
                    .as_deref()
                    .and_then(|id| iam.session(id))
                {
                    for (k, v) in &s.tags {
                        tags.retain(|existing, _| !existing.eq_ignore_ascii_case(k));
                        tags.insert(k.clone(), v.clone());
                    }
                }
                tags
            }
        }
    }

    /// The account's IAM users, by lowercased name.
    pub fn users(&self) -> impl Iterator<Item = &UserRecord> {
        self.iam.all_users().into_iter()
    }

    /// The account's IAM roles, by lowercased name.
    pub fn roles(&self) -> impl Iterator<Item = &RoleRecord> {
        self.iam.all_roles().into_iter()
    }

    /// The account's customer managed policies, by lowercased name.
    pub fn managed_policies(&self) -> impl Iterator<Item = &ManagedPolicyRecord> {
        self.iam.all_policies().into_iter()
    }

    /// Every IAM record, by storage key (for exporting or inspecting the state).
    pub fn iam_records(&self) -> impl Iterator<Item = &IamRecord> {
        self.iam.records.values()
    }

    /// The secret access key of a long-term key or a session, for verifying a SigV4 signature;
    /// for a session also its session token, which the request must carry.
    pub fn signing_secret(&self, access_key_id: &str) -> Option<(&Secret, Option<&Secret>)> {
        if let Some(k) = self.iam.access_key(access_key_id) {
            return (!k.deleted).then_some((&k.secret_access_key, None));
        }
        let s = self.iam.session(access_key_id)?;
        Some((&s.secret_access_key, Some(&s.session_token)))
    }
}

fn finish(tx: IamTx<'_>, result: Result<Value>) -> Outcome {
    // An IAM operation is all or nothing: a failed one changes nothing.
    let changes = if result.is_ok() {
        tx.into_changes()
    } else {
        vec![]
    };
    Outcome::new(result, changes)
}

impl Sandbox {
    /// Runs an IAM operation as `caller` and applies its changes at once.
    pub fn iam(&mut self, caller: &Caller, operation: &str, request: Value) -> Result<Value> {
        let now = self.clock.now();
        let outcome = self.engine.handle_iam(
            &self.region,
            operation,
            &request,
            caller,
            now,
            self.entropy.as_mut(),
        );
        self.engine.apply(outcome.changes.clone());
        self.record(Service::Iam, operation, &request, &outcome, caller, now);
        outcome.result
    }

    /// Runs an STS operation as `caller` with the trust check `trust`, and applies its changes.
    pub fn sts(
        &mut self,
        caller: &Caller,
        operation: &str,
        request: Value,
        trust: &TrustCheck<'_>,
    ) -> Result<Value> {
        let now = self.clock.now();
        let outcome = self.engine.handle_sts(
            &self.region,
            operation,
            &request,
            caller,
            now,
            self.entropy.as_mut(),
            trust,
        );
        self.engine.apply(outcome.changes.clone());
        self.record(Service::Sts, operation, &request, &outcome, caller, now);
        outcome.result
    }

    /// The account's root user.
    pub fn root(&self) -> Caller {
        Caller::root(self.engine.account_id())
    }
}
