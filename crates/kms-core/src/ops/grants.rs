//! Grants: CreateGrant, ListGrants, ListRetirableGrants, RevokeGrant, RetireGrant.
//!
//! The sandbox keeps grants as AWS lists them, with AWS's validation, limits and key-state
//! rules. Grants are enforced: `authorize.rs` lets a grantee perform the grant's operations
//! under its constraints, and decides who may retire a grant; the operations here keep them.

use super::tokens::{check_grant_id, invalid_grant_token, is_well_formed_token};
use super::{dry_run, new_backing_key_id, page, require_enabled, resolve, with, Naming};
use crate::error::{KmsError, Result};
use crate::records::{GrantRecord, KeyRecord};
use crate::spec::{KeySpec, KeyUsage};
use crate::tx::{wire_time, Req, Tx};
use serde_json::{json, Map, Value};

/// AWS's quota of grants per KMS key (resource-limits.md).
const GRANTS_PER_KEY: usize = 50_000;
/// Encryption context pairs in one grant constraint (create-grant-overview.md).
const CONSTRAINT_PAIRS: usize = 8;
/// Characters of one encryption context value in a grant constraint.
const CONSTRAINT_VALUE_CHARS: usize = 384;

/// The grant operations a key of this type and usage supports (grants.md, "Grant operations").
fn valid_operations(key: &KeyRecord) -> Vec<&'static str> {
    let mut ops = vec!["CreateGrant", "RetireGrant", "DescribeKey"];
    ops.extend_from_slice(match (key.key_usage, key.key_spec) {
        (KeyUsage::EncryptDecrypt, KeySpec::SymmetricDefault) => &[
            "Decrypt",
            "Encrypt",
            "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext",
            "GenerateDataKeyPair",
            "GenerateDataKeyPairWithoutPlaintext",
            "ReEncryptFrom",
            "ReEncryptTo",
        ][..],
        (KeyUsage::EncryptDecrypt, _) => &[
            "Decrypt",
            "Encrypt",
            "ReEncryptFrom",
            "ReEncryptTo",
            "GetPublicKey",
        ],
        (KeyUsage::SignVerify, _) => &["Sign", "Verify", "GetPublicKey"],
        (KeyUsage::GenerateVerifyMac, _) => &["GenerateMac", "VerifyMac"],
        (KeyUsage::KeyAgreement, _) => &["DeriveSharedSecret", "GetPublicKey"],
        (KeyUsage::EncapsulateDecapsulate, _) => &["Encapsulate", "Decapsulate", "GetPublicKey"],
    });
    ops
}

/// Exactly one of a principal ARN and a service principal (the model documents "either, but
/// not both").
fn principal_pair(
    req: &Req<'_>,
    arn_member: &str,
    service_member: &str,
    required: bool,
) -> Result<(Option<String>, Option<String>)> {
    let arn = req.str(arn_member).map(str::to_string);
    let service = req.str(service_member).map(str::to_string);
    if arn.is_some() && service.is_some() {
        return Err(KmsError::validation(format!(
            "You must specify either {arn_member} or {service_member}, but not both."
        )));
    }
    if required && arn.is_none() && service.is_none() {
        return Err(KmsError::validation(format!(
            "You must specify either {arn_member} or {service_member}."
        )));
    }
    Ok((arn, service))
}

/// A GranteePrincipal or RetiringPrincipal must name a principal: AWS refuses an ARN that does
/// not with InvalidArnException "ARN does not refer to a valid principal: <arn>" (its words, as
/// Lambda relays them). The sandbox checks what it can know: a user or role of this account
/// must exist (its ARN the one IAM gave it, so in this partition and with its path), and an IAM
/// group is never a principal (grants.md: the grantee "cannot be ... an IAM group"). The account
/// root, other accounts' principals, role sessions, federated users and anything that is not
/// an IAM ARN (a service principal) are accepted.
fn check_principal(tx: &Tx<'_>, principal: &str) -> Result<()> {
    let Some((service, account, resource)) = crate::iam::parse_arn(principal) else {
        return Ok(());
    };
    if service != "iam" {
        return Ok(());
    }
    let valid = match resource.split_once('/').map(|(kind, _)| kind) {
        Some("group") => false,
        Some("user" | "role") if account == tx.account_id() => {
            crate::iam::principal_exists(&tx.engine.iam, tx.account_id(), principal)
        }
        _ => true,
    };
    if valid {
        Ok(())
    } else {
        Err(KmsError::invalid_arn(format!(
            "ARN does not refer to a valid principal: {principal}"
        )))
    }
}

