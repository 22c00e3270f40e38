//! Key policies: GetKeyPolicy, PutKeyPolicy, ListKeyPolicies, and the checks KMS makes of a new
//! key policy.

use super::{resolve, Naming};
use crate::access::{Policy, PolicyKind, PrincipalType};
use crate::error::{KmsError, Result};
use crate::tx::{Req, Tx};
use serde_json::{json, Value};

/// AWS's key policy document size quota.
const MAX_POLICY_BYTES: usize = 32 * 1024;

/// The model's length constraint on a `Policy` member (characters).
const MAX_POLICY_LENGTH: usize = 131_072;

/// The error of a request whose `Policy` is past the model's length constraint: "If the key
/// policy exceeds the length constraint, KMS returns a LimitExceededException" (the Policy
/// member's documentation), where the model's validation would say ValidationException.
pub(crate) fn over_length_policy(operation: &str, request: &Value) -> Option<KmsError> {
    if !matches!(operation, "CreateKey" | "PutKeyPolicy" | "ReplicateKey") {
        return None;
    }
    let text = request.get("Policy")?.as_str()?;
    (text.chars().count() > MAX_POLICY_LENGTH).then(|| too_large(text))
}

fn too_large(text: &str) -> KmsError {
    KmsError::limit_exceeded(format!(
        "The key policy is {} bytes; the maximum is {MAX_POLICY_BYTES}.",
        text.len()
    ))
}

fn policy_name(req: &Req<'_>) -> Result<()> {
    match req.str("PolicyName") {
        None | Some("default") => Ok(()),
        Some(other) => Err(KmsError::not_found(format!(
            "No such policy exists: {other}. The only key policy name is \"default\"."
        ))),
    }
}

/// Checks a key policy as KMS does: its size, its grammar, that every principal of this account
/// it names exists, and unless bypassed, that it still lets the caller change the key policy
/// (AWS's "policy lockout safety check", decided by the same evaluation as every request).
/// `key_arn` is the key's ARN (`None` while CreateKey has not made the key yet).
pub(crate) fn validate_policy(
    tx: &Tx<'_>,
    text: &str,
    bypass_lockout_check: bool,
    key: Option<&crate::records::KeyRecord>,
) -> Result<()> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(too_large(text));
    }
    let policy = Policy::parse(text, PolicyKind::Resource)
        .map_err(|e| KmsError::malformed_policy(e.message))?;
    for principal in policy.principals() {
        if principal.kind() == PrincipalType::Aws
            && !crate::iam::principal_exists(&tx.engine.iam, tx.account_id(), principal.as_str())
        {
            return Err(KmsError::malformed_policy(
                "Policy contains a statement with one or more invalid principals.",
            ));
        }
    }
    if bypass_lockout_check {
        return Ok(());
    }
    if !super::authorize::lets_caller_put_key_policy(tx, &policy, key) {
        return Err(KmsError::malformed_policy(
            "The new key policy will not allow you to update the key policy in the future.",
        ));
    }
    Ok(())
}

/// Whether an `AWS` principal a key policy names is valid: `*`, an account, or a user, role or
/// role session; one of this account must exist (KMS refuses a policy naming a user or role that
/// does not). Principals of other accounts cannot be checked here and are accepted.
pub(crate) fn get_key_policy(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    policy_name(req)?;
    Ok(json!({ "Policy": key.policy, "PolicyName": "default" }))
}

pub(crate) fn put_key_policy(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut key = resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    tx.deny_if_aws_managed(&key, "PutKeyPolicy")?;
    // RAM's policy is RAM's own: PutKeyPolicy's PolicyName documentation names this answer.
    if req.str("PolicyName") == Some("AWS_RAM") {
        return Err(KmsError::validation(
            "The AWS_RAM policy can only be managed by the RAM service.",
        ));
    }
    policy_name(req)?;
    let policy = req.req_str("Policy");
    validate_policy(
        tx,
        policy,
        req.bool("BypassPolicyLockoutSafetyCheck"),
        Some(&key),
    )?;
    key.policy = policy.to_string();
    tx.put_key(key);
    Ok(json!({}))
}

pub(crate) fn list_key_policies(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    Ok(json!({ "PolicyNames": ["default"], "Truncated": false }))
}
