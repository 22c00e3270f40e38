//! Key policies: GetKeyPolicy, PutKeyPolicy, ListKeyPolicies. Policies are stored and checked
//! for form and for AWS's lockout safety rule; they are not yet enforced.

use super::{resolve, Naming};
use crate::engine::{Req, Tx};
use crate::error::{KmsError, Result};
use serde_json::{json, Value};

/// AWS's key policy document size quota.
const MAX_POLICY_BYTES: usize = 32 * 1024;

fn policy_name(req: &Req<'_>) -> Result<()> {
    match req.str("PolicyName") {
        None | Some("default") => Ok(()),
        Some(other) => Err(KmsError::not_found(format!(
            "No such policy exists: {other}. The only key policy name is \"default\"."
        ))),
    }
}

fn as_list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(other) => vec![other],
        None => vec![],
    }
}

/// Checks a key policy's form, and unless bypassed, that it still lets the account manage the
/// key (AWS's "policy lockout safety check").
pub(crate) fn validate_policy(tx: &Tx<'_>, text: &str, bypass_lockout_check: bool) -> Result<()> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(KmsError::limit_exceeded(format!(
            "The key policy is {} bytes; the maximum is {MAX_POLICY_BYTES}.",
            text.len()
        )));
    }
    let malformed = |m: &str| KmsError::malformed_policy(m.to_string());
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| malformed(&format!("The policy is not valid JSON: {e}")))?;
    let statements = as_list(doc.get("Statement"));
    if !doc.is_object() || statements.is_empty() {
        return Err(malformed(
            "The policy must be a JSON object with a Statement.",
        ));
    }
    let root = tx.root_principal();
    let account = tx.account_id().to_string();
    let mut account_can_manage = false;
    for s in statements {
        let effect = s.get("Effect").and_then(Value::as_str);
        if !matches!(effect, Some("Allow") | Some("Deny")) {
            return Err(malformed(
                "Policy statement Effect must be \"Allow\" or \"Deny\".",
            ));
        }
        if s.get("Action").is_none() && s.get("NotAction").is_none() {
            return Err(malformed(
                "Policy statement is missing required field Action.",
            ));
        }
        let Some(principal) = s.get("Principal") else {
            return Err(malformed(
                "Policy statement is missing required field Principal.",
            ));
        };
        let principals: Vec<&str> = match principal {
            Value::String(p) => vec![p.as_str()],
            Value::Object(m) => m
                .values()
                .flat_map(|v| as_list(Some(v)))
                .filter_map(Value::as_str)
                .collect(),
            _ => {
                return Err(malformed(
                    "Policy contains a statement with one or more invalid principals.",
                ))
            }
        };
        let actions: Vec<&str> = as_list(s.get("Action"))
            .into_iter()
            .filter_map(Value::as_str)
            .collect();
        if effect == Some("Allow")
            && principals
                .iter()
                .any(|p| *p == "*" || *p == root || *p == account)
            && actions
                .iter()
                .any(|a| matches!(*a, "*" | "kms:*" | "kms:PutKeyPolicy"))
        {
            account_can_manage = true;
        }
    }
    if !bypass_lockout_check && !account_can_manage {
        return Err(malformed(
            "The new key policy will not allow you to update the key policy in the future.",
        ));
    }
    Ok(())
}

pub(crate) fn get_key_policy(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    policy_name(req)?;
    Ok(json!({ "Policy": key.policy, "PolicyName": "default" }))
}

pub(crate) fn put_key_policy(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut key = resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    tx.deny_if_aws_managed(&key, "PutKeyPolicy")?;
    policy_name(req)?;
    let policy = req.req_str("Policy");
    validate_policy(tx, policy, req.bool("BypassPolicyLockoutSafetyCheck"))?;
    key.policy = policy.to_string();
    tx.put_key(key);
    Ok(json!({}))
}

pub(crate) fn list_key_policies(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    Ok(json!({ "PolicyNames": ["default"], "Truncated": false }))
}