/// Encryption context constraints are for symmetric encryption keys only: refused before the
/// grant's operations are checked against the key.
fn check_constraint_key(key: &KeyRecord, req: &Req<'_>) -> Result<()> {
    let has_context = req.0.get("Constraints").is_some_and(|c| {
        ["EncryptionContextSubset", "EncryptionContextEquals"]
            .iter()
            .any(|m| c.get(*m).and_then(Value::as_object).is_some())
    });
    if has_context && key.key_spec != KeySpec::SymmetricDefault {
        return Err(KmsError::validation(
            "EncryptionContext is supported only when creating a grant for a symmetric encryption KMS key.",
        ));
    }
    Ok(())
}

fn check_constraints(constraints: &Value) -> Result<()> {
    for member in ["EncryptionContextSubset", "EncryptionContextEquals"] {
        let Some(context) = constraints.get(member).and_then(Value::as_object) else {
            continue;
        };
        if context.len() > CONSTRAINT_PAIRS {
            return Err(KmsError::validation(format!(
                "{member} can have at most {CONSTRAINT_PAIRS} encryption context pairs."
            )));
        }
        if context
            .values()
            .filter_map(Value::as_str)
            .any(|v| v.chars().count() > CONSTRAINT_VALUE_CHARS)
        {
            return Err(KmsError::validation(format!(
                "An encryption context value in {member} cannot exceed {CONSTRAINT_VALUE_CHARS} characters."
            )));
        }
    }
    Ok(())
}

