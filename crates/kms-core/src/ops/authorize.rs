//! Who may do what: every KMS request decided as AWS decides it, from the key policy, the
//! caller's identity policies and the key's grants (`control-access.md`, `policy-evaluation.md`,
//! `determining-access-*.md`).
//!
//! A request needs one or more permissions: an action (`kms:Encrypt`) on a resource (a KMS key,
//! an alias, or `*` for operations on no key). A permission on a key is decided by the key
//! policy, the caller's identity policies and the key's grants; any other by identity policies
//! alone. The request context carries the condition keys `conditions-kms.md` and
//! `conditions-aws.md` list for the operation. A key the request names that does not exist is
//! left to the operation, which answers its own NotFoundException.

use super::{resolve_ref, Naming};
use crate::access::{self, Context, Decision};
use crate::ciphertext;
use crate::error::{KmsError, Result};
use crate::records::{GrantRecord, KeyRecord};
use crate::state::ConditionKeys;
use crate::tx::{Req, Tx};
use serde_json::Value;
use std::collections::BTreeMap;

/// Operations that take an encryption context, and so `kms:EncryptionContext:` keys and grant
/// constraints.
const CONTEXT_OPERATIONS: &[&str] = &[
    "Encrypt",
    "Decrypt",
    "ReEncrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
];

/// What a permission is on.
enum Resource<'t> {
    /// A KMS key, and the alias the request named it by (for `kms:RequestAlias`).
    Key(&'t KeyRecord, Option<String>),
    /// Another resource's ARN (an alias), decided by identity policies alone.
    Arn(String),
    /// No resource: `*`.
    Account,
    /// The key the request is making (TagResource of a tagged CreateKey): decided as `*`, and
    /// AWS's denial names no resource ("is not authorized to perform: kms:TagResource because
    /// ...").
    NewKey,
}

/// One permission a request needs.
struct Need<'t> {
    /// The operation name in `kms:<action>` and in a grant's operations.
    action: &'static str,
    resource: Resource<'t>,
}

/// Decides the request; refuses it with AWS's AccessDeniedException when any permission it needs
/// is not given.
pub(crate) fn check(tx: &Tx<'_>, operation: &str, req: &Req<'_>) -> Result<()> {
    for need in needs(tx, operation, req) {
        with_decision(tx, operation, req, &need, |decision, request| {
            if decision.allowed {
                Ok(())
            } else {
                Err(KmsError::access_denied(denial(&need, decision, request)))
            }
        })?;
    }
    Ok(())
}

/// Every permission `operation` needs, with its decision and why, for the console's "Why?":
/// (action, resource, allowed, explanation).
pub(crate) fn explain(
    tx: &Tx<'_>,
    operation: &str,
    req: &Req<'_>,
) -> Vec<(String, String, bool, String)> {
    needs(tx, operation, req)
        .into_iter()
        .map(|need| {
            with_decision(tx, operation, req, &need, |decision, request| {
                let why = if decision.allowed {
                    decision.to_string()
                } else {
                    format!("{}\n{}", denial(&need, decision, request), decision)
                };
                (
                    request.action.to_string(),
                    request.resource.to_string(),
                    decision.allowed,
                    why,
                )
            })
        })
        .collect()
}

fn resource_arn(_tx: &Tx<'_>, need: &Need<'_>) -> String {
    match &need.resource {
        Resource::Key(key, _) => key.arn.clone(),
        Resource::Arn(arn) => arn.clone(),
        Resource::Account | Resource::NewKey => "*".to_string(),
    }
}

/// AWS's AccessDeniedException message for a denied need.
fn denial(need: &Need<'_>, decision: &Decision<'_>, request: &access::Request<'_>) -> String {
    match need.resource {
        Resource::NewKey => decision.denial_message_without_resource(request),
        _ => decision.denial_message(request),
    }
}

fn static_name(operation: &str) -> &'static str {
    crate::model::model()
        .operations
        .get_key_value(operation)
        .map(|(k, _)| k.as_str())
        .unwrap_or("Unknown")
}

/// The key a KeyId member names, if it exists, and the alias it was named by.
fn named_key<'t>(
    tx: &'t Tx<'_>,
    operation: &str,
    key_id: &str,
) -> Option<(&'t KeyRecord, Option<String>)> {
    let key = resolve_ref(tx, key_id, Naming::of(operation)).ok()?;
    Some((key, request_alias(key_id)))
}

/// `kms:RequestAlias`: the alias name a KeyId names a key by (an alias name or alias ARN).
fn request_alias(key_id: &str) -> Option<String> {
    crate::resolve::alias_named(key_id).map(str::to_string)
}

/// The key a symmetric ciphertext names.
fn ciphertext_key<'t>(tx: &'t Tx<'_>, req: &Req<'_>) -> Option<&'t KeyRecord> {
    let blob = req.blob("CiphertextBlob")?;
    let parsed = ciphertext::parse(&blob)?;
    tx.key(&parsed.key_id)
}