pub(crate) fn create_grant(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut key = resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    // The key policy of an AWS managed key allows CreateGrant only through its service.
    tx.deny_if_aws_managed(&key, "CreateGrant")?;
    require_enabled(&key)?;
    let (grantee, grantee_service) =
        principal_pair(req, "GranteePrincipal", "GranteeServicePrincipal", true)?;
    let (retiring, retiring_service) =
        principal_pair(req, "RetiringPrincipal", "RetiringServicePrincipal", false)?;
    let operations: Vec<String> = req
        .list("Operations")
        .iter()
        .filter_map(|v| v.as_str())
        .map(str::to_string)
        .collect();
    if operations.is_empty() {
        return Err(KmsError::validation(
            "A grant must allow at least one operation.",
        ));
    }
    check_constraint_key(&key, req)?;
    let valid = valid_operations(&key);
    let invalid: Vec<&str> = operations
        .iter()
        .map(String::as_str)
        .filter(|op| !valid.contains(op))
        .collect();
    if !invalid.is_empty() {
        return Err(KmsError::validation(format!(
            "Grant operations [{}] are not valid for {}, whose KeySpec is {} and KeyUsage is {}.",
            invalid.join(", "),
            key.arn,
            key.key_spec,
            key.key_usage
        )));
    }
    // AWS's words (ansible#31960).
    if operations.iter().all(|op| op == "CreateGrant") {
        return Err(KmsError::validation(
            "Grants must not contain only the CreateGrant operation.",
        ));
    }
    let constraints = req
        .0
        .get("Constraints")
        .filter(|c| c.as_object().is_some_and(|o| !o.is_empty()))
        .cloned();
    if let Some(c) = &constraints {
        check_constraints(c)?;
    }
    // A grant for a service principal is for one resource of it, and someone must be able to
    // retire it (the GranteeServicePrincipal documentation).
    if grantee_service.is_some() {
        if constraints
            .as_ref()
            .and_then(|c| c.get("SourceArn"))
            .is_none()
        {
            return Err(KmsError::validation(
                "When you specify a GranteeServicePrincipal, you must also specify a SourceArn grant constraint.",
            ));
        }
        if retiring.is_none() && retiring_service.is_none() {
            return Err(KmsError::validation(
                "When you specify a GranteeServicePrincipal, you must also specify either a RetiringPrincipal or a RetiringServicePrincipal.",
            ));
        }
    }
    for principal in [&grantee, &retiring].into_iter().flatten() {
        check_principal(tx, principal)?;
    }
    let name = req.str("Name").map(str::to_string);
    // A named request that matches an existing grant is a retry: AWS answers with that grant.
    if name.is_some() {
        if let Some(at) = key.grants.iter().position(|g| {
            g.name == name
                && g.grantee_principal == grantee
                && g.grantee_service_principal == grantee_service
                && g.retiring_principal == retiring
                && g.retiring_service_principal == retiring_service
                && g.operations == operations
                && g.constraints == constraints
        }) {
            dry_run(req)?;
            let token = super::tokens::new_grant_token(tx);
            let existing = &mut key.grants[at];
            existing.retry_tokens.push(token.clone());
            let grant_id = existing.grant_id.clone();
            tx.put_key(key);
            return Ok(json!({ "GrantToken": token, "GrantId": grant_id }));
        }
    }
    if key.grants.len() >= GRANTS_PER_KEY {
        return Err(KmsError::limit_exceeded(format!(
            "The request would exceed the quota of {GRANTS_PER_KEY} grants on {}.",
            key.arn
        )));
    }
    dry_run(req)?;
    let grant_id = new_backing_key_id(tx);
    // An opaque token, as AWS's are; it names nothing a caller could rely on.
    let token = super::tokens::new_grant_token(tx);
    key.grants.push(GrantRecord {
        grant_id: grant_id.clone(),
        token: token.clone(),
        retry_tokens: Vec::new(),
        name,
        created: tx.now,
        grantee_principal: grantee,
        grantee_service_principal: grantee_service,
        retiring_principal: retiring,
        retiring_service_principal: retiring_service,
        operations,
        constraints,
    });
    tx.put_key(key);
    Ok(json!({ "GrantToken": token, "GrantId": grant_id }))
}

/// A `GrantListEntry`.
fn grant_entry(tx: &Tx<'_>, key: &KeyRecord, g: &GrantRecord) -> Value {
    let mut m = Map::new();
    m.insert("KeyId".into(), json!(key.arn));
    m.insert("GrantId".into(), json!(g.grant_id));
    // An unnamed grant lists with an empty name (the ListGrants outputs in grant-manage.md and
    // create-grant-overview.md).
    m.insert("Name".into(), json!(g.name.as_deref().unwrap_or_default()));
    m.insert("CreationDate".into(), wire_time(g.created));
    let optional = [
        ("GranteePrincipal", &g.grantee_principal),
        ("GranteeServicePrincipal", &g.grantee_service_principal),
        ("RetiringPrincipal", &g.retiring_principal),
        ("RetiringServicePrincipal", &g.retiring_service_principal),
    ];
    for (member, value) in optional {
        if let Some(v) = value {
            m.insert(member.into(), json!(v));
        }
    }
    m.insert("IssuingAccount".into(), json!(tx.root_principal()));
    m.insert("Operations".into(), json!(g.operations));
    if let Some(c) = &g.constraints {
        m.insert("Constraints".into(), c.clone());
    }
    Value::Object(m)
}

/// The paging key of a grant: creation order, then id.
fn order(key: &KeyRecord, g: &GrantRecord) -> String {
    format!("{:020}/{}/{}", g.created, key.key_id, g.grant_id)
}

pub(crate) fn list_grants(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    if let Some(id) = req.str("GrantId") {
        check_grant_id(id)?;
    }
    // "You can specify either GranteePrincipal or GranteeServicePrincipal, but not both."
    principal_pair(req, "GranteePrincipal", "GranteeServicePrincipal", false)?;
    let mut items: Vec<(String, Value)> = key
        .grants
        .iter()
        .filter(|g| req.str("GrantId").is_none_or(|id| g.grant_id == id))
        .filter(|g| {
            req.str("GranteePrincipal")
                .is_none_or(|p| g.grantee_principal.as_deref() == Some(p))
        })
        .filter(|g| {
            req.str("GranteeServicePrincipal")
                .is_none_or(|p| g.grantee_service_principal.as_deref() == Some(p))
        })
        .map(|g| (order(&key, g), grant_entry(tx, &key, g)))
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let (grants, extra) = page(items, req, &format!("ListGrants/{}", key.key_id), 50, 100)?;
    Ok(with(extra, "Grants", Value::Array(grants)))
}

pub(crate) fn list_retirable_grants(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let (arn, service) =
        principal_pair(req, "RetiringPrincipal", "RetiringServicePrincipal", true)?;
    // "use the Amazon Resource Name (ARN) of an Amazon Web Services principal"; the model lists
    // InvalidArnException for it.
    if let Some(p) = arn.as_deref().filter(|p| !p.starts_with("arn:")) {
        return Err(KmsError::invalid_arn(format!("Invalid arn {p}")));
    }
    let mut items: Vec<(String, Value)> = Vec::new();
    for key in tx.keys_with_grants() {
        for g in &key.grants {
            let matches = match (&arn, &service) {
                (Some(p), _) => g.retiring_principal.as_ref() == Some(p),
                (_, Some(s)) => g.retiring_service_principal.as_ref() == Some(s),
                _ => false,
            };
            if matches {
                items.push((order(key, g), grant_entry(tx, key, g)));
            }
        }
    }
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let scope = format!(
        "ListRetirableGrants/{}",
        arn.as_deref().or(service.as_deref()).unwrap_or_default()
    );
    let (grants, extra) = page(items, req, &scope, 50, 100)?;
    Ok(with(extra, "Grants", Value::Array(grants)))
}

fn remove_grant(
    tx: &mut Tx<'_>,
    mut key: KeyRecord,
    grant_id: &str,
    req: &Req<'_>,
) -> Result<Value> {
    check_grant_id(grant_id)?;
    let Some(i) = key.grants.iter().position(|g| g.grant_id == grant_id) else {
        return Err(KmsError::not_found(format!(
            "Grant ID {grant_id} not found for key {}.",
            key.arn
        )));
    };
    dry_run(req)?;
    key.grants.remove(i);
    tx.put_key(key);
    Ok(json!({}))
}

pub(crate) fn revoke_grant(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    // No deny_if_aws_managed: an AWS managed key's policy allows kms:RevokeGrant to the account
    // (services-wm.md), so authorization decides, as for any key.
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    remove_grant(tx, key, req.req_str("GrantId"), req)
}

pub(crate) fn retire_grant(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    if let Some(token) = req.str("GrantToken") {
        if !is_well_formed_token(token) {
            return Err(invalid_grant_token());
        }
        let found = tx.keys_with_grants().into_iter().find_map(|k| {
            k.grants
                .iter()
                .find(|g| g.has_token(token))
                .map(|g| (k.clone(), g.grant_id.clone()))
        });
        // A token of the sandbox's form whose grant is gone (retired or revoked): the grant is
        // not found, as for a grant id that names no grant.
        let Some((key, grant_id)) = found else {
            return Err(KmsError::not_found(
                "The grant that this grant token identifies was not found.",
            ));
        };
        return remove_grant(tx, key, &grant_id, req);
    }
    match (req.str("KeyId"), req.str("GrantId")) {
        (Some(key_id), Some(grant_id)) => {
            // "both the grant ID and a key identifier (key ID or key ARN)" (the operation's
            // documentation; LocalStack's AWS-validated test passes a bare key ID), though the
            // KeyId member's documentation shows an ARN. An alias is refused as every key-only
            // KeyId refuses it (by `resolve`).
            let key = resolve(tx, key_id, Naming::KeyOnly)?;
            remove_grant(tx, key, grant_id, req)
        }
        _ => Err(KmsError::validation(
            "Either GrantToken, or both KeyId and GrantId, must be specified.",
        )),
    }
}