fn needs<'t>(tx: &'t Tx<'_>, operation: &str, req: &Req<'_>) -> Vec<Need<'t>> {
    let action = static_name(operation);
    let key = |member: &str| -> Option<Need<'t>> {
        let (key, alias) = named_key(tx, operation, req.str(member)?)?;
        Some(Need {
            action,
            resource: Resource::Key(key, alias),
        })
    };
    let alias_resource = |name: &str| Need {
        action,
        resource: Resource::Arn(tx.alias_arn(name)),
    };
    let alias_key = |name: &str| -> Option<Need<'t>> {
        // AWS managed aliases are refused by the operation itself (InvalidAliasNameException).
        if name.starts_with("alias/aws/") {
            return None;
        }
        let alias = tx.alias(name)?;
        Some(Need {
            action,
            resource: Resource::Key(tx.key(&alias.target_key_id)?, None),
        })
    };
    // kms:TagResource for a key made with Tags (CreateKey, ReplicateKey: their Tags members).
    let tagging = || {
        req.has("Tags").then_some(Need {
            action: "TagResource",
            resource: Resource::NewKey,
        })
    };
    match operation {
        // kms:TagResource too when the new key is tagged (the Tags member's documentation).
        "CreateKey" => {
            let mut v = vec![Need {
                action,
                resource: Resource::Account,
            }];
            v.extend(tagging());
            v
        }
        // "The authorized resource in ListRetirableGrants calls is the retiring principal
        // specified in the request" (the operation's documentation).
        "ListRetirableGrants" => vec![Need {
            action,
            resource: match req.str("RetiringPrincipal") {
                Some(p) => Resource::Arn(p.to_string()),
                None => Resource::Account,
            },
        }],
        "ListKeys"
        | "ListAliases"
        | "GenerateRandom"
        | "CreateCustomKeyStore"
        | "ConnectCustomKeyStore"
        | "DisconnectCustomKeyStore"
        | "DeleteCustomKeyStore"
        | "UpdateCustomKeyStore"
        | "DescribeCustomKeyStores" => vec![Need {
            action,
            resource: Resource::Account,
        }],
        "CreateAlias" => {
            let name = req.req_str("AliasName");
            let mut v = vec![alias_resource(name)];
            v.extend(key("TargetKeyId"));
            v
        }
        "UpdateAlias" => {
            let name = req.req_str("AliasName");
            let mut v = vec![alias_resource(name)];
            v.extend(alias_key(name));
            v.extend(key("TargetKeyId"));
            v
        }
        "DeleteAlias" => {
            let name = req.req_str("AliasName");
            let mut v = vec![alias_resource(name)];
            v.extend(alias_key(name));
            v
        }
        "Decrypt" => match req.str("KeyId") {
            Some(_) => key("KeyId").into_iter().collect(),
            None => ciphertext_key(tx, req)
                .map(|k| Need {
                    action,
                    resource: Resource::Key(k, None),
                })
                .into_iter()
                .collect(),
        },
        "ReEncrypt" => {
            let mut v = Vec::new();
            let source = match req.str("SourceKeyId") {
                Some(id) => named_key(tx, operation, id),
                None => ciphertext_key(tx, req).map(|k| (k, None)),
            };
            if let Some((k, alias)) = source {
                v.push(Need {
                    action: "ReEncryptFrom",
                    resource: Resource::Key(k, alias),
                });
            }
            if let Some((k, alias)) = req
                .str("DestinationKeyId")
                .and_then(|id| named_key(tx, operation, id))
            {
                v.push(Need {
                    action: "ReEncryptTo",
                    resource: Resource::Key(k, alias),
                });
            }
            v
        }
        // kms:ReplicateKey on the primary key, and kms:CreateKey (an IAM permission: no key yet)
        // for the replica; kms:TagResource too when it is tagged (the operation's documentation).
        "ReplicateKey" => {
            let mut v: Vec<Need<'t>> = key("KeyId").into_iter().collect();
            v.push(Need {
                action: "CreateKey",
                resource: Resource::Account,
            });
            v.extend(tagging());
            v
        }
        // kms:UpdatePrimaryRegion "in both Regions": on the primary key and on the replica that
        // becomes primary, effective in the replica key Region (multi-region-keys-auth.md).
        "UpdatePrimaryRegion" => {
            let mut v: Vec<Need<'t>> = key("KeyId").into_iter().collect();
            let replica = v.first().and_then(|n| match n.resource {
                Resource::Key(k, _) => req
                    .str("PrimaryRegion")
                    .filter(|r| *r != k.region)
                    .and_then(|r| tx.key_in(r, &k.key_id)),
                _ => None,
            });
            v.extend(replica.map(|k| Need {
                action,
                resource: Resource::Key(k, None),
            }));
            v
        }
        "RetireGrant" => retire_grant_key(tx, req)
            .map(|k| Need {
                action,
                resource: Resource::Key(k, None),
            })
            .into_iter()
            .collect(),
        _ => key("KeyId").into_iter().collect(),
    }
}

/// The lockout safety check: whether `policy`, as the key's policy, would let the caller make
/// the next PutKeyPolicy request (decided as that request: `kms:PolicyName` `default`, without
/// the BypassPolicyLockoutSafetyCheck parameter, so that `kms:BypassPolicyLockoutSafetyCheck` is
/// absent, as a `Null` condition on it expects; with the caller's identity policies). `key` is
/// `None` for a key CreateKey is making.
pub(crate) fn lets_caller_put_key_policy(
    tx: &Tx<'_>,
    policy: &access::Policy,
    key: Option<&KeyRecord>,
) -> bool {
    let everything = ConditionKeys::everything();
    let keys = Wanted(vec![&everything]);
    let next = serde_json::json!({"PolicyName": "default"});
    let need = Need {
        action: "PutKeyPolicy",
        resource: key.map_or(Resource::Account, |k| Resource::Key(k, None)),
    };
    let context = context(tx, "PutKeyPolicy", &Req(&next), &need, &keys);
    let key_context = key_policy_context(&context);
    let request = access::Request::new(
        "kms:PutKeyPolicy",
        key.map_or("*", |k| k.arn.as_str()),
        tx.caller,
        &tx.region,
        &context,
    )
    .with_resource_context(key_context.as_ref());
    let identity = tx.engine.identity_policies_parsed(tx.caller);
    let identity = crate::state::borrowed(&identity);
    access::decide(&request, Some(("key policy", policy)), &identity, None).allowed
}

/// The key of the grant RetireGrant names (by token, or by key ARN and grant id).
fn retire_grant_key<'t>(tx: &'t Tx<'_>, req: &Req<'_>) -> Option<&'t KeyRecord> {
    if let Some(token) = req.str("GrantToken") {
        return tx
            .keys_with_grants()
            .into_iter()
            .find(|k| k.grants.iter().any(|g| g.has_token(token)));
    }
    let key = resolve_ref(tx, req.str("KeyId")?, Naming::KeyOnly).ok()?;
    let id = req.str("GrantId")?;
    key.grants.iter().any(|g| g.grant_id == id).then_some(key)
}

/// Decides one permission and hands the decision, with the request it decided, to `f`.
fn with_decision<R>(
    tx: &Tx<'_>,
    operation: &str,
    req: &Req<'_>,
    need: &Need<'_>,
    f: impl FnOnce(&Decision<'_>, &access::Request<'_>) -> R,
) -> R {
    let action = format!("kms:{}", need.action);
    let resource = resource_arn(tx, need);
    let identity = tx.engine.identity_policies_parsed(tx.caller);
    let key_policy = match &need.resource {
        Resource::Key(key, _) => tx.engine.key_policy_parsed(key),
        _ => None,
    };
    // Only the condition keys these policies read are worth building.
    let keys = Wanted(
        identity
            .iter()
            .map(|(_, p)| &p.keys)
            .chain(key_policy.as_ref().map(|p| &p.keys))
            .collect(),
    );
    let context = context(tx, operation, req, need, &keys);
    let key_context = key_policy_context(&context);
    let request = access::Request::new(&action, &resource, tx.caller, &tx.region, &context)
        .with_resource_context(key_context.as_ref());
    let identity = crate::state::borrowed(&identity);
    match &need.resource {
        Resource::Key(key, _) => {
            let grant = grant_allowing(tx, key, operation, need.action, req);
            let decision = access::decide(
                &request,
                key_policy.as_deref().map(|p| ("key policy", &p.policy)),
                &identity,
                grant.map(|g| g.grant_id.as_str()),
            );
            f(&decision, &request)
        }
        Resource::Arn(_) | Resource::Account | Resource::NewKey => {
            f(&access::decide(&request, None, &identity, None), &request)
        }
    }
}

/// A grant on `key` that lets the caller perform `action` with this request, if any.
fn grant_allowing<'k>(
    tx: &Tx<'_>,
    key: &'k KeyRecord,
    operation: &str,
    action: &str,
    req: &Req<'_>,
) -> Option<&'k GrantRecord> {
    if key.grants.is_empty() {
        return None;
    }
    let caller = tx.caller;
    let (arn, role_arn) = (caller.arn(&tx.region), caller.role_arn(&tx.region));
    let names_caller = |p: Option<&str>| {
        p.is_some_and(|p| p == arn || (role_arn.is_some() && Some(p) == role_arn.as_deref()))
    };
    if action == "RetireGrant" {
        // Only the grant being retired decides: its retiring principal may retire it, and its
        // grantee if it allows RetireGrant (grant-manage.md, "Retiring and revoking grants").
        let g = match req.str("GrantToken") {
            Some(token) => key.grants.iter().find(|g| g.has_token(token)),
            None => {
                let id = req.str("GrantId");
                key.grants.iter().find(|g| Some(g.grant_id.as_str()) == id)
            }
        }?;
        let allows = names_caller(g.retiring_principal.as_deref())
            || (names_caller(g.grantee_principal.as_deref())
                && g.operations.iter().any(|o| o == "RetireGrant"));
        return allows.then_some(g);
    }
    let context = encryption_context(req, operation, action);
    key.grants.iter().find(|g| {
        let is_grantee = names_caller(g.grantee_principal.as_deref());
        if !is_grantee || !g.operations.iter().any(|o| o == action) {
            return false;
        }
        if action == "CreateGrant" {
            // A grant that allows CreateGrant allows grants of its own operations only.
            let asked = req.list("Operations");
            if !asked
                .iter()
                .filter_map(|v| v.as_str())
                .all(|op| g.operations.iter().any(|o| o == op))
            {
                return false;
            }
            // ... and with constraints as strict as its own, or stricter; a source-ARN
            // constraint limits the CreateGrant permission itself too.
            return source_arn_met(g) && child_constraints_as_strict(g, req);
        }
        constraints_met(g, operation, &context)
    })
}

/// Whether the grant a CreateGrant request asks for is constrained at least as strictly as the
/// parent grant `g` that allows it: an `EncryptionContextEquals` kept exactly; an
/// `EncryptionContextSubset` kept with its pairs (more may be added) or turned into an
/// `EncryptionContextEquals` that holds them, never the reverse; a `SourceArn` kept exactly (a
/// child without it would allow what the parent allows only for that resource everywhere).
fn child_constraints_as_strict(g: &GrantRecord, req: &Req<'_>) -> bool {
    let Some(parent) = &g.constraints else {
        return true;
    };
    let child = req.0.get("Constraints");
    if let Some(source) = parent.get("SourceArn").filter(|v| !v.is_null()) {
        if child.and_then(|c| c.get("SourceArn")) != Some(source) {
            return false;
        }
    }
    let child_equals = constraint_pairs(child, "EncryptionContextEquals");
    let child_subset = constraint_pairs(child, "EncryptionContextSubset");
    if let Some(equals) = constraint_pairs(Some(parent), "EncryptionContextEquals") {
        if child_equals.as_ref() != Some(&equals) {
            return false;
        }
    }
    if let Some(subset) = constraint_pairs(Some(parent), "EncryptionContextSubset") {
        let holds =
            |ec: &BTreeMap<String, String>| subset.iter().all(|(k, v)| ec.get(k) == Some(v));
        if !(child_equals.as_ref().is_some_and(holds) || child_subset.as_ref().is_some_and(holds)) {
            return false;
        }
    }
    true
}

/// The encryption context a permission is decided on: ReEncrypt's source context for
/// `ReEncryptFrom` and its destination context for `ReEncryptTo`, as each is the context of the
/// side of the call that key is on.
fn encryption_context(req: &Req<'_>, operation: &str, action: &str) -> BTreeMap<String, String> {
    let member = match (operation, action) {
        ("ReEncrypt", "ReEncryptFrom") => "SourceEncryptionContext",
        ("ReEncrypt", _) => "DestinationEncryptionContext",
        _ => "EncryptionContext",
    };
    req.string_map(member)
}

/// Whether a grant's `SourceArn` constraint, if it has one, is met: it "allows the permissions
/// in the grant only when the request is made on behalf of a specific Amazon Web Services
/// resource", as an `aws:SourceArn` condition in the grant would (the model's GrantConstraints).
/// Every request to the sandbox is made directly, with no `aws:SourceArn`, so such a grant
/// allows none of its operations (RetireGrant, to which it does not apply, is decided apart).
fn source_arn_met(g: &GrantRecord) -> bool {
    g.constraints
        .as_ref()
        .is_none_or(|c| c.get("SourceArn").is_none_or(Value::is_null))
}

/// A source-ARN constraint applies to every operation of the grant; encryption context
/// constraints only to operations that take an encryption context.
fn constraints_met(g: &GrantRecord, operation: &str, context: &BTreeMap<String, String>) -> bool {
    let Some(constraints) = &g.constraints else {
        return true;
    };
    if !source_arn_met(g) {
        return false;
    }
    if !CONTEXT_OPERATIONS.contains(&operation) {
        return true;
    }
    let pairs = |member| constraint_pairs(Some(constraints), member);
    if let Some(equals) = pairs("EncryptionContextEquals") {
        if &equals != context {
            return false;
        }
    }
    if let Some(subset) = pairs("EncryptionContextSubset") {
        if !subset.iter().all(|(k, v)| context.get(k) == Some(v)) {
            return false;
        }
    }
    true
}

/// The pairs of a grant constraint (`EncryptionContextEquals` or `EncryptionContextSubset`) in
/// `constraints`, if it has that one.
fn constraint_pairs(constraints: Option<&Value>, member: &str) -> Option<BTreeMap<String, String>> {
    constraints?
        .get(member)
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
}

/// The context a key policy sees: the request's without the keys AWS supports in IAM policies
/// only (`None` when it has none of them). `aws:ResourceTag/*`: "supported only in IAM
/// policies. It isn't supported in key policies" (tag-authorization.md); `kms:ResourceAliases`:
/// "IAM policies only" (conditions-kms.md; abac.md: "IAM policy only"). Grants have no
/// conditions of this kind.
fn key_policy_context(c: &Context) -> Option<Context> {
    let iam_only: Vec<String> = c
        .iter()
        .map(|(k, _)| k)
        .filter(|k| is_iam_policy_only(k))
        .map(str::to_string)
        .collect();
    if iam_only.is_empty() {
        return None;
    }
    let mut seen = c.clone();
    for k in &iam_only {
        seen.remove(k);
    }
    Some(seen)
}

fn is_iam_policy_only(key: &str) -> bool {
    const RESOURCE_TAG: &str = "aws:ResourceTag/";
    key.get(..RESOURCE_TAG.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(RESOURCE_TAG))
        || key.eq_ignore_ascii_case("kms:ResourceAliases")
}

/// The condition keys the policies of one decision read.
struct Wanted<'k>(Vec<&'k ConditionKeys>);

impl Wanted<'_> {
    fn is_empty(&self) -> bool {
        self.0.iter().all(|k| k.is_empty())
    }
    fn wants(&self, key: &str) -> bool {
        self.0.iter().any(|k| k.wants(key))
    }
    fn wants_prefix(&self, prefix: &str) -> bool {
        self.0.iter().any(|k| k.wants_prefix(prefix))
    }
}

/// The request context: the condition keys AWS sets for this operation and caller.
fn context(
    tx: &Tx<'_>,
    operation: &str,
    req: &Req<'_>,
    need: &Need<'_>,
    keys: &Wanted<'_>,
) -> Context {
    if keys.is_empty() {
        // No policy involved reads a condition key: the (common) default policies.
        return Context::new();
    }
    let mut c = principal_context(tx.engine, tx.caller, &tx.region, tx.now, keys);
    // ReplicateKey's kms:CreateKey (and kms:TagResource) permission is "in an IAM policy that is
    // effective in the replica key Region" (multi-region-keys-auth.md).
    if operation == "ReplicateKey"
        && need.action != "ReplicateKey"
        && keys.wants("aws:RequestedRegion")
    {
        c.set("aws:RequestedRegion", req.req_str("ReplicaRegion"));
    }
    if let Resource::Key(k, _) = need.resource {
        if operation == "UpdatePrimaryRegion" && k.region != tx.region {
            c.set("aws:RequestedRegion", k.region.as_str());
        }
    }
    // "KMS key resource operations, Custom key store operations" (conditions-kms.md's table).
    let key_store_operation = matches!(
        operation,
        "CreateCustomKeyStore"
            | "ConnectCustomKeyStore"
            | "DisconnectCustomKeyStore"
            | "DeleteCustomKeyStore"
            | "UpdateCustomKeyStore"
            | "DescribeCustomKeyStores"
    );
    if (matches!(need.resource, Resource::Key(..)) || key_store_operation)
        && keys.wants("kms:CallerAccount")
    {
        c.set("kms:CallerAccount", tx.caller.account_id());
    }

    if let Resource::Key(key, alias) = &need.resource {
        if keys.wants("kms:KeySpec") {
            c.set("kms:KeySpec", key.key_spec.as_str());
        }
        if keys.wants("kms:KeyUsage") {
            c.set("kms:KeyUsage", key.key_usage.as_str());
        }
        if keys.wants("kms:KeyOrigin") {
            c.set("kms:KeyOrigin", key.origin.as_str());
        }
        if keys.wants("kms:MultiRegion") {
            c.set_bool("kms:MultiRegion", key.multi_region.is_some());
        }
        if let Some(kind) = key.multi_region {
            if keys.wants("kms:MultiRegionKeyType") {
                c.set("kms:MultiRegionKeyType", kind.as_str());
            }
        }
        if keys.wants("kms:CustomerMasterKeySpec") {
            c.set("kms:CustomerMasterKeySpec", key.key_spec.as_str());
        }
        if keys.wants("kms:CustomerMasterKeyUsage") {
            c.set("kms:CustomerMasterKeyUsage", key.key_usage.as_str());
        }
        // IAM policies only: left out of what the key policy sees (key_policy_context).
        if keys.wants("kms:ResourceAliases") {
            let aliases: Vec<String> = tx
                .all_aliases()
                .into_iter()
                .filter(|a| a.target_key_id == key.key_id)
                .map(|a| a.name.clone())
                .collect();
            c.set_many("kms:ResourceAliases", aliases);
        }
        if let Some(alias) = alias {
            if keys.wants("kms:RequestAlias") {
                c.set("kms:RequestAlias", alias.as_str());
            }
        }
        // IAM policies only too.
        if keys.wants_prefix("aws:ResourceTag/") {
            for (k, v) in &key.tags {
                c.set(&format!("aws:ResourceTag/{k}"), v.as_str());
            }
        }
    }

    // What the request itself says.
    if CONTEXT_OPERATIONS.contains(&operation) {
        if keys.wants_prefix("kms:EncryptionContext") {
            let ec = encryption_context(req, operation, need.action);
            set_encryption_context(&mut c, &ec);
        }
        let alg = match operation {
            "Encrypt" | "Decrypt" => req.str("EncryptionAlgorithm"),
            "ReEncrypt" if need.action == "ReEncryptFrom" => req.str("SourceEncryptionAlgorithm"),
            "ReEncrypt" => req.str("DestinationEncryptionAlgorithm"),
            _ => None,
        };
        if keys.wants("kms:EncryptionAlgorithm") {
            c.set(
                "kms:EncryptionAlgorithm",
                alg.unwrap_or("SYMMETRIC_DEFAULT"),
            );
        }
    }
    match operation {
        "ReEncrypt" => {
            let source = match req.str("SourceKeyId") {
                Some(id) => named_key(tx, operation, id).map(|(k, _)| k.key_id.clone()),
                None => ciphertext_key(tx, req).map(|k| k.key_id.clone()),
            };
            let destination = req
                .str("DestinationKeyId")
                .and_then(|id| named_key(tx, operation, id))
                .map(|(k, _)| k.key_id.clone());
            if keys.wants("kms:ReEncryptOnSameKey") {
                c.set_bool(
                    "kms:ReEncryptOnSameKey",
                    source.is_some() && source == destination,
                );
            }
        }
        "Sign" | "Verify" => {
            if let Some(alg) = req.str("SigningAlgorithm") {
                if keys.wants("kms:SigningAlgorithm") {
                    c.set("kms:SigningAlgorithm", alg);
                }
            }
            if keys.wants("kms:MessageType") {
                c.set("kms:MessageType", req.str("MessageType").unwrap_or("RAW"));
            }
        }
        "GenerateMac" | "VerifyMac" => {
            if let Some(alg) = req.str("MacAlgorithm") {
                if keys.wants("kms:MacAlgorithm") {
                    c.set("kms:MacAlgorithm", alg);
                }
            }
        }
        "GenerateDataKeyPair" | "GenerateDataKeyPairWithoutPlaintext" => {
            if let Some(spec) = req.str("KeyPairSpec") {
                if keys.wants("kms:DataKeyPairSpec") {
                    c.set("kms:DataKeyPairSpec", spec);
                }
            }
        }
        "CreateGrant" => {
            let ops: Vec<String> = req
                .list("Operations")
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            if keys.wants("kms:GrantOperations") {
                c.set_many("kms:GrantOperations", ops);
            }
            if let Some(p) = req.str("GranteePrincipal") {
                if keys.wants("kms:GranteePrincipal") {
                    c.set("kms:GranteePrincipal", p);
                }
            }
            if let Some(p) = req.str("RetiringPrincipal") {
                if keys.wants("kms:RetiringPrincipal") {
                    c.set("kms:RetiringPrincipal", p);
                }
            }
            if keys.wants("kms:GrantIsForAWSResource") {
                c.set_bool("kms:GrantIsForAWSResource", false);
            }
            // A request may have both constraint types: the key then has both (a later one
            // does not hide the former), and the encryption context keys are those of both.
            let constraints = req.0.get("Constraints");
            let mut types = Vec::new();
            let mut pairs: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for member in ["EncryptionContextEquals", "EncryptionContextSubset"] {
                if let Some(ec) = constraint_pairs(constraints, member) {
                    types.push(member);
                    for (k, v) in ec {
                        let values = pairs.entry(k).or_default();
                        if !values.contains(&v) {
                            values.push(v);
                        }
                    }
                }
            }
            if !types.is_empty() {
                if keys.wants("kms:GrantConstraintType") {
                    c.set_many("kms:GrantConstraintType", types);
                }
                for (k, v) in &pairs {
                    c.set_many(&format!("kms:EncryptionContext:{k}"), v.iter().cloned());
                }
                c.set_many("kms:EncryptionContextKeys", pairs.into_keys());
            }
        }
        // "It limits only the kms:ReplicateKey permission" (multi-region-keys-auth.md), not the
        // kms:CreateKey and kms:TagResource permissions in the replica Region.
        "ReplicateKey" => {
            if need.action == "ReplicateKey" && keys.wants("kms:ReplicaRegion") {
                c.set("kms:ReplicaRegion", req.req_str("ReplicaRegion"));
            }
            // The replica's tags, to its kms:TagResource permission.
            if need.action == "TagResource" {
                set_request_tags(&mut c, req.list("Tags"));
            }
        }
        "UpdatePrimaryRegion" if keys.wants("kms:PrimaryRegion") => {
            c.set("kms:PrimaryRegion", req.req_str("PrimaryRegion"));
        }
        "GetParametersForImport" => {
            if keys.wants("kms:WrappingAlgorithm") {
                c.set("kms:WrappingAlgorithm", req.req_str("WrappingAlgorithm"));
            }
            if keys.wants("kms:WrappingKeySpec") {
                c.set("kms:WrappingKeySpec", req.req_str("WrappingKeySpec"));
            }
        }
        // Present only when the request has the parameter: conditions-kms.md's `Null` example
        // allows "only when the request does not have an ExpirationModel parameter" (whose
        // default is KEY_MATERIAL_EXPIRES).
        "ImportKeyMaterial" => {
            if let Some(model) = req.str("ExpirationModel") {
                if keys.wants("kms:ExpirationModel") {
                    c.set("kms:ExpirationModel", model);
                }
            }
            if keys.wants("kms:ValidTo") {
                if let Some(t) = req.0.get("ValidTo").and_then(Value::as_f64) {
                    // Unix time, fractional seconds kept (the doc compares it with
                    // `1546257599.0`): `1546257599.5` is after `1546257599`.
                    c.set("kms:ValidTo", t.to_string());
                }
            }
        }
        "ListGrants" | "RevokeGrant" if keys.wants("kms:GrantIsForAWSResource") => {
            c.set_bool("kms:GrantIsForAWSResource", false);
        }
        "CreateKey" => {
            // The deprecated CustomerMasterKeySpec parameter gives the spec when KeySpec does
            // not; kms:CustomerMasterKeySpec and kms:CustomerMasterKeyUsage "work the same way"
            // as kms:KeySpec and kms:KeyUsage: "Only the names differ".
            let spec = req
                .str("KeySpec")
                .or(req.str("CustomerMasterKeySpec"))
                .unwrap_or("SYMMETRIC_DEFAULT");
            let usage = req.str("KeyUsage").unwrap_or("ENCRYPT_DECRYPT");
            for (key, value) in [
                ("kms:KeySpec", spec),
                ("kms:CustomerMasterKeySpec", spec),
                ("kms:KeyUsage", usage),
                ("kms:CustomerMasterKeyUsage", usage),
            ] {
                if keys.wants(key) {
                    c.set(key, value);
                }
            }
            if keys.wants("kms:KeyOrigin") {
                c.set("kms:KeyOrigin", req.str("Origin").unwrap_or("AWS_KMS"));
            }
            let multi_region = req.bool("MultiRegion");
            if keys.wants("kms:MultiRegion") {
                c.set_bool("kms:MultiRegion", multi_region);
            }
            // CreateKey makes a primary key when it makes a multi-Region key; "Only multi-Region
            // keys have a MultiRegionKeyType property" (conditions-kms.md).
            if multi_region && keys.wants("kms:MultiRegionKeyType") {
                c.set("kms:MultiRegionKeyType", "PRIMARY");
            }
            set_bypass(&mut c, req, keys);
            set_request_tags(&mut c, req.list("Tags"));
        }
        "PutKeyPolicy" | "GetKeyPolicy" => {
            // "If the request doesn't include PolicyName, the value of kms:PolicyName is default."
            if keys.wants("kms:PolicyName") {
                c.set("kms:PolicyName", req.str("PolicyName").unwrap_or("default"));
            }
            if operation == "PutKeyPolicy" {
                set_bypass(&mut c, req, keys);
            }
        }
        "TagResource" => set_request_tags(&mut c, req.list("Tags")),
        "UntagResource" => {
            let tag_keys: Vec<String> = req
                .list("TagKeys")
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            if keys.wants("aws:TagKeys") {
                c.set_many("aws:TagKeys", tag_keys);
            }
        }
        _ => {}
    }
    c
}

/// `kms:BypassPolicyLockoutSafetyCheck`, present only when the request has the parameter:
/// conditions-kms.md's key policy statement uses `Null` "to allow access only when the request
/// does not include the BypassPolicyLockoutSafetyCheck parameter".
fn set_bypass(c: &mut Context, req: &Req<'_>, keys: &Wanted<'_>) {
    if req.has("BypassPolicyLockoutSafetyCheck") && keys.wants("kms:BypassPolicyLockoutSafetyCheck")
    {
        c.set_bool(
            "kms:BypassPolicyLockoutSafetyCheck",
            req.bool("BypassPolicyLockoutSafetyCheck"),
        );
    }
}

/// The global condition keys of the caller, the time and the Region the request is made in
/// (`region`: `aws:RequestedRegion`, "always included in the request context"), for a request
/// the caller makes directly (`conditions-aws.md`; the IAM User Guide's "AWS global condition
/// context keys", each key's Availability).
fn principal_context(
    engine: &crate::Engine,
    caller: &crate::Caller,
    region: &str,
    now: crate::Millis,
    keys: &Wanted<'_>,
) -> Context {
    let mut c = Context::new();
    if keys.wants("aws:RequestedRegion") {
        c.set("aws:RequestedRegion", region);
    }
    // "present in the request context for all signed API requests": false, the caller is no
    // service principal.
    if keys.wants("aws:PrincipalIsAWSService") {
        c.set_bool("aws:PrincipalIsAWSService", false);
    }
    // "always included in the request context": false "when the principal makes the call
    // directly".
    if keys.wants("aws:ViaAWSService") {
        c.set_bool("aws:ViaAWSService", false);
    }
    if let crate::caller::Identity::AssumedRole { .. } = caller.identity {
        // A role session signs with temporary credentials: aws:MultiFactorAuthPresent and
        // aws:TokenIssueTime are "included in the request context only when the principal uses
        // temporary credentials" (and no session here is authenticated with MFA).
        if keys.wants("aws:MultiFactorAuthPresent") {
            c.set_bool("aws:MultiFactorAuthPresent", false);
        }
        let session = (keys.wants("aws:TokenIssueTime") || keys.wants("aws:SourceIdentity"))
            .then(|| engine.session_of(caller))
            .flatten();
        if let Some(session) = session {
            if keys.wants("aws:TokenIssueTime") {
                c.set("aws:TokenIssueTime", iso8601(session.created));
            }
            // "included in the request context after a source identity has been set when a
            // role is assumed".
            if let Some(source) = &session.source_identity {
                if keys.wants("aws:SourceIdentity") {
                    c.set("aws:SourceIdentity", source.as_str());
                }
            }
        }
    }
    if keys.wants("aws:PrincipalArn") {
        c.set("aws:PrincipalArn", caller.principal_arn(region));
    }
    if keys.wants("aws:PrincipalAccount") {
        c.set("aws:PrincipalAccount", caller.account_id());
    }
    if keys.wants("aws:PrincipalType") {
        c.set("aws:PrincipalType", caller.principal_type());
    }
    if keys.wants("aws:userid") {
        c.set("aws:userid", caller.principal_id());
    }
    if let Some(name) = caller.user_name() {
        if keys.wants("aws:username") {
            c.set("aws:username", name);
        }
    }
    if !caller.is_root() && keys.wants_prefix("aws:PrincipalTag/") {
        for (k, v) in engine.principal_tags(caller) {
            c.set(&format!("aws:PrincipalTag/{k}"), v);
        }
    }
    if keys.wants("aws:CurrentTime") {
        c.set("aws:CurrentTime", iso8601(now));
    }
    if keys.wants("aws:EpochTime") {
        c.set("aws:EpochTime", (now / 1000).to_string());
    }
    if keys.wants("aws:SecureTransport") {
        c.set("aws:SecureTransport", "true");
    }
    c
}

/// Whether `caller` may assume `role`: its trust policy (as the resource-based policy) and the
/// caller's identity policies decide `sts:AssumeRole` on the role, and `sts:TagSession` when the
/// request passes session tags, `sts:SetSourceIdentity` when it sets a source identity (AWS's
/// "An administrator must grant you the permissions necessary to pass session tags").
pub(crate) fn may_assume_role(
    engine: &crate::Engine,
    region: &str,
    role: &crate::iam::RoleRecord,
    caller: &crate::Caller,
    request: &Value,
    now: crate::Millis,
) -> Result<()> {
    let everything = ConditionKeys::everything();
    let mut c = principal_context(engine, caller, region, now, &Wanted(vec![&everything]));
    let req = Req(request);
    if let Some(name) = req.str("RoleSessionName") {
        c.set("sts:RoleSessionName", name);
    }
    if let Some(id) = req.str("ExternalId") {
        c.set("sts:ExternalId", id);
    }
    if let Some(source) = req.str("SourceIdentity") {
        c.set("sts:SourceIdentity", source);
    }
    // The session tags (STS's Tag: Key and Value), to sts:TagSession and the others.
    let tags = req.list("Tags");
    set_tags(&mut c, &tags, "Key", "Value");
    // The role is the resource: its tags are aws:ResourceTag (and IAM's iam:ResourceTag).
    set_iam_resource_tags(&mut c, &role.tags, true);
    let denied = |action: &str| {
        KmsError::iam_access_denied(format!(
            "User: {} is not authorized to perform: {action} on resource: {}",
            caller.arn(region),
            role.arn
        ))
    };
    let trust = access::Policy::parse(&role.assume_role_policy, access::PolicyKind::Trust)
        .map_err(|_| denied("sts:AssumeRole"))?;
    let identity = engine.identity_policies_parsed(caller);
    let identity = crate::state::borrowed(&identity);
    let mut actions = vec!["sts:AssumeRole"];
    if !tags.is_empty() || req.has("TransitiveTagKeys") {
        actions.push("sts:TagSession");
    }
    if req.has("SourceIdentity") {
        actions.push("sts:SetSourceIdentity");
    }
    for action in actions {
        let request = access::Request::new(action, &role.arn, caller, region, &c);
        let decision = access::decide(&request, Some(("trust policy", &trust)), &identity, None);
        if !decision.allowed {
            return Err(denied(action));
        }
    }
    Ok(())
}

fn set_encryption_context(c: &mut Context, ec: &BTreeMap<String, String>) {
    for (k, v) in ec {
        c.set(&format!("kms:EncryptionContext:{k}"), v.as_str());
    }
    c.set_many("kms:EncryptionContextKeys", ec.keys().cloned());
}

/// `aws:RequestTag/*` and `aws:TagKeys` of a KMS request's `Tags` (`TagKey`, `TagValue`).
fn set_request_tags(c: &mut Context, tags: Vec<&Value>) {
    set_tags(c, &tags, "TagKey", "TagValue");
}

/// `aws:RequestTag/*` and `aws:TagKeys` of the tags a request passes, each an object with its
/// key and value under `key` and `value` (KMS's `TagKey`/`TagValue`, IAM's and STS's
/// `Key`/`Value`).
fn set_tags(c: &mut Context, tags: &[&Value], key: &str, value: &str) {
    let mut keys = Vec::new();
    for t in tags {
        if let (Some(k), Some(v)) = (
            t.get(key).and_then(Value::as_str),
            t.get(value).and_then(Value::as_str),
        ) {
            c.set(&format!("aws:RequestTag/{k}"), v);
            keys.push(k.to_string());
        }
    }
    if !keys.is_empty() {
        c.set_many("aws:TagKeys", keys);
    }
}

/// The tags of the IAM resource a request acts on: `aws:ResourceTag/*`, and for users and roles
/// (`entity`) IAM's own `iam:ResourceTag/*` too (the IAM authorization reference lists both for
/// its user and role resources; the IAM User Guide's "Controlling access to IAM resources").
fn set_iam_resource_tags(c: &mut Context, tags: &BTreeMap<String, String>, entity: bool) {
    for (k, v) in tags {
        c.set(&format!("aws:ResourceTag/{k}"), v.as_str());
        if entity {
            c.set(&format!("iam:ResourceTag/{k}"), v.as_str());
        }
    }
}

/// `2026-11-29T21:44:35Z` from epoch milliseconds (to the second, as `aws:CurrentTime` and
/// CloudTrail's `eventTime` give it).
pub(crate) fn iso8601(ms: crate::Millis) -> String {
    crate::query::format_timestamp(ms.div_euclid(1000) * 1000)
}

/// Whether `caller` may make the IAM request: identity policies alone decide `iam:<Operation>`
/// on the user, role or policy it names (IAM resources have no resource-based policies here);
/// the root user may do anything. The refusal names the resource as IAM does (`role <name>`,
/// `user <name>`, `policy <arn>`; see [`IamResource`]).
pub(crate) fn check_iam(
    engine: &crate::Engine,
    region: &str,
    operation: &str,
    request: &Value,
    caller: &crate::Caller,
    now: crate::Millis,
) -> Result<()> {
    let action = format!("iam:{operation}");
    let IamResource {
        arn,
        shown,
        tags,
        entity,
    } = iam_resource(engine, region, operation, request, caller);
    identity_denial(engine, caller, region, now, &action, &arn, |c| {
        // IAM has one endpoint, in us-east-1: "IAM calls are always made to the us-east-1
        // Region" (the IAM User Guide, aws:RequestedRegion).
        c.set(
            "aws:RequestedRegion",
            crate::Service::Iam.event_region(region),
        );
        let req = Req(request);
        // IAM's Tag is Key and Value (CreateUser, CreateRole, CreatePolicy, TagUser, TagRole,
        // TagPolicy); UntagUser, UntagRole and UntagPolicy name the keys they remove.
        set_tags(c, &req.list("Tags"), "Key", "Value");
        if operation.starts_with("Untag") {
            let keys: Vec<String> = req
                .list("TagKeys")
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            if !keys.is_empty() {
                c.set_many("aws:TagKeys", keys);
            }
        }
        set_iam_resource_tags(c, &tags, entity);
    })
    .map_or(Ok(()), |m| {
        let m = match shown {
            Some(shown) => m.replacen(
                &format!(" on resource: {arn} "),
                &format!(" on resource: {shown} "),
                1,
            ),
            None => m,
        };
        Err(KmsError::iam_access_denied(m))
    })
}

impl crate::Engine {
    /// Whether `caller` may look up events in `region`: identity policies alone decide
    /// `cloudtrail:LookupEvents`, an action without resources, so AWS's message names none.
    pub fn check_lookup_events(
        &self,
        region: &str,
        caller: &crate::Caller,
        now: crate::Millis,
    ) -> Result<()> {
        let action = "cloudtrail:LookupEvents";
        identity_denial(self, caller, region, now, action, "*", |_| {}).map_or(Ok(()), |m| {
            Err(KmsError::access_denied(m.replacen(
                " on resource: *",
                "",
                1,
            )))
        })
    }
}

/// Why identity policies alone refuse `caller` `action` on `resource` (`None`: allowed; the
/// root user always is), for a service whose resources have no resource-based policies here.
/// `prepare` adds what the request puts in the context (its tags).
fn identity_denial(
    engine: &crate::Engine,
    caller: &crate::Caller,
    region: &str,
    now: crate::Millis,
    action: &str,
    resource: &str,
    prepare: impl FnOnce(&mut access::Context),
) -> Option<String> {
    if caller.is_root() {
        return None;
    }
    let everything = ConditionKeys::everything();
    let mut c = principal_context(engine, caller, region, now, &Wanted(vec![&everything]));
    prepare(&mut c);
    let identity = engine.identity_policies_parsed(caller);
    let identity = crate::state::borrowed(&identity);
    let request = access::Request::new(action, resource, caller, region, &c);
    let decision = access::decide(&request, None, &identity, None);
    (!decision.allowed).then(|| decision.denial_message(&request))
}

/// The IAM resource a request acts on: the ARN policies are evaluated against (`*` when it
/// names none), and how IAM's AccessDenied message names it when not by that ARN. Real
/// refusals name a user or role by its name (`iam:GetRole on resource: role X`,
/// `iam:ListUserPolicies on resource: user X`, `iam:AttachRolePolicy on resource: role X`,
/// `iam:CreateAccessKey on resource: user X`), a managed policy by its ARN
/// (`iam:GetPolicy on resource: policy arn:aws:iam::A:policy/X`) or, for CreatePolicy, its
/// name (`policy X`), and ListPolicies its path
/// (`policy path /`); CreateUser and CreateRole keep the ARN they would make, and ListUsers and
/// ListRoles the ARN of their path (`arn:aws:iam::A:role/`).
struct IamResource {
    arn: String,
    shown: Option<String>,
    /// The tags of the user, role or managed policy it is, if it exists.
    tags: BTreeMap<String, String>,
    /// Whether it is a user or role (whose tags are `iam:ResourceTag` too).
    entity: bool,
}

fn iam_resource(
    engine: &crate::Engine,
    region: &str,
    operation: &str,
    request: &Value,
    caller: &crate::Caller,
) -> IamResource {
    let account = engine.account_id();
    let arn = |resource: String| crate::arn::arn("iam", region, account, &resource);
    let member = |name: &str| request.get(name).and_then(Value::as_str);
    let creating = matches!(operation, "CreateUser" | "CreateRole");
    let named = |arn: String, kind: &str, name: &str, tags: Option<&BTreeMap<String, String>>| {
        IamResource {
            arn,
            shown: (!creating).then(|| format!("{kind} {name}")),
            tags: tags.cloned().unwrap_or_default(),
            entity: true,
        }
    };
    let other = |arn: String, shown: Option<String>| IamResource {
        arn,
        shown,
        tags: BTreeMap::new(),
        entity: false,
    };
    let user = |name: &str| engine.users().find(|u| u.name.eq_ignore_ascii_case(name));
    if let Some(name) = member("UserName") {
        let found = user(name);
        let at = found.map(|u| u.arn.clone()).unwrap_or_else(|| {
            let path = member("Path").unwrap_or("/");
            arn(format!("user{path}{name}"))
        });
        return named(at, "user", name, found.map(|u| &u.tags));
    }
    if let Some(name) = member("RoleName") {
        let found = engine.roles().find(|r| r.name.eq_ignore_ascii_case(name));
        let at = found.map(|r| r.arn.clone()).unwrap_or_else(|| {
            let path = member("Path").unwrap_or("/");
            arn(format!("role{path}{name}"))
        });
        return named(at, "role", name, found.map(|r| &r.tags));
    }
    if let Some(policy) = member("PolicyArn") {
        return IamResource {
            tags: engine
                .managed_policy_tags(policy)
                .cloned()
                .unwrap_or_default(),
            ..other(policy.to_string(), Some(format!("policy {policy}")))
        };
    }
    if let Some(name) = member("PolicyName").filter(|_| operation == "CreatePolicy") {
        let path = member("Path").unwrap_or("/");
        return other(
            arn(format!("policy{path}{name}")),
            Some(format!("policy {name}")),
        );
    }
    let prefix = member("PathPrefix").unwrap_or("/");
    match operation {
        "ListUsers" => return other(arn(format!("user{prefix}")), None),
        "ListRoles" => return other(arn(format!("role{prefix}")), None),
        "ListPolicies" => {
            return other(
                arn(format!("policy{prefix}")),
                Some(format!("policy path {prefix}")),
            )
        }
        _ => {}
    }
    // Operations on one's own user without a UserName (GetUser, CreateAccessKey, ...).
    let own = matches!(
        operation,
        "GetUser" | "CreateAccessKey" | "ListAccessKeys" | "UpdateAccessKey" | "DeleteAccessKey"
    );
    if let Some(name) = caller.user_name().filter(|_| own) {
        return named(
            caller.arn(region),
            "user",
            name,
            user(name).map(|u| &u.tags),
        );
    }
    other("*".to_string(), None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn grant(constraints: Value) -> GrantRecord {
        GrantRecord {
            grant_id: "0".repeat(64),
            token: String::new(),
            retry_tokens: Vec::new(),
            name: None,
            created: 0,
            grantee_principal: Some("arn:aws:iam::111122223333:root".into()),
            grantee_service_principal: None,
            retiring_principal: None,
            retiring_service_principal: None,
            operations: vec!["CreateGrant".into(), "Encrypt".into()],
            constraints: Some(constraints),
        }
    }

    #[test]
    fn a_child_grant_keeps_its_parents_source_arn() {
        let source = "arn:aws:ec2:us-east-1:111122223333:volume/vol-0123456789abcdef0";
        let parent = grant(json!({"SourceArn": source}));
        let child = |constraints: Value| {
            let req = json!({"Operations": ["Encrypt"], "Constraints": constraints});
            child_constraints_as_strict(&parent, &Req(&req))
        };
        assert!(child(json!({"SourceArn": source})));
        assert!(child(
            json!({"SourceArn": source, "EncryptionContextSubset": {"a": "b"}})
        ));
        assert!(!child(json!({})));
        assert!(!child(json!({"EncryptionContextEquals": {"a": "b"}})));
        assert!(!child(
            json!({"SourceArn": "arn:aws:ec2:us-east-1:111122223333:volume/vol-1"})
        ));
        let req = json!({"Operations": ["Encrypt"]});
        assert!(!child_constraints_as_strict(&parent, &Req(&req)));
        // Nor does the parent's permission to create it hold for a direct call.
        assert!(!source_arn_met(&parent));
        assert!(!constraints_met(&parent, "DescribeKey", &BTreeMap::new()));
        assert!(constraints_met(
            &grant(json!({"EncryptionContextSubset": {"a": "b"}})),
            "DescribeKey",
            &BTreeMap::new()
        ));
    }
}
